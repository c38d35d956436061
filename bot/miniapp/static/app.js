// The admin page: its tabs, each a screen of its own module, shown by the caller's role.
// Administrators get every screen; volunteers only the webinars'.
import { $, api, fillWords, say, themeParams, userLang, words } from "./common.js";
import * as faq from "./faq.js";
import * as review from "./review.js";
import * as stats from "./stats.js";
import * as webinars from "./webinars.js";

const SCREENS = { faq, review, webinars, stats };
const FOR_VOLUNTEERS = new Set(["webinars"]);

function applyTheme() {
  const theme = themeParams();
  const names = {
    bg_color: "--bg",
    text_color: "--text",
    hint_color: "--hint",
    link_color: "--link",
    button_color: "--button",
    button_text_color: "--button-text",
    secondary_bg_color: "--secondary-bg",
  };
  for (const [key, variable] of Object.entries(names)) {
    if (typeof theme[key] === "string" && /^#[0-9a-fA-F]{3,8}$/.test(theme[key])) {
      document.documentElement.style.setProperty(variable, theme[key]);
    }
  }
}

async function open(name, options = {}) {
  for (const button of document.querySelectorAll("#tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.screen === name));
  }
  for (const section of document.querySelectorAll("main > section")) {
    section.hidden = section.id !== `${name}-screen`;
  }
  say("");
  await SCREENS[name].open($(`#${name}-screen`), options);
}

async function start() {
  applyTheme();
  const lang = userLang();
  document.documentElement.lang = lang;
  const response = await fetch(`texts.json?lang=${lang}`);
  Object.assign(words, await response.json());
  document.title = words.title;
  fillWords(document);
  const { status, data: me } = await api("GET", "me");
  if (status !== 200) return;
  const admin = me.roles.includes("admin");
  const allowed = Object.keys(SCREENS).filter((name) => admin || FOR_VOLUNTEERS.has(name));
  for (const button of document.querySelectorAll("#tabs button")) {
    button.hidden = !allowed.includes(button.dataset.screen);
    button.addEventListener("click", () => open(button.dataset.screen));
  }
  $("#tabs").hidden = allowed.length < 2;
  // A screen may send the reader to another: the review queue to the FAQ editor.
  document.addEventListener("mesbot:open", (event) => {
    if (allowed.includes(event.detail.screen)) open(event.detail.screen, event.detail.options);
  });
  // /mes_webinaires opens the page on its screen (`?screen=webinars`).
  const wanted = new URLSearchParams(location.search).get("screen");
  await open(allowed.includes(wanted) ? wanted : allowed[0]);
}

start();
