"""Export and import files: entries as flat per-language rows that translators, spreadsheets and
scripts can edit, or entries in the bundled format.

A flat row carries ``id, lang, theme, reviewed, sources, related, question, alternates,
keywords, answer``; a row may leave fields out, which then keep their value in the database.
YAML and JSON files hold the rows (or bundled entries) under ``entries``; a CSV file holds one
row a line under a header naming the columns, a list field one item a line inside its cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from faq.entries import ContentError, Entry
from faq.lexicon import LANGS, Lang

SHARED_FIELDS = ("theme", "reviewed", "sources", "related")
LANG_FIELDS = ("question", "alternates", "keywords", "answer")
LIST_FIELDS = frozenset({"sources", "related", "alternates", "keywords"})
FLAT_FIELDS = ("id", "lang", *SHARED_FIELDS, *LANG_FIELDS)
FORMATS = ("yaml", "json", "csv")
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}

# Spreadsheets write one item a line; " | " is easier to type in a cell.
ITEM_SEPARATOR = " | "


@dataclass(frozen=True)
class Item:
    """One row or entry of a file: ``row 3`` (a spreadsheet's numbering for CSV), ``entry 2``."""

    kind: Literal["row", "entry"]
    number: int
    data: Any

    @property
    def where(self) -> str:
        return f"{self.kind} {self.number}"


class Problem(NamedTuple):
    """What is wrong with an import file, at its row or entry ``number``: problems are shown
    in the file's order."""

    number: int
    text: str


@dataclass(frozen=True)
class Document:
    """A decoded import file. ``flat`` when its items are per-language rows; ``problems`` are
    those found while reading it (a CSV header's unknown column, a row of too many cells)."""

    origin: str
    flat: bool
    items: list[Item]
    problems: list[Problem] = field(default_factory=list)


def flatten(entries: Iterable[Entry], langs: Iterable[Lang] = LANGS) -> list[dict[str, Any]]:
    rows = []
    wanted = list(langs)
    for entry in entries:
        dumped = entry.model_dump(mode="json")
        for lang in wanted:
            rows.append(
                {"id": entry.id, "lang": lang}
                | {k: dumped[k] for k in SHARED_FIELDS}
                | {k: dumped[lang][k] for k in LANG_FIELDS}
            )
    return rows


class _NoAliases(yaml.SafeDumper):
    """Rows of one entry share its list objects; a translator should read them in full in
    every row, not as ``&id001`` anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "csv":
        return _dump_csv(rows)
    payload = {"entries": rows}
    if fmt == "json":
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(payload, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100)


def _cell(value: Any) -> str:
    if not isinstance(value, list):
        return str(value)
    text = "\n".join(str(v) for v in value)
    # A single item holding the separator would come back as several: a trailing line break
    # marks the cell as one item a line, which reading takes first.
    return text + "\n" if len(value) == 1 and ITEM_SEPARATOR in text else text


def _dump_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLAT_FIELDS)
    for row in rows:
        writer.writerow([_cell(row.get(name, "")) for name in FLAT_FIELDS])
    return out.getvalue()


def _split_items(cell: str) -> list[str]:
    """A list field's cell: one item a line, or items separated by `` | ``."""
    parts = cell.splitlines() if "\n" in cell or "\r" in cell else cell.split(ITEM_SEPARATOR)
    return [p.strip() for p in parts if p.strip()]


def read_document(path: Path) -> Document:
    """The file's rows or entries, by its extension; ContentError when it cannot be read."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ContentError(f"{path}: expected a .yaml, .yml, .json or .csv file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"{path}: {exc.strerror}") from exc
    try:
        # Spreadsheets often save UTF-8 with a byte order mark; "utf-8-sig" drops it if present.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(
            f"{path}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from exc
    origin = path.name
    if fmt == "csv":
        return _read_csv(text, origin)
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ContentError(f"{path}: not valid JSON: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ContentError(f"{path}: expected a list of entries under 'entries'")
    flat = any(isinstance(i, dict) and ("lang" in i or i.keys() & set(LANG_FIELDS)) for i in items)
    kind: Literal["row", "entry"] = "row" if flat else "entry"
    return Document(origin, flat, [Item(kind, n, item) for n, item in enumerate(items, start=1)])


def _delimiter(text: str) -> str:
    """Spreadsheets set to French separate cells with ';' (the comma is the decimal mark)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _read_csv(text: str, origin: str) -> Document:
    """Rows numbered as a spreadsheet shows them: the header is row 1."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    if not records:
        raise ContentError(f"{origin}: empty file; expected a header row")
    header = [name.strip().lower() for name in records[0]]
    for name in ("id", "lang"):
        if name not in header:
            raise ContentError(f"{origin}: row 1: no {name!r} column in the header")
    problems = [
        Problem(
            1, f"{origin}: row 1: unknown column {name!r}; the columns are {', '.join(FLAT_FIELDS)}"
        )
        for name in sorted(set(header) - set(FLAT_FIELDS))
    ]
    problems += [
        Problem(1, f"{origin}: row 1: column {name!r} appears more than once")
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    items = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                Problem(
                    number,
                    f"{origin}: row {number}: {len(record)} cells, but the header has "
                    f"{len(header)} columns",
                )
            )
            continue
        row = {
            # A spreadsheet on Windows may end lines inside a cell with CRLF.
            name: _split_items(cell) if name in LIST_FIELDS else cell.replace("\r\n", "\n")
            for name, cell in zip(header, record, strict=True)
            if name in FLAT_FIELDS
        }
        items.append(Item("row", number, row))
    return Document(origin, True, items, problems)
