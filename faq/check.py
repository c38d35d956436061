"""Content checks run by `mesbot faq check` and before every import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from urllib.parse import urlsplit

import yaml

from faq.entries import Entry
from faq.lexicon import LANGS, Lang
from faq.normalize import Normaliser
from faq.telegram_html import check_html

MIN_ALTERNATES = 8
MAX_ANSWER_CHARS = 900


def topic_ids() -> list[str]:
    """The ids every FAQ must cover (`faq/topics.yaml`)."""
    raw = yaml.safe_load(resources.files("faq").joinpath("topics.yaml").read_text("utf-8"))
    return [t["id"] for t in raw["topics"]]


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def check_entries(
    entries: Iterable[Entry], normalisers: Mapping[Lang, Normaliser], *, require_topics: bool = True
) -> list[str]:
    """Every problem found, as ``"<id> <lang>: <what>"`` lines; empty when the content is fine."""
    listed = list(entries)
    problems: list[str] = []
    seen: set[str] = set()
    for entry in listed:
        if entry.id in seen:
            problems.append(f"{entry.id}: id used twice")
        seen.add(entry.id)
    if require_topics:
        problems += [f"{topic}: topic has no entry" for topic in topic_ids() if topic not in seen]

    phrasing_owner: dict[tuple[Lang, str], str] = {}
    for entry in listed:
        for url in entry.sources:
            if not _https(url):
                problems.append(f"{entry.id}: source {url!r} is not an https link")
        for related in entry.related:
            if related not in seen:
                problems.append(f"{entry.id}: related entry {related!r} does not exist")
            elif related == entry.id:
                problems.append(f"{entry.id}: an entry cannot be related to itself")
        for lang in LANGS:
            block = entry.block(lang)
            where = f"{entry.id} {lang}"
            if len(block.alternates) < MIN_ALTERNATES:
                problems.append(
                    f"{where}: {len(block.alternates)} alternates, at least {MIN_ALTERNATES} needed"
                )
            html_problems, links, visible = check_html(block.answer)
            problems += [f"{where}: answer: {p}" for p in html_problems]
            problems += [
                f"{where}: link {link!r} is not https" for link in links if not _https(link)
            ]
            if len(visible) > MAX_ANSWER_CHARS:
                problems.append(
                    f"{where}: answer is {len(visible)} characters, over {MAX_ANSWER_CHARS}"
                )
            for phrasing in (block.question, *block.alternates):
                key = (lang, " ".join(normalisers[lang].words(phrasing)))
                owner = phrasing_owner.setdefault(key, entry.id)
                if owner != entry.id:
                    problems.append(f"{where}: phrasing {phrasing!r} is also used by {owner}")
    return problems
