"""Safety routing: emergencies and medical questions are recognised before any FAQ matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import yaml

from faq.normalize import Normaliser

EMERGENCY_ENTRY = "redirect.emergency"
MEDICAL_ENTRY = "redirect.medical"


@dataclass(frozen=True)
class SafetyRules:
    """Whole-word phrase patterns over folded words, checked in both languages at once."""

    emergency: re.Pattern[str]
    medical: re.Pattern[str]

    def route(self, words: str) -> str | None:
        """The redirect entry a message must get first, if any."""
        if self.emergency.search(words):
            return EMERGENCY_ENTRY
        if self.medical.search(words):
            return MEDICAL_ENTRY
        return None


def _pattern(phrases: list[str], normalisers: list[Normaliser]) -> re.Pattern[str]:
    forms = {" ".join(n.words(p)) for p in phrases for n in normalisers} | set(phrases)
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True) if f)
    return re.compile(rf"(?:^| )(?:{alternatives})(?= |$)")


def load_safety_rules(normalisers: list[Normaliser]) -> SafetyRules:
    raw = yaml.safe_load(
        resources.files("faq").joinpath("lexicon", "safety.yaml").read_text("utf-8")
    )
    return SafetyRules(
        emergency=_pattern(list(raw["emergency"]), normalisers),
        medical=_pattern(list(raw["medical"]), normalisers),
    )


def safety_words(text: str, normalisers: list[Normaliser]) -> str:
    """Every language's folded words of a message, as the safety patterns expect them."""
    return " | ".join(" ".join(n.words(text)) for n in normalisers)
