"""Review loop benchmark: does working the /nonrepondues queue teach the matcher?

Run with ``make bench``. Two replayed sets: the shared real questions
(``../shared/eval/real-questions-{fr,en}.tsv`` beside the project), then those together with
the real questions we collected with their sources (``tests/data/real_questions.tsv``; half of
those also fit the matcher's weights, which flatters the figures before review, not the
difference review makes). Each language's rows are split in two halves with a fixed seed. On
a scratch SQLite database (the bundled FAQ is seeded into it as the bot does; nothing here
writes to `faq/content`):

1. half B, held back, is measured with the bundled FAQ: answered right, answered wrong, declined
   (suggestions or the fallback), as the ``accept`` column defines (`faq.evaluation`);
2. half A is replayed through the conversation as users, each its own: a wrong answer gets 👎,
   suggestions without a right one get "none of these", a right suggestion is pressed, the
   fallback flags itself;
3. a simulated reviewer works the queue through the use cases the /nonrepondues screen uses
   (`ReviewActions`): each group goes as an alternate to the entry its rows' ``accept`` ids
   name most (the reviewer's knowledge), and out-of-scope groups are dismissed;
4. half B is measured again, and half A too, for contrast (A is what was reviewed).

Then the queue's own speed: a few thousand questions (the bundled FAQ's phrasings with typos, on
their own scratch database) read and grouped, with and without the matcher's suggestions.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import App, build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.logs import configure_logging  # noqa: E402
from faq.catalog import FaqCatalog  # noqa: E402
from faq.entries import bundled_entries  # noqa: E402
from faq.evaluation import DevQuestion, is_wrong_answer, load_tsv_set  # noqa: E402
from faq.lexicon import LANGS  # noqa: E402
from faq.matcher import MatchResult  # noqa: E402
from faq.redact import redact  # noqa: E402
from faq.review import MAX_STORED_CHARS, QuestionLog  # noqa: E402
from faq.review_queue import ReviewGroup, ReviewQueue  # noqa: E402
from handlers.admin.review_actions import Added, ReviewActions  # noqa: E402
from handlers.audit import Actor  # noqa: E402
from handlers.callbacks import CallbackData, NoneFits, ShowEntry, Vote  # noqa: E402
from handlers.events import Incoming, Response  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
COLLECTED = ROOT / "tests" / "data" / "real_questions.tsv"
SEED = 2024
MORE_SEEDS = (1, 2, 3, 4, 5, 6)  # other splits: one split of a hundred rows is noisy
REVIEWER = 1
FIRST_USER = 1_000_000
SCALE_QUESTIONS = 3000


@dataclass(frozen=True)
class Figures:
    """Answered right, answered wrong, declined (did-you-mean or the fallback), and in-scope
    questions whose best-ranked entry is right (answered or suggested first)."""

    right: int
    wrong: int
    declined: int
    first: int

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.declined


def load_shared() -> list[DevQuestion] | None:
    paths = {lang: SHARED / f"real-questions-{lang}.tsv" for lang in LANGS}
    if not all(path.is_file() for path in paths.values()):
        return None
    return [q for lang, path in paths.items() for q in load_tsv_set(path, lang)]


def split(rows: Sequence[DevQuestion], seed: int) -> tuple[list[DevQuestion], list[DevQuestion]]:
    """Halves A and B of each language's rows, shuffled with ``seed``."""
    shuffle = random.Random(seed)
    first: list[DevQuestion] = []
    second: list[DevQuestion] = []
    for lang in LANGS:
        mine = [q for q in rows if q.lang == lang]
        shuffle.shuffle(mine)
        middle = len(mine) // 2
        first += mine[:middle]
        second += mine[middle:]
    return first, second


def measure(catalog: FaqCatalog, questions: Sequence[DevQuestion]) -> Figures:
    right = wrong = declined = first = 0
    for q in questions:
        result = catalog.match(q.text, q.lang)
        first += q.in_scope and bool(result.ranked) and result.ranked[0].entry_id in q.expect
        if result.outcome != "answer":
            declined += 1
        elif is_wrong_answer(q, result.entry_id):
            wrong += 1
        else:
            right += 1
    return Figures(right, wrong, declined, first)


def pressable(response: Response) -> list[CallbackData]:
    return [b.data for r in response.replies for row in r.buttons for b in row if b.data]


async def replay(app: App, questions: Sequence[DevQuestion]) -> Counter[str]:
    """Half A asked by users who press what a person wanting the ``accept`` ids would."""
    conversation = app.conversation
    done: Counter[str] = Counter()
    for number, q in enumerate(questions):
        user = FIRST_USER + number
        result = conversation.faq.catalog.match(q.text, q.lang)
        response = await conversation.handle(Incoming(user, user, q.lang, text=q.text))
        buttons = pressable(response)
        press: CallbackData | None = None
        if result.outcome == "answer" and is_wrong_answer(q, result.entry_id):
            press = next((b for b in buttons if isinstance(b, Vote) and b.value < 0), None)
            done["👎 on a wrong answer"] += 1
        elif result.outcome == "answer":
            done["answered right"] += 1
        elif result.outcome == "suggest":
            right = [b for b in buttons if isinstance(b, ShowEntry) and b.entry_id in q.expect]
            press = right[0] if right else next(b for b in buttons if isinstance(b, NoneFits))
            done["a right suggestion pressed" if right else "none of these"] += 1
        else:
            done["unanswered"] += 1
        if press is not None:
            await conversation.handle(Incoming(user, user, q.lang, callback=press.pack()))
    return done


def knowledge(questions: Sequence[DevQuestion]) -> dict[tuple[str, str], list[DevQuestion]]:
    """The reviewer knows what each question meant: its rows, by language and text as stored."""
    known: dict[tuple[str, str], list[DevQuestion]] = {}
    for q in questions:
        known.setdefault((q.lang, redact(q.text)[:MAX_STORED_CHARS]), []).append(q)
    return known


def decide(group: ReviewGroup, known: dict[tuple[str, str], list[DevQuestion]]) -> str | None:
    """The entry the reviewer adds the group to; None to dismiss it (out of scope)."""
    votes: Counter[str] = Counter()
    for phrasing in group.phrasings:
        for q in known.get((group.lang, phrasing.text), []):
            votes.update(sorted(q.expect))
    if not votes:
        return None
    best = max(votes.values())
    tied = [e for e in votes if votes[e] == best]
    # Among equals, the one the screen suggested, as a person would pick.
    return next((e for e in group.suggestions if e in tied), sorted(tied)[0])


async def review(
    app: App, actions: ReviewActions, questions: Sequence[DevQuestion]
) -> Counter[str]:
    known = knowledge(questions)
    reviewer = Actor.user(REVIEWER)
    done: Counter[str] = Counter()
    async with app.sessions() as session:
        groups = await actions.queue.groups(session, actions.catalog)
    for group in groups:
        entry_id = decide(group, known)
        async with app.sessions() as session:
            if entry_id is None:
                await actions.dismiss(session, reviewer, group)
                done["dismissed (out of scope)"] += 1
            else:
                outcome = await actions.add_alternate(session, reviewer, group, entry_id)
                if isinstance(outcome, Added):
                    done["added as an alternate"] += 1
                else:  # a phrasing the FAQ's rules refuse, or nothing addable: let it go
                    await actions.dismiss(session, reviewer, group)
                    done[f"dismissed ({type(outcome).__name__})"] += 1
            await session.commit()
    return done


def settings_for(folder: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{folder / 'review.db'}",
        admin_ids=[REVIEWER],
    )


COLUMNS = ("right", "wrong", "declined", "ranked 1st")


def values(figures: Figures) -> tuple[int, ...]:
    return figures.right, figures.wrong, figures.declined, figures.first


def row(name: str, cells: Sequence[str]) -> str:
    return f"  {name:<30}" + "".join(f"{cell:>12}" for cell in cells)


def figures_row(name: str, figures: Figures) -> str:
    return row(name, [str(v) for v in values(figures)])


def change(after: Figures, before: Figures) -> list[int]:
    return [a - b for a, b in zip(values(after), values(before), strict=True)]


def difference(after: Figures, before: Figures) -> str:
    return row("difference", [f"{d:+d}" for d in change(after, before)])


@dataclass(frozen=True)
class Loop:
    """One split's figures: half B before and after half A was reviewed, and A itself."""

    b_before: Figures
    b_after: Figures
    a_before: Figures
    a_after: Figures
    replayed: Counter[str]
    reviewed: Counter[str]
    sizes: tuple[int, int]


async def review_loop(rows: list[DevQuestion], folder: Path, seed: int) -> Loop:
    """Replay and review half A on a fresh database in ``folder``, measuring both halves."""
    first, second = split(rows, seed)
    async with build_app(settings_for(folder)) as app:
        actions = ReviewActions(app.conversation.editing, ReviewQueue(app.language.normalisers))
        b_before = measure(app.conversation.faq.catalog, second)
        a_before = measure(app.conversation.faq.catalog, first)
        replayed = await replay(app, first)
        reviewed = await review(app, actions, first)
        b_after = measure(app.conversation.faq.catalog, second)
        a_after = measure(app.conversation.faq.catalog, first)
    return Loop(b_before, b_after, a_before, a_after, replayed, reviewed, (len(first), len(second)))


async def review_loops(name: str, rows: list[DevQuestion], scratch: Path) -> None:
    started = time.perf_counter()
    loops = {}
    for seed in (SEED, *MORE_SEEDS):
        folder = scratch / f"loop-{name}-{seed}"
        folder.mkdir()
        loops[seed] = await review_loop(rows, folder, seed)
    elapsed = time.perf_counter() - started
    main = loops[SEED]
    print(
        f"Review loop on {name}: {len(rows)} real questions split per language with seed {SEED}: "
        f"half A ({main.sizes[0]}) replayed and reviewed, half B ({main.sizes[1]}) held back"
    )
    print(row("", COLUMNS))
    print(figures_row("B before review (bundled FAQ)", main.b_before))
    print(figures_row("B after A was reviewed", main.b_after))
    print(difference(main.b_after, main.b_before))
    print(figures_row("A before (for contrast)", main.a_before))
    print(figures_row("A after its own review", main.a_after))
    print(difference(main.a_after, main.a_before))
    print("  users of half A: " + ", ".join(f"{n} {what}" for what, n in main.replayed.items()))
    print("  reviewer: " + ", ".join(f"{n} groups {what}" for what, n in main.reviewed.items()))
    print(
        f"Held-back half B, after minus before, over {len(loops)} splits "
        f"(seeds {', '.join(map(str, loops))}):"
    )
    print(row("", COLUMNS))
    for seed, loop in loops.items():
        print(
            row(
                f"seed {seed}",
                [f"{d:+d}" for d in change(loop.b_after, loop.b_before)],
            )
        )
    changes = [change(loop.b_after, loop.b_before) for loop in loops.values()]
    totals = [sum(column) for column in zip(*changes, strict=True)]
    print(row("sum", [f"{t:+d}" for t in totals]))
    questions = sum(loop.sizes[1] for loop in loops.values())
    print(
        f"  ({questions} held-back questions measured in all; "
        f"{elapsed:.1f} s for the {len(loops)} loops)"
    )


def typo(text: str, chance: random.Random) -> str:
    """The text with one letter dropped or doubled, as people type."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if not letters:
        return text
    at = chance.choice(letters)
    return text[:at] + text[at + 1 :] if chance.random() < 0.5 else text[:at] + text[at] + text[at:]


async def queue_speed(folder: Path) -> None:
    """A few thousand questions to review: reading and grouping them, as each press does."""
    chance = random.Random(SEED)
    phrasings = [
        (lang, text)
        for entry in bundled_entries()
        for lang in LANGS
        for text in (entry.block(lang).question, *entry.block(lang).alternates)
    ]
    unanswered = MatchResult("fallback", None, 0.0, ())
    async with build_app(settings_for(folder)) as app:
        async with app.sessions() as session:
            log = QuestionLog(session)
            for _ in range(SCALE_QUESTIONS):
                lang, text = chance.choice(phrasings)
                await log.record(lang, typo(text, chance), unanswered)
            await session.commit()
        queue = ReviewQueue(app.language.normalisers)
        catalog = app.conversation.faq.catalog
        timings: dict[str, float] = {}
        async with app.sessions() as session:
            for name, given in (("grouped", None), ("with suggestions", catalog)):
                best = float("inf")
                for _ in range(3):
                    started = time.perf_counter()
                    groups = await queue.groups(session, given)
                    best = min(best, time.perf_counter() - started)
                timings[name] = best
    print(
        f"Queue speed: {SCALE_QUESTIONS} questions to review (bundled phrasings with a typo) "
        f"-> {len(groups)} groups; read and grouped in {timings['grouped'] * 1000:.0f} ms, "
        f"with every group's suggestions in {timings['with suggestions'] * 1000:.0f} ms "
        "(best of 3; a press needs the first only)"
    )


async def main() -> int:
    # The shipped matcher settings, whatever this shell's MESBOT_* say.
    for name in [n for n in os.environ if n.startswith("MESBOT_")]:
        del os.environ[name]
    configure_logging("WARNING")
    shared = load_shared()
    collected = load_tsv_set(COLLECTED)
    with tempfile.TemporaryDirectory() as scratch:
        if shared is None:
            where = f"{SHARED.parent.name}/{SHARED.name}/"
            print(f"Review loop: no real questions in {where} beside the project; skipped.")
        else:
            await review_loops("the shared questions", shared, Path(scratch))
            print()
            await review_loops("shared and collected", shared + collected, Path(scratch))
            print()
        speed_folder = Path(scratch) / "speed"
        speed_folder.mkdir()
        await queue_speed(speed_folder)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
