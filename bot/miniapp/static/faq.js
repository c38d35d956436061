// The FAQ editor: list and search, both languages side by side with the message as Telegram
// will show it, saving with the FAQ's rules checked by the server, revisions with what each
// changed and restoring one, marking an entry reviewed today, and new entries (also made of a
// group of the review queue, see review.js).
import {
  $, api, el, fill, fillWords, lines, localTime, say, sayRefusal, telegramHtml, userLang, words,
} from "./common.js";

const LANGS = ["fr", "en"];
const LANG_NAMES = { fr: "Français", en: "English" };
let root = null;
let current = null; // the entry open in the editor, as the API gave it
let searching = null; // a search typed, waiting for the typing to pause
let themes = null;

// `options.newFrom`: a review group to make a new entry of (review.js asks for it).
export async function open(section, options = {}) {
  root = section;
  if (options.newFrom) await newEntry(options.newFrom);
  else await showList();
}

function frame() {
  root.replaceChildren();
  return root;
}

async function showList(query = "") {
  const search = el("input", {
    id: "search", type: "search", autocomplete: "off", placeholder: words.search, value: query,
  });
  search.addEventListener("input", () => {
    clearTimeout(searching);
    searching = setTimeout(() => fillList(search.value.trim()), 250);
  });
  const list = el("ul", { id: "entries", className: "rows" });
  frame().append(
    el("div", { className: "toolbar" }, search,
      el("button", { type: "button", id: "new-entry", text: words.new_entry, onclick: () => newEntry() })),
    list,
  );
  await fillList(query);
}

async function fillList(query) {
  const path = query ? `entries?q=${encodeURIComponent(query)}` : "entries";
  const { status, data } = await api("GET", path);
  const list = $("#entries", root);
  if (status !== 200 || !list) return;
  const lang = userLang();
  const rows = data.filter((row) => row.lang === lang);
  list.replaceChildren(...rows.map((row) => el("li", {
    dataset: { id: row.id }, onclick: () => openEntry(row.id),
  }, row.question, el("small", {
    text: [row.id, row.theme_name, `${words.reviewed} ${row.reviewed}`,
      fill(words.asked_30, { count: row.asked }), `👍 ${row.up} 👎 ${row.down}`,
      row.hidden ? words.hidden : ""].filter(Boolean).join(" · "),
  }))));
  if (!rows.length) list.append(el("li", { className: "empty", text: words.no_entries }));
}

function langArticle(lang, block, onInput) {
  const field = (name, input) => el("label", {}, el("span", { text: words[name] }), input);
  const article = el("article", { className: "lang", dataset: { lang } },
    el("h3", { text: LANG_NAMES[lang] }),
    field("question", el("input", { className: "question", type: "text", value: block.question })),
    field("alternates", el("textarea", { className: "alternates", rows: 4 })),
    field("keywords", el("textarea", { className: "keywords", rows: 2 })),
    field("answer", el("textarea", { className: "answer", rows: 10 })),
    el("h4", { text: words.preview }),
    el("div", { className: "preview bubble" }),
    el("ul", { className: "problems" }),
  );
  $(".alternates", article).value = block.alternates.join("\n");
  $(".keywords", article).value = block.keywords.join("\n");
  $(".answer", article).value = block.answer;
  let timer = null;
  article.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(onInput, 250);
  });
  return article;
}

function blockOf(lang) {
  const article = $(`article[data-lang="${lang}"]`, root);
  return {
    question: $(".question", article).value,
    alternates: lines($(".alternates", article).value),
    keywords: lines($(".keywords", article).value),
    answer: $(".answer", article).value,
  };
}

function showPreview(lang, status, data) {
  const article = $(`article[data-lang="${lang}"]`, root);
  if (!article) return;
  $(".problems", article).replaceChildren(
    ...(data.problems || []).map((problem) => el("li", { text: problem })));
  if (status === 200) $(".preview", article).replaceChildren(telegramHtml(data.html));
}

// What both languages share, as the editor holds it.
function sharedFields() {
  return {
    sources: lines($("#sources", root).value),
    theme: $("#theme", root).value,
    related: lines($("#related", root).value),
  };
}

async function loadThemes() {
  if (themes === null) {
    const { status, data } = await api("GET", "themes");
    if (status === 200) themes = data;
  }
  return themes !== null;
}

function themeSelect(id, chosen) {
  const select = el("select", { id }, ...themes.map((t) => el("option", { value: t.id, text: t.name })));
  if (chosen) select.value = chosen;
  return select;
}

async function preview(lang) {
  const body = { version: current.version, ...blockOf(lang), ...sharedFields() };
  const { status, data } = await api("POST", `entries/${current.entry.id}/${lang}/preview`, body);
  showPreview(lang, status, data);
}

async function save(lang) {
  const body = { version: current.version, ...blockOf(lang), ...sharedFields() };
  const { status, data } = await api("PUT", `entries/${current.entry.id}/${lang}`, body);
  if (status === 200) {
    await openEntry(current.entry.id);
    say(words.saved);
  } else {
    sayRefusal(status, data);
  }
}

async function markReviewed() {
  const { status, data } = await api("POST", `entries/${current.entry.id}/reviewed`,
    { version: current.version });
  if (status === 200) {
    await openEntry(current.entry.id);
    say(words.marked_reviewed);
  } else {
    sayRefusal(status, data);
  }
}

async function setHidden(hidden) {
  const { status, data } = await api("POST", `entries/${current.entry.id}/hidden`, { hidden });
  if (status === 200) {
    await openEntry(current.entry.id);
    say(hidden ? words.now_hidden : words.now_shown);
  } else {
    sayRefusal(status, data);
  }
}

async function restore(version) {
  const { status, data } = await api("POST", `entries/${current.entry.id}/rollback/${version}`);
  if (status === 200) {
    await openEntry(current.entry.id);
    say(words.restored);
  } else {
    sayRefusal(status, data);
  }
}

// What a revision changed against the one before it, line by line.
function changesOf(revision) {
  if (!revision.changes.length) return el("p", { className: "hint", text: words.created_first });
  return el("div", { className: "changes" }, ...revision.changes.map((change) => el("div", {},
    el("strong", { text: change.part }),
    el("pre", { className: "diff" }, ...change.lines.map(([op, text]) => el("span", {
      className: op === "+" ? "added" : op === "-" ? "removed" : "kept",
      text: `${op} ${text}\n`,
    }))),
  )));
}

function revisionsList(data) {
  return el("ol", { id: "revisions", reversed: true }, ...data.revisions.map((revision) => {
    const summary = el("summary", {},
      `v${revision.version} · ${localTime(revision.created_at)}`,
      revision.version === data.version ? ` · ${words.current}` : "");
    const details = el("details", { dataset: { version: revision.version } }, summary, changesOf(revision));
    if (revision.version !== data.version) {
      details.append(el("button", {
        type: "button", className: "restore", text: words.restore,
        onclick: () => restore(revision.version),
      }));
    }
    return el("li", {}, details);
  }));
}

async function openEntry(id) {
  clearTimeout(searching); // an entry chosen: a search typed just before must not close it
  const { status, data } = await api("GET", `entries/${encodeURIComponent(id)}`);
  if (status !== 200 || !(await loadThemes())) return;
  say("");
  current = data;
  const sources = el("textarea", { id: "sources", rows: 2 });
  sources.value = data.entry.sources.join("\n");
  const related = el("textarea", { id: "related", rows: 2 });
  related.value = data.entry.related.join("\n");
  const langs = el("div", { id: "langs" }, ...LANGS.map((lang) => {
    const article = langArticle(lang, data.entry[lang], () => preview(lang));
    article.append(el("button", { className: "save", type: "button", text: words.save, onclick: () => save(lang) }));
    return article;
  }));
  frame().append(
    el("button", { id: "back", type: "button", text: words.back, onclick: () => showList($("#search")?.value || "") }),
    el("h2", { id: "entry-id", text: data.entry.id }),
    el("p", { className: "hint" },
      `${words.reviewed} ${data.entry.reviewed}${data.hidden ? ` · ${words.hidden}` : ""} `,
      el("button", { id: "mark-reviewed", type: "button", text: words.mark_reviewed, onclick: markReviewed }),
      el("button", {
        id: "hide", type: "button", className: "secondary",
        text: data.hidden ? words.show : words.hide, onclick: () => setHidden(!data.hidden),
      })),
    el("label", {}, el("span", { text: words.theme }), themeSelect("theme", data.entry.theme)),
    langs,
    el("label", {}, el("span", { text: words.sources }), sources),
    el("label", {}, el("span", { text: words.related }), related),
    el("h3", { text: words.history }),
    revisionsList(data),
  );
  for (const lang of LANGS) preview(lang);
}

// A new entry: empty, or made of a review group (`from`: {group, lang, question, alternates}).
async function newEntry(from = null) {
  if (!(await loadThemes())) return;
  const blank = { question: "", alternates: [], keywords: [], answer: "" };
  const blocks = { fr: { ...blank }, en: { ...blank } };
  if (from) blocks[from.lang] = { ...blank, question: from.question, alternates: from.alternates };
  const entryOf = () => ({
    id: $("#new-id", root).value.trim(),
    ...sharedFields(),
    fr: blockOf("fr"),
    en: blockOf("en"),
  });
  const previewNew = async (lang) => {
    const { status, data } = await api("POST", `entries/preview/${lang}`, { entry: entryOf() });
    showPreview(lang, status, data);
  };
  const create = async () => {
    const body = { entry: entryOf() };
    if (from) body.review = { anchor: from.group.anchor, stamp: from.group.stamp };
    const { status, data } = await api("POST", "entries", body);
    if (status === 201) {
      await openEntry(data.id);
      say(words.created);
    } else if (status === 409 && !data.group) {
      say(words.exists, true);
    } else {
      sayRefusal(status, data);
    }
  };
  frame().append(
    el("button", { id: "back", type: "button", text: words.back, onclick: () => showList() }),
    el("h2", { text: words.new_entry }),
    el("label", {}, el("span", { text: words.entry_id }),
      el("input", { id: "new-id", type: "text", autocomplete: "off", placeholder: "mon_theme.ma_question" })),
    el("label", {}, el("span", { text: words.theme }), themeSelect("theme", null)),
    el("div", { id: "langs" }, ...LANGS.map((lang) => langArticle(lang, blocks[lang], () => previewNew(lang)))),
    el("label", {}, el("span", { text: words.sources }), el("textarea", { id: "sources", rows: 2 })),
    el("label", {}, el("span", { text: words.related }), el("textarea", { id: "related", rows: 2 })),
    el("button", { id: "create", type: "button", text: words.create, onclick: create }),
  );
  fillWords(root);
}
