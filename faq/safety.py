"""The safety stage: emergencies and medical questions are recognised before any FAQ matching.

A pure classifier over folded words, driven by `faq/lexicon/safety.yaml` (its header gives the
pattern syntax and the prevention material behind the phrases). It is tuned for recall: a
message that might be distress gets the emergency card, beside the FAQ answer when the message
is also about the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from rapidfuzz import fuzz, process

from faq.normalize import MAX_QUERY_CHARS, clean, words_of
from faq.safety_model import SafetyModel

Level = Literal["emergency", "medical"]
EMERGENCY_ENTRY = "redirect.emergency"
MEDICAL_ENTRY = "redirect.medical"

_GAP = r"(?: [a-z0-9]+){0,4}"
_SYNTAX = re.compile(r"\(|\)|\||~|[^\s()|~]+")
_EMPTY_ALTERNATIVE = re.compile(r"(^|\(|\|)\s*(\||\)|$)")
TYPO_MIN_LENGTH = 6
TYPO_RATIO = 88.0


class SafetyRulesError(ValueError):
    """A safety pattern that cannot be compiled (a content error in safety.yaml)."""


@dataclass(frozen=True)
class Verdict:
    """What the safety stage decided for one message.

    ``kinds`` are the emergency kinds found (``suicide``, ``violence_child``…); ``lines`` the
    card's lines they call for first (``card_lines`` in safety.yaml); ``alone`` says the card
    replaces the FAQ answer rather than precede it.
    """

    level: Level
    kinds: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    alone: bool = True

    @property
    def entry_id(self) -> str:
        return EMERGENCY_ENTRY if self.level == "emergency" else MEDICAL_ENTRY


def compile_pattern(pattern: str) -> str:
    """One pattern of safety.yaml as a regular expression over ``" " + words + " "``."""
    if _EMPTY_ALTERNATIVE.search(pattern):
        raise SafetyRulesError(f"empty alternative in {pattern!r}")
    parts: list[str] = []
    depth = 0
    for token in _SYNTAX.findall(pattern):
        if token == "(":
            depth += 1
            parts.append("(?:")
        elif token == ")":
            depth -= 1
            if depth < 0:
                raise SafetyRulesError(f"unbalanced ')' in {pattern!r}")
            parts.append(")")
        elif token == "|":
            parts.append("|")
        elif token == "~":
            parts.append(_GAP)
        else:
            word = token.rstrip("*")
            if not word or not re.fullmatch(r"[a-z0-9]+", word):
                raise SafetyRulesError(f"{token!r} in {pattern!r} is not a folded word")
            parts.append(" " + word + ("[a-z0-9]*" if token.endswith("*") else ""))
    if depth:
        raise SafetyRulesError(f"unbalanced '(' in {pattern!r}")
    return "(?:" + "".join(parts) + ")(?= )"


def _union(patterns: Iterable[str]) -> re.Pattern[str]:
    compiled = [compile_pattern(p) for p in patterns]
    return re.compile("|".join(compiled) if compiled else r"(?!x)x")


def _trigger(pattern: str) -> list[str] | None:
    """Words one of which any match of the pattern contains (``word*`` for a prefix): the
    alternatives of its most selective slot. None when the pattern is too involved to tell."""
    tokens = _SYNTAX.findall(pattern)
    slots: list[list[str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "(":
            alternatives: list[list[str]] = [[]]
            i += 1
            while tokens[i] != ")":
                if tokens[i] == "(":
                    return None
                if tokens[i] == "|":
                    alternatives.append([])
                else:
                    alternatives[-1].append(tokens[i])
                i += 1
            firsts = [a[0] for a in alternatives]
            if "~" in firsts:
                return None
            slots.append(firsts)
        elif token not in ("~", "|"):
            slots.append([token])
        i += 1
    return max(slots, key=lambda slot: min(len(w.rstrip("*")) for w in slot), default=None)


@dataclass(frozen=True)
class _Rule:
    """One kind's patterns, searched only when a message holds one of their trigger words."""

    pattern: re.Pattern[str]
    words: frozenset[str]
    prefixes: re.Pattern[str] | None  # a word of the message starting with one of them
    always: bool

    @classmethod
    def of(cls, patterns: list[str]) -> _Rule:
        compiled = _union(patterns)  # first: it refuses a malformed pattern with its text
        triggers = [_trigger(p) for p in patterns]
        flat = [w for t in triggers if t is not None for w in t]
        prefixes = sorted({w.rstrip("*") for w in flat if w.endswith("*")})
        return cls(
            compiled,
            frozenset(w for w in flat if not w.endswith("*")),
            re.compile(" (?:" + "|".join(map(re.escape, prefixes)) + ")") if prefixes else None,
            any(t is None for t in triggers) or "" in prefixes,
        )

    def search(self, words: str, present: frozenset[str]) -> bool:
        """``words`` as `SafetyRules.words` gives them (each word after a space), ``present``
        the set of them."""
        if not (
            self.always
            or not self.words.isdisjoint(present)
            or (self.prefixes is not None and self.prefixes.search(words) is not None)
        ):
            return False
        return self.pattern.search(words) is not None


def _vocabulary(patterns: Iterable[str]) -> set[str]:
    return {
        token
        for p in patterns
        for token in _SYNTAX.findall(p)
        if token not in "()|~" and not token.endswith("*") and len(token) >= TYPO_MIN_LENGTH
    }


class SafetyRules:
    """The compiled phrases of safety.yaml; `classify` is pure and thread-safe."""

    def __init__(self, raw: Mapping[str, Any], model: SafetyModel | None = None) -> None:
        self._model = model
        self._abbreviations = {str(k): str(v) for k, v in (raw.get("abbreviations") or {}).items()}
        emergency: dict[str, list[str]] = {
            kind: [str(p) for p in patterns] for kind, patterns in raw["emergency"].items()
        }
        self._emergency = {kind: _Rule.of(patterns) for kind, patterns in emergency.items()}
        self._not_emergency = _union(str(p) for p in raw.get("not_emergency") or ())
        self._medical = _union(str(p) for p in raw.get("medical") or ())
        self._record = _union(str(p) for p in raw.get("record_context") or ())
        self.card_lines: dict[str, tuple[str, ...]] = {
            str(kind): tuple(str(line) for line in lines)
            for kind, lines in (raw.get("card_lines") or {}).items()
        }
        every = [p for patterns in emergency.values() for p in patterns]
        every += [str(p) for p in raw.get("medical") or ()]
        # Sorted: a typo that ties between two words corrects to the same one in every process.
        self._known = sorted(_vocabulary(every))
        self._known_set = frozenset(self._known)
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)

    @classmethod
    def bundled(cls, *, with_model: bool = True) -> SafetyRules:
        text = resources.files("faq").joinpath("lexicon", "safety.yaml").read_text("utf-8")
        return cls(yaml.safe_load(text), SafetyModel.bundled() if with_model else None)

    def words(self, text: str) -> str:
        """The message as the patterns see it: folded words, SMS spellings and typos fixed."""
        out: list[str] = []
        for word in words_of(clean(text)[:MAX_QUERY_CHARS]).split():
            out.extend(self._abbreviations.get(word, self._correct(word)).split())
        return " " + " ".join(out) + " "

    def classify(self, text: str, *, use_model: bool = True) -> Verdict | None:
        """The card a message needs, if any; ``use_model=False`` for the phrases alone."""
        words = self.words(text)
        # Take out what only sounds alarming ("ce site va me tuer"), then look again.
        remaining = self._not_emergency.sub(" ", words)
        present = frozenset(remaining.split())
        kinds = tuple(k for k, rule in self._emergency.items() if rule.search(remaining, present))
        about_record = self._record.search(words) is not None
        model = self._model if use_model else None
        odds = model.probabilities(words) if model else {"emergency": 0.0, "medical": 0.0}
        sure = model is not None and odds["emergency"] >= model.sure_threshold
        # Words a suppressor explained ("cette appli me tue") raise the bar for the model alone.
        explained = remaining != words
        unsure = (
            model is not None and not explained and odds["emergency"] >= model.emergency_threshold
        )
        lines = tuple(dict.fromkeys(line for k in kinds for line in self.card_lines.get(k, ())))
        if kinds or sure:
            return Verdict("emergency", kinds, lines, alone=not about_record)
        # A medical phrase (a dose, a symptom) outweighs the model's doubt: the medical card
        # gives the 15, 112 and 3114 too.
        if self._medical.search(remaining):
            return Verdict("medical", alone=not about_record)
        if unsure:  # the model alone, when unsure, puts the card beside the answer
            return Verdict("emergency", (), (), alone=False)
        if model and odds["medical"] + odds["emergency"] >= model.medical_threshold:
            return Verdict("medical", alone=False)
        return None

    def _correct_uncached(self, word: str) -> str:
        if len(word) < TYPO_MIN_LENGTH or word in self._known_set or word.isdigit():
            return word
        found = process.extractOne(word, self._known, scorer=fuzz.ratio, score_cutoff=TYPO_RATIO)
        return found[0] if found else word
