"""The admin page's statistics screen: its words, the same as `/stats`' chart's and caption's
where they say the same thing (one translation for both)."""

from __future__ import annotations

from handlers.i18n import Texts


def stats_texts(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "s_daily": _("Questions per day over the last {days} days (UTC)"),
        "s_answered": _("answered"),
        "s_suggested": _("suggested"),
        "s_not_answered": _("not answered"),
        "s_show_hide": _("Tap a series to show or hide it; tap a day for its figures."),
        "s_most_asked": _("Most asked entries (answered directly)"),
        "s_votes": _("Votes per entry"),
        "s_up": _("up"),
        "s_down": _("down"),
        "s_subscribers": _("Webinar subscribers per region"),
        "s_key_figures": _("Key figures"),
        "s_nothing": _(
            "Nothing to chart: no questions, votes or webinar subscribers over the last {days} "
            "days."
        ),
        "s_asked": _("Questions: {count}"),
        "s_thumbs": _("Votes: 👍 {up} · 👎 {down}"),
        "s_none_fits": _("“None of these” pressed: {count}"),
        "s_subscriptions": _("Webinar subscriptions, all regions: {count}"),
        "s_messages": _(
            "Telegram messages and button presses answered in the last 24 hours: {count}"
        ),
        "s_to_review": _("Questions waiting for review: {count}"),
        "s_chose_language": _("Users who chose a language: {count}"),
        "s_blocked": _("Users who blocked the bot: {count}"),
    }
