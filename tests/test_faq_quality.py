"""Matching quality on the dev set (tests/data/faq_dev.yaml) never drops below what we reached.

The dev set is written apart from the FAQ's alternates; bench/faq_bench.py prints the same
figures next to a naive baseline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.catalog import FaqCatalog
from faq.check import topic_ids
from faq.evaluation import DevQuestion, evaluate, load_dev_set

DEV_SET = Path(__file__).parent / "data" / "faq_dev.yaml"


@pytest.fixture(scope="module")
def dev_set() -> list[DevQuestion]:
    return load_dev_set(DEV_SET)


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


def test_quality_floors(dev_set: list[DevQuestion], catalog: FaqCatalog) -> None:
    report = evaluate(catalog.match, dev_set)
    assert report.top1 >= 0.90, report
    assert report.top3 >= 0.95, report
    assert report.wrongly_confident <= 0.03, report
    assert report.out_of_scope_rejection >= 0.90, report
