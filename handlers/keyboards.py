"""Inline keyboards, built by pure functions from typed callback data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from faq.entries import Entry
from handlers.callbacks import NoneFits, SetLanguage, ShowEntry, Theme, Themes, Vote
from handlers.events import Button, Keyboard
from handlers.i18n import Lang, Texts

MAX_LABEL = 60


def label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def entry_buttons(entries: Iterable[Entry], lang: Lang) -> Keyboard:
    return tuple((Button(label(e.block(lang).question), ShowEntry(e.id)),) for e in entries)


@dataclass(frozen=True)
class Feedback:
    """What the feedback buttons under the reply to one stored question carry."""

    question_id: int
    vote_signature: str
    none_signature: str


def answer_keyboard(
    related: Iterable[Entry],
    lang: Lang,
    feedback: Feedback | None,
    walkthrough: Button | None = None,
) -> Keyboard:
    rows = ((walkthrough,),) if walkthrough is not None else ()
    rows += entry_buttons(related, lang)
    if feedback is not None:
        qid, signature = feedback.question_id, feedback.vote_signature
        rows += ((Button("👍", Vote(qid, 1, signature)), Button("👎", Vote(qid, -1, signature))),)
    return rows


def suggestions_keyboard(
    entries: Iterable[Entry], texts: Texts, feedback: Feedback | None
) -> Keyboard:
    rows = entry_buttons(entries, texts.lang)
    if feedback is not None:
        none_fits = NoneFits(feedback.question_id, feedback.none_signature)
        rows += ((Button(texts._("None of these"), none_fits),),)
    return rows


def fallback_keyboard(texts: Texts, help_entry: Entry | None) -> Keyboard:
    rows: Keyboard = ((Button(texts._("Browse topics"), Themes()),),)
    if help_entry is not None:
        rows += ((Button(label(help_entry.block(texts.lang).question), ShowEntry(help_entry.id)),),)
    return rows


def themes_keyboard(themes: Iterable[str], texts: Texts, theme_labels: dict[str, str]) -> Keyboard:
    buttons = [Button(theme_labels.get(t, t), Theme(t)) for t in themes]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def theme_keyboard(entries: Iterable[Entry], texts: Texts) -> Keyboard:
    return (*entry_buttons(entries, texts.lang), (Button(texts._("« All topics"), Themes()),))


def language_keyboard() -> Keyboard:
    return ((Button("🇫🇷 Français", SetLanguage("fr")), Button("🇬🇧 English", SetLanguage("en"))),)
