"""The parts of an FAQ entry the editor changes: how the wizard names them, reads what an
administrator types for them, and tells which of them two revisions differ in."""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from faq.entries import Entry
from faq.lexicon import Lang
from handlers.callbacks import FAQ_FIELDS
from handlers.i18n import Texts

Part = Literal["question", "answer", "alternates", "keywords", "sources"]
Value = str | list[str]
Content = dict[str, Any]  # an entry as JSON (`Entry.model_dump(mode="json")`), maybe partial

LISTED: frozenset[Part] = frozenset({"alternates", "keywords", "sources"})
CLEARS = "-"  # typed alone for a list: none (keywords may be empty)
MIN_QUESTION = 3  # `faq.entries.LangBlock.question`


@dataclass(frozen=True)
class Field:
    code: str  # in callback data (`handlers.callbacks.FAQ_FIELDS`)
    part: Part
    lang: Lang | None  # None: shared by both languages

    @property
    def listed(self) -> bool:
        return self.part in LISTED


def _field(code: str) -> Field:
    if code == "s":
        return Field(code, "sources", None)
    parts: dict[str, Part] = {
        "q": "question",
        "a": "answer",
        "l": "alternates",
        "k": "keywords",
    }
    return Field(code, parts[code[1]], "fr" if code[0] == "f" else "en")


FIELDS: dict[str, Field] = {code: _field(code) for code in FAQ_FIELDS}
# What a new entry asks for, in order; keywords are optional, offered among the fields.
ADD_ORDER: tuple[str, ...] = ("fq", "fa", "fl", "eq", "ea", "el", "s")


@cache
def _id_rule() -> tuple[re.Pattern[str], int]:
    """The entry model's own rule for ids, so that the two never disagree."""
    schema = Entry.model_json_schema()["properties"]["id"]
    return re.compile(schema["pattern"]), int(schema["maxLength"])


def valid_id(entry_id: str) -> bool:
    pattern, longest = _id_rule()
    return len(entry_id) <= longest and pattern.fullmatch(entry_id) is not None


def blank(entry_id: str, reviewed: str) -> Content:
    """A new entry before anything is typed; ``reviewed`` is an ISO date."""
    block = {"question": "", "alternates": [], "keywords": [], "answer": ""}
    return {
        "id": entry_id,
        "theme": None,
        "reviewed": reviewed,
        "sources": [],
        "related": [],
        "fr": copy.deepcopy(block),
        "en": copy.deepcopy(block),
    }


def value_of(content: Content, field: Field) -> Value:
    if field.lang is None:
        return list(content[field.part])
    value = content[field.lang][field.part]
    return list(value) if field.listed else str(value)


def with_value(content: Content, field: Field, value: Value) -> Content:
    changed = copy.deepcopy(content)
    if field.lang is None:
        changed[field.part] = value
    else:
        changed[field.lang][field.part] = value
    return changed


class UnreadableValue(ValueError):
    """What is wrong with a typed value, in the administrator's language."""


def read(texts: Texts, field: Field, text: str) -> Value:
    """The value typed for ``field``: a question on one line, an answer as typed (Telegram
    HTML, checked with the rest of the entry), a list one item per line;
    `UnreadableValue` when it cannot be one."""
    _ = texts._
    if field.part == "question":
        question = " ".join(text.split())
        if len(question) < MIN_QUESTION:
            raise UnreadableValue(
                _("A question needs at least {count} characters.").format(count=MIN_QUESTION)
            )
        return question
    if field.part == "answer":
        return text.strip()
    if text.strip() == CLEARS:
        if field.part == "sources":
            raise UnreadableValue(_("An entry needs at least one source."))
        return []
    lines: list[str] = []
    for line in text.splitlines():
        item = " ".join(line.split())
        if item and item not in lines:
            lines.append(item)
    return lines


def label(texts: Texts, field: Field) -> str:
    _ = texts._
    names: dict[Part, str] = {
        "question": _("Question"),
        "answer": _("Answer"),
        "alternates": _("Alternates"),
        "keywords": _("Keywords"),
        "sources": _("Sources"),
    }
    if field.lang is None:
        return names[field.part]
    return _("{part} ({lang})").format(part=names[field.part], lang=field.lang)


def differences(texts: Texts, before: Content, after: Content) -> list[str]:
    """The parts ``after`` changed from ``before``, named for the administrator."""
    _ = texts._
    found = [
        name
        for key, name in (
            ("theme", _("Theme")),
            ("reviewed", _("Review date")),
            ("related", _("Related entries")),
        )
        if before.get(key) != after.get(key)
    ]
    for field in FIELDS.values():
        if value_of(before, field) != value_of(after, field):
            found.append(label(texts, field))
    return found


def missing(content: Content) -> list[str]:
    """The codes of the fields a new entry still lacks, in the order they are asked for."""
    return [code for code in ADD_ORDER if not value_of(content, FIELDS[code])]


def line_changes(texts: Texts, before: Content, after: Content) -> list[dict[str, Any]]:
    """What ``after`` changed from ``before``, part by part, as a line diff: each part's name,
    and its lines marked "-" (gone), "+" (new) or " " (kept), for the admin page's history."""
    _ = texts._
    parts: list[tuple[str, Value, Value]] = [
        (name, _lines_of(before.get(key)), _lines_of(after.get(key)))
        for key, name in (
            ("theme", _("Theme")),
            ("reviewed", _("Review date")),
            ("related", _("Related entries")),
        )
    ]
    parts += [
        (label(texts, field), value_of(before, field), value_of(after, field))
        for field in FIELDS.values()
    ]
    changes = []
    for name, old, new in parts:
        if old == new:
            continue
        old_lines = old.splitlines() if isinstance(old, str) else old
        new_lines = new.splitlines() if isinstance(new, str) else new
        lines = [
            [line[0], line[2:]] for line in difflib.ndiff(old_lines, new_lines) if line[0] in "-+ "
        ]
        changes.append({"part": name, "lines": lines})
    return changes


def _lines_of(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]
