"""The admin page's own words, from the same gettext catalogs as the chat's."""

from __future__ import annotations

from handlers.i18n import Texts


def page_texts(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "title": _("FAQ editor"),
        "search": _("Search the FAQ"),
        "no_entries": _("No entry found."),
        "hidden": _("hidden"),
        "reviewed": _("reviewed"),
        "question": _("Question"),
        "alternates": _("Other ways to ask, one per line"),
        "keywords": _("Keywords, one per line"),
        "answer": _("Answer (Telegram HTML)"),
        "sources": _("Sources, one address per line"),
        "preview": _("As users will see it"),
        "save": _("Save"),
        "saved": _("Saved: the bot answers with it now."),
        "back": _("Back to the list"),
        "history": _("Revisions"),
        "restore": _("Restore"),
        "restored": _("Restored."),
        "conflict": _("Someone changed this entry meanwhile: reload it before saving."),
        "problems": _("Not saved:"),
        "unauthorized": _("Open this page again from the bot's /admin command."),
        "forbidden": _("This page is for the bot's administrators."),
        "failed": _("Something went wrong. Try again."),
    }
