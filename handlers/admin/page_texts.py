"""The admin page's own words, from the same gettext catalogs as the chat's: the page's frame,
the FAQ editor's and the review queue's; the webinars' and statistics' screens keep theirs
beside their chat screens."""

from __future__ import annotations

from handlers.admin.stats_page_texts import stats_texts
from handlers.i18n import Texts
from handlers.webinars.page_texts import webinar_texts


def page_texts(texts: Texts) -> dict[str, str]:
    return _frame(texts) | _faq(texts) | _review(texts) | webinar_texts(texts) | stats_texts(texts)


def _frame(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "title": _("mesbot administration"),
        "tab_faq": _("FAQ"),
        "tab_review": _("To review"),
        "tab_webinars": _("Webinars"),
        "tab_stats": _("Statistics"),
        "unauthorized": _("Open this page again from the bot's /admin command."),
        "forbidden": _("This page is for the bot's administrators."),
        "failed": _("Something went wrong. Try again."),
        "unavailable": _("The bot cannot reach its database just now. Try again in a moment."),
        "conflict": _("Someone changed this meanwhile: it is shown as it is now."),
        "problems": _("Not saved:"),
        "gone": _("This is gone: someone else dealt with it meanwhile."),
        "back": _("Back to the list"),
    }


def _faq(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "search": _("Search the FAQ"),
        "no_entries": _("No entry found."),
        "hidden": _("hidden"),
        "reviewed": _("reviewed"),
        "asked_30": _("asked {count} times in 30 days"),
        "question": _("Question"),
        "alternates": _("Other ways to ask, one per line"),
        "keywords": _("Keywords, one per line"),
        "answer": _("Answer (Telegram HTML)"),
        "sources": _("Sources, one address per line"),
        "related": _("Related entries, one identifier per line"),
        "hide": _("Hide"),
        "show": _("Show again"),
        "now_hidden": _("Hidden: the bot no longer answers with it."),
        "now_shown": _("Shown again: the bot answers with it."),
        "preview": _("As users will see it"),
        "save": _("Save"),
        "saved": _("Saved: the bot answers with it now."),
        "history": _("Revisions"),
        "restore": _("Restore"),
        "restored": _("Restored."),
        "mark_reviewed": _("Mark reviewed today"),
        "marked_reviewed": _("Marked reviewed today."),
        "new_entry": _("New entry"),
        "entry_id": _("Identifier (theme.name, lowercase)"),
        "theme": _("Theme"),
        "create": _("Create the entry"),
        "created": _("Created: the bot answers with it now."),
        "exists": _("An entry with this identifier exists already."),
        "created_first": _("Created."),
        "current": _("current"),
    }


def _review(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "more_groups": _("Show more ({count} left)"),
        "review_empty": _("Nothing to review: every question was answered or reviewed."),
        "asked_times": _("asked {count} times"),
        "add_to": _("Add as an alternate of"),
        "add": _("Add"),
        "make_entry": _("New entry from it"),
        "dismiss": _("Dismiss"),
        "added": _("Added: the bot matches it from now on."),
        "dismissed": _("Dismissed."),
        "nothing_to_add": _("The entry already knows every phrasing of this group."),
        "group_changed": _("Questions joined or left this group: here it is as it is now."),
        "not_answered": _("not answered"),
        "voted_down": _("👎"),
        "none_fits": _("none of these"),
    }
