"""FAQ entries as data: the validated shape of an entry, and reading and writing entry files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faq.lexicon import LANGS, Lang
from faq.matcher import Phrasings

THEMES = (
    "general",
    "activation",
    "account",
    "profile",
    "documents",
    "sharing",
    "features",
    "wishes",
    "caregiver",
    "security",
    "help",
    "redirect",
)


class ContentError(Exception):
    """An entry file that cannot be read or does not have the entry shape."""


class LangBlock(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    question: str = Field(min_length=3)
    alternates: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=1)


class Entry(BaseModel):
    """One FAQ topic in both languages."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=40)
    theme: Literal[THEMES]  # type: ignore[valid-type]
    reviewed: dt.date
    sources: list[str] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)
    fr: LangBlock
    en: LangBlock

    def block(self, lang: Lang) -> LangBlock:
        return self.fr if lang == "fr" else self.en

    def phrasings(self, lang: Lang) -> Phrasings:
        block = self.block(lang)
        return Phrasings(self.id, block.question, tuple(block.alternates), tuple(block.keywords))


def parse_entries(data: Any, origin: str) -> list[Entry]:
    """Entries from a decoded file: ``{"entries": [...]}`` or a bare list."""
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ContentError(f"{origin}: expected a list of entries under 'entries'")
    entries = []
    for position, item in enumerate(items, start=1):
        try:
            entries.append(Entry.model_validate(item))
        except ValidationError as exc:
            name = item.get("id", f"#{position}") if isinstance(item, dict) else f"#{position}"
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ContentError(f"{origin}: entry {name}: {where}: {first['msg']}") from exc
    return entries


def load_document(path: Path) -> Any:
    """A YAML or JSON file, decoded (JSON is YAML too)."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ContentError(f"{path}: {exc.strerror}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML or JSON: {exc}") from exc


def bundled_entries() -> list[Entry]:
    """The FAQ shipped with the package, from `faq/content/*.yaml`."""
    folder = resources.files("faq").joinpath("content")
    entries: list[Entry] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            entries.extend(
                parse_entries(yaml.safe_load(item.read_text("utf-8")), f"faq/content/{item.name}")
            )
    return entries


def phrasings_by_lang(entries: Iterable[Entry]) -> dict[Lang, list[Phrasings]]:
    listed = list(entries)
    return {lang: [e.phrasings(lang) for e in listed] for lang in LANGS}
