"""Letter groups: TF-IDF cosine over the 3-to-5-letter groups of each word, as a second opinion.

Words catch meaning; letter groups catch what stemming and the lexicon miss: a conjugation
("contient" / "contenu"), a compound, a typo in a short word, an official wording that shares
roots with ours. Measured alone on real questions it ranks about as well as the word matcher,
and better on long official phrasing (docs/matching.md); the matcher combines both.

Only the document frequencies are kept for the whole FAQ; a phrasing's vector is built when it
is first compared (and cached), and only phrasings the word index already found are compared,
so a 5,000-entry FAQ stays within milliseconds and tens of megabytes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from operator import mul

from faq.normalize import MAX_QUERY_CHARS, clean, fold, words_of

SIZES = (3, 4, 5)
Vector = dict[str, float]


@lru_cache(maxsize=65_536)
def word_grams(word: str) -> tuple[str, ...]:
    """The letter groups of one word, its edges marked by spaces (cached: people reuse a small
    vocabulary, and cutting words up was a third of the letters' cost)."""
    padded = f" {word} "
    return tuple(
        padded[start : start + size]
        for size in SIZES
        for start in range(max(len(padded) - size + 1, 1))
    )


def grams(text: str) -> Counter[str]:
    """The letter groups of each word of the folded text."""
    words = words_of(fold(clean(text)[:MAX_QUERY_CHARS])).split()
    return Counter(chain.from_iterable(map(word_grams, words)))


class CharIndex:
    """Letter-group TF-IDF over one language's phrasings, compared on demand."""

    def __init__(self, phrasings: Sequence[str], cache_size: int = 16_384) -> None:
        self._phrasings = list(phrasings)
        df: Counter[str] = Counter()
        for text in self._phrasings:
            df.update(grams(text).keys())
        n = len(self._phrasings)
        self._idf = {g: math.log((1 + n) / (1 + d)) + 1 for g, d in df.items()}
        self._unknown_idf = math.log(1 + n) + 1
        self._vector = lru_cache(maxsize=cache_size)(self._vector_uncached)

    def query(self, text: str) -> Vector:
        return self._weigh(grams(text))

    def cosine(self, query: Vector, phrasing: int) -> float:
        vector = self._vector(phrasing)
        # The shared groups are few: intersecting the key views (in C, from the smaller one)
        # beats looking each group up.
        small, large = (vector, query) if len(vector) < len(query) else (query, vector)
        shared = small.keys() & large.keys()
        return sum(map(mul, map(query.__getitem__, shared), map(vector.__getitem__, shared)))

    def _vector_uncached(self, phrasing: int) -> Vector:
        return self._weigh(grams(self._phrasings[phrasing]))

    def _weigh(self, counts: Counter[str]) -> Vector:
        idf, unknown = self._idf, self._unknown_idf
        weights = {
            g: idf.get(g, unknown) if c == 1 else (1 + math.log(c)) * idf.get(g, unknown)
            for g, c in counts.items()
        }
        norm = math.hypot(*weights.values()) or 1.0
        return {g: w / norm for g, w in weights.items()}
