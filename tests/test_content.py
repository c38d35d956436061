"""The bundled FAQ passes its own checks, and the checks catch what they should."""

from __future__ import annotations

import datetime as dt

from faq.catalog import FaqCatalog, Language
from faq.check import check_entries, topic_ids
from faq.entries import Entry, LangBlock


def test_bundled_faq_is_clean(entries: list[Entry], language: Language) -> None:
    assert check_entries(entries, language.normalisers) == []


def test_every_topic_is_covered_in_both_languages(entries: list[Entry]) -> None:
    ids = {e.id for e in entries}
    assert set(topic_ids()) <= ids
    for entry in entries:
        assert entry.fr.answer.strip() and entry.en.answer.strip()
        assert len(entry.fr.alternates) >= 8 and len(entry.en.alternates) >= 8


def test_caregiver_answer_states_the_legal_status_with_its_date(catalog: FaqCatalog) -> None:
    entry = catalog.entries["caregiver.delegation"]
    assert "2026" in entry.fr.answer and "2026" in entry.en.answer
    assert "senat.fr" in entry.fr.answer or "senat.fr" in " ".join(entry.sources)


def _entry(entry_id: str = "x.one", **changes: object) -> Entry:
    block = LangBlock(
        question="Une question ?",
        alternates=[f"variante {i} {entry_id}" for i in range(8)],
        keywords=["mot"],
        answer="Une réponse <b>claire</b>.",
    )
    data = {
        "id": entry_id,
        "theme": "general",
        "reviewed": dt.date(2026, 11, 28),
        "sources": ["https://www.monespacesante.fr/"],
        "related": [],
        "fr": block,
        "en": block.model_copy(update={"question": "A question?"}),
    }
    data.update(changes)
    return Entry.model_validate(data)


def test_checks_catch_bad_content(language: Language) -> None:
    bad_html = _entry(
        "x.html",
        fr=LangBlock(
            question="Q ?", alternates=[f"a{i}" for i in range(8)], answer="a & b <br> <p>x</p>"
        ),
    )
    insecure = _entry("x.http", sources=["http://example.org/"])
    shared = _entry("x.shared")
    few = _entry("x.few", en=LangBlock(question="Q ?", alternates=["one"], answer="ok"))
    long = _entry(
        "x.long",
        en=LangBlock(question="Q ?", alternates=[f"l{i}" for i in range(8)], answer="x" * 901),
    )
    dangling = _entry("x.dangling", related=["nope"])
    problems = "\n".join(
        check_entries(
            [bad_html, insecure, shared, shared, few, long, dangling], language.normalisers
        )
    )
    for expected in (
        "x.html fr: answer: a bare '&'",
        "tag <br> is not allowed",
        "x.http: source 'http://example.org/' is not an https link",
        "x.shared: id used twice",
        "is also used by",
        "x.few en: 1 alternates",
        "x.long en: answer is 901 characters",
        "x.dangling: related entry 'nope' does not exist",
        "general.what: topic has no entry",
    ):
        assert expected in problems, expected
