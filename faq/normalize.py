"""French-aware text normalisation: from what people type to comparable tokens.

The pipeline, per language: clean (Unicode NFKC, no control or zero-width characters), expand
case-sensitive acronyms (``MES``, ``DA``), fold case and accents, split elisions
(``l'activation`` -> ``activation``), drop punctuation, fold multi-word expressions into one token
(``carte vitale`` -> ``cartevitale``), expand SMS abbreviations and synonyms, drop stop words,
then stem with Snowball. Everything it knows about words comes from `faq/lexicon/`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from faq.lexicon import Lang, Lexicon

MAX_QUERY_CHARS = 1000

_APOSTROPHES = re.compile(r"['’`´ʼ‘]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")
_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")  # Unicode's combining diacritical marks
_STEMMERS = {"fr": "french", "en": "english"}


def clean(text: str) -> str:
    """Printable text: NFKC, no control or format (zero-width) characters, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isprintable():  # the rare message with line breaks, zero-width or control
        text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower case without accents; ``œ`` and ``æ`` spelled out."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    if text.isascii():
        return text
    # Latin accents are the usual case: one regex, then the per-character look-up only for
    # what is left (other scripts, emoji).
    text = _LATIN_ACCENTS.sub("", unicodedata.normalize("NFD", text))
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


class Normaliser:
    """Turns text into the token list the matcher compares, for one language."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lang: Lang = lexicon.lang
        self._acronyms = lexicon.acronyms
        self._abbreviations = lexicon.abbreviations
        self._stop = frozenset(fold(w) for w in lexicon.stop_words)
        # Real text repeats a small vocabulary, and Snowball in pure Python is the slow step.
        self._stem_word = lru_cache(maxsize=100_000)(
            snowballstemmer.stemmer(_STEMMERS[lexicon.lang]).stemWord
        )
        self._phrase_targets = {words_of(k): v for k, v in lexicon.phrases.items()}
        self._unstemmed = frozenset(lexicon.unstemmed)
        keys = sorted(self._phrase_targets, key=len, reverse=True)
        self._phrases = (
            re.compile(r"\b(" + "|".join(map(re.escape, keys)) + r")\b") if keys else None
        )

    def words(self, text: str) -> list[str]:
        """Folded words with acronyms, phrases and abbreviations applied; stop words kept."""
        text = clean(text)[:MAX_QUERY_CHARS]
        text = _ACRONYM.sub(self._expand_acronym, text)
        text = words_of(text)
        if self._phrases is not None:
            text = self._phrases.sub(lambda m: self._phrase_targets[m.group(0)], text)
        out: list[str] = []
        for word in text.split():
            out.extend(self._abbreviations.get(word, word).split())
        return out

    def tokens(self, text: str) -> list[str]:
        """Stemmed content tokens, in order; stop words and words under three letters removed."""
        return [self.stem(w) for w in self.words(text) if w not in self._stop and len(w) > 2]

    def stem(self, word: str) -> str:
        if word.isdigit() or word in self._unstemmed:
            return word
        return self._stem_word(word)

    def _expand_acronym(self, match: re.Match[str]) -> str:
        word = match.group(0)
        return f" {self._acronyms[word]} " if word in self._acronyms else word


def words_of(text: str) -> str:
    """Folded text as words separated by single spaces (elisions split, punctuation dropped)."""
    return " ".join(_NON_WORD.sub(" ", _APOSTROPHES.sub(" ", fold(text))).split())
