"""The matching engine on its own: decisions, the cases plain extractOne gets wrong."""

from __future__ import annotations

import pytest

from faq.catalog import FaqCatalog, Language
from faq.matcher import Matcher, MatchSettings, Phrasings


@pytest.fixture(scope="module")
def tiny(language: Language) -> Matcher:
    entries = {
        "fr": [
            Phrasings(
                "hide", "Comment masquer un document ?", ("cacher un document",), ("masquer",)
            ),
            Phrasings("delete", "Comment supprimer un document ?", ("effacer un document",), ()),
            Phrasings("what", "Qu'est-ce que Mon espace santé ?", ("c'est quoi mon espace santé",)),
        ],
        "en": [Phrasings("hide", "How do I hide a document?", ("conceal a document",))],
    }
    return Matcher(entries, language.normalisers, MatchSettings())


def test_confident_answer(tiny: Matcher) -> None:
    result = tiny.match("masquer un document", "fr")
    assert (result.outcome, result.entry_id) == ("answer", "hide")


def test_typo_is_tolerated(tiny: Matcher) -> None:
    assert tiny.match("comment suprimmer un documment", "fr").ranked[0].entry_id == "delete"


def test_generic_words_alone_are_not_enough(catalog: FaqCatalog) -> None:
    for question in ("document", "mon profil", "comment faire svp"):
        assert catalog.match(question, "fr").outcome != "answer", question


def test_exact_generic_phrasing_still_answers(tiny: Matcher) -> None:
    assert tiny.match("c'est quoi mon espace sante", "fr").entry_id == "what"


def test_unrelated_question_falls_back(tiny: Matcher) -> None:
    result = tiny.match("quel temps fera-t-il demain à Lyon", "fr")
    assert result.outcome == "fallback" and result.entry_id is None


def test_other_language_is_searched_too(tiny: Matcher) -> None:
    assert tiny.match("how to conceal a document", "fr").ranked[0].entry_id == "hide"


def test_scores_are_between_0_and_100(catalog: FaqCatalog) -> None:
    for text in ("x", "activer", "mon espace santé " * 200, "🙂"):
        for scored in catalog.matcher.rank(text, "fr"):
            assert 0 < scored.score <= 100


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("activer", "activation.how"),
        ("DA", "directives.what"),
        ("masquer doc", "documents.hide"),
        (
            "bonjour, ma mere a 85 ans et elle ne sait pas se servir d'internet, elle a recu un "
            "courrier de la securite sociale avec un code, je voudrais savoir si je peux "
            "m'occuper de son espace sante a sa place et voir ses documents",
            "caregiver.delegation",
        ),
    ],
)
def test_short_and_rambling_questions(catalog: FaqCatalog, question: str, expected: str) -> None:
    assert catalog.matcher.rank(question, "fr")[0].entry_id == expected


def test_safety_routes_before_matching(catalog: FaqCatalog) -> None:
    assert catalog.match("je veux en finir", "fr").entry_id == "redirect.emergency"
    assert catalog.match("chest pain and my arm hurts", "en").entry_id == "redirect.emergency"
    assert catalog.match("quelle dose de doliprane pour un enfant", "fr").entry_id == (
        "redirect.medical"
    )


def test_safety_does_not_catch_ordinary_questions(catalog: FaqCatalog) -> None:
    for question in (
        "je peux prendre en photo une ordonnance ?",
        "ajouter mes traitements dans mon profil medical",
        "accès en cas d'urgence aux documents masqués",
    ):
        assert catalog.match(question, "fr").entry_id not in (
            "redirect.emergency",
            "redirect.medical",
        )
