// The review queue: questions the bot did not answer, answered with a 👎, or where "none of
// these" was pressed, grouped by likeness with how often each was asked; each group added as an
// alternate of an entry, made a new entry, or dismissed — what /nonrepondues does.
import { api, el, fill, say, sayRefusal, words } from "./common.js";

let root = null;

export async function open(section) {
  root = section;
  await showGroups();
}

const PAGE = 30;

// The first groups, the largest first; more on demand (each group's suggestions cost the
// server a few milliseconds).
async function showGroups(lead = "") {
  const list = el("ul", { id: "groups", className: "rows" });
  root.replaceChildren(list);
  if (!(await more(list, 0))) return;
  if (!list.children.length) list.append(el("li", { className: "empty", text: words.review_empty }));
  if (lead) say(lead);
}

async function more(list, offset) {
  const { status, data, total } = await api("GET", `review?offset=${offset}&limit=${PAGE}`);
  if (status !== 200) return false;
  list.append(...data.map(groupItem));
  if (offset + data.length < total) {
    const button = el("button", {
      type: "button", id: "more-groups", className: "secondary",
      text: fill(words.more_groups, { count: total - offset - data.length }),
      onclick: async () => {
        button.remove();
        await more(list, offset + data.length);
      },
    });
    root.append(button);
  }
  return true;
}

function kindsOf(group) {
  const names = { unanswered: words.not_answered, thumbs_down: words.voted_down, none_fits: words.none_fits };
  return Object.entries(group.kinds).map(([kind, count]) => `${names[kind] || kind} ${count}`).join(" · ");
}

function groupItem(group) {
  const choice = el("select", { className: "entry-choice" },
    ...group.suggestions.map((id) => el("option", { value: id, text: id })));
  const typed = el("input", { className: "entry-typed", type: "text", autocomplete: "off", placeholder: "theme.entry" });
  const item = el("li", { dataset: { anchor: group.anchor } },
    el("strong", { className: "group-text", text: group.text }),
    el("small", { text: `${fill(words.asked_times, { count: group.count })} · ${group.lang} · ${kindsOf(group)}` }),
    el("ul", { className: "phrasings" }, ...group.phrasings.slice(1, 6).map((p) =>
      el("li", { text: `${p.text} (${p.count})` }))),
    el("div", { className: "actions" },
      el("label", {}, el("span", { text: words.add_to }), group.suggestions.length ? choice : typed),
      el("button", { type: "button", className: "add", text: words.add,
        onclick: () => add(group, group.suggestions.length ? choice.value : typed.value.trim()) }),
      el("button", { type: "button", className: "make-entry", text: words.make_entry,
        onclick: () => makeEntry(group) }),
      el("button", { type: "button", className: "dismiss secondary", text: words.dismiss,
        onclick: () => dismiss(group) })),
  );
  return item;
}

async function act(group, action, body) {
  const { status, data } = await api("POST", `review/${group.anchor}/${group.stamp}/${action}`, body);
  if (status === 200) return data;
  if (status === 409 && data.group) {
    await showGroups();
    say(words.group_changed, true);
  } else if (status === 409) {
    say(words.nothing_to_add, true);
  } else if (status === 404) {
    await showGroups();
    say(words.gone, true);
  } else {
    sayRefusal(status, data);
  }
  return null;
}

async function add(group, entryId) {
  if (!entryId) return;
  if (await act(group, "alternate", { entry_id: entryId })) await showGroups(words.added);
}

async function dismiss(group) {
  if (await act(group, "dismiss", {})) await showGroups(words.dismissed);
}

function makeEntry(group) {
  const newFrom = {
    group,
    lang: group.lang,
    question: group.text,
    alternates: group.clean_phrasings.filter((text) => text !== group.text),
  };
  document.dispatchEvent(new CustomEvent("mesbot:open", { detail: { screen: "faq", options: { newFrom } } }));
}
