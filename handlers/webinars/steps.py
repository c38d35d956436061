"""The steps of the volunteer's webinar draft, and what the draft's screens look like: the
question of each step with its buttons, the list of fields to change, and the preview.

Pure: no database, no clock of its own. The wizard (`wizard.py`) decides which step comes
next and saves the draft.
"""

from __future__ import annotations

import datetime as dt

from faq.telegram_html import escape
from handlers.callbacks import NO_VALUE, DraftButton
from handlers.events import Button, Keyboard, Reply
from handlers.i18n import Texts
from handlers.roles import Publisher
from handlers.webinars.compose import WebinarComposer
from handlers.webinars.drafts import Draft
from scheduler.broadcasts import ANNOUNCE, CHANGED, Kind
from scheduler.models import SCHEDULED
from scheduler.webinars import MAX_DESCRIPTION, MAX_TITLE, Webinar

TITLE = "title"
REGIONS = "regions"
WHEN = "when"
DURATION = "duration"
LINK = "link"
DESCRIPTION = "description"
ANNOUNCE_STEP = "announce"
ANNOUNCE_AT = "announce_at"
PREVIEW = "preview"
FIELDS = "fields"
# The steps of a new webinar, in order; ANNOUNCE_AT is ANNOUNCE's "at a time I choose".
ORDER = (TITLE, REGIONS, WHEN, DURATION, LINK, DESCRIPTION, ANNOUNCE_STEP)
TYPED = frozenset({TITLE, WHEN, DURATION, LINK, DESCRIPTION, ANNOUNCE_AT})
NATIONAL = "nat"
DURATIONS = (30, 60, 90, 120)  # minutes, offered as buttons


def press(draft: Draft, action: str, value: str = NO_VALUE) -> DraftButton:
    return DraftButton(draft.nonce, draft.step, action, value)


def snapshot(draft: Draft, author_id: int, lang: str, now: dt.datetime) -> Webinar:
    """The webinar a complete draft would be, as `Webinars.create` or `update` store it: the
    preview is worded from it."""
    details = draft.details()
    return Webinar(
        id=draft.webinar_id or 0,
        title=details.title.strip(),
        description=details.description.strip(),
        link=details.link.strip(),
        starts_at=details.starts_at.astimezone(dt.UTC),
        duration_minutes=details.duration_minutes,
        regions=tuple(sorted(set(details.regions))),
        announce_at=(details.announce_at or now).astimezone(dt.UTC),
        status=SCHEDULED,
        author_id=author_id,
        author_lang=lang,
        revision=(draft.base_revision or 0) + 1,
        updated_at=now,
    )


def complete(draft: Draft) -> bool:
    return (
        bool(draft.title)
        and (draft.national or bool(draft.regions))
        and draft.starts_at is not None
        and draft.duration_minutes is not None
        and bool(draft.link)
    )


class StepScreens:
    """What each step of a draft shows; one instance per process."""

    def __init__(self, composer: WebinarComposer) -> None:
        self.composer = composer
        self.wording = composer.wording

    def render(
        self,
        texts: Texts,
        draft: Draft,
        publisher: Publisher,
        now: dt.datetime,
        *,
        edit: bool = False,
        lead: str | None = None,
    ) -> tuple[Reply, ...]:
        """The step the draft is at; ``lead`` comes first (what went wrong, what changed)."""
        if draft.step == PREVIEW:
            return self._preview(texts, draft, publisher, now, edit=edit, lead=lead)
        parts = [lead] if lead else []
        parts.append(self._header(texts, draft))
        parts.append(self._question(texts, draft, now))
        return (Reply("\n\n".join(parts), self._keyboard(texts, draft, publisher, now), edit=edit),)

    def _header(self, texts: Texts, draft: Draft) -> str:
        _ = texts._
        if draft.purpose == "edit":
            return _("<b>Changing “{title}”</b>").format(title=escape(draft.title))
        if draft.back_to_preview or draft.step not in (*ORDER, ANNOUNCE_AT):
            return _("<b>New webinar</b>")
        number = ORDER.index(ANNOUNCE_STEP if draft.step == ANNOUNCE_AT else draft.step) + 1
        return _("<b>New webinar</b> · step {number}/{total}").format(
            number=number, total=len(ORDER)
        )

    def _question(self, texts: Texts, draft: Draft, now: dt.datetime) -> str:
        _ = texts._
        city = self.wording.city(texts)
        if draft.step == TITLE:
            return _("What is the webinar's title? At most {count} characters.").format(
                count=MAX_TITLE
            )
        if draft.step == REGIONS:
            return _("Which regions is it for? Press the regions to choose them, then “Done”.")
        if draft.step == WHEN:
            return _(
                "When does it start? Type the date and time ({city} time), for example "
                "“12/03 6:30pm”, “3 December 18:30” or “tomorrow 2pm”."
            ).format(city=city)
        if draft.step == DURATION:
            return _("How long does it last? Choose, or type it, for example “45 min” or “1h30”.")
        if draft.step == LINK:
            return _("What is the link to join it? It must start with https://.")
        if draft.step == DESCRIPTION:
            return _(
                "A few words to describe it (at most {count} characters), or skip this step."
            ).format(count=MAX_DESCRIPTION)
        if draft.step == ANNOUNCE_STEP:
            return _("When should subscribers be told of it?")
        if draft.step == ANNOUNCE_AT:
            start = draft.starts_at or now
            return _(
                "Type the date and time of the announcement ({city} time), before the start: "
                "{start}."
            ).format(city=city, start=self.wording.when(start, texts))
        return _("Which field do you want to change?")

    def _keyboard(
        self, texts: Texts, draft: Draft, publisher: Publisher, now: dt.datetime
    ) -> Keyboard:
        _ = texts._
        rows: list[tuple[Button, ...]] = []
        if draft.step == REGIONS:
            rows.extend(self._regions(texts, draft, publisher))
            rows.append((Button(_("✔️ Done"), press(draft, "k")),))
        elif draft.step == DURATION:
            rows.append(
                tuple(
                    Button(self.wording.duration(minutes, texts), press(draft, "d", str(minutes)))
                    for minutes in DURATIONS
                )
            )
        elif draft.step == DESCRIPTION:
            rows.append((Button(_("⏭ Skip"), press(draft, "s")),))
        elif draft.step == ANNOUNCE_STEP:
            rows.append((Button(_("📣 Now"), press(draft, "n")),))
            rows.append((Button(_("🕒 At a time I choose"), press(draft, "t")),))
        elif draft.step == FIELDS:
            rows.extend(
                (Button(name, press(draft, "e", field)),)
                for field, name in self.field_names(texts, draft, now).items()
            )
            rows.append((Button(_("👁 Back to the preview"), press(draft, "v")),))
        rows.append((Button(_("✖️ Cancel"), press(draft, "x")),))
        return tuple(rows)

    def _regions(self, texts: Texts, draft: Draft, publisher: Publisher) -> Keyboard:
        _ = texts._
        rows: list[tuple[Button, ...]] = []
        if publisher.unrestricted:
            national = ("✅ " if draft.national else "") + _("🇫🇷 National (every region)")
            rows.append((Button(national, press(draft, "r", NATIONAL)),))
        chosen = set(draft.regions)
        buttons = [
            Button(
                ("✅ " if region.code in chosen else "") + region.name(texts.lang),
                press(draft, "r", region.code),
            )
            for region in self.wording.regions.all
            if publisher.regions is None or region.code in publisher.regions
        ]
        rows.extend(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        return tuple(rows)

    @staticmethod
    def field_names(texts: Texts, draft: Draft, now: dt.datetime) -> dict[str, str]:
        """The fields that may be changed, with their button labels. The announcement time
        only while the webinar has not been announced."""
        _ = texts._
        names = {
            TITLE: _("Title"),
            REGIONS: _("Regions"),
            WHEN: _("Date and time"),
            DURATION: _("Duration"),
            LINK: _("Link"),
            DESCRIPTION: _("Description"),
        }
        if draft.purpose == "new" or (draft.announce_at is not None and draft.announce_at > now):
            names[ANNOUNCE_STEP] = _("Announcement time")
        return names

    def _preview(
        self,
        texts: Texts,
        draft: Draft,
        publisher: Publisher,
        now: dt.datetime,
        *,
        edit: bool,
        lead: str | None,
    ) -> tuple[Reply, ...]:
        _ = texts._
        webinar = snapshot(draft, publisher.user_id, texts.lang, now)
        # Those already told of an edited webinar get the change notice; before the
        # announcement (one just moved to "now" included), everyone gets the announcement.
        announced = draft.announce_at is not None and draft.announce_at <= now
        told = draft.purpose == "edit" and announced
        kind = Kind(CHANGED if told else ANNOUNCE)
        if draft.purpose == "edit":
            intro = (
                _("Preview: subscribers already told will receive this message.")
                if told
                else _("Preview: subscribers will receive this announcement.")
            )
            publish = _("✅ Save the changes")
        else:
            intro = _("Preview: this is exactly what subscribers will receive.")
            publish = _("✅ Publish")
        announced = self.wording.when(webinar.announce_at, texts)
        if draft.announce_at is None:
            when = _("Announced as soon as it is published.")
        elif webinar.announce_at <= now:
            when = _("Announced on {date}.").format(date=announced)
        else:
            when = _("To be announced on {date}.").format(date=announced)
        header = "\n\n".join(part for part in (lead, intro, when) if part)
        keyboard = (
            (Button(publish, press(draft, "p")),),
            (Button(_("✏️ Change a field"), press(draft, "f")),),
            (Button(_("✖️ Cancel"), press(draft, "x")),),
        )
        return (
            Reply(header, edit=edit),
            Reply(self.composer.text(webinar, kind, texts), keyboard),
        )
