// The webinars screen: a month's calendar (Monday first), that month's webinars with how far
// each message about them got, and a form to publish one, change it or cancel it.
//
// Times are read and shown in this device's time zone and sent with their offset, so that what
// is typed is what is shown, wherever the device is; the month asked of the API is the bot's.
import { api, el, fill, say, sayRefusal, userLang, words } from "./common.js";

let root = null;
let me = null; // GET me: `regions` null when the caller may publish anywhere, national too
let regions = []; // GET regions: those the caller may publish in
let shown = null; // the month shown: {year, month} (month 0-11)
let webinars = []; // the month's, as the API gave them
let selected = null; // the day tapped, "YYYY-MM-DD"
let unfolded = new Set(); // ids of the webinars whose details are shown

export async function open(section) {
  root = section;
  if (shown === null) {
    const today = new Date();
    shown = { year: today.getFullYear(), month: today.getMonth() };
  }
  const [who, where] = await Promise.all([api("GET", "me"), api("GET", "regions")]);
  if (who.status !== 200 || where.status !== 200) return;
  me = who.data;
  regions = where.data;
  await showMonth();
}

// --- words and times ---

const pad = (n) => String(n).padStart(2, "0");
const dayKey = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

function format(date, options) {
  return new Intl.DateTimeFormat(userLang(), options).format(date);
}

function when(iso) {
  return format(new Date(iso), {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

// An ISO moment as a datetime-local input shows it, on this device's clock.
function inputValue(iso) {
  const moment = new Date(iso);
  return `${dayKey(moment)}T${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

// What a datetime-local input holds, as an ISO moment with its offset (UTC); null when empty.
function fromInput(value) {
  if (!value) return null;
  const moment = new Date(value); // a date and time without offset is read as local time
  return Number.isNaN(moment.getTime()) ? null : moment.toISOString();
}

function duration(minutes) {
  if (minutes < 60) return fill(words.w_minutes, { minutes });
  return fill(words.w_hours_minutes, { hours: Math.floor(minutes / 60), minutes: pad(minutes % 60) });
}

function ago(minutes) {
  if (minutes >= 1440 && minutes % 1440 === 0) return fill(words.w_unit_days, { count: minutes / 1440 });
  if (minutes >= 60 && minutes % 60 === 0) return fill(words.w_unit_hours, { count: minutes / 60 });
  return fill(words.w_minutes, { minutes });
}

function regionNames(webinar) {
  return webinar.regions.length ? webinar.region_names.join(", ") : words.w_national;
}

const endsAt = (webinar) => new Date(webinar.starts_at).getTime() + webinar.duration_minutes * 60000;
const changeable = (webinar) =>
  webinar.mine && webinar.status === "scheduled" && endsAt(webinar) > Date.now();

// --- the month ---

async function showMonth() {
  const month = `${shown.year}-${pad(shown.month + 1)}`;
  const { status, data } = await api("GET", `webinars?month=${month}`);
  if (month !== `${shown.year}-${pad(shown.month + 1)}`) return; // another month was asked for since
  if (status !== 200) {
    sayRefusal(status, data);
    return;
  }
  webinars = data;
  render();
}

function moveMonth(step) {
  const first = new Date(shown.year, shown.month + step, 1);
  shown = { year: first.getFullYear(), month: first.getMonth() };
  selected = null;
  unfolded = new Set();
  say("");
  showMonth();
}

function render() {
  const title = format(new Date(shown.year, shown.month, 1), { month: "long", year: "numeric" });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  root.replaceChildren(
    el("div", { className: "wb-toolbar" },
      el("div", { className: "wb-months" },
        el("button", {
          type: "button", id: "wb-previous", className: "wb-step", text: "‹",
          "aria-label": words.w_previous_month, title: words.w_previous_month,
          onclick: () => moveMonth(-1),
        }),
        el("h2", { id: "wb-month", text: title }),
        el("button", {
          type: "button", id: "wb-next", className: "wb-step", text: "›",
          "aria-label": words.w_next_month, title: words.w_next_month,
          onclick: () => moveMonth(1),
        })),
      el("button", {
        type: "button", id: "wb-new", text: `+ ${words.w_new}`, onclick: () => showForm(null),
      })),
    calendar(),
    el("p", { className: "wb-hint", text: fill(words.w_zone, { zone }) }),
    el("h3", { text: words.w_month_list }),
    list(),
  );
}

function calendar() {
  const grid = el("div", { id: "wb-calendar", className: "wb-calendar" });
  for (let n = 0; n < 7; n += 1) {
    const day = new Date(2024, 0, 1 + n); // 1 January 2024 was a Monday
    grid.append(el("span", {
      className: "wb-weekday", text: format(day, { weekday: "narrow" }),
      title: format(day, { weekday: "long" }), "aria-hidden": "true",
    }));
  }
  const byDay = new Map();
  for (const webinar of webinars) {
    const key = dayKey(new Date(webinar.starts_at));
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(webinar);
  }
  const first = new Date(shown.year, shown.month, 1);
  for (let n = 0; n < (first.getDay() + 6) % 7; n += 1) grid.append(el("span", { className: "wb-blank" }));
  const last = new Date(shown.year, shown.month + 1, 0).getDate();
  const today = dayKey(new Date());
  for (let date = 1; date <= last; date += 1) {
    const day = new Date(shown.year, shown.month, date);
    const key = dayKey(day);
    const those = byDay.get(key) || [];
    const live = those.filter((webinar) => webinar.status !== "cancelled");
    const classes = ["wb-day"];
    if (those.length) classes.push("wb-marked");
    if (those.length && !live.length) classes.push("wb-only-cancelled");
    if (key === today) classes.push("wb-today");
    const dots = el("span", { className: "wb-dots", "aria-hidden": "true" },
      ...those.slice(0, 3).map((webinar) => el("span", {
        className: webinar.status === "cancelled" ? "wb-dot wb-dot-cancelled" : "wb-dot",
      })));
    const label = format(day, { weekday: "long", day: "numeric", month: "long" }) +
      (those.length ? ` · ${those.map((webinar) => webinar.title).join(" · ")}` : "");
    grid.append(el("button", {
      type: "button", className: classes.join(" "), dataset: { day: key },
      "aria-pressed": String(key === selected), "aria-label": label,
      onclick: () => chooseDay(key),
    }, el("span", { className: "wb-date", text: String(date) }), dots));
  }
  return grid;
}

function chooseDay(key) {
  selected = key;
  const those = webinars.filter((webinar) => dayKey(new Date(webinar.starts_at)) === key);
  unfolded = new Set(those.map((webinar) => webinar.id));
  render();
  root.querySelector(`.wb-day[data-day="${key}"]`).focus({ preventScroll: true });
  if (!those.length) return;
  root.querySelector(`#wb-list li[data-id="${those[0].id}"]`).scrollIntoView({ block: "nearest" });
}

function list() {
  const items = el("ul", { id: "wb-list", className: "wb-list" });
  if (!webinars.length) {
    items.append(el("li", { className: "wb-empty", text: words.w_none_month }));
    return items;
  }
  for (const webinar of webinars) items.append(item(webinar));
  return items;
}

function item(webinar) {
  const unfoldedNow = unfolded.has(webinar.id);
  const over = endsAt(webinar) <= Date.now();
  const badges = el("span", { className: "wb-badges" });
  if (webinar.status === "cancelled") {
    badges.append(el("span", { className: "wb-badge wb-badge-cancelled", text: words.w_cancelled }));
  } else if (over) {
    badges.append(el("span", { className: "wb-badge", text: words.w_over }));
  }
  const head = el("button", {
    type: "button", className: "wb-head", "aria-expanded": String(unfoldedNow),
    onclick: () => {
      if (unfolded.has(webinar.id)) unfolded.delete(webinar.id);
      else unfolded.add(webinar.id);
      render();
      root.querySelector(`#wb-list li[data-id="${webinar.id}"] .wb-head`).focus({ preventScroll: true });
    },
  },
  el("span", { className: "wb-when", text: when(webinar.starts_at) }),
  el("strong", { className: "wb-title", text: webinar.title }),
  el("span", { className: "wb-where", text: regionNames(webinar) }),
  badges);
  const classes = ["wb-item"];
  if (webinar.status === "cancelled") classes.push("wb-item-cancelled");
  if (selected && dayKey(new Date(webinar.starts_at)) === selected) classes.push("wb-item-selected");
  return el("li", { className: classes.join(" "), dataset: { id: webinar.id } },
    head, progress(webinar), unfoldedNow ? details(webinar) : null);
}

// How far each message about the webinar got: a bar of those sent, and the other counts.
function progress(webinar) {
  const box = el("div", { className: "wb-progress" });
  for (const broadcast of webinar.broadcasts) {
    const name = broadcast.kind === "remind"
      ? fill(words.w_kind_remind, { time: ago(broadcast.minutes_before) })
      : words[`w_kind_${broadcast.kind}`] || broadcast.kind;
    const row = el("div", { className: "wb-broadcast", dataset: { kind: broadcast.kind } },
      el("div", { className: "wb-broadcast-head" },
        el("span", { className: "wb-kind", text: name }),
        broadcast.total
          ? el("span", { className: "wb-sent", text: fill(words.w_sent, broadcast) })
          : null));
    if (!broadcast.total) {
      row.append(el("p", { className: "wb-counts", text: words.w_nobody }));
      box.append(row);
      continue;
    }
    const bar = el("div", {
      className: "wb-bar", role: "progressbar", "aria-valuemin": "0",
      "aria-valuemax": String(broadcast.total), "aria-valuenow": String(broadcast.sent),
      "aria-label": `${name}: ${fill(words.w_sent, broadcast)}`,
    });
    for (const part of ["sent", "blocked", "failed", "skipped"]) {
      if (!broadcast[part]) continue;
      const segment = el("span", { className: `wb-segment wb-segment-${part}` });
      segment.style.width = `${(100 * broadcast[part]) / broadcast.total}%`;
      bar.append(segment);
    }
    const counts = el("p", { className: "wb-counts" });
    const parts = [["pending", words.w_pending], ["blocked", words.w_blocked], ["failed", words.w_failed]];
    if (broadcast.skipped) parts.push(["skipped", words.w_skipped]);
    for (const [part, template] of parts) {
      counts.append(el("span", {
        className: `wb-count wb-count-${part}`, dataset: { count: part, value: broadcast[part] },
        text: fill(template, { count: broadcast[part] }),
      }));
    }
    row.append(bar, counts);
    box.append(row);
  }
  return box;
}

function details(webinar) {
  const announced = new Date(webinar.announce_at).getTime() <= Date.now();
  const box = el("div", { className: "wb-details" },
    el("p", { className: "wb-meta" },
      `${when(webinar.starts_at)} · ${duration(webinar.duration_minutes)}`,
      el("br"),
      fill(announced ? words.w_announced : words.w_to_announce, { date: when(webinar.announce_at) })),
    el("p", { className: "wb-link" },
      el("a", { href: webinar.link, target: "_blank", rel: "noopener noreferrer", text: webinar.link })),
    webinar.description ? el("p", { className: "wb-description", text: webinar.description }) : null);
  if (changeable(webinar)) {
    box.append(el("div", { className: "wb-actions" },
      el("button", {
        type: "button", className: "wb-edit", text: words.w_edit, onclick: () => showForm(webinar),
      }),
      el("button", {
        type: "button", className: "wb-cancel wb-danger", text: words.w_cancel_webinar,
        onclick: () => cancel(webinar),
      })));
  }
  return box;
}

async function cancel(webinar) {
  if (!window.confirm(fill(words.w_confirm_cancel, { title: webinar.title }))) return;
  const { status, data } = await api("POST", `webinars/${webinar.id}/cancel`, { revision: webinar.revision });
  await afterWrite(status, data, words.w_cancelled_done);
}

// After a cancellation, or a change refused because the webinar changed or ended meanwhile.
async function afterWrite(status, data, done) {
  if (status === 200) {
    await showMonth();
    say(done);
  } else if (status === 409 || status === 404) {
    await showMonth();
    say(status === 409 ? words.conflict : words.w_gone, true);
  } else if (status === 403) {
    say(words.w_not_yours, true);
  } else {
    sayRefusal(status, data);
  }
}

// --- publishing and changing ---

function field(label, input, hint) {
  return el("label", {}, el("span", { text: label }), input,
    hint ? el("small", { className: "wb-hint", text: hint }) : null);
}

function showForm(webinar) {
  say("");
  const editing = webinar !== null;
  const announcedAlready = editing && new Date(webinar.announce_at).getTime() <= Date.now();
  const input = (props) => el("input", { autocomplete: "off", ...props });
  const title = input({ id: "wb-title", maxlength: "120", value: editing ? webinar.title : "" });
  const link = input({
    id: "wb-link", type: "url", inputmode: "url", placeholder: "https://", value: editing ? webinar.link : "",
  });
  const starts = input({
    id: "wb-starts", type: "datetime-local", value: editing ? inputValue(webinar.starts_at) : "",
  });
  const minutes = input({
    id: "wb-duration", type: "number", min: "5", max: "600", step: "5", inputmode: "numeric",
    value: String(editing ? webinar.duration_minutes : 60),
  });
  const description = el("textarea", { id: "wb-description", rows: "4", maxlength: "1500" });
  description.value = editing ? webinar.description : "";
  const checked = new Set(editing ? webinar.regions : []);
  const boxes = el("div", { className: "wb-regions" }, ...regions.map((region) => el("label", {
    className: "wb-check",
  }, el("input", {
    type: "checkbox", name: "region", value: region.code, checked: checked.has(region.code),
  }), el("span", { text: region.name }))));
  const restricted = me.regions !== null;
  const announce = input({
    id: "wb-announce", type: "datetime-local",
    value: editing && !announcedAlready ? inputValue(webinar.announce_at) : "",
  });
  const problems = el("div", { id: "wb-problems", className: "wb-problems", role: "alert" });
  const form = el("form", { id: "wb-form", className: "wb-form", novalidate: true },
    el("h2", { text: editing ? fill(words.w_changing, { title: webinar.title }) : words.w_new }),
    field(words.w_title, title),
    field(words.w_starts, starts),
    field(words.w_duration, minutes),
    field(words.w_link, link),
    field(words.w_description, description),
    el("fieldset", { className: "wb-fieldset" },
      el("legend", { text: words.w_regions }),
      el("small", {
        className: "wb-hint", text: restricted ? words.w_regions_choose : words.w_regions_national,
      }),
      boxes),
    announcedAlready
      ? el("p", { className: "wb-hint", id: "wb-announced", text: words.w_announced_already })
      : field(words.w_announce, announce, words.w_announce_empty),
    problems,
    el("div", { className: "wb-actions" },
      el("button", { type: "submit", id: "wb-save", text: editing ? words.w_save : words.w_publish }),
      el("button", {
        type: "button", id: "wb-back", className: "wb-secondary", text: words.back, onclick: backToMonth,
      })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      title: title.value,
      link: link.value.trim(),
      starts_at: fromInput(starts.value),
      duration_minutes: Number.parseInt(minutes.value, 10),
      description: description.value,
      regions: [...boxes.querySelectorAll("input:checked")].map((box) => box.value),
      announce_at: announcedAlready ? webinar.announce_at : fromInput(announce.value),
    };
    const local = [];
    if (body.starts_at === null) local.push("start_missing");
    if (!Number.isFinite(body.duration_minutes)) local.push("duration");
    if (restricted && !body.regions.length) local.push("regions_choose");
    if (local.length) {
      refuse(problems, local);
      return;
    }
    if (editing) body.revision = webinar.revision;
    const saving = form.querySelector("#wb-save");
    saving.disabled = true;
    const { status, data } = editing
      ? await api("PUT", `webinars/${webinar.id}`, body)
      : await api("POST", "webinars", body);
    saving.disabled = false;
    if (status === 200 || status === 201) {
      const start = new Date(data.starts_at);
      shown = { year: start.getFullYear(), month: start.getMonth() };
      selected = dayKey(start);
      unfolded = new Set([data.id]);
      await showMonth();
      say(editing ? words.w_saved : words.w_published);
    } else if (status === 422) {
      refuse(problems, data.problems || [data.error]);
    } else if (status === 409 && data.webinar) {
      showForm(data.webinar);
      say(words.conflict, true);
    } else if (status === 403) {
      say(data.reason === "regions" ? words.w_own_regions : words.w_not_yours, true);
    } else if (status === 404) {
      await showMonth();
      say(words.w_gone, true);
    } else {
      sayRefusal(status, data);
    }
  });
  root.replaceChildren(form);
  title.focus();
}

// The refusals as sentences, beside the button that was pressed.
function refuse(box, codes) {
  say("");
  box.replaceChildren(el("strong", { text: words.problems }), el("ul", { className: "problems" },
    ...codes.map((code) => {
      const sentence = code === "regions_choose" ? words.w_regions_choose : words[`w_p_${code}`];
      return el("li", { dataset: { problem: code }, text: sentence || `${words.w_p_other} ${code}` });
    })));
  box.scrollIntoView({ block: "nearest" });
}

function backToMonth() {
  say("");
  render();
}
