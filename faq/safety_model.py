"""The safety stage's learned half: a linear model over the words and letter groups of a message.

The phrases of safety.yaml are exact; people in distress are not. This model, trained by
`make models` on `faq/training/` (messages written for it, apart from the evaluation set), gives
the probability that a message is an emergency or a medical question. Features are computed
here, the same way for training and for use, so the shipped weights need nothing but this file.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import mul
from typing import Any

LABELS = ("emergency", "medical", "none")
CHAR_SIZES = (3, 4, 5)


def features(words: str) -> dict[str, float]:
    """Words, pairs of words and letter groups of each word (with its edges), L2-normalised.

    ``words`` is the message as the safety patterns see it (`SafetyRules.words`).
    """
    keys, values = _weighted(words)
    norm = math.hypot(*values) or 1.0
    return {k: v / norm for k, v in zip(keys, values, strict=True)}


def _weighted(words: str) -> tuple[list[str], list[float]]:
    """The features of `features` and their weights before normalisation."""
    tokens = words.split()
    pairs = [f"b:{a} {b}" for a, b in itertools.pairwise(tokens)]
    counts = Counter(itertools.chain(pairs, *map(_word_features, tokens)))
    return list(counts), [1.0 if v == 1 else 1.0 + math.log(v) for v in counts.values()]


@lru_cache(maxsize=65_536)
def _word_features(token: str) -> tuple[str, ...]:
    """A word and its letter groups (cached: messages reuse a small vocabulary)."""
    padded = f" {token} "
    return (
        f"w:{token}",
        *(
            "c:" + padded[i : i + size]
            for size in CHAR_SIZES
            for i in range(max(len(padded) - size + 1, 0))
        ),
    )


@dataclass(frozen=True)
class SafetyModel:
    """Per-feature weights for each label, with the thresholds chosen at training time."""

    # Each label's weights less those of "none" (softmax is the same): two look-ups a feature.
    emergency: Mapping[str, float]
    medical: Mapping[str, float]
    biases: tuple[float, float]
    emergency_threshold: float  # from here, the emergency card is shown
    sure_threshold: float  # from here, it is shown alone (unless the record is asked about)
    medical_threshold: float

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SafetyModel:
        if tuple(data["labels"]) != LABELS:
            raise ValueError(f"safety model labels {data['labels']!r}, expected {LABELS!r}")
        weights: Mapping[str, Sequence[float]] = data["weights"]
        e, m, n = (float(b) for b in data["intercepts"])
        return cls(
            emergency={k: w[0] - w[2] for k, w in weights.items()},
            medical={k: w[1] - w[2] for k, w in weights.items()},
            biases=(e - n, m - n),
            emergency_threshold=float(data["emergency_threshold"]),
            sure_threshold=float(data["sure_threshold"]),
            medical_threshold=float(data["medical_threshold"]),
        )

    @classmethod
    def bundled(cls) -> SafetyModel:
        text = resources.files("faq").joinpath("models", "safety.json").read_text("utf-8")
        return cls.from_data(json.loads(text))

    def probabilities(self, words: str) -> dict[str, float]:
        keys, values = _weighted(words)
        # The dot products of `features(words)` with each label's weights, normalised once.
        norm = math.hypot(*values) or 1.0
        zero = itertools.repeat(0.0)
        emergency = sum(map(mul, map(self.emergency.get, keys, zero), values)) / norm
        medical = sum(map(mul, map(self.medical.get, keys, zero), values)) / norm
        emergency += self.biases[0]
        medical += self.biases[1]
        top = max(emergency, medical, 0.0)
        exps = (math.exp(emergency - top), math.exp(medical - top), math.exp(-top))
        total = sum(exps)
        return {label: e / total for label, e in zip(LABELS, exps, strict=True)}
