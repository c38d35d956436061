"""The per-language word lists that drive query normalisation, loaded from `faq/lexicon/`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Literal

import yaml

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")


@dataclass(frozen=True)
class Lexicon:
    lang: Lang
    acronyms: dict[str, str]
    phrases: dict[str, str]
    abbreviations: dict[str, str]
    stop_words: frozenset[str]
    unstemmed: frozenset[str]


def load_lexicon(lang: Lang) -> Lexicon:
    raw = yaml.safe_load(
        resources.files("faq").joinpath("lexicon", f"{lang}.yaml").read_text("utf-8")
    )
    return Lexicon(
        lang=lang,
        acronyms=dict(raw.get("acronyms") or {}),
        phrases={str(k): str(v) for k, v in (raw.get("phrases") or {}).items()},
        abbreviations={str(k): str(v or "") for k, v in (raw.get("abbreviations") or {}).items()},
        stop_words=frozenset(str(w) for w in raw.get("stop_words") or ()),
        unstemmed=frozenset(str(w) for w in raw.get("unstemmed") or ()),
    )
