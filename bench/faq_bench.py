"""FAQ matching benchmark: quality on the dev set and latency, next to a naive baseline.

Run with ``make bench``. The baseline is what a first attempt looks like: rapidfuzz ``WRatio``
``extractOne`` over every entry's question and alternates, answering when the score reaches
the cutoff. Both run in this process, on the same questions, on this machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faq.catalog import FaqCatalog, Language  # noqa: E402
from faq.entries import Entry, bundled_entries  # noqa: E402
from faq.evaluation import DevQuestion, Report, evaluate, load_dev_set  # noqa: E402
from faq.lexicon import Lang  # noqa: E402
from faq.matcher import Matcher, MatchResult, MatchSettings, Phrasings, Scored  # noqa: E402

DEV_SET = ROOT / "tests" / "data" / "faq_dev.yaml"
HEADER = (
    "top-1 | top-3 | out of scope not answered | out of scope given the fallback "
    "| wrongly confident | answered directly"
)
ABLATIONS: dict[str, dict[str, object]] = {
    "all fixes (shipped settings)": {},
    "no whole-entry cover (long messages)": {"entry_weight": 0.0, "query_weight": 0.5},
    "no string similarity": {"similarity_weight": 0.0, "query_weight": 0.65},
    "no typo correction": {"typo_min_length": 1000},
    "no margin (answer the best even when close)": {"margin": 0.0},
    "no other-language search": {"other_language_penalty": 100.0},
}


def kinds(questions: Sequence[DevQuestion]) -> dict[str, list[DevQuestion]]:
    """In-scope questions grouped by what makes them hard."""
    in_scope = [q for q in questions if q.expect]
    return {
        "short (3 words or fewer)": [q for q in in_scope if len(q.text.split()) <= 3],
        "medium (4 to 14 words)": [q for q in in_scope if 4 <= len(q.text.split()) <= 14],
        "long, rambling (15 words or more)": [q for q in in_scope if len(q.text.split()) >= 15],
        "without any accent or apostrophe": [
            q for q in in_scope if q.text.isascii() and "'" not in q.text
        ],
        "English": [q for q in in_scope if q.lang == "en"],
    }


BASELINE_CUTOFF = 80.0


class Baseline:
    """rapidfuzz WRatio extractOne over question + alternates, per language."""

    def __init__(
        self, entries: dict[Lang, list[Phrasings]], cutoff: float = BASELINE_CUTOFF
    ) -> None:
        self.cutoff = cutoff
        self._choices: dict[Lang, list[str]] = {}
        self._owners: dict[Lang, list[str]] = {}
        for lang, phrasings in entries.items():
            texts, owners = [], []
            for p in phrasings:
                for text in (p.question, *p.alternates):
                    texts.append(text)
                    owners.append(p.entry_id)
            self._choices[lang], self._owners[lang] = texts, owners

    def match(self, text: str, lang: Lang) -> MatchResult:
        choices, owners = self._choices[lang], self._owners[lang]
        found = process.extract(
            text, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=30
        )
        ranked: list[Scored] = []
        for _, score, index in found:
            if owners[index] not in {r.entry_id for r in ranked}:
                ranked.append(Scored(owners[index], score))
        if ranked and ranked[0].score >= self.cutoff:
            return MatchResult("answer", ranked[0].entry_id, ranked[0].score, (), tuple(ranked))
        return MatchResult("fallback", None, ranked[0].score if ranked else 0.0, (), tuple(ranked))

    def top_only(self, text: str, lang: Lang) -> str | None:
        """What plain extractOne returns: the single best phrasing's entry."""
        best = process.extractOne(
            text, self._choices[lang], scorer=fuzz.WRatio, processor=utils.default_process
        )
        return self._owners[lang][best[2]] if best else None


def synthetic_faq(
    entries: Sequence[Entry], size: int, seed: int = 7
) -> dict[Lang, list[Phrasings]]:
    """``size`` entries whose phrasings are drawn from the bundled FAQ's own words."""
    rng = random.Random(seed)
    out: dict[Lang, list[Phrasings]] = {}
    for lang in ("fr", "en"):
        words = [
            w
            for e in entries
            for text in (e.block(lang).question, *e.block(lang).alternates)
            for w in text.split()
        ]
        lengths = [len(t.split()) for e in entries for t in e.block(lang).alternates]
        phrases = [" ".join(rng.choices(words, k=rng.choice(lengths))) for _ in range(11 * size)]
        synthetic = [
            Phrasings(
                f"synthetic.{i}",
                phrases[11 * i],
                tuple(phrases[11 * i + 1 : 11 * i + 11]),
                tuple(rng.choices(words, k=6)),
            )
            for i in range(size)
        ]
        out[lang] = synthetic  # type: ignore[index]
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


def row(name: str, report: Report) -> str:
    figures = (
        report.top1,
        report.top3,
        report.out_of_scope_rejection,
        report.out_of_scope_fallback,
        report.wrongly_confident,
        report.answered,
    )
    return f"| {name} | " + " | ".join(f"{f:.1%}" for f in figures) + " |"


def timing_row(name: str, timings: list[float]) -> str:
    p50, p99 = percentile(timings, 50), percentile(timings, 99)
    return f"| {name} | {p50:.3f} | {p99:.3f} | {max(timings):.3f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the dev set for latency")
    parser.add_argument("--synthetic", type=int, default=5000, help="size of the synthetic FAQ")
    args = parser.parse_args()

    language = Language.load()
    entries = bundled_entries()
    catalog = FaqCatalog(entries, language, MatchSettings())
    dev = load_dev_set(DEV_SET)
    baseline = Baseline({lang: [e.phrasings(lang) for e in entries] for lang in ("fr", "en")})
    questions = [(q.text, q.lang) for q in dev]

    ours = evaluate(catalog.match, dev)
    naive = evaluate(baseline.match, dev)
    extract_one = sum(
        1 for q in dev if q.expect and baseline.top_only(q.text, q.lang) in q.expect
    ) / sum(1 for q in dev if q.expect)
    print(
        f"FAQ: {len(entries)} entries; dev set: {len(dev)} questions "
        f"({sum(1 for q in dev if not q.expect)} out of scope)\n"
    )
    print(f"| matcher | {HEADER} |")
    print("|---|---|---|---|---|---|---|")
    print(row("mesbot (safety + matcher)", ours))
    print(row(f"baseline: WRatio extractOne, cutoff {BASELINE_CUTOFF:.0f}", naive))
    print(f"\nplain extractOne top-1 (no cutoff): {extract_one:.1%}\n")

    print("| top-1 by kind of question | questions | mesbot | baseline |")
    print("|---|---|---|---|")
    for name, subset in kinds(dev).items():
        mine, theirs = evaluate(catalog.match, subset), evaluate(baseline.match, subset)
        print(f"| {name} | {len(subset)} | {mine.top1:.1%} | {theirs.top1:.1%} |")

    print(f"\n| ablation (one fix removed) | {HEADER} |")
    print("|---|---|---|---|---|---|---|")
    for name, changes in ABLATIONS.items():
        settings = dataclasses.replace(MatchSettings(), **changes)
        print(row(name, evaluate(FaqCatalog(entries, language, settings).match, dev)))
    print()

    print("| latency per question (ms) | p50 | p99 | max |")
    print("|---|---|---|---|")
    for name, match in (
        ("mesbot, bundled FAQ", catalog.match),
        ("baseline, bundled FAQ", baseline.match),
    ):
        print(timing_row(name, latencies(match, questions, args.rounds)))

    synthetic = synthetic_faq(entries, args.synthetic)
    start = time.perf_counter()
    big = Matcher(synthetic, language.normalisers, MatchSettings())
    build_seconds = time.perf_counter() - start
    tracemalloc.start()
    Matcher(synthetic, language.normalisers, MatchSettings())
    index_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    big_baseline = Baseline(synthetic)
    size = args.synthetic
    print(timing_row(f"mesbot, {size} synthetic entries", latencies(big.match, questions, 1)))
    print(
        timing_row(
            f"baseline, {size} synthetic entries", latencies(big_baseline.match, questions, 1)
        )
    )
    print(
        f"\nindex of {size} synthetic entries in two languages ({2 * 11 * size} phrasings): "
        f"built in {build_seconds:.2f} s, {index_bytes / 2**20:.0f} MiB held"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
