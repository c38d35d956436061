// What every screen of the admin page shares: the launch data, the page's words, calls to the
// API, and building elements. No framework and nothing from another site: the page runs under
// a Content-Security-Policy that allows only its own files.

// Telegram puts the launch parameters in the address's fragment; outside Telegram (tests) too.
const launch = new URLSearchParams(location.hash.slice(1));
export const initData = launch.get("tgWebAppData") || "";
export const words = {}; // filled from texts.json before any screen opens

export function $(selector, root = document) {
  return root.querySelector(selector);
}

// An element with properties (`text`, `className`, `dataset`, event handlers `on…`, anything
// else as an attribute) and children (nodes or strings).
export function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") element.textContent = value;
    else if (key === "className") element.className = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

export function themeParams() {
  try {
    return JSON.parse(launch.get("tgWebAppThemeParams") || "{}");
  } catch (error) {
    return {};
  }
}

export function userLang() {
  try {
    const user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
    return user.language_code === "en" ? "en" : "fr";
  } catch (error) {
    return "fr";
  }
}

export function say(message, isError = false) {
  const status = $("#status");
  status.textContent = message || "";
  status.classList.toggle("error", isError);
}

// `{status, data}` of an API call; 401 and 403 are said in the status line.
export async function api(method, path, body) {
  const response = await fetch(`api/${path}`, {
    method,
    headers: { Authorization: `tma ${initData}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) say(words.unauthorized, true);
  if (response.status === 403) say(words.forbidden, true);
  const total = Number(response.headers.get("X-Total-Count") || 0); // a list's whole length
  return { status: response.status, data, total };
}

// What a refused write says, in the status line: the problems for a 422, else a short word.
export function sayRefusal(status, data) {
  if (status === 409) say(words.conflict, true);
  else if (status === 422) say(`${words.problems} ${(data.problems || [data.error]).join(" · ")}`, true);
  else if (status === 404) say(words.gone, true);
  else if (status === 503) say(words.unavailable, true);
  else if (status !== 401 && status !== 403) say(words.failed, true);
}

// A page word with its `{name}` placeholders filled.
export function fill(template, values) {
  return (template || "").replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
}

export function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

// A moment as the reader's clock shows it: "2026-12-02 18:30".
export function localTime(iso) {
  const moment = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())} ` +
    `${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

// Telegram's HTML, rebuilt from the tags Telegram knows: nothing else reaches the page.
const ALLOWED = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code",
  "pre", "blockquote", "tg-spoiler", "a"]);

export function telegramHtml(html) {
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

export function fillWords(root) {
  for (const element of root.querySelectorAll("[data-text]")) {
    element.textContent = words[element.dataset.text] || "";
  }
}
