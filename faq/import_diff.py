"""What an import would change: entries added, updated (field by field) or left as they are, and
the stored entries the file does not mention."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faq.entries import Entry
from faq.exchange import LANG_FIELDS, SHARED_FIELDS
from faq.lexicon import LANGS, Lang
from faq.models import FaqEntryRow

EXCERPT_CHARS = 60
LINE_CHARS = 100
# Characters kept before the first difference, so that an excerpt shows what changed.
EXCERPT_LEAD = 20


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the database holds it; ``content`` is compared as the store compares it."""

    entry: Entry
    content: dict[str, Any]
    hidden: bool
    version: int

    @classmethod
    def of(cls, row: FaqEntryRow) -> StoredEntry:
        return cls(Entry.model_validate(row.content), dict(row.content), row.hidden, row.version)


def _excerpts(old: str, new: str) -> tuple[str, str]:
    """Both texts cut to the same window, from just before their first difference."""
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    start = max(0, same - EXCERPT_LEAD)

    def cut(text: str) -> str:
        window = text[start : start + EXCERPT_CHARS]
        return ("…" if start else "") + window + ("…" if start + EXCERPT_CHARS < len(text) else "")

    return cut(old), cut(new)


@dataclass(frozen=True)
class FieldChange:
    """One field of one language (``lang`` None for the fields both languages share)."""

    name: str
    lang: Lang | None
    old: Any
    new: Any

    @property
    def is_list(self) -> bool:
        return isinstance(self.old, list) and isinstance(self.new, list)

    @property
    def added(self) -> list[str]:
        return [item for item in self.new if item not in self.old]

    @property
    def removed(self) -> list[str]:
        return [item for item in self.old if item not in self.new]

    def describe(self) -> str:
        where = f"{self.lang} {self.name}" if self.lang else self.name
        if not self.is_list:
            old, new = _excerpts(str(self.old), str(self.new))
            return f"{where}: {old!r} → {new!r}"
        items = [f"+ {item!r}" for item in self.added] + [f"− {item!r}" for item in self.removed]
        return f"{where}: {', '.join(items) or 'same items, another order'}"

    def as_json(self) -> dict[str, Any]:
        change = {"field": self.name, "lang": self.lang}
        if self.is_list:
            return change | {"added": self.added, "removed": self.removed}
        return change | {"old": self.old, "new": self.new}


@dataclass(frozen=True)
class EntryChange:
    entry_id: str
    changes: tuple[FieldChange, ...]
    shown_again: bool


@dataclass(frozen=True)
class ImportDiff:
    """``entries`` are the file's, to save; ``absent`` the visible entries it does not mention,
    hidden when ``prune``."""

    entries: list[Entry]
    added: list[str] = field(default_factory=list)
    updated: list[EntryChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    prune: bool = False

    @property
    def shown_again(self) -> list[str]:
        return [change.entry_id for change in self.updated if change.shown_again]

    @property
    def hidden(self) -> list[str]:
        return self.absent if self.prune else []

    def summary(self) -> str:
        absent = f"{len(self.absent)} not in the file" + (" (hidden)" if self.hidden else "")
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {absent}"
        )

    def lines(self) -> list[str]:
        """The diff for people, one line per entry and per changed field."""
        lines = [f"added      {entry_id}" for entry_id in self.added]
        for change in self.updated:
            shown = " (hidden; shown again)" if change.shown_again else ""
            lines.append(f"updated    {change.entry_id}{shown}")
            lines += [f"             {c.describe()}" for c in change.changes]
        if self.absent:
            what = "hidden by --prune" if self.prune else "kept; --prune hides them"
            listing = f"not in the file ({what}): {', '.join(self.absent)}"
            lines += textwrap.wrap(listing, LINE_CHARS, subsequent_indent=" " * 13)
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": [
                {
                    "id": c.entry_id,
                    "shown_again": c.shown_again,
                    "changes": [f.as_json() for f in c.changes],
                }
                for c in self.updated
            ],
            "unchanged": self.unchanged,
            "not_in_file": self.absent,
            "hidden": self.hidden,
        }


def field_changes(old: Entry, new: Entry) -> tuple[FieldChange, ...]:
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    changes = [
        FieldChange(name, None, before[name], after[name])
        for name in SHARED_FIELDS
        if before[name] != after[name]
    ]
    for lang in LANGS:
        changes += [
            FieldChange(name, lang, before[lang][name], after[lang][name])
            for name in LANG_FIELDS
            if before[lang][name] != after[lang][name]
        ]
    return tuple(changes)


def compare(
    current: Mapping[str, StoredEntry], entries: Iterable[Entry], *, prune: bool
) -> ImportDiff:
    """What saving ``entries`` over ``current`` changes; with ``prune``, what it hides too."""
    listed = list(entries)
    diff = ImportDiff(listed, prune=prune)
    for entry in listed:
        stored = current.get(entry.id)
        if stored is None:
            diff.added.append(entry.id)
        elif stored.content != entry.model_dump(mode="json") or stored.hidden:
            diff.updated.append(
                EntryChange(entry.id, field_changes(stored.entry, entry), stored.hidden)
            )
        else:
            diff.unchanged.append(entry.id)
    mentioned = {entry.id for entry in listed}
    diff.absent.extend(
        entry_id
        for entry_id, stored in sorted(current.items())
        if entry_id not in mentioned and not stored.hidden
    )
    return diff
