"""Matching quality never drops below what we reached, on questions we did not write.

Sets: our dev set (tests/data/faq_dev.yaml, written apart from the alternates), the real
questions we collected with their sources (tests/data/real_questions.tsv, one half tuned on, the
other only measured), and the shared real questions beside the project, when present. None of
them may stand in the FAQ's own texts. bench/faq_bench.py prints the figures beside baselines.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from faq.catalog import FaqCatalog, Language
from faq.check import topic_ids
from faq.evaluation import DevQuestion, evaluate, half, load_dev_set, load_tsv_set

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
NEAR_VERBATIM = 90


def shared_set() -> list[DevQuestion]:
    if not (SHARED / "real-questions-fr.tsv").is_file():
        pytest.skip("the shared real questions are not beside this checkout")
    return [
        q
        for lang in ("fr", "en")
        for q in load_tsv_set(SHARED / f"real-questions-{lang}.tsv", lang)
    ]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def dev_set() -> list[DevQuestion]:
    return load_dev_set(DATA / "faq_dev.yaml")


@pytest.fixture(scope="module")
def collected() -> list[DevQuestion]:
    return load_tsv_set(DATA / "real_questions.tsv")


def test_dev_set_is_large_varied_and_separate(
    dev_set: list[DevQuestion], catalog: FaqCatalog
) -> None:
    assert len(dev_set) >= 300
    assert sum(1 for q in dev_set if not q.expect) >= 30
    assert {q.lang for q in dev_set} == {"fr", "en"}
    labelled = {i for q in dev_set for i in q.expect}
    assert set(topic_ids()) <= labelled
    phrasings = {
        p.strip().lower()
        for e in catalog.entries.values()
        for lang in ("fr", "en")
        for p in (e.block(lang).question, *e.block(lang).alternates)
    }
    copied = [q.text for q in dev_set if q.text.strip().lower() in phrasings]
    assert copied == [], "dev questions copied from the FAQ alternates measure nothing"


def test_collected_questions_are_many_sourced_and_labelled(collected: list[DevQuestion]) -> None:
    assert sum(1 for q in collected if q.lang == "fr") >= 150
    assert sum(1 for q in collected if q.lang == "en") >= 40
    assert all(q.source.startswith(("https://", "http://")) for q in collected)
    known = set(topic_ids())
    unknown = {i for q in collected for i in q.expect} - known
    assert unknown == set(), unknown


def test_no_evaluation_text_stands_in_the_faq(
    dev_set: list[DevQuestion],
    collected: list[DevQuestion],
    language: Language,
    catalog: FaqCatalog,
) -> None:
    """Evaluation questions measure the FAQ only while they stay out of its texts."""
    with (DATA / "safety_set.tsv").open(encoding="utf-8", newline="") as handle:
        safety = [r["text"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    evaluation = [q.text for q in collected] + safety
    if (SHARED / "real-questions-fr.tsv").is_file():
        evaluation += [q.text for q in shared_set()]

    def normal(text: str) -> str:
        return " ".join(language.normalisers["fr"].words(text))

    faq_texts = sorted(
        {
            normal(t)
            for e in catalog.entries.values()
            for lang in ("fr", "en")
            for t in (e.block(lang).question, *e.block(lang).alternates, *e.block(lang).keywords)
        }
    )
    near = []
    for text in evaluation:
        found = process.extractOne(
            normal(text), faq_texts, scorer=fuzz.ratio, score_cutoff=NEAR_VERBATIM
        )
        if found is not None:
            near.append((text, found[0]))
    assert near == []


def test_quality_floors_on_our_dev_set(dev_set: list[DevQuestion], catalog: FaqCatalog) -> None:
    report = evaluate(catalog.match, dev_set)
    assert report.top1 >= 0.90, report
    assert report.top3 >= 0.95, report
    assert report.wrongly_confident <= 0.04, report
    assert report.out_of_scope_rejection >= 0.90, report


def test_quality_floors_on_real_questions_not_tuned_on(
    collected: list[DevQuestion], catalog: FaqCatalog
) -> None:
    """Floors at what was reached on the half never tuned on; the goals (0.85 French top-1,
    0.80 English) are not met yet, docs/matching.md says where it stands."""
    measured = half(collected, 1)
    french = evaluate(catalog.match, [q for q in measured if q.lang == "fr"])
    english = evaluate(catalog.match, [q for q in measured if q.lang == "en"])
    assert french.top1 >= 0.72, french
    assert french.top3 >= 0.82, french
    assert french.wrongly_confident <= 0.05, french
    assert english.top1 >= 0.65, english
    assert english.wrongly_confident <= 0.10, english


def test_quality_floors_on_the_shared_real_questions(catalog: FaqCatalog) -> None:
    """Never tuned on. Wrongly confident is at 5.6 % (5 of 89), just over the 5 % goal."""
    french = evaluate(catalog.match, [q for q in shared_set() if q.lang == "fr"])
    assert french.top1 >= 0.68, french
    assert french.top3 >= 0.85, french
    assert french.wrongly_confident <= 0.06, french
    assert french.out_of_scope_rejection >= 0.85, french
