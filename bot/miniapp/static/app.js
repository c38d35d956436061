// The admin Mini App: the FAQ editor. No framework and nothing from another site: the page
// runs under a Content-Security-Policy that allows only its own files.
"use strict";

const LANGS = ["fr", "en"];
// Telegram puts the launch parameters in the address's fragment; outside Telegram (tests) too.
const launch = new URLSearchParams(location.hash.slice(1));
const initData = launch.get("tgWebAppData") || "";
let words = {};
let current = null; // the entry open in the editor, as the API gave it
let searching = null; // a search typed, waiting for the typing to pause

function $(selector, root = document) {
  return root.querySelector(selector);
}

function applyTheme() {
  let theme = {};
  try {
    theme = JSON.parse(launch.get("tgWebAppThemeParams") || "{}");
  } catch (error) {
    theme = {};
  }
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

function userLang() {
  try {
    const user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
    return user.language_code === "en" ? "en" : "fr";
  } catch (error) {
    return "fr";
  }
}

function say(message, isError = false) {
  const status = $("#status");
  status.textContent = message || "";
  status.classList.toggle("error", isError);
}

async function api(method, path, body) {
  const response = await fetch(`api/${path}`, {
    method,
    headers: { Authorization: `tma ${initData}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) say(words.unauthorized, true);
  if (response.status === 403) say(words.forbidden, true);
  return { status: response.status, data };
}

// Telegram's HTML, rebuilt from the tags Telegram knows: nothing else reaches the page.
const ALLOWED = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code",
  "pre", "blockquote", "tg-spoiler", "a"]);

function telegramHtml(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const copy = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        into.append(child.textContent);
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const tag = child.tagName.toLowerCase();
        if (!ALLOWED.has(tag)) {
          copy(child, into);
          continue;
        }
        const element = document.createElement(tag === "tg-spoiler" ? "span" : tag);
        const href = child.getAttribute("href") || "";
        if (tag === "a" && /^(https?:|tg:|mailto:)/i.test(href)) {
          element.href = href;
          element.rel = "noopener noreferrer";
          element.target = "_blank";
        }
        copy(child, element);
        into.append(element);
      }
    }
  };
  const fragment = document.createDocumentFragment();
  copy(parsed.body, fragment);
  return fragment;
}

function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

async function showList(query = "") {
  $("#editor-view").hidden = true;
  $("#list-view").hidden = false;
  const path = query ? `entries?q=${encodeURIComponent(query)}` : "entries";
  const { status, data } = await api("GET", path);
  if (status !== 200) return;
  const lang = userLang();
  const list = $("#entries");
  list.replaceChildren();
  const rows = data.filter((row) => row.lang === lang);
  if (!rows.length) {
    const empty = document.createElement("li");
    empty.textContent = words.no_entries;
    list.append(empty);
  }
  for (const row of rows) {
    const item = document.createElement("li");
    item.dataset.id = row.id;
    item.textContent = row.question;
    const details = document.createElement("small");
    details.textContent = `${row.id} · ${words.reviewed} ${row.reviewed}` +
      (row.hidden ? ` · ${words.hidden}` : "");
    item.append(details);
    item.addEventListener("click", () => openEntry(row.id));
    list.append(item);
  }
}

function fields(lang) {
  const article = $(`article[data-lang="${lang}"]`);
  return {
    version: current.version,
    question: $(".question", article).value,
    alternates: lines($(".alternates", article).value),
    keywords: lines($(".keywords", article).value),
    answer: $(".answer", article).value,
    sources: lines($("#sources").value),
  };
}

async function preview(lang) {
  const article = $(`article[data-lang="${lang}"]`);
  const { status, data } = await api("POST", `entries/${current.entry.id}/${lang}/preview`,
    fields(lang));
  const problems = $(".problems", article);
  problems.replaceChildren();
  for (const problem of data.problems || []) {
    const item = document.createElement("li");
    item.textContent = problem;
    problems.append(item);
  }
  if (status === 200) $(".preview", article).replaceChildren(telegramHtml(data.html));
}

async function save(lang) {
  const { status, data } = await api("PUT", `entries/${current.entry.id}/${lang}`, fields(lang));
  if (status === 200) {
    say(words.saved);
    await openEntry(current.entry.id, false);
  } else if (status === 409) {
    say(words.conflict, true);
  } else if (status === 422) {
    say(`${words.problems} ${(data.problems || [data.error]).join(" · ")}`, true);
  } else if (status !== 401 && status !== 403) {
    say(words.failed, true);
  }
}

async function restore(version) {
  const { status } = await api("POST", `entries/${current.entry.id}/rollback/${version}`);
  if (status === 200) {
    say(words.restored);
    await openEntry(current.entry.id, false);
  } else if (status !== 401 && status !== 403) {
    say(words.failed, true);
  }
}

async function openEntry(id, clearStatus = true) {
  clearTimeout(searching); // an entry chosen: a search typed just before must not close it
  const { status, data } = await api("GET", `entries/${encodeURIComponent(id)}`);
  if (status !== 200) return;
  if (clearStatus) say("");
  current = data;
  $("#list-view").hidden = true;
  $("#editor-view").hidden = false;
  $("#entry-id").textContent = data.entry.id;
  $("#sources").value = data.entry.sources.join("\n");
  const langs = $("#langs");
  langs.replaceChildren();
  for (const lang of LANGS) {
    const article = $("#lang-template").content.firstElementChild.cloneNode(true);
    article.dataset.lang = lang;
    fillWords(article);
    $(".lang-name", article).textContent = lang === "fr" ? "Français" : "English";
    const block = data.entry[lang];
    $(".question", article).value = block.question;
    $(".alternates", article).value = block.alternates.join("\n");
    $(".keywords", article).value = block.keywords.join("\n");
    $(".answer", article).value = block.answer;
    let timer = null;
    article.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => preview(lang), 250);
    });
    $(".save", article).addEventListener("click", () => save(lang));
    langs.append(article);
    preview(lang);
  }
  const revisions = $("#revisions");
  revisions.replaceChildren();
  for (const revision of data.revisions) {
    const item = document.createElement("li");
    item.textContent = `v${revision.version} · ${revision.created_at.slice(0, 16).replace("T", " ")}`;
    if (revision.version !== data.version) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = words.restore;
      button.addEventListener("click", () => restore(revision.version));
      item.append(button);
    }
    revisions.append(item);
  }
}

function fillWords(root) {
  for (const element of root.querySelectorAll("[data-text]")) {
    element.textContent = words[element.dataset.text] || "";
  }
}

async function start() {
  applyTheme();
  const lang = userLang();
  document.documentElement.lang = lang;
  const response = await fetch(`texts.json?lang=${lang}`);
  words = await response.json();
  document.title = words.title;
  $("#title").textContent = words.title;
  $("#search").placeholder = words.search;
  $("#back").textContent = words.back;
  fillWords(document);
  $("#search").addEventListener("input", (event) => {
    clearTimeout(searching);
    searching = setTimeout(() => showList(event.target.value.trim()), 250);
  });
  $("#back").addEventListener("click", () => showList($("#search").value.trim()));
  await showList();
}

start();
