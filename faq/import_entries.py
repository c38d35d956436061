"""Entries out of an import file, with every problem found, each naming its row and field.

A flat row is merged into the entry as stored (hidden or not): a file may hold one language, or
some fields only. An entry in the bundled format replaces the stored one whole. `faq check`'s
rules then run on what users would be answered from once the file is in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from faq.check import check_entries
from faq.entries import Entry
from faq.exchange import FLAT_FIELDS, LANG_FIELDS, SHARED_FIELDS, Document, Item, Problem
from faq.import_diff import StoredEntry
from faq.lexicon import LANGS, Lang
from faq.normalize import Normaliser

SHORT_VALUE_CHARS = 40

# `faq check` words its problems for people and names the field in words ("source '…' is not
# an https link"). Reading the field back lets a problem land on the row that gave the field;
# a wording not listed here still lands on the entry's row, without a field.
_RULE_FIELDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(answer is|link) "), "answer"),
    (re.compile(r"\d+ alternates, "), "alternates"),
    (re.compile(r"phrasing "), "alternates"),
    (re.compile(r"source "), "sources"),
    (re.compile(r"(related entry|an entry cannot be related) "), "related"),
)


@dataclass(frozen=True)
class Reading:
    """The file's valid entries in file order, and every problem found (none: importable),
    in the file's order."""

    entries: list[Entry]
    problems: list[str]


def _short(value: Any) -> str:
    text = repr(value.isoformat() if isinstance(value, dt.date) else value)
    return text if len(text) <= SHORT_VALUE_CHARS else text[: SHORT_VALUE_CHARS - 1] + "…"


def _explain(error: ErrorDetails) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind.startswith("date"):
        return f"{_short(value)} is not a date written YYYY-MM-DD"
    if isinstance(value, str | int | float | bool | dt.date) or value is None:
        return f"{error['msg']} (got {_short(value)})"
    return str(error["msg"])


@dataclass(frozen=True)
class _Place:
    """A row or entry as problems name it: ``row 3 (id x, lang fr)``."""

    number: int
    label: str

    def problem(self, origin: str, message: str) -> Problem:
        return Problem(self.number, f"{origin}: {self.label}: {message}")


@dataclass
class _Draft:
    """An entry put together from a file, remembering which row gave each field."""

    entry_id: str
    data: dict[str, Any]
    first: _Place
    flat: bool
    rows: dict[str, _Place] = field(default_factory=dict)
    givers: dict[tuple[str | None, str], _Place] = field(default_factory=dict)

    def problem(self, origin: str, lang: str | None, name: str | None, message: str) -> Problem:
        """The problem of field ``name`` (of ``lang``, None for a shared field), on the row
        that gave the field, else the row of that language, else the entry's first row."""
        if self.flat:
            place = self.givers.get((lang, name or "")) or self.rows.get(lang or "") or self.first
            shown = name
        else:
            place = self.first
            shown = ".".join(part for part in (lang, name) if part)
        return place.problem(origin, (f"field {shown!r}: " if shown else "") + message)

    def validation_problems(self, origin: str, exc: ValidationError) -> list[Problem]:
        found = []
        for error in exc.errors():
            names = [p for p in error["loc"] if isinstance(p, str)]
            items = "".join(f"item {p + 1}: " for p in error["loc"] if isinstance(p, int))
            lang = names[0] if names and names[0] in LANGS else None
            name = ".".join(names[1:] if lang else names) or None
            if self.flat and lang and name is None and lang not in self.rows:
                message = f"no row for lang {lang}: a new entry needs both languages"
                found.append(self.problem(origin, None, None, message))
            else:
                found.append(self.problem(origin, lang, name, items + _explain(error)))
        return found


def _identify(item: Item, origin: str, problems: list[Problem]) -> tuple[str, Lang, _Place] | None:
    """The row's id, language and place (as problems name it); None, the problems noted, when
    the row cannot say which entry and language it is."""
    data = item.data
    if not isinstance(data, dict):
        problems.append(Problem(item.number, f"{origin}: {item.where}: expected fields"))
        return None
    entry_id, lang = data.get("id"), data.get("lang")
    entry_id = entry_id.strip() if isinstance(entry_id, str) else entry_id
    lang = lang.strip().lower() if isinstance(lang, str) else lang
    known = ", ".join(
        part
        for part in (f"id {entry_id}" if entry_id else "", f"lang {lang}" if lang else "")
        if part
    )
    place = _Place(item.number, f"{item.where} ({known})" if known else item.where)
    found = [
        f"unknown field {name!r}; the fields are {', '.join(FLAT_FIELDS)}"
        for name in sorted(str(k) for k in data if k not in FLAT_FIELDS)
    ]
    if entry_id in (None, ""):
        found.append("field 'id': missing")
    elif not isinstance(entry_id, str):
        found.append(f"field 'id': expected text (got {_short(entry_id)})")
    if lang in (None, ""):
        found.append("field 'lang': missing; expected fr or en")
    elif lang not in LANGS:
        found.append(f"field 'lang': {_short(lang)} is not fr or en")
    problems += [place.problem(origin, text) for text in found]
    if not isinstance(entry_id, str) or not entry_id or lang not in LANGS:
        return None
    return entry_id, lang, place


def _flat_drafts(
    document: Document, current: Mapping[str, StoredEntry], problems: list[Problem]
) -> list[_Draft]:
    drafts: dict[str, _Draft] = {}
    seen: dict[tuple[str, str], str] = {}
    for item in document.items:
        identity = _identify(item, document.origin, problems)
        if identity is None:
            continue
        entry_id, lang, place = identity
        if (entry_id, lang) in seen:
            problems.append(
                place.problem(document.origin, f"the same id and lang as {seen[entry_id, lang]}")
            )
            continue
        seen[entry_id, lang] = item.where
        draft = drafts.get(entry_id)
        if draft is None:
            stored = current.get(entry_id)
            base = stored.entry.model_dump(mode="json") if stored else {"id": entry_id}
            draft = drafts[entry_id] = _Draft(entry_id, base, place, flat=True)
        data = item.data
        for name in SHARED_FIELDS:
            if name not in data:
                continue
            giver = draft.givers.get((None, name))
            if giver is not None and draft.data[name] != data[name]:
                differs = f"{_short(data[name])} differs from {_short(draft.data[name])}"
                problems.append(
                    place.problem(document.origin, f"field {name!r}: {differs} in {giver.label}")
                )
                continue
            draft.data[name] = data[name]
            draft.givers.setdefault((None, name), place)
        block = dict(draft.data.get(lang) or {})
        for name in LANG_FIELDS:
            if name in data:
                block[name] = data[name]
                draft.givers[lang, name] = place
        draft.data[lang] = block
        draft.rows[lang] = place
    return list(drafts.values())


def _bundled_drafts(document: Document, problems: list[Problem]) -> list[_Draft]:
    drafts: dict[str, _Draft] = {}
    for item in document.items:
        data = item.data
        if not isinstance(data, dict):
            problems.append(
                Problem(item.number, f"{document.origin}: {item.where}: expected fields")
            )
            continue
        entry_id = data.get("id")
        if not isinstance(entry_id, str):
            drafts[item.where] = _Draft(
                item.where, dict(data), _Place(item.number, item.where), flat=False
            )
            continue
        place = _Place(item.number, f"{item.where} (id {entry_id})")
        if entry_id in drafts:
            first = drafts[entry_id].first.label
            problems.append(place.problem(document.origin, f"the same id as {first}"))
            continue
        drafts[entry_id] = _Draft(entry_id, dict(data), place, flat=False)
    return list(drafts.values())


def _rule_field(rest: str, entry: Entry, lang: Lang | None) -> tuple[str | None, str]:
    if rest.startswith("answer: "):
        return "answer", rest.removeprefix("answer: ")
    for pattern, name in _RULE_FIELDS:
        if pattern.match(rest):
            if lang and rest.startswith(f"phrasing {entry.block(lang).question!r}"):
                return "question", rest
            return name, rest
    return None, rest


def _rule_problems(
    origin: str,
    valid: Mapping[str, tuple[Entry, _Draft]],
    failed: set[str],
    current: Mapping[str, StoredEntry],
    normalisers: Mapping[Lang, Normaliser],
    *,
    prune: bool,
) -> tuple[list[Problem], list[str]]:
    """`faq check`'s problems of the FAQ users would see: those of the file's entries on the
    rows they come from, and those the file causes in stored entries it does not mention."""
    problems: list[Problem] = []
    elsewhere: list[str] = []
    # A stored entry whose rows failed stays as it is: the rules see it so.
    kept = [
        stored.entry
        for entry_id, stored in sorted(current.items())
        if not stored.hidden and (entry_id in failed or (not prune and entry_id not in valid))
    ]
    visible = kept + [entry for entry, _draft in valid.values()]
    pruned = {
        entry_id
        for entry_id, stored in current.items()
        if prune and not stored.hidden and entry_id not in valid and entry_id not in failed
    }
    found = check_entries(visible, normalisers, require_topics=False)
    baseline: set[str] = set()
    if any(p.partition(" ")[0].rstrip(":") not in valid for p in found):
        stored_visible = [s.entry for _id, s in sorted(current.items()) if not s.hidden]
        baseline = set(check_entries(stored_visible, normalisers, require_topics=False))
    for problem in found:
        head, _sep, rest = problem.partition(": ")
        entry_id, _space, lang_part = head.partition(" ")
        lang: Lang | None = next((code for code in LANGS if code == lang_part), None)
        if entry_id in failed:
            continue  # its rows have their own problems above
        if entry_id not in valid:
            if problem not in baseline:
                elsewhere.append(f"{origin}: {head} (stored entry, not in the file): {rest}")
            continue
        entry, draft = valid[entry_id]
        name, message = _rule_field(rest, entry, lang)
        if name == "related" and any(repr(bad) in message for bad in failed):
            continue  # the entry it names has its own problem above
        if name == "related" and any(repr(gone) in message for gone in pruned):
            message += " (--prune hides it)"
        problems.append(draft.problem(origin, lang, name, message))
    return problems, elsewhere


def read_entries(
    document: Document,
    current: Mapping[str, StoredEntry],
    normalisers: Mapping[Lang, Normaliser],
    *,
    prune: bool,
) -> Reading:
    """The file's entries over ``current`` (every stored entry, hidden ones included), and the
    problems of the file and of the FAQ users would then see (``prune``: the entries the file
    does not mention hidden). Problems the stored FAQ already had elsewhere are not the file's."""
    problems = list(document.problems)
    if not document.items and not problems:
        # Also keeps `--prune` of an empty file from hiding the whole FAQ.
        problems.append(Problem(0, f"{document.origin}: holds no entries"))
    if document.flat:
        drafts = _flat_drafts(document, current, problems)
    else:
        drafts = _bundled_drafts(document, problems)
    valid: dict[str, tuple[Entry, _Draft]] = {}
    for draft in drafts:
        try:
            valid[draft.entry_id] = (Entry.model_validate(draft.data), draft)
        except ValidationError as exc:
            problems += draft.validation_problems(document.origin, exc)
    failed = {d.entry_id for d in drafts} - set(valid)
    rules, elsewhere = _rule_problems(
        document.origin, valid, failed, current, normalisers, prune=prune
    )
    in_order = sorted(problems + rules, key=lambda problem: problem.number)
    return Reading(
        [entry for entry, _draft in valid.values()], [p.text for p in in_order] + elsewhere
    )
