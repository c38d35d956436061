"""The FAQ editor's messages: entry cards, values echoed back, problems and history, in
Telegram HTML. Whatever comes from an entry or an administrator is escaped and cut, so that a
message stays well within Telegram's 4096 characters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from faq.telegram_html import MAX_MESSAGE_CHARS, check_html, escape
from handlers.admin.faq_editing import EntryState, Revision
from handlers.admin.faq_fields import Value, differences
from handlers.events import Reply
from handlers.faq_flow import theme_labels
from handlers.i18n import Texts

ECHO_CHARS = 3000  # of a value echoed back: with the words around it, far below 4096
QUESTION_CHARS = 300  # of a question on a card or a history line
PROBLEM_CHARS = 300
MAX_PROBLEMS = 10
HISTORY_PAGE = 5


def short(text: str, limit: int) -> str:
    """``text`` escaped, cut to ``limit`` characters with an ellipsis."""
    return escape(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")


def shown_value(texts: Texts, value: Value) -> str:
    """A value to copy: in ``<pre>``, a list one item per line, cut at `ECHO_CHARS` with a
    note saying how much was left out."""
    text = value if isinstance(value, str) else "\n".join(value)
    if not text:
        return texts._("<i>(empty)</i>")
    if len(text) <= ECHO_CHARS:
        return f"<pre>{escape(text)}</pre>"
    left = len(text) - ECHO_CHARS
    note = texts.ngettext(
        "(cut here: {count} more character not shown)",
        "(cut here: {count} more characters not shown)",
        left,
    ).format(count=left)
    return f"<pre>{escape(text[:ECHO_CHARS])}…</pre>\n<i>{note}</i>"


def moment(texts: Texts, when: dt.datetime, zone: ZoneInfo) -> str:
    local = when.astimezone(zone)
    return texts._("{date} at {time}").format(
        date=texts.date(local.date()), time=local.strftime("%H:%M")
    )


def theme_name(texts: Texts, theme: str) -> str:
    return theme_labels(texts).get(theme, theme)


def card(texts: Texts, state: EntryState, zone: ZoneInfo, lead: str | None = None) -> str:
    """What an administrator sees of an entry before acting on it."""
    _ = texts._
    entry = state.entry
    lines = [lead, ""] if lead else []
    lines += [
        f"<b>{escape(entry.id)}</b>",
        _("{theme} · version {version} · reviewed on {date}").format(
            theme=escape(theme_name(texts, entry.theme)),
            version=state.version,
            date=texts.date(entry.reviewed),
        ),
        _("🙈 Hidden from users") if state.hidden else _("👁 Shown to users"),
        _("Last change: {who}, {when}").format(
            who=escape(state.updated_by), when=moment(texts, state.updated_at, zone)
        ),
        "",
        f"🇫🇷 {short(entry.fr.question, QUESTION_CHARS)}",
        f"🇬🇧 {short(entry.en.question, QUESTION_CHARS)}",
        _("Alternates: {fr} fr · {en} en. Keywords: {kfr} fr · {ken} en.").format(
            fr=len(entry.fr.alternates),
            en=len(entry.en.alternates),
            kfr=len(entry.fr.keywords),
            ken=len(entry.en.keywords),
        ),
    ]
    return "\n".join(lines)


def problems_text(texts: Texts, problems: Sequence[str]) -> str:
    """The problems `faq check` and Telegram's rules find, the first of them if many."""
    lines = [texts._("⚠️ <b>To fix before saving:</b>")]
    lines += [f"• {short(p, PROBLEM_CHARS)}" for p in problems[:MAX_PROBLEMS]]
    left = len(problems) - MAX_PROBLEMS
    if left > 0:
        more = texts.ngettext("…and {count} more problem.", "…and {count} more problems.", left)
        lines.append(more.format(count=left))
    return "\n".join(lines)


def user_message(texts: Texts, reply: Reply) -> Reply:
    """The message users would get, to show as it is when Telegram would take it; otherwise
    its source, escaped, since Telegram would refuse the message itself."""
    problems, _links, visible = check_html(reply.text)
    if not problems and len(visible) <= MAX_MESSAGE_CHARS:
        return Reply(reply.text, reply.buttons)
    refused = texts._("Telegram would refuse this message as it is (see the problems). Its source:")
    return Reply(f"{refused}\n{shown_value(texts, reply.text)}")


def pages(revisions: Sequence[Revision]) -> int:
    return max(1, -(-len(revisions) // HISTORY_PAGE))


def history(
    texts: Texts, entry_id: str, revisions: Sequence[Revision], page: int, zone: ZoneInfo
) -> str:
    """Page ``page`` (from 0) of the revisions, newest first, each with what it changed."""
    _ = texts._
    lines = [
        _("<b>History of {id}</b>, page {page} of {pages}").format(
            id=escape(entry_id), page=page + 1, pages=pages(revisions)
        )
    ]
    start = page * HISTORY_PAGE
    for index in range(start, min(start + HISTORY_PAGE, len(revisions))):
        revision = revisions[index]
        older = revisions[index + 1] if index + 1 < len(revisions) else None
        head = _("<b>Version {version}</b> · {when} · {who}").format(
            version=revision.version,
            when=moment(texts, revision.created_at, zone),
            who=escape(revision.created_by),
        )
        if index == 0:
            head += " " + _("(current)")
        lines += ["", head, summary(texts, revision, older)]
    return "\n".join(lines)


def summary(texts: Texts, revision: Revision, older: Revision | None) -> str:
    """What a revision changed against the one before it, on one line."""
    _ = texts._
    if older is None:
        return _("Created.")
    said = []
    if revision.hidden != older.hidden:
        said.append(_("Hidden from users.") if revision.hidden else _("Shown to users again."))
    changed = differences(
        texts, older.entry.model_dump(mode="json"), revision.entry.model_dump(mode="json")
    )
    if changed:
        said.append(_("Changed: {parts}.").format(parts=escape(", ".join(changed))))
    return " ".join(said) or _("Nothing changed.")


def expired(texts: Texts) -> str:
    """The notice of a press on a message whose screen is gone (or of a forged press)."""
    return texts._("This button has expired. Send /faq to start again.")


def changed_meanwhile(texts: Texts) -> str:
    return texts._("This entry changed since that message: here it is as it is now.")
