"""Train the models shipped in `faq/models/` from the repository's data (``make models``).

The matcher's weights (`matcher.json`): a logistic regression over `Matcher.features` of every
candidate entry, right or not, for the tuning questions: the dev set and one half of the
collected real questions (split by source page; the other half and the shared set are only ever
reported on). The answer thresholds are then chosen on the same questions: the most right answers
with at most MAX_WRONG wrong ones.

The safety model: a multinomial logistic regression over `faq.safety_model.features`, trained
on the `safety_*.tsv` files here (messages written for training, apart from the evaluation set
`tests/data/safety_set.tsv`), on our FAQ dev set and on every FAQ phrasing as ordinary questions.
Its thresholds are chosen on out-of-fold predictions. The emergency threshold (the card beside
the answer) is the lowest at which at most MAX_FAQ_ALARMS of the ordinary questions people ask
this FAQ get the card, with the phrases; the "sure" one (the card alone) is where the model's
emergencies are right SURE_PRECISION of the time. Needs scikit-learn (the ``dev`` extra); the
bot does not.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from faq.entries import bundled_entries, phrasings_by_lang  # noqa: E402
from faq.evaluation import DevQuestion, half, is_wrong_answer, load_dev_set, load_tsv_set  # noqa: E402
from faq.lexicon import LANGS, load_lexicon  # noqa: E402
from faq.matcher import Matcher, MatchSettings, MatchWeights  # noqa: E402
from faq.normalize import Normaliser  # noqa: E402
from faq.safety import EMERGENCY_ENTRY, MEDICAL_ENTRY, SafetyRules  # noqa: E402
from faq.safety_model import LABELS, features  # noqa: E402

MAX_FAQ_ALARMS = 0.05  # ordinary FAQ questions that may get the card beside their answer
TARGET_MEDICAL_RECALL = 0.95
SURE_PRECISION = 0.97  # the model alone answers with the card alone from this precision on
REGULARISATION = 4.0  # inverse strength (scikit-learn's C), chosen by the same cross-validation
MIN_WEIGHT = 0.02  # smaller weights change no decision; dropping them keeps the file small
FOLDS = 5
SEED = 13
TESTS_DATA = ROOT / "tests" / "data"
MAX_WRONG = 0.03
SUGGEST_RECALL = 0.95


def training_rows() -> list[tuple[str, str, bool]]:
    """(text, label, asked of this bot): the last says the message is one of the questions
    people ask this FAQ, whose false alarms the emergency threshold is held to."""
    rows: list[tuple[str, str, bool]] = []
    for path in sorted(HERE.glob("safety_*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                rows.append((row["text"], row["label"], False))
    # Our dev set of FAQ questions: ordinary, except those it sends to the two cards.
    for question in load_dev_set(TESTS_DATA / "faq_dev.yaml"):
        card = {EMERGENCY_ENTRY: "emergency", MEDICAL_ENTRY: "medical"}
        labels = [card[e] for e in question.expect if e in card]
        rows.append((question.text, labels[0] if labels else "none", True))
    for entry in bundled_entries():
        if entry.id in (EMERGENCY_ENTRY, MEDICAL_ENTRY):
            continue
        for lang in ("fr", "en"):
            block = entry.block(lang)
            rows.extend((text, "none", True) for text in (block.question, *block.alternates))
    return rows


def alarm_threshold(scores: np.ndarray, ordinary: np.ndarray, covered: np.ndarray) -> float:
    """The lowest threshold that flags at most MAX_FAQ_ALARMS of the ordinary FAQ questions,
    counting those the phrases already flag."""
    allowed = int(MAX_FAQ_ALARMS * ordinary.sum()) - int((ordinary & covered).sum())
    pending = np.sort(scores[ordinary & ~covered])[::-1]
    if allowed <= 0 or len(pending) == 0:
        return float(pending[0]) + 1e-6 if len(pending) else 1.0
    if allowed >= len(pending):
        return 0.0
    return float(pending[allowed - 1] + pending[allowed]) / 2


def threshold_for(scores: np.ndarray, positives: np.ndarray, covered: np.ndarray, recall: float):
    """The highest score threshold that flags ``recall`` of the positives not already covered
    by the phrases."""
    needed = positives.sum() * recall - (positives & covered).sum()
    pending = np.sort(scores[positives & ~covered])[::-1]
    if needed <= 0 or len(pending) == 0:
        return 1.0
    index = min(int(np.ceil(needed)) - 1, len(pending) - 1)
    return float(pending[index])


def tuning_questions() -> list[DevQuestion]:
    dev = load_dev_set(TESTS_DATA / "faq_dev.yaml")
    return dev + half(load_tsv_set(TESTS_DATA / "real_questions.tsv"), 0)


def thresholds(matcher: Matcher, questions: list[DevQuestion]) -> dict[str, float]:
    """The confident score and margin with the most right answers and at most MAX_WRONG wrong
    ones; the suggest score that keeps SUGGEST_RECALL of the right entries found in the top 3."""
    ranked = [(q, matcher.rank(q.text, q.lang)) for q in questions]
    best = (-1, 0.0, 0.0)
    for confident in np.arange(30.0, 96.0, 1.0):
        for margin in np.arange(0.0, 31.0, 1.0):
            right = wrong = 0
            for q, r in ranked:
                lead = r[0].score - (r[1].score if len(r) > 1 else 0.0) if r else 0.0
                if r and r[0].score >= confident and lead >= margin:
                    if is_wrong_answer(q, r[0].entry_id):
                        wrong += 1
                    else:
                        right += 1
            if wrong <= MAX_WRONG * len(questions) and right > best[0]:
                best = (right, float(confident), float(margin))
    found = sorted(
        (r[0].score for q, r in ranked if r and q.expect.intersection(s.entry_id for s in r[:3])),
        reverse=True,
    )
    suggest = found[min(int(len(found) * SUGGEST_RECALL), len(found) - 1)] if found else 0.0
    return {"confident_score": best[1], "margin": best[2], "suggest_score": float(suggest)}


def build_matcher_model(output: Path) -> None:
    entries = bundled_entries()
    normalisers = {lang: Normaliser(load_lexicon(lang)) for lang in LANGS}
    plain = Matcher(phrasings_by_lang(entries), normalisers, MatchSettings())
    questions = tuning_questions()
    rows: list[tuple[float, ...]] = []
    labels: list[int] = []
    for q in questions:
        # Out-of-scope questions count too: every entry they reach is a wrong one.
        for entry_id, values in plain.features(q.text, q.lang).items():
            rows.append(values)
            labels.append(int(entry_id in q.expect))
    fitted = LogisticRegression(C=1.0, max_iter=5000).fit(np.array(rows), np.array(labels))
    weights = MatchWeights(
        tuple(round(float(c), 4) for c in fitted.coef_[0]), round(float(fitted.intercept_[0]), 4)
    )
    learned = Matcher(phrasings_by_lang(entries), normalisers, MatchSettings(), weights)
    data = {
        "about": "Built by `make models` (faq/training/build_models.py); do not edit by hand.",
        "features": [
            "words",
            "letters",
            "words_behind",
            "letters_behind",
            "specificity",
        ],
        "coefficients": list(weights.coefficients),
        "intercept": weights.intercept,
        "thresholds": thresholds(learned, questions),
        "training": {"questions": len(questions), "candidates": len(rows)},
    }
    output.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, default=ROOT / "faq" / "models")
    args = parser.parse_args()
    build_matcher_model(args.models / "matcher.json")
    build_safety_model(args.models / "safety.json")
    return 0


def build_safety_model(output: Path) -> None:
    rules = SafetyRules.bundled(with_model=False)
    rows = training_rows()
    words = [rules.words(text) for text, _, _ in rows]
    labels = np.array([LABELS.index(label) for _, label, _ in rows])
    asked_here = np.array([here for _, _, here in rows])
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform([features(w) for w in words])
    verdicts = [rules.classify(text) for text, _, _ in rows]
    rule_emergency = np.array([v is not None and v.level == "emergency" for v in verdicts])
    rule_medical = np.array([v is not None and v.level == "medical" for v in verdicts])

    def model() -> LogisticRegression:
        return LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=5000)

    out_of_fold = np.zeros((len(rows), len(LABELS)))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
        matrix, labels
    ):
        out_of_fold[test] = model().fit(matrix[train], labels[train]).predict_proba(matrix[test])

    emergency, medical, ordinary = (labels == i for i in range(3))
    e_threshold = alarm_threshold(out_of_fold[:, 0], ordinary & asked_here, rule_emergency)
    flagged = rule_emergency | (out_of_fold[:, 0] >= e_threshold)
    sure_threshold = 1.0
    for candidate in np.sort(np.unique(out_of_fold[:, 0]))[::-1]:
        chosen = out_of_fold[:, 0] >= candidate
        if emergency[chosen].mean() < SURE_PRECISION:
            break
        sure_threshold = float(candidate)
    m_scores = out_of_fold[:, 1] + out_of_fold[:, 0]  # "needs a professional", either way
    m_threshold = threshold_for(m_scores, medical, flagged | rule_medical, TARGET_MEDICAL_RECALL)
    either = flagged | rule_medical | (m_scores >= m_threshold)
    report = {
        "rows": {label: int((labels == i).sum()) for i, label in enumerate(LABELS)},
        "out_of_fold": {
            "emergency_recall": round(float(flagged[emergency].mean()), 4),
            "faq_questions_flagged": round(float(flagged[ordinary & asked_here].mean()), 4),
            "medical_flagged": round(float(either[medical].mean()), 4),
            "ordinary_not_flagged": round(float(1 - either[ordinary].mean()), 4),
        },
    }

    fitted = model().fit(matrix, labels)
    names = vectoriser.get_feature_names_out()
    weights = {
        str(name): [round(float(w), 4) for w in fitted.coef_[:, i]]
        for i, name in enumerate(names)
        if np.abs(fitted.coef_[:, i]).max() >= MIN_WEIGHT
    }
    data = {
        "about": "Built by `make models` (faq/training/build_models.py); do not edit by hand.",
        "labels": list(LABELS),
        "emergency_threshold": round(e_threshold, 4),
        "sure_threshold": round(max(sure_threshold, e_threshold), 4),
        "medical_threshold": round(m_threshold, 4),
        "intercepts": [round(float(b), 4) for b in fitted.intercept_],
        "training": report,
        "weights": dict(sorted(weights.items())),
    }
    output.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    shown = ("emergency_threshold", "sure_threshold", "medical_threshold", "training")
    print(json.dumps({k: data[k] for k in shown}))
    print(f"{len(weights)} of {len(names)} features kept; wrote {output}")


if __name__ == "__main__":
    raise SystemExit(main())
