"""Export and import: entries as flat per-language rows that translators and scripts can edit.

An exported row carries ``id, lang, theme, reviewed, sources, related, question, alternates,
keywords, answer``. Import takes those rows, or entry files in the bundled format. A row updates
the entry already in the database: a file may hold one language only, or only some fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from faq.entries import ContentError, Entry, parse_entries
from faq.lexicon import LANGS, Lang

_SHARED = ("theme", "reviewed", "sources", "related")
_LANG_FIELDS = ("question", "alternates", "keywords", "answer")


def flatten(entries: Iterable[Entry], langs: Iterable[Lang] = LANGS) -> list[dict[str, Any]]:
    rows = []
    wanted = list(langs)
    for entry in entries:
        dumped = entry.model_dump(mode="json")
        for lang in wanted:
            rows.append(
                {"id": entry.id, "lang": lang}
                | {k: dumped[k] for k in _SHARED}
                | {k: dumped[lang][k] for k in _LANG_FIELDS}
            )
    return rows


def _is_flat(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "lang" in i for i in items)


def merge_rows(data: Any, origin: str, existing: Mapping[str, Entry]) -> list[Entry]:
    """Entries from an imported document: bundled-format entries or flat rows."""
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ContentError(f"{origin}: expected a list of entries under 'entries'")
    if not _is_flat(items):
        return parse_entries(items, origin)
    grouped: dict[str, dict[str, Any]] = {}
    for position, row in enumerate(items, start=1):
        entry_id, lang = row.get("id"), row.get("lang")
        if not isinstance(entry_id, str) or lang not in LANGS:
            raise ContentError(f"{origin}: row {position}: needs an id and a lang of fr or en")
        base = grouped.get(entry_id)
        if base is None:
            known = existing.get(entry_id)
            base = known.model_dump(mode="json") if known else {"id": entry_id}
            grouped[entry_id] = base
        base.update({k: row[k] for k in _SHARED if k in row})
        base[lang] = dict(base.get(lang) or {}) | {k: row[k] for k in _LANG_FIELDS if k in row}
    return parse_entries(list(grouped.values()), origin)


def dump(rows: list[dict[str, Any]], fmt: str) -> str:
    payload = {"entries": rows}
    if fmt == "json":
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(payload, allow_unicode=True, sort_keys=False, width=100)
