"""Small talk: greetings, thanks, goodbyes and questions about the bot, recognised as data."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

import yaml

from faq.normalize import MAX_QUERY_CHARS, clean, words_of

Kind = Literal["about", "help", "thanks", "goodbye", "greeting"]
KINDS: tuple[Kind, ...] = ("about", "help", "thanks", "goodbye", "greeting")  # by precedence
MAX_WORDS = 12


class SmallTalk:
    """Tells whether a whole message is small talk, and which kind."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._phrases: dict[tuple[str, ...], Kind] = {}
        for kind in reversed(KINDS):  # a phrase listed twice keeps the kind that comes first
            for phrase in raw.get(kind) or ():
                self._phrases[tuple(words_of(str(phrase)).split())] = kind
        self._filler = frozenset(str(w) for w in raw.get("filler") or ())
        self._longest = max((len(p) for p in self._phrases), default=0)

    @classmethod
    def bundled(cls) -> SmallTalk:
        text = resources.files("faq").joinpath("lexicon", "smalltalk.yaml").read_text("utf-8")
        return cls(yaml.safe_load(text))

    def kind(self, text: str) -> Kind | None:
        words = words_of(clean(text)[:MAX_QUERY_CHARS]).split()
        if not words or len(words) > MAX_WORDS:
            return None
        found: set[Kind] = set()
        i = 0
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                kind = self._phrases.get(tuple(words[i : i + size]))
                if kind is not None:
                    found.add(kind)
                    i += size
                    break
            else:
                if words[i] not in self._filler:
                    return None
                i += 1
        return next((k for k in KINDS if k in found), None)
