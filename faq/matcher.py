"""The FAQ matching engine: pure, in memory, rebuilt whenever the FAQ changes.

How a question is scored against an entry (see docs/matching.md for the measurements):

1. The question and every phrasing of the entry (its question and alternates) are normalised
   into stemmed tokens (`faq.normalize`). An unknown question token of ``typo_min_length``
   characters or more is mapped to the closest known token when rapidfuzz's ``ratio`` is at
   least ``typo_ratio`` (typos), and counts for that similarity only.
2. Each known token weighs its inverse document frequency over entries,
   ``idf = ln(1 + N / df)``: words every entry shares ("comment", "mon espace santé") weigh
   little, words one entry owns weigh a lot. A token the FAQ never uses weighs ``oov_weight``.
3. For each phrasing ``p`` of the entry, with ``K`` the entry's keywords and ``E`` every token
   the entry uses (all its phrasings and keywords):
   - ``query_cover`` = weight of question tokens found in ``p`` or ``K`` / weight of the question;
   - ``entry_cover`` = weight of question tokens found in ``E`` / weight of the question (a long
     message that tells a story matches the entry as a whole better than any one phrasing);
   - ``phrase_cover`` = weight of ``p``'s tokens found in the question / weight of ``p``;
   - ``similarity`` = rapidfuzz ``token_sort_ratio`` of the known tokens of both / 100;
   phrasing score = 100 * (0.30 query_cover + 0.20 entry_cover + 0.15 phrase_cover
   + 0.35 similarity), the weights being settings.
4. The entry's score is its best phrasing's score (0-100). The question is also scored against
   the other language's phrasings, less ``other_language_penalty``, so an English question
   typed in a French chat still finds its entry.
5. The decision: answer when the best score reaches ``confident_score`` with a lead of
   ``margin`` over the next entry; otherwise offer the entries above ``suggest_score`` ("did
   you mean"); otherwise fall back.

Only phrasings that share a token with the question are scored (an inverted index), and only
the ``rerank`` best by matched weight get the string similarity, which keeps a 5,000-entry FAQ
within a few milliseconds.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from rapidfuzz import fuzz, process

from faq.chargrams import CharIndex
from faq.lexicon import LANGS, Lang
from faq.normalize import Normaliser

if TYPE_CHECKING:
    from faq.safety import Verdict

SPECIFIC_WEIGHT = 8.0  # about two words that few entries use
Outcome = Literal["answer", "suggest", "fallback", "smalltalk"]


@dataclass(frozen=True)
class Phrasings:
    """What the matcher knows of one entry in one language."""

    entry_id: str
    question: str
    alternates: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchSettings:
    # Chosen by `make models` on the tuning questions (faq/models/matcher.json, "thresholds"),
    # for the learned score; a test keeps them equal.
    confident_score: float = 65.0
    suggest_score: float = 33.7
    margin: float = 10.0
    max_suggestions: int = 3
    oov_weight: float = 1.5
    other_language_penalty: float = 8.0
    query_weight: float = 0.30
    entry_weight: float = 0.20
    phrase_weight: float = 0.15
    similarity_weight: float = 0.35
    rerank: int = 60
    common_share: float = 0.02
    common_floor: int = 1000
    letter_entries: int = 8
    letter_phrasings: int = 6
    letter_chars: int = 200
    typo_ratio: float = 80.0
    typo_min_length: int = 6


@dataclass(frozen=True)
class Scored:
    entry_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    outcome: Outcome
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    ranked: tuple[Scored, ...] = field(default=(), repr=False)
    safety: Verdict | None = None  # set by the catalog: the safety card shown first
    smalltalk: str | None = None  # set by the catalog: "greeting", "thanks"… (outcome "smalltalk")


@dataclass(frozen=True)
class MatchWeights:
    """How word and letter-group evidence combine into the probability that an entry is right.

    Learnt by `make models` (faq/training/build_models.py); the features, per entry, are those of
    `Matcher.features`.
    """

    coefficients: tuple[float, ...]
    intercept: float

    @classmethod
    def bundled(cls) -> MatchWeights:
        text = resources.files("faq").joinpath("models", "matcher.json").read_text("utf-8")
        data = json.loads(text)
        return cls(tuple(float(c) for c in data["coefficients"]), float(data["intercept"]))

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept + sum(c * f for c, f in zip(self.coefficients, features, strict=True))
        return 1 / (1 + math.exp(-z))


@dataclass(frozen=True)
class _Phrase:
    entry: int
    tokens: frozenset[str]
    covered: frozenset[str]  # its tokens and its entry's keywords
    text: str
    weight: float


class _LanguageIndex:
    """Inverted index over one language's phrasings."""

    def __init__(
        self,
        normaliser: Normaliser,
        entries: Sequence[Phrasings],
        typo_ratio: float,
        typo_min_length: int,
    ) -> None:
        self.normaliser = normaliser
        self.entry_ids = [e.entry_id for e in entries]
        self._typo_ratio = typo_ratio
        self._typo_min_length = typo_min_length
        token_lists: list[tuple[int, list[str]]] = []
        originals: list[str] = []
        keywords: list[frozenset[str]] = []
        for i, entry in enumerate(entries):
            for text in (entry.question, *entry.alternates):
                token_lists.append((i, normaliser.tokens(text)))
                originals.append(text)
            keywords.append(frozenset(t for k in entry.keywords for t in normaliser.tokens(k)))

        df: dict[str, int] = defaultdict(int)
        per_entry: list[set[str]] = [set(kw) for kw in keywords]
        for i, toks in token_lists:
            per_entry[i].update(toks)
        for tokens in per_entry:
            for t in tokens:
                df[t] += 1
        n = max(len(entries), 1)
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        # Sorted: typo look-ups that tie pick the same word whatever the hash seed.
        self.vocabulary = sorted(self.idf)

        self.phrases: list[_Phrase] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        kept: list[str] = []
        for (i, toks), original in zip(token_lists, originals, strict=True):
            tokens = frozenset(toks)
            if not tokens:
                continue
            pid = len(self.phrases)
            kept.append(original)
            covered = tokens | keywords[i]
            weight = sum(self.idf[t] for t in tokens)
            self.phrases.append(_Phrase(i, tokens, covered, " ".join(sorted(tokens)), weight))
            for t in covered:
                self.postings[t].append(pid)
        self.entry_tokens = [frozenset(tokens) for tokens in per_entry]
        self.chars = CharIndex(kept)
        self._closest = lru_cache(maxsize=8192)(self._closest_uncached)

    def _closest_uncached(self, token: str) -> tuple[str, float] | None:
        if token in self.idf:
            return token, 1.0
        if len(token) < self._typo_min_length:
            return None
        found = process.extractOne(
            token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=self._typo_ratio
        )
        return (found[0], found[1] / 100) if found else None

    def score(
        self, text: str, settings: MatchSettings, *, letters: bool
    ) -> tuple[dict[int, tuple[float, float]], float, bool]:
        """Per entry index sharing a token with the text: its best phrasing's word score
        (0-100) and, with ``letters``, its best letter-group cosine (0-1) among the phrasings
        compared; the question's specificity, the summed weight of its words the FAQ knows;
        and whether some of its words are unknown to this language's FAQ."""
        query_tokens = list(dict.fromkeys(self.normaliser.tokens(text)))
        if not query_tokens:
            return {}, 0.0, False
        mapped: dict[str, float] = {}
        total = 0.0
        for token in query_tokens:
            hit = self._closest(token)
            if hit is None:
                total += settings.oov_weight
                continue
            known, similarity = hit
            weight = self.idf[known] * similarity
            if weight > mapped.get(known, 0.0):
                total += weight - mapped.get(known, 0.0)
                mapped[known] = weight
        unknown = len(mapped) < len(query_tokens)
        if not mapped:
            return {}, 0.0, unknown

        # Candidates are gathered through the question's rarer words: a word on a large share
        # of the phrasings finds nothing the rarer ones miss, and walking its postings is most
        # of the cost in a large FAQ. It still counts in every score below.
        common = max(settings.common_share * len(self.phrases), settings.common_floor)
        gathering = [t for t in mapped if len(self.postings[t]) <= common] or list(mapped)
        matched: dict[int, float] = defaultdict(float)
        for token in gathering:
            weight = mapped[token]
            for pid in self.postings[token]:
                matched[pid] += weight
        weight_of = mapped.__getitem__
        if len(gathering) < len(mapped):
            for pid in matched:
                matched[pid] = sum(map(weight_of, mapped.keys() & self.phrases[pid].covered))
        top = heapq.nlargest(settings.rerank, matched, key=matched.__getitem__)
        candidates = [(pid, matched[pid]) for pid in top]

        # Both texts are tokens sorted and joined: plain ratio is token_sort_ratio, unsorted again.
        query_text = " ".join(sorted(mapped))
        idf_of = self.idf.__getitem__
        entry_covers: dict[int, float] = {}
        best: dict[int, float] = {}
        for pid, weight in candidates:
            phrase = self.phrases[pid]
            query_cover = weight / total
            entry_cover = entry_covers.get(phrase.entry)
            if entry_cover is None:
                shared = mapped.keys() & self.entry_tokens[phrase.entry]
                entry_cover = sum(map(weight_of, shared)) / total
                entry_covers[phrase.entry] = entry_cover
            phrase_cover = sum(map(idf_of, mapped.keys() & phrase.tokens)) / phrase.weight
            similarity = fuzz.ratio(query_text, phrase.text) / 100
            value = 100 * (
                settings.query_weight * query_cover
                + settings.entry_weight * entry_cover
                + settings.phrase_weight * phrase_cover
                + settings.similarity_weight * similarity
            )
            if value > best.get(phrase.entry, 0.0):
                best[phrase.entry] = value

        cosines: dict[int, float] = {}
        if letters:
            cosines = self._letters(text, candidates, best, settings)
        scores = {entry: (value, cosines.get(entry, 0.0)) for entry, value in best.items()}
        return scores, sum(mapped.values()), unknown

    def _letters(
        self,
        text: str,
        candidates: list[tuple[int, float]],
        best: dict[int, float],
        settings: MatchSettings,
    ) -> dict[int, float]:
        """Best letter-group cosine per entry, for the best phrasings of the entries the words
        rank best: the others lose whatever their letters say, and comparing them all costs ten
        times more. A long message's first sentences carry its question."""
        leaders = set(heapq.nlargest(settings.letter_entries, best, key=best.__getitem__))
        query = self.chars.query(text[: settings.letter_chars])
        cosines: dict[int, float] = {}
        compared: dict[int, int] = defaultdict(int)
        for pid, _ in candidates:  # by matched weight, best first
            entry = self.phrases[pid].entry
            if entry in leaders and compared[entry] < settings.letter_phrasings:
                compared[entry] += 1
                cosines[entry] = max(cosines.get(entry, 0.0), self.chars.cosine(query, pid))
        return cosines


class Matcher:
    """Scores questions against the FAQ and decides: answer, suggest, or fall back."""

    def __init__(
        self,
        entries: Mapping[Lang, Iterable[Phrasings]],
        normalisers: Mapping[Lang, Normaliser],
        settings: MatchSettings | None = None,
        weights: MatchWeights | None = None,
    ) -> None:
        self.settings = settings or MatchSettings()
        self.weights = weights
        self._indexes = {
            lang: _LanguageIndex(
                normalisers[lang],
                list(entries.get(lang, ())),
                self.settings.typo_ratio,
                self.settings.typo_min_length,
            )
            for lang in LANGS
        }

    def features(self, text: str, lang: Lang) -> dict[str, tuple[float, ...]]:
        """Per candidate entry: the word score (best of both languages, the other one less its
        penalty) over 100, the letter-group cosine in the question's language, how far these
        two fall behind the best candidate's, and the question's specificity
        (``SPECIFIC_WEIGHT`` of known word weight or more counts as 1): "mon profil" is
        answered less readily than "masquer un document"."""
        words: dict[str, float] = {}
        letters: dict[str, float] = {}
        specificity = 0.0
        # The chat's language first; the other one only when this one leaves words unknown.
        order = sorted(self._indexes.items(), key=lambda item: item[0] != lang)
        for index_lang, index in order:
            same = index_lang == lang
            penalty = 0.0 if same else self.settings.other_language_penalty
            scores, known, unknown = index.score(text, self.settings, letters=same)
            if same:  # the other language's rare words are this one's noise
                specificity = min(known / SPECIFIC_WEIGHT, 1.0)
            for entry, (value, cosine) in scores.items():
                entry_id = index.entry_ids[entry]
                words[entry_id] = max(words.get(entry_id, 0.0), (value - penalty) / 100)
                if same:
                    letters[entry_id] = cosine
            if same and not unknown:
                break
        top_words = max(words.values(), default=0.0)
        top_letters = max(letters.values(), default=0.0)
        return {
            e: (
                w,
                letters.get(e, 0.0),
                w - top_words,
                letters.get(e, 0.0) - top_letters,
                specificity,
            )
            for e, w in words.items()
        }

    def rank(self, text: str, lang: Lang) -> list[Scored]:
        features = self.features(text, lang)
        if self.weights is None:
            scores = {e: 100 * f[0] for e, f in features.items()}
        else:
            scores = {e: 100 * self.weights.probability(f) for e, f in features.items()}
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Scored(e, round(score, 1)) for e, score in ranked if round(score, 1) > 0]

    def match(self, text: str, lang: Lang) -> MatchResult:
        ranked = tuple(self.rank(text, lang))
        s = self.settings
        if not ranked or ranked[0].score < s.suggest_score:
            return MatchResult("fallback", None, ranked[0].score if ranked else 0.0, (), ranked)
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top.score >= s.confident_score and top.score - runner_up >= s.margin:
            return MatchResult("answer", top.entry_id, top.score, (), ranked)
        close = tuple(r.entry_id for r in ranked[: s.max_suggestions] if r.score >= s.suggest_score)
        return MatchResult("suggest", None, top.score, close, ranked)
