"""The FAQ as the conversation sees it: entries by id, with safety routing then matching."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from faq.entries import Entry, phrasings_by_lang
from faq.lexicon import LANGS, Lang, load_lexicon
from faq.matcher import Matcher, MatchResult, MatchSettings, MatchWeights, Scored
from faq.normalize import Normaliser
from faq.safety import SafetyRules
from faq.smalltalk import SmallTalk


@dataclass(frozen=True)
class Language:
    """What the FAQ needs to read text: normalisers and safety rules, built once per process."""

    normalisers: dict[Lang, Normaliser]
    safety: SafetyRules
    smalltalk: SmallTalk
    weights: MatchWeights | None = None

    @classmethod
    def load(cls) -> Language:
        normalisers = {lang: Normaliser(load_lexicon(lang)) for lang in LANGS}
        return cls(normalisers, SafetyRules.bundled(), SmallTalk.bundled(), MatchWeights.bundled())


class EntrySource(Protocol):
    """Whatever holds the entries in use: a catalog, or the live holder of the current one."""

    @property
    def entries(self) -> Mapping[str, Entry]: ...


class FaqCatalog:
    """An immutable snapshot of the FAQ, ready to answer."""

    def __init__(
        self, entries: Iterable[Entry], language: Language, settings: MatchSettings
    ) -> None:
        self.entries: dict[str, Entry] = {e.id: e for e in entries}
        self._language = language
        self.matcher = Matcher(
            phrasings_by_lang(self.entries.values()),
            language.normalisers,
            settings,
            language.weights,
        )

    def match(self, text: str, lang: Lang) -> MatchResult:
        """Safety first: a card alone, or a card beside the matcher's decision; then small talk;
        then the decision.

        The card alone is answered as its redirect entry (``redirect.emergency`` or
        ``redirect.medical``), so that every caller sees which card the chat shows.
        """
        # A message made only of greetings and thanks carries no distress the phrases would miss:
        # the model, which has seen few of them, is not asked.
        kind = self._language.smalltalk.kind(text)
        verdict = self._language.safety.classify(text, use_model=kind is None)
        if verdict is not None and verdict.alone:
            entry_id = verdict.entry_id
            return MatchResult("answer", entry_id, 100.0, (), (Scored(entry_id, 100.0),), verdict)
        if verdict is None and kind is not None:
            return MatchResult("smalltalk", None, 0.0, (), (), smalltalk=kind)
        result = self.matcher.match(text, lang)
        return dataclasses.replace(result, safety=verdict) if verdict else result

    def themes(self) -> dict[str, list[Entry]]:
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries.values():
            grouped.setdefault(entry.theme, []).append(entry)
        return grouped
