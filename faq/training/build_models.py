"""Train the models shipped in `faq/models/` from the data in this folder (``make models``).

The safety model: a multinomial logistic regression over `faq.safety_model.features`, trained
on `safety_fr.tsv` and `safety_en.tsv` (messages written for training, apart from the
evaluation set `tests/data/safety_set.tsv`) and on every FAQ phrasing as an ordinary question.
Its thresholds are chosen on out-of-fold predictions, for recall first: the emergency threshold
is the highest that keeps at least TARGET_EMERGENCY_RECALL of the training emergencies flagged,
by the phrases or the model together. Needs scikit-learn (the ``dev`` extra); the bot does not.
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

from faq.entries import bundled_entries  # noqa: E402
from faq.safety import EMERGENCY_ENTRY, MEDICAL_ENTRY, SafetyRules  # noqa: E402
from faq.safety_model import LABELS, features  # noqa: E402

TARGET_EMERGENCY_RECALL = 0.99
TARGET_MEDICAL_RECALL = 0.95
SURE_PRECISION = 0.97  # the model alone answers with the card alone from this precision on
REGULARISATION = 4.0  # inverse strength (scikit-learn's C), chosen by the same cross-validation
MIN_WEIGHT = 0.02  # smaller weights change no decision; dropping them keeps the file small
FOLDS = 5
SEED = 13


def training_rows() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for path in sorted(HERE.glob("safety_*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                rows.append((row["text"], row["label"]))
    for entry in bundled_entries():
        if entry.id in (EMERGENCY_ENTRY, MEDICAL_ENTRY):
            continue
        for lang in ("fr", "en"):
            block = entry.block(lang)
            rows.extend((text, "none") for text in (block.question, *block.alternates))
    return rows


def threshold_for(scores: np.ndarray, positives: np.ndarray, covered: np.ndarray, recall: float):
    """The highest score threshold that flags ``recall`` of the positives not already covered
    by the phrases."""
    needed = positives.sum() * recall - (positives & covered).sum()
    pending = np.sort(scores[positives & ~covered])[::-1]
    if needed <= 0 or len(pending) == 0:
        return 1.0
    index = min(int(np.ceil(needed)) - 1, len(pending) - 1)
    return float(pending[index])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "faq" / "models" / "safety.json")
    args = parser.parse_args()

    rules = SafetyRules.bundled(with_model=False)
    rows = training_rows()
    words = [rules.words(text) for text, _ in rows]
    labels = np.array([LABELS.index(label) for _, label in rows])
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform([features(w) for w in words])
    verdicts = [rules.classify(text) for text, _ in rows]
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
    e_threshold = threshold_for(
        out_of_fold[:, 0], emergency, rule_emergency, TARGET_EMERGENCY_RECALL
    )
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
    args.output.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    shown = ("emergency_threshold", "sure_threshold", "medical_threshold", "training")
    print(json.dumps({k: data[k] for k in shown}))
    print(f"{len(weights)} of {len(names)} features kept; wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
