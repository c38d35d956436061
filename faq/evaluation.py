"""Measuring a matcher against labelled question sets (used by the tests and the benchmark).

Two formats: the YAML dev set (``{q, lang, expect}``) and the TSV sets of real questions
(``question``, ``accept``, optional ``lang``, ``kind`` and ``source``), whose ``accept`` is
comma-separated entry ids, ``OOS`` alone (no entry should answer it directly; a ``redirect.*``
answer is fine), or ``OOS`` beside ids (answering one of them or declining are both right).
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from faq.lexicon import Lang
from faq.matcher import MatchResult

OUT_OF_SCOPE = "OOS"
REDIRECT_PREFIX = "redirect."


@dataclass(frozen=True)
class DevQuestion:
    text: str
    lang: Lang
    expect: frozenset[str]  # empty: out of scope, nothing should be answered
    may_decline: bool = False  # "OOS" beside ids: declining is right too
    source: str = ""

    @property
    def in_scope(self) -> bool:
        return bool(self.expect) and not self.may_decline

    @property
    def out_of_scope(self) -> bool:
        return not self.expect


@dataclass(frozen=True)
class Report:
    """The figures, as fractions.

    top1: in-scope questions whose best-ranked entry is right, answered or suggested first;
    top3: in-scope questions with a right entry among the three best-ranked;
    wrongly_confident: questions (all of them) answered directly with a wrong entry (a
    ``redirect.*`` answer to an out-of-scope question is not wrong);
    out_of_scope_rejection: out-of-scope questions not answered directly, or redirected;
    out_of_scope_fallback: out-of-scope questions given the fallback (no "did you mean");
    answered: questions answered directly.
    """

    questions: int
    in_scope: int
    top1: float
    top3: float
    wrongly_confident: float
    out_of_scope_rejection: float
    out_of_scope_fallback: float
    answered: float


def load_dev_set(path: Path) -> list[DevQuestion]:
    raw = yaml.safe_load(path.read_text("utf-8"))["questions"]
    return [DevQuestion(q["q"], q["lang"], frozenset(q["expect"])) for q in raw]


def load_tsv_set(path: Path, lang: Lang | None = None) -> list[DevQuestion]:
    """A TSV set of real questions; ``lang`` for files without a ``lang`` column."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    questions = []
    for row in rows:
        accept = {a.strip() for a in row["accept"].split(",") if a.strip()}
        ids = frozenset(accept - {OUT_OF_SCOPE})
        questions.append(
            DevQuestion(
                text=row["question"],
                lang=row.get("lang") or lang or "fr",  # type: ignore[arg-type]
                expect=ids,
                may_decline=OUT_OF_SCOPE in accept and bool(ids),
                source=row.get("source") or "",
            )
        )
    return questions


def half(questions: Sequence[DevQuestion], which: int) -> list[DevQuestion]:
    """One of two fixed halves of a set (0 or 1): tune on one, report on the other.

    Split by source page when there is one, so that questions from one page never sit on both
    sides (a page's wording would otherwise leak from the half tuned on to the other).
    """
    return [q for q in questions if zlib.crc32((q.source or q.text).encode()) % 2 == which]


def is_wrong_answer(question: DevQuestion, entry_id: str | None) -> bool:
    if entry_id in question.expect:
        return False
    return not (question.out_of_scope and (entry_id or "").startswith(REDIRECT_PREFIX))


def evaluate(match: Callable[[str, Lang], MatchResult], questions: Sequence[DevQuestion]) -> Report:
    in_scope = [q for q in questions if q.in_scope]
    out_of_scope = [q for q in questions if q.out_of_scope]
    top1 = top3 = wrong = rejected = fallback = answered = 0
    for q in questions:
        result = match(q.text, q.lang)
        ranked = [s.entry_id for s in result.ranked]
        answered_now = result.outcome == "answer"
        if answered_now:
            answered += 1
            wrong += is_wrong_answer(q, result.entry_id)
        if q.in_scope:
            top1 += bool(ranked) and ranked[0] in q.expect
            top3 += bool(q.expect.intersection(ranked[:3]))
        elif q.out_of_scope:
            rejected += not answered_now or (result.entry_id or "").startswith(REDIRECT_PREFIX)
            fallback += result.outcome == "fallback"
    return Report(
        questions=len(questions),
        in_scope=len(in_scope),
        top1=top1 / max(len(in_scope), 1),
        top3=top3 / max(len(in_scope), 1),
        wrongly_confident=wrong / max(len(questions), 1),
        out_of_scope_rejection=rejected / max(len(out_of_scope), 1),
        out_of_scope_fallback=fallback / max(len(out_of_scope), 1),
        answered=answered / max(len(questions), 1),
    )
