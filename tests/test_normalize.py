from __future__ import annotations

import pytest

from faq.catalog import Language
from faq.normalize import clean


def test_clean_removes_control_and_zero_width_characters() -> None:
    assert clean("a\x00b\u200bc\ufeff d\x07\n e") == "abc d e"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cmt activer MES", ["comment", "activer", "monespacesante"]),
        ("J'ai perdu ma Carte Vitale", ["j", "ai", "perdu", "ma", "cartevitale"]),
        ("où déposer mes DA ?", ["ou", "deposer", "mes", "directivesanticipees"]),
        ("l’activation", ["l", "activation"]),
        ("je veux pas de mon espace santé", ["je", "refus", "de", "monespacesante"]),
        ("mon toubib", ["mon", "medecin"]),
        ("ŒUVRE", ["oeuvre"]),
    ],
)
def test_french_words(language: Language, text: str, expected: list[str]) -> None:
    assert language.normalisers["fr"].words(text) == expected


def test_tokens_drop_stop_words_and_stem(language: Language) -> None:
    fr = language.normalisers["fr"]
    assert fr.tokens("Comment activer mon profil ?") == [fr.stem("activer"), fr.stem("profil")]
    assert fr.tokens("documents") == fr.tokens("document")


def test_canonical_words_are_not_stemmed(language: Language) -> None:
    fr = language.normalisers["fr"]
    assert "aidant" in fr.tokens("mon aidante")
    assert "aidant" in fr.tokens("les proches aidants")


def test_english(language: Language) -> None:
    en = language.normalisers["en"]
    assert en.tokens("How can my carer see my health record?") == [
        "caregiver",
        en.stem("see"),
        en.stem("monespacesante"),
    ]


def test_long_text_is_capped(language: Language) -> None:
    assert len(language.normalisers["fr"].words("mot " * 10_000)) <= 1000
