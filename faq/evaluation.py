"""Measuring a matcher against a labelled question set (used by the tests and the benchmark)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from faq.lexicon import Lang
from faq.matcher import MatchResult


@dataclass(frozen=True)
class DevQuestion:
    text: str
    lang: Lang
    expect: frozenset[str]  # empty: out of scope, nothing should be answered


@dataclass(frozen=True)
class Report:
    """The figures, as fractions.

    top1: in-scope questions whose best-ranked entry is right, answered or suggested first;
    top3: in-scope questions with a right entry among the three best-ranked;
    wrongly_confident: questions (all of them) answered directly with a wrong entry;
    out_of_scope_rejection: out-of-scope questions not answered directly;
    out_of_scope_fallback: out-of-scope questions given the fallback (no "did you mean");
    answered: questions answered directly.
    """

    questions: int
    top1: float
    top3: float
    wrongly_confident: float
    out_of_scope_rejection: float
    out_of_scope_fallback: float
    answered: float


def load_dev_set(path: Path) -> list[DevQuestion]:
    raw = yaml.safe_load(path.read_text("utf-8"))["questions"]
    return [DevQuestion(q["q"], q["lang"], frozenset(q["expect"])) for q in raw]


def evaluate(match: Callable[[str, Lang], MatchResult], questions: Sequence[DevQuestion]) -> Report:
    in_scope = [q for q in questions if q.expect]
    out_of_scope = [q for q in questions if not q.expect]
    top1 = top3 = wrong = rejected = fallback = answered = 0
    for q in questions:
        result = match(q.text, q.lang)
        ranked = [s.entry_id for s in result.ranked]
        if result.outcome == "answer":
            answered += 1
            wrong += result.entry_id not in q.expect
        if q.expect:
            top1 += bool(ranked) and ranked[0] in q.expect
            top3 += bool(q.expect.intersection(ranked[:3]))
        else:
            rejected += result.outcome != "answer"
            fallback += result.outcome == "fallback"
    return Report(
        questions=len(questions),
        top1=top1 / max(len(in_scope), 1),
        top3=top3 / max(len(in_scope), 1),
        wrongly_confident=wrong / max(len(questions), 1),
        out_of_scope_rejection=rejected / max(len(out_of_scope), 1),
        out_of_scope_fallback=fallback / max(len(out_of_scope), 1),
        answered=answered / max(len(questions), 1),
    )
