"""The review queue's messages and keyboards, built by pure functions: the list of groups, a
group, and the entries found by a search. Question texts are shown escaped, and nothing about
who asked is known here to be shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from faq.entries import Entry
from faq.review_queue import ReviewGroup
from faq.telegram_html import escape
from handlers.callbacks import ReviewAlternate, ReviewButton
from handlers.events import Button, Keyboard, Reply
from handlers.i18n import Texts
from handlers.keyboards import label

PAGE_SIZE = 8
MAX_PHRASINGS = 10
MAX_FOUND = 8
# Characters of a question shown in the list and on a group's screen: ten phrasings of a
# thousand characters would pass Telegram's 4096.
LINE_CHARS = 120
PHRASING_CHARS = 300
FLAGS = {"fr": "🇫🇷", "en": "🇬🇧"}


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def kinds(texts: Texts, group: ReviewGroup) -> str:
    """What the group holds: "2 unanswered, 1 👎, 1 “none of these”"."""
    parts = []
    for kind, count in group.kinds:
        if kind == "unanswered":
            parts.append(
                texts.ngettext("{count} unanswered", "{count} unanswered", count).format(
                    count=count
                )
            )
        elif kind == "thumbs_down":
            parts.append(texts.ngettext("{count} 👎", "{count} 👎", count).format(count=count))
        else:
            parts.append(
                texts.ngettext("{count} “none of these”", "{count} “none of these”", count).format(
                    count=count
                )
            )
    return ", ".join(parts)


def summary(texts: Texts, group: ReviewGroup, limit: int) -> str:
    """« text » ×count (kinds), with the group's language flag."""
    line = texts._("« {text} » ×{count} ({kinds})").format(
        text=escape(shorten(group.text, limit)), count=group.count, kinds=kinds(texts, group)
    )
    return f"{FLAGS.get(group.lang, group.lang)} {line}"


def page_count(groups: Sequence[ReviewGroup]) -> int:
    return max(1, -(-len(groups) // PAGE_SIZE))


def list_view(
    texts: Texts, groups: Sequence[ReviewGroup], page: int, *, lead: str | None, edit: bool
) -> Reply:
    """A page of the groups (``page`` past the last shows the last); ``lead`` comes first."""
    _ = texts._
    parts = [lead] if lead else []
    if not groups:
        parts.append(_("Nothing to review: every question was answered or reviewed."))
        return Reply("\n\n".join(parts), edit=edit)
    pages = page_count(groups)
    page = min(page, pages - 1)
    first = page * PAGE_SIZE
    shown = groups[first : first + PAGE_SIZE]
    questions = sum(g.count for g in groups)
    parts.append(
        "<b>"
        + _("Questions to review")
        + "</b>\n"
        + texts.ngettext(
            "{groups} group of questions asked alike ({questions} in all), the most asked first.",
            "{groups} groups of questions asked alike ({questions} in all), the most asked first.",
            len(groups),
        ).format(groups=len(groups), questions=questions)
    )
    parts.append(
        "\n".join(
            f"{number}. {summary(texts, group, LINE_CHARS)}"
            for number, group in enumerate(shown, start=first + 1)
        )
    )
    if pages > 1:
        parts.append(_("Page {page} of {pages}").format(page=page + 1, pages=pages))
    rows: Keyboard = tuple(
        (Button(label(f"{n}. {shorten(g.text, 60)}"), ReviewButton("o", g.anchor, g.stamp)),)
        for n, g in enumerate(shown, start=first + 1)
    )
    navigation = []
    if page > 0:
        navigation.append(Button("◀️", ReviewButton("l", page - 1)))
    if page < pages - 1:
        navigation.append(Button("▶️", ReviewButton("l", page + 1)))
    if navigation:
        rows += (tuple(navigation),)
    return Reply("\n\n".join(parts), rows, edit=edit)


def group_view(
    texts: Texts,
    group: ReviewGroup,
    entries: Mapping[str, Entry],
    *,
    lead: str | None,
    edit: bool,
) -> Reply:
    """A group: its phrasings, then what can be done with it. ``entries``: the FAQ now, for the
    suggested entries' questions (in the group's language, where the phrasing would go)."""
    _ = texts._
    parts = [lead] if lead else []
    parts.append(f"<b>{summary(texts, group, PHRASING_CHARS)}</b>")
    lines = []
    for phrasing in group.phrasings[:MAX_PHRASINGS]:
        text = escape(shorten(phrasing.text, PHRASING_CHARS))
        lines.append(f"• {text}" if phrasing.count == 1 else f"• {text} ×{phrasing.count}")
    more = len(group.phrasings) - MAX_PHRASINGS
    if more > 0:
        lines.append(
            texts.ngettext(
                "…and {count} more phrasing.", "…and {count} more phrasings.", more
            ).format(count=more)
        )
    parts.append(_("Asked as:") + "\n" + "\n".join(lines))
    parts.append(
        _(
            "Add it as an alternate of an entry, so that the bot answers it from now on, make a "
            "new entry of it, or dismiss it."
        )
    )
    rows: Keyboard = tuple(
        (
            Button(
                label(
                    _("➕ Alternate of: {question}").format(
                        question=entries[entry_id].block(group.lang).question
                    )
                ),
                ReviewAlternate(group.anchor, group.stamp, entry_id),
            ),
        )
        for entry_id in group.suggestions
        if entry_id in entries
    )
    rows += (
        (Button(_("🔎 Another entry…"), ReviewButton("s", group.anchor, group.stamp)),),
        (
            Button(_("🆕 New entry"), ReviewButton("n", group.anchor, group.stamp)),
            Button(_("🗑 Dismiss"), ReviewButton("d", group.anchor, group.stamp)),
        ),
        (Button(_("« All groups"), ReviewButton("l", 0)),),
    )
    return Reply("\n\n".join(parts), rows, edit=edit)


def search_prompt(texts: Texts, group: ReviewGroup) -> Reply:
    text = texts._(
        "Type a few words of the entry to add « {text} » to (or its id), or /cancel to stop."
    ).format(text=escape(shorten(group.text, LINE_CHARS)))
    back = Button(texts._("« Back to the group"), ReviewButton("o", group.anchor, group.stamp))
    return Reply(text, ((back,),), edit=True)


def search_results(texts: Texts, group: ReviewGroup, words: str, found: Sequence[Entry]) -> Reply:
    """The entries found for ``words``, each a button adding the group to it."""
    _ = texts._
    back = Button(_("« Back to the group"), ReviewButton("o", group.anchor, group.stamp))
    shown = escape(shorten(words, LINE_CHARS))
    if not found:
        text = _("No entry matches “{words}”. Type other words, or /cancel to stop.").format(
            words=shown
        )
        return Reply(text, ((back,),))
    text = _(
        "Entries for “{words}”: choose the one « {text} » belongs to, or type other words."
    ).format(words=shown, text=escape(shorten(group.text, LINE_CHARS)))
    rows: Keyboard = tuple(
        (
            Button(
                label(f"➕ {entry.block(group.lang).question}"),
                ReviewAlternate(group.anchor, group.stamp, entry.id),
            ),
        )
        for entry in found[:MAX_FOUND]
    )
    return Reply(text, (*rows, (back,)))
