"""The review queue: the questions waiting for review, grouped by similarity, and marking them
reviewed.

A question waits for review (``needs_review``) when it went unanswered (outcome ``fallback``),
got a 👎 on its answer, or its asker said none of the suggestions fitted. The questions of one
language are grouped when their similarity keys are close: the key is the question's content
tokens as the matcher sees them (`faq.normalize`: case, accents, elisions, abbreviations and
synonyms folded, stop words dropped, words stemmed), deduplicated and sorted, so that word order
does not count; two keys are close when rapidfuzz's ``ratio`` of the two reaches
`GROUP_SIMILARITY`, which a typo or two leaves them.

Grouping is greedy and deterministic: keys are taken from the most asked, each joins the group
whose first key is closest to it if that one is close enough, or starts a group. Phrasings are
compared key to group leader only, never to every member, and each distinct key once: 3,000
questions of 2,000 distinct phrasings are read and grouped in under 0.2 s
(`bench/review_bench.py` measures it), which every press of the review screen costs.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from rapidfuzz import fuzz, process
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from faq.catalog import FaqCatalog
from faq.lexicon import LANGS, Lang
from faq.models import QuestionRow
from faq.normalize import Normaliser
from faq.redact import REDACTIONS

# Keys this close (rapidfuzz ratio, 0-100) are one question: typos in both words still join
# ("activr profl" / "activ profil": 92), another verb does not ("docu masqu" / "docu supprim":
# 64), nor one more word ("activ profil" / "activ enfant profil": 77).
GROUP_SIMILARITY = 85.0
MAX_SUGGESTIONS = 3
# Marked a chunk at a time: a statement's parameters stay far below SQLite's limit.
_CHUNK = 500

Kind = Literal["unanswered", "thumbs_down", "none_fits"]
KINDS: tuple[Kind, ...] = ("unanswered", "thumbs_down", "none_fits")

# What `faq.redact` puts in place of personal details; its codes are masked apart, as "[code]".
PLACEHOLDERS: frozenset[str] = frozenset(p for _, p in REDACTIONS) | {"[code]"}


def has_placeholder(text: str) -> bool:
    """Whether redaction masked something in the text: such a phrasing teaches the matcher a
    placeholder, not how people ask."""
    return any(p in text for p in PLACEHOLDERS)


@dataclass(frozen=True)
class ReviewQuestion:
    """A question waiting for review, as stored: redacted and tied to no one."""

    id: int
    lang: Lang
    text: str
    kind: Kind


@dataclass(frozen=True)
class Phrasing:
    """One way a group's question was put, and how many times (phrasings equal once case,
    accents and punctuation are folded are one)."""

    text: str
    count: int


@dataclass(frozen=True)
class ReviewGroup:
    """Questions of one language asked alike.

    ``phrasings``: distinct, most asked first; ``kinds``: how many of each kind, in `KINDS`'
    order, kinds absent left out; ``question_ids``: ascending; ``suggestions``: the entries the
    matcher ranks best for the group's text, when they were asked for.
    """

    lang: Lang
    phrasings: tuple[Phrasing, ...]
    kinds: tuple[tuple[Kind, int], ...]
    question_ids: tuple[int, ...]
    suggestions: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The representative phrasing: the most asked one that redaction left whole."""
        clean = self.clean_phrasings
        return clean[0] if clean else self.phrasings[0].text

    @property
    def clean_phrasings(self) -> tuple[str, ...]:
        """The phrasings without redaction placeholders, most asked first."""
        return tuple(p.text for p in self.phrasings if not has_placeholder(p.text))

    @property
    def count(self) -> int:
        return len(self.question_ids)

    @property
    def anchor(self) -> int:
        """The group's oldest question: it stays the group's as newer ones join."""
        return self.question_ids[0]

    @property
    def stamp(self) -> str:
        """Six hex digits that change whenever a question joins or leaves the group."""
        digest = zlib.crc32(",".join(map(str, self.question_ids)).encode())
        return f"{digest & 0xFFFFFF:06x}"


def similarity_key(normaliser: Normaliser, text: str) -> str:
    """The text as grouping compares it: its content tokens, once each, sorted; its folded
    words when it has no content token (only stop words)."""
    tokens = sorted(set(normaliser.tokens(text))) or sorted(set(normaliser.words(text)))
    return " ".join(tokens)


def phrasing_key(normaliser: Normaliser, text: str) -> str:
    """Phrasings equal under this key are one: the key `faq check` uses to find a phrasing
    used twice."""
    return " ".join(normaliser.words(text))


def group_questions(
    questions: Iterable[ReviewQuestion],
    normalisers: Mapping[Lang, Normaliser],
    threshold: float = GROUP_SIMILARITY,
) -> list[ReviewGroup]:
    """The questions grouped by language and similarity, the largest groups first (the most
    recent first among equals)."""
    by_key: dict[tuple[Lang, str], list[ReviewQuestion]] = {}
    for question in sorted(questions, key=lambda q: q.id):
        key = similarity_key(normalisers[question.lang], question.text)
        by_key.setdefault((question.lang, key), []).append(question)
    groups: list[ReviewGroup] = []
    for lang in LANGS:
        keys = {key: members for (lang_, key), members in by_key.items() if lang_ == lang}
        clusters = _cluster(keys, threshold)
        groups += [_group(lang, members, normalisers[lang]) for members in clusters]
    groups.sort(key=lambda g: (-g.count, -g.question_ids[-1]))
    return groups


def _cluster(
    keys: Mapping[str, list[ReviewQuestion]], threshold: float
) -> list[list[ReviewQuestion]]:
    """Greedy leader clustering, the most asked keys first (the oldest among equals): each key
    joins its closest leader, if close enough, or leads a new cluster."""
    ordered = sorted(keys, key=lambda k: (-len(keys[k]), keys[k][0].id))
    leaders: list[str] = []
    clusters: list[list[ReviewQuestion]] = []
    for key in ordered:
        found = process.extractOne(key, leaders, scorer=fuzz.ratio, score_cutoff=threshold)
        if found is None:
            leaders.append(key)
            clusters.append(list(keys[key]))
        else:
            clusters[found[2]].extend(keys[key])
    return clusters


def _group(lang: Lang, members: list[ReviewQuestion], normaliser: Normaliser) -> ReviewGroup:
    members.sort(key=lambda q: q.id)
    first_text: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for question in members:
        key = phrasing_key(normaliser, question.text)
        first_text.setdefault(key, question.text)
        counts[key] += 1
    # Most asked first; among equals, the first asked (dicts keep insertion order).
    ordered = sorted(first_text, key=lambda k: -counts[k])
    kinds = Counter(q.kind for q in members)
    return ReviewGroup(
        lang=lang,
        phrasings=tuple(Phrasing(first_text[k], counts[k]) for k in ordered),
        kinds=tuple((kind, kinds[kind]) for kind in KINDS if kinds[kind]),
        question_ids=tuple(q.id for q in members),
    )


def suggest(group: ReviewGroup, catalog: FaqCatalog, limit: int = MAX_SUGGESTIONS) -> ReviewGroup:
    """The group with the entries the matcher ranks best for its text."""
    ranked = catalog.matcher.rank(group.text, group.lang)
    return ReviewGroup(
        group.lang,
        group.phrasings,
        group.kinds,
        group.question_ids,
        tuple(scored.entry_id for scored in ranked[:limit]),
    )


def _kind(outcome: str, vote: int | None) -> Kind:
    if vote is not None and vote < 0:
        return "thumbs_down"
    if outcome == "suggest":
        return "none_fits"
    return "unanswered"


class ReviewQueue:
    """The grouped queue; one per process, reading the caller's session."""

    def __init__(
        self, normalisers: Mapping[Lang, Normaliser], threshold: float = GROUP_SIMILARITY
    ) -> None:
        self._normalisers = normalisers
        self._threshold = threshold

    async def questions(self, session: AsyncSession) -> list[ReviewQuestion]:
        """Every question waiting for review, oldest first (those of a language the bot no
        longer speaks left out)."""
        rows = await session.execute(
            select(
                QuestionRow.id,
                QuestionRow.lang,
                QuestionRow.text,
                QuestionRow.outcome,
                QuestionRow.vote,
            )
            .where(QuestionRow.needs_review.is_(True))
            .order_by(QuestionRow.id)
        )
        return [
            ReviewQuestion(qid, cast(Lang, lang), text, _kind(outcome, vote))
            for qid, lang, text, outcome, vote in rows
            if lang in self._normalisers
        ]

    async def groups(
        self, session: AsyncSession, catalog: FaqCatalog | None = None
    ) -> list[ReviewGroup]:
        """The groups, the largest first; with ``catalog``, each carries the matcher's
        suggestions (a few milliseconds a group: ask for them where they are shown)."""
        groups = group_questions(await self.questions(session), self._normalisers, self._threshold)
        if catalog is None:
            return groups
        return [suggest(g, catalog) for g in groups]

    async def group(
        self, session: AsyncSession, anchor: int, catalog: FaqCatalog | None = None
    ) -> ReviewGroup | None:
        """The group holding question ``anchor`` now, with suggestions when given ``catalog``;
        None once that question is reviewed or gone."""
        groups = group_questions(await self.questions(session), self._normalisers, self._threshold)
        found = next((g for g in groups if anchor in g.question_ids), None)
        if found is None or catalog is None:
            return found
        return suggest(found, catalog)


async def mark_reviewed(session: AsyncSession, question_ids: Iterable[int]) -> int:
    """Take the questions out of the review queue; how many were in it. The caller commits."""
    ids: Sequence[int] = sorted(set(question_ids))
    marked = 0
    for start in range(0, len(ids), _CHUNK):
        result = await session.execute(
            update(QuestionRow)
            .where(
                QuestionRow.id.in_(ids[start : start + _CHUNK]),
                QuestionRow.needs_review.is_(True),
            )
            .values(needs_review=False)
        )
        marked += int(result.rowcount or 0)
    return marked
