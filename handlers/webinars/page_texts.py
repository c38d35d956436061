"""The admin page's webinars screen: its words, from the same catalogs as the chat's. Where the
chat's wizard, /mes_webinaires or the progress report say the same thing, the words are theirs
(one translation for both)."""

from __future__ import annotations

from handlers.i18n import Texts


def webinar_texts(texts: Texts) -> dict[str, str]:
    return _calendar(texts) | _form(texts) | _refusals(texts) | _progress(texts)


def _calendar(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "w_previous_month": _("Previous month"),
        "w_next_month": _("Next month"),
        "w_new": _("New webinar"),
        "w_month_list": _("Webinars of the month"),
        "w_none_month": _("No webinar this month."),
        "w_zone": _("Times are those of this device ({zone})."),
        "w_national": _("National: every region"),
        "w_cancelled": _("Cancelled"),
        "w_over": _("Over"),
        "w_announced": _("announced on {date}"),
        "w_to_announce": _("to be announced on {date}"),
        "w_minutes": _("{minutes} min"),
        "w_hours_minutes": _("{hours} h {minutes} min"),
        "w_edit": _("Change this webinar"),
        "w_cancel_webinar": _("Cancel this webinar"),
        "w_confirm_cancel": _(
            "Cancel “{title}”? Subscribers already told of it will get a cancellation notice."
        ),
        "w_cancelled_done": _("Cancelled: subscribers already told of it get a notice."),
        "w_gone": _("This webinar is cancelled or over."),
        "w_not_yours": _("You may change only your own webinars."),
    }


def _form(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        "w_changing": _("Changing “{title}”"),
        "w_title": _("Title"),
        "w_link": _("Link"),
        "w_starts": _("Date and time"),
        "w_duration": _("Duration (minutes)"),
        "w_description": _("Description"),
        "w_regions": _("Regions"),
        "w_regions_national": _("None checked: national, for every region."),
        "w_regions_choose": _("Choose at least one region."),
        "w_announce": _("Announcement time"),
        "w_announce_empty": _("Empty: announced as soon as it is saved."),
        "w_announced_already": _("Already announced: subscribers told of it hear of any change."),
        "w_publish": _("Publish"),
        "w_save": _("Save the changes"),
        "w_published": _("Published: subscribers will be told at the announcement time."),
        "w_saved": _("Saved: subscribers already told of it are told of the change."),
    }


def _refusals(texts: Texts) -> dict[str, str]:
    """One sentence per refusal code of the API (`bot.miniapp.webinar_routes`)."""
    _ = texts._
    return {
        "w_p_title": _("The title is missing or too long."),
        "w_p_description": _("The description is too long."),
        "w_p_link": _("The link must be a web address starting with https://."),
        "w_p_start_past": _("The start is already past: choose a date and time to come."),
        "w_p_start_missing": _("Choose the date and time it starts."),
        "w_p_duration": _("The duration must be from 5 minutes to 10 hours."),
        "w_p_regions": _("A region is no longer known: choose the regions again."),
        "w_p_announce": _(
            "The announcement must come before the start: choose again when to announce it."
        ),
        "w_p_start_nonexistent": _(
            "That hour does not exist that night: the clocks go forward one hour for "
            "summer time. Choose another time."
        ),
        "w_p_start_too_far": _("That is too far ahead: type a date within two years."),
        "w_p_announce_nonexistent": _(
            "The announcement hour does not exist that night: the clocks go forward one hour "
            "for summer time. Choose another time."
        ),
        "w_p_announce_too_far": _(
            "The announcement is too far ahead: choose a date within two years."
        ),
        "w_p_other": _("A field is not as expected:"),
        "w_own_regions": _("You may publish only in your own regions."),
    }


def _progress(texts: Texts) -> dict[str, str]:
    """How far each message about a webinar got, as the volunteer's progress report says it."""
    _ = texts._
    return {
        "w_kind_announce": _("Announcement"),
        "w_kind_remind": _("Reminder, {time} before"),
        "w_kind_changed": _("Change notice"),
        "w_kind_cancelled": _("Cancellation notice"),
        "w_sent": _("Sent: {sent} of {total}"),
        "w_pending": _("Waiting: {count}"),
        "w_blocked": _("Had blocked the bot: {count}"),
        "w_failed": _("Failed: {count}"),
        "w_skipped": _("Not sent (cancelled or started): {count}"),
        "w_nobody": _("Nobody to tell yet: no one has subscribed to these regions."),
        "w_unit_days": _("{count} d"),
        "w_unit_hours": _("{count} h"),
    }
