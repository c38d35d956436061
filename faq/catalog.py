"""The FAQ as the conversation sees it: entries by id, with safety routing then matching."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from faq.entries import Entry, phrasings_by_lang
from faq.lexicon import LANGS, Lang, load_lexicon
from faq.matcher import Matcher, MatchResult, MatchSettings, Scored
from faq.normalize import Normaliser
from faq.safety import SafetyRules, load_safety_rules, safety_words


@dataclass(frozen=True)
class Language:
    """What the FAQ needs to read text: normalisers and safety rules, built once per process."""

    normalisers: dict[Lang, Normaliser]
    safety: SafetyRules

    @classmethod
    def load(cls) -> Language:
        normalisers = {lang: Normaliser(load_lexicon(lang)) for lang in LANGS}
        return cls(normalisers, load_safety_rules(list(normalisers.values())))


class FaqCatalog:
    """An immutable snapshot of the FAQ, ready to answer."""

    def __init__(
        self, entries: Iterable[Entry], language: Language, settings: MatchSettings
    ) -> None:
        self.entries: dict[str, Entry] = {e.id: e for e in entries}
        self._language = language
        self.matcher = Matcher(
            phrasings_by_lang(self.entries.values()), language.normalisers, settings
        )

    def match(self, text: str, lang: Lang) -> MatchResult:
        """Safety first (emergency, then medical), then the matcher's decision."""
        routed = self._language.safety.route(
            safety_words(text, list(self._language.normalisers.values()))
        )
        if routed is not None and routed in self.entries:
            return MatchResult("answer", routed, 100.0, (), (Scored(routed, 100.0),))
        return self.matcher.match(text, lang)

    def themes(self) -> dict[str, list[Entry]]:
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries.values():
            grouped.setdefault(entry.theme, []).append(entry)
        return grouped
