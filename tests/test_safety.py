"""The safety stage: its rules' edges, the examples that failed before, and its measured floors.

The safety set (tests/data/safety_set.tsv) was written apart from the phrases and the model,
grounded in prevention material; bench/faq_bench.py prints the same figures by language.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from faq.catalog import Language
from faq.safety import SafetyRules, SafetyRulesError, Verdict

SAFETY_SET = Path(__file__).parent / "data" / "safety_set.tsv"


def load_set() -> list[dict[str, str]]:
    with SAFETY_SET.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_set_is_large_bilingual_and_varied() -> None:
    rows = load_set()
    assert len(rows) >= 300
    assert {r["lang"] for r in rows} == {"fr", "en"}
    assert {r["label"] for r in rows} == {"emergency", "medical", "none"}
    assert all(r["basis"].strip() for r in rows), "each message names the material behind it"
    kinds = {r["kind"] for r in rows}
    assert {"suicide_indirect", "violence_child", "poisoning_overdose", "fire_gas"} <= kinds
    assert {"negative_frustration", "negative_death_past"} <= kinds


def test_floors_on_the_safety_set(language: Language) -> None:
    """Floors at what was reached: emergency recall meets its goal (0.98); ordinary messages
    not flagged (goal 0.95) does not yet, docs/matching.md says why."""
    rows = load_set()
    verdicts = [(r["label"], language.safety.classify(r["text"])) for r in rows]

    def share(label: str, test) -> float:
        picked = [v for lab, v in verdicts if lab == label]
        return sum(1 for v in picked if test(v)) / len(picked)

    assert share("emergency", lambda v: v is not None and v.level == "emergency") >= 0.98
    assert share("medical", lambda v: v is not None) >= 0.95
    assert share("medical", lambda v: v is not None and v.level == "medical") >= 0.90
    assert share("none", lambda v: v is None) >= 0.88


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("je ne veux plus vivre", "suicide"),
        ("j'en peux plus de tout", "suicide"),
        ("ma famille serait mieux sans moi", "suicide"),
        ("i dont want to live anymore", "suicide"),
        ("jveu mourir", "suicide"),
        ("mon conjoint me frappe", "violence_partner"),
        ("mon beau-père me frappe, j'ai 12 ans", "violence_child"),
        ("il y a le feu chez moi", "fire_gas"),
        ("ça sent le gaz dans la cuisine", "fire_gas"),
        ("mon père a la bouche de travers et parle bizarrement", "acute_stroke"),
        ("douleur dans la poitrine qui serre", "acute_cardiac"),
        ("mon fils a avalé de la javel", "poisoning"),
    ],
)
def test_emergencies_said_plainly_or_not(language: Language, message: str, kind: str) -> None:
    verdict = language.safety.classify(message)
    assert verdict is not None and verdict.level == "emergency", message
    assert kind in verdict.kinds, verdict


@pytest.mark.parametrize(
    "message",
    [
        "quelle dose de doliprane pour un enfant de 20 kg",
        "j'ai de la fièvre depuis deux jours, c'est grave ?",
        "can I take ibuprofen with my blood pressure pills",
        "que veut dire un taux de ferritine bas",
    ],
)
def test_medical_questions_get_the_medical_card(language: Language, message: str) -> None:
    verdict = language.safety.classify(message)
    assert verdict == Verdict("medical", alone=verdict.alone if verdict else True), message


@pytest.mark.parametrize(
    "message",
    [
        "ce site va me tuer",
        "this app is killing me",
        "mon père est décédé, accéder à son dossier",
        "j'ai fait un AVC l'an dernier, où trouver mon compte rendu",
        "accès en cas d'urgence aux documents masqués",
        "comment rédiger mes directives anticipées sur la fin de vie",
        "je peux prendre en photo une ordonnance ?",
        "ajouter mes traitements dans mon profil medical",
    ],
)
def test_what_only_sounds_alarming_is_not_flagged(language: Language, message: str) -> None:
    verdict = language.safety.classify(message)
    assert verdict is None or verdict.level != "emergency", (message, verdict)


def test_the_card_stands_alone_unless_the_record_is_asked_about(language: Language) -> None:
    alone = language.safety.classify("je veux en finir")
    beside = language.safety.classify("je veux en finir, qui verra mon dossier après ?")
    assert alone is not None and alone.alone
    assert beside is not None and beside.level == "emergency" and not beside.alone


def test_typos_and_sms_spellings_are_read(language: Language) -> None:
    for message in ("jpp de la vie", "je veux me sucider", "chui a bout je veux mourrir"):
        verdict = language.safety.classify(message)
        assert verdict is not None and verdict.level == "emergency", message


@pytest.mark.parametrize("pattern", ["(unbalanced", "closed)", "Été", "café*", "a|"])
def test_a_malformed_pattern_is_refused_with_its_text(pattern: str) -> None:
    with pytest.raises(SafetyRulesError) as caught:
        SafetyRules({"emergency": {"suicide": [pattern]}})
    assert pattern.split("|")[0].strip("(*") in str(caught.value) or "unbalanced" in str(
        caught.value
    )


def test_the_model_never_saw_the_evaluation_messages() -> None:
    """The safety set measures the model only while none of its messages, or a near copy,
    stands in the training files."""
    from rapidfuzz import fuzz, process

    from faq.normalize import fold

    training = []
    for path in sorted((Path(__file__).parent.parent / "faq" / "training").glob("safety_*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            training += [
                fold(r["text"])
                for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            ]
    near = [
        r["text"]
        for r in load_set()
        if process.extractOne(fold(r["text"]), training, scorer=fuzz.ratio, score_cutoff=90)
    ]
    assert near == []
