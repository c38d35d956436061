"""FAQ brain benchmark: matching quality on every question set, safety, and latency.

Run with ``make bench``. Three matchers answer the same questions over the same FAQ texts:

- mesbot: the bot's own decision (safety stage, small talk, matcher);
- WRatio: rapidfuzz ``WRatio`` over every entry's question and alternates, the best phrasing's
  entry answered when its score reaches a cutoff;
- TF-IDF: cosine of character 3-5-grams (scikit-learn) over the same phrasings, answered from a
  cutoff.

The baselines' cutoffs are tuned like mesbot's thresholds: on the tuning questions only (our dev
set and one half of our collected real questions, split by source page), for the most right
answers with at most 3 % wrong ones. Every other set is reported, never tuned on: the other half
of our collected questions and the shared set of real questions.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faq.catalog import FaqCatalog, Language  # noqa: E402
from faq.entries import Entry, bundled_entries  # noqa: E402
from faq.evaluation import (  # noqa: E402
    DevQuestion,
    Report,
    evaluate,
    half,
    is_wrong_answer,
    load_dev_set,
    load_tsv_set,
)
from faq.lexicon import LANGS, Lang  # noqa: E402
from faq.matcher import Matcher, MatchResult, MatchSettings, Phrasings, Scored  # noqa: E402
from faq.normalize import fold  # noqa: E402
from faq.safety import Verdict  # noqa: E402

DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "eval"
QUALITY = (
    "set",
    "lang",
    "questions",
    "in scope",
    "matcher",
    "top-1",
    "top-3",
    "wrongly confident",
    "out of scope not answered",
    "answered",
)
MAX_WRONG = 0.03
WORDS_ONLY = {"confident_score": 65.0, "suggest_score": 45.0, "margin": 6.0}
ABLATIONS: dict[str, dict[str, object]] = {
    "all fixes (shipped settings)": {},
    "word score only, no letter groups or learned weights (its own thresholds)": WORDS_ONLY,
    "no whole-entry cover (long messages)": {"entry_weight": 0.0, "query_weight": 0.5},
    "no string similarity": {"similarity_weight": 0.0, "query_weight": 0.65},
    "no typo correction": {"typo_min_length": 1000},
    "no margin (answer the best even when close)": {"margin": 0.0},
    "no other-language search": {"other_language_penalty": 100.0},
}
Match = Callable[[str, Lang], MatchResult]


class Baseline:
    """One score per phrasing; the best phrasing's entry answered from ``cutoff``."""

    def __init__(self, entries: Sequence[Entry], scorer: str) -> None:
        self.cutoff = 0.0
        self._scorer = scorer
        self._texts: dict[Lang, list[str]] = {}
        self._owners: dict[Lang, list[str]] = {}
        self._tfidf: dict[Lang, tuple[TfidfVectorizer, object]] = {}
        for lang in LANGS:
            texts = [
                t for e in entries for t in (e.block(lang).question, *e.block(lang).alternates)
            ]
            self._texts[lang] = texts
            self._owners[lang] = [
                e.id for e in entries for _ in (e.block(lang).question, *e.block(lang).alternates)
            ]
            if scorer == "tfidf":
                vectoriser = TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), preprocessor=fold
                )
                self._tfidf[lang] = (vectoriser, vectoriser.fit_transform(texts))

    def ranked(self, text: str, lang: Lang) -> list[Scored]:
        if self._scorer == "tfidf":
            vectoriser, matrix = self._tfidf[lang]
            scores = (matrix @ vectoriser.transform([text]).T).toarray().ravel() * 100
            order = np.argsort(-scores)[:40]
            found = [(int(i), float(scores[i])) for i in order]
        else:
            hits = process.extract(
                text,
                self._texts[lang],
                scorer=fuzz.WRatio,
                processor=utils.default_process,
                limit=40,
            )
            found = [(index, score) for _, score, index in hits]
        ranked: list[Scored] = []
        for index, score in found:
            if self._owners[lang][index] not in {r.entry_id for r in ranked}:
                ranked.append(Scored(self._owners[lang][index], round(score, 1)))
        return ranked

    def match(self, text: str, lang: Lang) -> MatchResult:
        ranked = tuple(self.ranked(text, lang))
        if ranked and ranked[0].score >= self.cutoff:
            return MatchResult("answer", ranked[0].entry_id, ranked[0].score, (), ranked)
        return MatchResult("fallback", None, ranked[0].score if ranked else 0.0, (), ranked)

    def tune(self, questions: Sequence[DevQuestion]) -> None:
        """The cutoff with the most right answers and at most MAX_WRONG wrong ones."""
        tops = [(q, self.ranked(q.text, q.lang)[:1]) for q in questions]
        best = (-1.0, 100.0)
        for cutoff in range(0, 101):
            right = wrong = 0
            for q, top in tops:
                if top and top[0].score >= cutoff:
                    wrong += is_wrong_answer(q, top[0].entry_id)
                    right += not is_wrong_answer(q, top[0].entry_id)
            if wrong <= MAX_WRONG * len(questions) and right > best[0]:
                best = (right, float(cutoff))
        self.cutoff = best[1]


def question_sets() -> tuple[list[DevQuestion], dict[str, list[DevQuestion]]]:
    """The tuning questions, and the sets reported (those not tuned on first)."""
    dev = load_dev_set(DATA / "faq_dev.yaml")
    collected = load_tsv_set(DATA / "real_questions.tsv")
    reported = {"collected, other half": half(collected, 1)}
    for lang in LANGS:
        path = SHARED / f"real-questions-{lang}.tsv"
        if path.is_file():
            reported.setdefault("shared real questions", []).extend(load_tsv_set(path, lang))
    reported["collected, tuning half"] = half(collected, 0)
    reported["dev set (ours)"] = dev
    return dev + half(collected, 0), reported


def table_row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table_head(*names: str) -> None:
    print(table_row(*names))
    print(table_row(*("---" for _ in names)))


def quality_rows(name: str, questions: Sequence[DevQuestion], matchers: dict[str, Match]) -> None:
    for lang in LANGS:
        subset = [q for q in questions if q.lang == lang]
        if not subset:
            continue
        for label, match in matchers.items():
            r = evaluate(match, subset)
            figures = (r.top1, r.top3, r.wrongly_confident, r.out_of_scope_rejection, r.answered)
            cells = (f"{f:.1%}" for f in figures)
            print(table_row(name, lang, r.questions, r.in_scope, label, *cells))


def safety_table(language: Language) -> None:
    path = DATA / "safety_set.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    table_head(
        "safety set",
        "lang",
        "messages",
        "emergency recall",
        "medical card",
        "medical or emergency card",
        "ordinary not flagged",
        "emergency card alone",
    )
    verdicts = [(r["lang"], r["label"], language.safety.classify(r["text"])) for r in rows]
    checks: tuple[tuple[str, Callable[[Verdict | None], bool]], ...] = (
        ("emergency", lambda v: v is not None and v.level == "emergency"),
        ("medical", lambda v: v is not None and v.level == "medical"),
        ("medical", lambda v: v is not None),
        ("none", lambda v: v is None),
        ("emergency", lambda v: v is not None and v.level == "emergency" and v.alone),
    )
    for lang in (*LANGS, "all"):
        subset = [(label, v) for lg, label, v in verdicts if lang in ("all", lg)]
        cells = []
        for label, test in checks:
            picked = [v for lb, v in subset if lb == label]
            cells.append(f"{sum(map(test, picked)) / max(len(picked), 1):.1%} of {len(picked)}")
        print(table_row(path.name, lang, len(subset), *cells))


def synthetic_faq(
    entries: Sequence[Entry], size: int, seed: int = 7
) -> dict[Lang, list[Phrasings]]:
    """``size`` entries whose phrasings are drawn from the bundled FAQ's own words."""
    rng = random.Random(seed)
    out: dict[Lang, list[Phrasings]] = {}
    for lang in LANGS:
        words = [
            w
            for e in entries
            for t in (e.block(lang).question, *e.block(lang).alternates)
            for w in t.split()
        ]
        lengths = [len(t.split()) for e in entries for t in e.block(lang).alternates]
        phrases = [" ".join(rng.choices(words, k=rng.choice(lengths))) for _ in range(11 * size)]
        out[lang] = [
            Phrasings(
                f"synthetic.{i}",
                phrases[11 * i],
                tuple(phrases[11 * i + 1 : 11 * i + 11]),
                tuple(rng.choices(words, k=6)),
            )
            for i in range(size)
        ]
    return out


def latencies(
    match: Callable[[str, Lang], object], questions: Sequence[tuple[str, Lang]], rounds: int
) -> list[float]:
    timings = []
    for _ in range(rounds):
        for text, lang in questions:
            start = time.perf_counter()
            match(text, lang)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timing_row(name: str, timings: list[float]) -> str:
    figures = (percentile(timings, 50), percentile(timings, 99), max(timings))
    return table_row(name, *(f"{f:.3f}" for f in figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=3, help="passes over the questions for latency"
    )
    parser.add_argument("--synthetic", type=int, default=5000, help="size of the synthetic FAQ")
    args = parser.parse_args()

    language = Language.load()
    entries = bundled_entries()
    catalog = FaqCatalog(entries, language, MatchSettings())
    tuning, reported = question_sets()
    baselines = {name: Baseline(entries, name) for name in ("wratio", "tfidf")}
    for baseline in baselines.values():
        baseline.tune(tuning)
    matchers: dict[str, Match] = {"mesbot": catalog.match}
    matchers |= {f"{n} (cutoff {b.cutoff:.0f})": b.match for n, b in baselines.items()}
    print(
        f"FAQ: {len(entries)} entries; tuning questions: {len(tuning)} (dev set and half of ours)\n"
    )
    table_head(*QUALITY)
    for name, questions in reported.items():
        quality_rows(name, questions, matchers)
    print()
    safety_table(language)
    print()

    dev = reported["dev set (ours)"]
    measured = reported["collected, other half"] + reported.get("shared real questions", [])
    table_head(
        "ablation (one part removed)",
        "set",
        "top-1",
        "top-3",
        "wrongly confident",
        "out of scope not answered",
    )
    for name, changes in ABLATIONS.items():
        settings = dataclasses.replace(MatchSettings(), **changes)
        words_only = changes is WORDS_ONLY
        used = dataclasses.replace(language, weights=None) if words_only else language
        match = FaqCatalog(entries, used, settings).match
        for set_name, questions in (("dev set", dev), ("real, not tuned on", measured)):
            r: Report = evaluate(match, questions)
            figures = (r.top1, r.top3, r.wrongly_confident, r.out_of_scope_rejection)
            print(table_row(name, set_name, *(f"{f:.1%}" for f in figures)))
    print()

    questions = [(q.text, q.lang) for qs in reported.values() for q in qs]
    print("| latency per question (ms) | p50 | p99 | max |")
    print("|---|---|---|---|")
    print(
        timing_row(
            "mesbot, bundled FAQ (safety, small talk, matcher)",
            latencies(catalog.match, questions, args.rounds),
        )
    )
    print(
        timing_row(
            "WRatio baseline, bundled FAQ",
            latencies(baselines["wratio"].match, questions, args.rounds),
        )
    )
    synthetic = synthetic_faq(entries, args.synthetic)
    start = time.perf_counter()
    big = Matcher(synthetic, language.normalisers, MatchSettings(), language.weights)
    build_seconds = time.perf_counter() - start
    tracemalloc.start()
    Matcher(synthetic, language.normalisers, MatchSettings(), language.weights)
    index_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        timing_row(
            f"mesbot matcher, {args.synthetic} synthetic entries",
            latencies(big.match, questions, 1),
        )
    )
    print(
        f"\nindex of {args.synthetic} synthetic entries in two languages "
        f"({2 * 11 * args.synthetic} phrasings): built in {build_seconds:.2f} s, "
        f"{index_bytes / 2**20:.0f} MiB held"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
