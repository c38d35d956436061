// The statistics screen: /stats' figures as charts drawn here in SVG, without a library.
// Questions per day stacked by outcome (a legend that shows or hides each series, a day's
// counts under the chart when its bar is hovered or tapped), the most asked entries, the votes
// per entry and the webinar subscribers per region as horizontal bars, and the key figures.
// Colours are Okabe and Ito's, told apart with colour blindness too, as in the /stats chart
// (handlers/stats_chart.py); the unanswered and 👎 bars are also hatched.
import { api, el, fill, sayRefusal, userLang, words } from "./common.js";

const NS = "http://www.w3.org/2000/svg";
const BLUE = "#0072B2";
const ORANGE = "#E69F00";
const REDDISH_PURPLE = "#CC79A7";
const SKY_BLUE = "#56B4E9";
const BLUISH_GREEN = "#009E73";
const VERMILLION = "#D55E00";

const OUTCOMES = [
  { key: "answer", word: "s_answered", colour: BLUE },
  { key: "suggest", word: "s_suggested", colour: ORANGE },
  { key: "fallback", word: "s_not_answered", colour: REDDISH_PURPLE, hatched: true },
];
const WIDTH = 360; // the charts' own units; they are drawn at the width of the screen
const TICK_EVERY = 5; // days between two dated ticks, as in the /stats chart

let root = null;
let figures = null;
let hidden = new Set(); // outcomes the legend has hidden
let chosen = null; // the day tapped, by its index

export async function open(section) {
  root = section;
  const { status, data } = await api("GET", "stats");
  if (status !== 200) {
    sayRefusal(status, data);
    return;
  }
  figures = data;
  hidden = new Set();
  chosen = null;
  render();
}

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") element.textContent = value;
    else if (key === "className") element.setAttribute("class", value);
    else if (value !== undefined && value !== null) element.setAttribute(key, String(value));
  }
  element.append(...children.filter(Boolean));
  return element;
}

// A UTC day ("2026-12-02") as the reader says it, short or long.
function dayName(iso, long = false) {
  const options = long
    ? { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }
    : { day: "numeric", month: "short", timeZone: "UTC" };
  return new Intl.DateTimeFormat(userLang(), options).format(new Date(`${iso}T00:00:00Z`));
}

function render() {
  const total = figures.totals.asked;
  const parts = [];
  if (!total && !figures.votes.length && !figures.subscribers.length) {
    parts.push(el("p", {
      id: "st-nothing", className: "st-empty", text: fill(words.s_nothing, { days: figures.days.length }),
    }));
  } else {
    parts.push(daily());
    if (figures.most_asked.length) {
      parts.push(panel("st-most-asked", words.s_most_asked, null, bars(figures.most_asked.map((entry) => ({
        label: entry.question, values: [{ series: "count", value: entry.count, colour: SKY_BLUE }],
      })))));
    }
    if (figures.votes.length) {
      const legend = el("div", { className: "st-legend" },
        key("up", words.s_up, BLUE), key("down", words.s_down, VERMILLION, true));
      parts.push(panel("st-votes", words.s_votes, legend, bars(figures.votes.map((entry) => ({
        label: entry.question,
        values: [
          { series: "up", value: entry.up, colour: BLUE, name: words.s_up },
          { series: "down", value: entry.down, colour: VERMILLION, hatched: true, name: words.s_down },
        ],
      })))));
    }
    if (figures.subscribers.length) {
      const regions = figures.subscribers.map((region) => ({
        label: region.name, values: [{ series: "count", value: region.count, colour: BLUISH_GREEN }],
      }));
      parts.push(panel("st-subscribers", words.s_subscribers, null, bars(regions)));
    }
  }
  parts.push(totals());
  root.replaceChildren(el("div", { className: "st-screen" }, hatches(), ...parts));
  for (const label of root.querySelectorAll("text.st-label")) fit(label, WIDTH - 4);
}

function panel(id, title, legend, chart) {
  return el("section", { className: "st-panel", id }, el("h3", { text: title }), legend, chart);
}

// The hatching patterns, once per screen, for the bars and the legend's swatches.
function hatches() {
  const defs = svg("defs");
  for (const [name, colour] of [["fallback", REDDISH_PURPLE], ["down", VERMILLION]]) {
    defs.append(svg("pattern", {
      id: `st-hatch-${name}`, patternUnits: "userSpaceOnUse", width: 5, height: 5,
      patternTransform: "rotate(45)",
    }, svg("rect", { width: 5, height: 5, fill: colour }),
    svg("line", {
      x1: 0, y1: 0, x2: 0, y2: 5, stroke: "#ffffff", "stroke-width": 2, "stroke-opacity": 0.55,
    })));
  }
  const holder = { className: "st-defs", width: 0, height: 0, "aria-hidden": "true", focusable: "false" };
  return svg("svg", holder, defs);
}

function paint(series, colour, hatched) {
  return hatched ? `url(#st-hatch-${series})` : colour;
}

function swatch(series, colour, hatched) {
  return svg("svg", { className: "st-swatch", viewBox: "0 0 12 12", "aria-hidden": "true" },
    svg("rect", { width: 12, height: 12, rx: 2, fill: paint(series, colour, hatched) }));
}

function key(series, name, colour, hatched = false) {
  return el("span", { className: "st-key", dataset: { series } }, swatch(series, colour, hatched), name);
}

// --- questions per day ---

function daily() {
  const legend = el("div", { className: "st-legend", role: "group" },
    ...OUTCOMES.map((outcome) => el("button", {
      type: "button", className: "st-toggle", dataset: { series: outcome.key },
      "aria-pressed": String(!hidden.has(outcome.key)),
      onclick: () => {
        if (hidden.has(outcome.key)) hidden.delete(outcome.key);
        else hidden.add(outcome.key);
        render();
      },
    }, swatch(outcome.key, outcome.colour, outcome.hatched), words[outcome.word])));
  const detail = el("p", { id: "st-detail", className: "st-detail", "aria-live": "polite" });
  const chart = dailyChart(detail);
  showDay(detail, chosen);
  return panel("st-daily", fill(words.s_daily, { days: figures.days.length }), legend,
    el("div", {}, chart, detail));
}

function dailyChart(detail) {
  const days = figures.days;
  const shownOutcomes = OUTCOMES.filter((outcome) => !hidden.has(outcome.key));
  const totals = days.map((_, index) =>
    shownOutcomes.reduce((sum, outcome) => sum + figures.questions[outcome.key][index], 0));
  const step = niceStep(Math.max(...totals, 1));
  const top = Math.max(step, Math.ceil(Math.max(...totals, 1) / step) * step);
  const height = 190;
  const left = 30;
  const right = 16; // room for the last day's date, centred under the last bar
  const above = 8;
  const below = 22;
  const plot = height - above - below;
  const column = (WIDTH - left - right) / days.length;
  const y = (value) => above + plot - (plot * value) / top;
  const chart = svg("svg", {
    id: "st-daily-chart", className: "st-chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img",
    "aria-label": fill(words.s_daily, { days: days.length }),
  });
  for (let value = 0; value <= top; value += step) {
    chart.append(
      svg("line", { className: "st-grid", x1: left, x2: WIDTH - right, y1: y(value), y2: y(value) }),
      svg("text", {
        className: "st-axis", x: left - 4, y: y(value) + 3.5, "text-anchor": "end", text: value,
      }),
    );
  }
  days.forEach((day, index) => {
    const x = left + index * column;
    const group = svg("g", {
      className: index === chosen ? "st-day st-chosen" : "st-day", "data-day": day,
      "data-total": totals[index], tabindex: 0, role: "button", "aria-label": dayName(day, true),
    });
    group.append(svg("rect", { className: "st-hit", x, y: above, width: column, height: plot }));
    let bottom = 0;
    for (const outcome of shownOutcomes) {
      const count = figures.questions[outcome.key][index];
      if (!count) continue;
      group.append(svg("rect", {
        className: "st-bar", "data-series": outcome.key, "data-value": count,
        x: x + column * 0.12, width: column * 0.76,
        y: y(bottom + count), height: y(bottom) - y(bottom + count),
        fill: paint(outcome.key, outcome.colour, outcome.hatched),
      }));
      bottom += count;
    }
    group.addEventListener("pointerenter", () => showDay(detail, index));
    group.addEventListener("focus", () => showDay(detail, index));
    group.addEventListener("click", () => choose(chart, detail, index));
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose(chart, detail, index);
      }
    });
    chart.append(group);
  });
  chart.addEventListener("pointerleave", () => showDay(detail, chosen));
  for (let index = days.length - 1; index >= 0; index -= TICK_EVERY) {
    chart.append(svg("text", {
      className: "st-axis", x: left + (index + 0.5) * column, y: height - 6, "text-anchor": "middle",
      text: dayName(days[index]),
    }));
  }
  chart.append(svg("line", { className: "st-baseline", x1: left, x2: WIDTH - right, y1: y(0), y2: y(0) }));
  return chart;
}

function niceStep(highest) {
  const rough = highest / 4;
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= rough) return Math.max(1, factor * power);
  return 10 * power;
}

function choose(chart, detail, index) {
  chosen = index;
  for (const group of chart.querySelectorAll("g.st-day")) {
    group.classList.toggle("st-chosen", group.dataset.day === figures.days[index]);
  }
  showDay(detail, index);
}

// A day's counts under the chart, each beside its colour; the hint when no day is pointed at.
function showDay(detail, index) {
  if (index === null || index === undefined) {
    detail.dataset.day = "";
    detail.replaceChildren(el("span", { className: "st-hint", text: words.s_show_hide }));
    return;
  }
  detail.dataset.day = figures.days[index];
  detail.replaceChildren(el("strong", { text: dayName(figures.days[index], true) }),
    ...OUTCOMES.filter((outcome) => !hidden.has(outcome.key)).map((outcome) => el("span", {
      className: "st-key", dataset: { series: outcome.key },
    }, swatch(outcome.key, outcome.colour, outcome.hatched), `${words[outcome.word]} `,
    el("b", { text: String(figures.questions[outcome.key][index]) }))));
}

// --- horizontal bars ---

// One row a label: the label on its line, then its bars, each with its count at its end.
function bars(rows) {
  const barHeight = 12;
  const labelHeight = 16;
  const gap = 10;
  const countRoom = 36;
  const highest = Math.max(1, ...rows.flatMap((row) => row.values.map((value) => value.value)));
  const rowHeight = labelHeight + rows[0].values.length * (barHeight + 2) + gap;
  const height = rows.length * rowHeight;
  const chart = svg("svg", {
    className: "st-chart st-bars", viewBox: `0 0 ${WIDTH} ${height}`, role: "list",
  });
  rows.forEach((row, index) => {
    const top = index * rowHeight;
    const group = svg("g", { className: "st-row", role: "listitem" },
      svg("title", { text: `${row.label}: ${row.values.map(said).join(" · ")}` }),
      svg("text", { className: "st-label", x: 0, y: top + 12, text: row.label, "data-full": row.label }));
    row.values.forEach((value, position) => {
      const y = top + labelHeight + position * (barHeight + 2);
      const length = ((WIDTH - countRoom) * value.value) / highest;
      group.append(
        svg("rect", {
          className: "st-hbar", "data-series": value.series, "data-value": value.value,
          x: 0, y, width: Math.max(length, value.value ? 2 : 0), height: barHeight, rx: 2,
          fill: paint(value.series, value.colour, value.hatched),
        }),
        svg("text", { className: "st-count", x: length + 4, y: y + barHeight - 2, text: value.value }),
      );
    });
    chart.append(group);
  });
  return chart;
}

const said = (value) => (value.name ? `${value.name} ${value.value}` : String(value.value));

// A label cut with an ellipsis to fit the chart's width (its whole text is in the row's title).
function fit(label, width) {
  if (typeof label.getComputedTextLength !== "function" || label.getComputedTextLength() === 0) return;
  const full = label.dataset.full || label.textContent;
  if (label.getComputedTextLength() <= width) return;
  let low = 0;
  let high = full.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    label.textContent = `${full.slice(0, middle).trimEnd()}…`;
    if (label.getComputedTextLength() <= width) low = middle;
    else high = middle - 1;
  }
  label.textContent = `${full.slice(0, low).trimEnd()}…`;
}

// --- key figures ---

function totals() {
  const t = figures.totals;
  const items = [
    ["asked", fill(words.s_asked, { count: t.asked })],
    ["thumbs", fill(words.s_thumbs, { up: t.thumbs_up, down: t.thumbs_down })],
    ["none_fits", fill(words.s_none_fits, { count: t.none_fits })],
    ["subscriptions", fill(words.s_subscriptions, { count: t.subscriptions })],
    ["messages", fill(words.s_messages, { count: t.messages })],
    ["to_review", fill(words.s_to_review, { count: t.to_review })],
    ["chose_language", fill(words.s_chose_language, { count: t.chose_language })],
    ["blocked", fill(words.s_blocked, { count: t.blocked })],
  ];
  return el("section", { className: "st-panel", id: "st-totals" },
    el("h3", { text: words.s_key_figures }),
    el("ul", { className: "st-totals" },
      ...items.map(([name, text]) => el("li", { dataset: { total: name }, text }))));
}
