"""/benevoles: who may publish webinars. Administrators grant the volunteer role by user id, by
the @username of someone who wrote to the bot, or by forwarding a message the person wrote;
everywhere or in chosen regions; and change or revoke it."""

from __future__ import annotations

from typing import Any

from handlers.admin.drafts import AdminDraft, AdminDrafts
from handlers.admin.volunteer_roles import Volunteer, VolunteerRoles
from handlers.audit import Actor
from handlers.callbacks import ALL_REGIONS, CallbackData, VolunteerButton
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Button, Keyboard, Reply, Response
from handlers.roles import Roles
from handlers.usernames import UsernameBook, parse_username
from handlers.webinars.compose import Wording

PURPOSE = "volunteer"
PAGE = 10


class VolunteerScreens:
    commands = frozenset({Command.VOLUNTEERS})
    buttons: tuple[type[CallbackData], ...] = (VolunteerButton,)
    purposes = frozenset({PURPOSE})

    def __init__(self, roles: Roles, usernames: UsernameBook, wording: Wording) -> None:
        self._roles = roles
        self._usernames = usernames
        self._wording = wording

    async def command(self, ctx: Context, command: Command, argument: str) -> Response:
        if not argument:
            return await self._list(ctx, 0, edit=False)
        return await self._person(ctx, argument)

    async def press(self, ctx: Context, data: CallbackData) -> Response:
        assert isinstance(data, VolunteerButton)
        user = int(data.user)
        match data.action:
            case "l":
                await AdminDrafts(ctx.session).discard(ctx.event.user_id, PURPOSE)
                offset = int(data.value) if data.value.isdigit() else 0
                return await self._list(ctx, offset, edit=True)
            case "a":
                return await self._ask_who(ctx)
            case "o":
                return await self._card(ctx, user)
            case "e":
                volunteer = await VolunteerRoles(ctx.session).get(user)
                if volunteer is None:
                    return self._gone(ctx)
                return await self._pick(ctx, user, volunteer.regions, edit=True)
            case "r":
                return await self._toggle(ctx, user, data.value)
            case "k":
                return await self._grant(ctx, user)
            case "x":
                return self._confirm_revoke(ctx, user)
            case "y":
                return await self._revoke(ctx, user)
        raise TypeError(f"not a volunteer action: {data.action!r}")

    async def on_text(self, ctx: Context, draft: AdminDraft, text: str) -> Response:
        if draft.data.get("step") != "who":
            return Response.of(
                Reply(ctx.texts._("Choose the regions with the buttons above, or send /cancel."))
            )
        return await self._person(ctx, text)

    # --- the list and a volunteer's card ---

    async def _list(self, ctx: Context, offset: int, *, edit: bool) -> Response:
        _ = ctx.texts._
        volunteers = await VolunteerRoles(ctx.session).all()
        shown = volunteers[offset : offset + PAGE]
        if not volunteers:
            text = _("<b>Volunteers</b>\nNobody holds the volunteer role yet.")
        else:
            lines = [
                ctx.texts.ngettext(
                    "<b>Volunteers</b> ({count} person)",
                    "<b>Volunteers</b> ({count} people)",
                    len(volunteers),
                ).format(count=len(volunteers))
            ]
            lines += [f"• <code>{v.user_id}</code>: {self._where(ctx, v)}" for v in shown]
            text = "\n".join(lines)
        rows: list[tuple[Button, ...]] = [
            (Button(f"👤 {v.user_id}", VolunteerButton("o", str(v.user_id))),) for v in shown
        ]
        pages = []
        if offset > 0:
            pages.append(Button("◀️", VolunteerButton("l", value=str(max(0, offset - PAGE)))))
        if offset + PAGE < len(volunteers):
            pages.append(Button("▶️", VolunteerButton("l", value=str(offset + PAGE))))
        if pages:
            rows.append(tuple(pages))
        rows.append((Button(_("➕ Grant the role"), VolunteerButton("a")),))
        return Response.of(Reply(text, tuple(rows), edit=edit))

    def _where(self, ctx: Context, volunteer: Volunteer) -> str:
        if volunteer.regions is None:
            return ctx.texts._("everywhere, national webinars included")
        return self._wording.places(volunteer.regions, ctx.texts)

    async def _card(self, ctx: Context, user: int) -> Response:
        _ = ctx.texts._
        volunteer = await VolunteerRoles(ctx.session).get(user)
        if volunteer is None:
            return self._gone(ctx)
        text = _(
            "<b>Volunteer {user}</b>\nMay publish: {where}\nSince {date}, granted by {by}."
        ).format(
            user=f"<code>{volunteer.user_id}</code>",
            where=self._where(ctx, volunteer),
            date=ctx.texts.date(volunteer.granted_at.date()),
            by=volunteer.granted_by if volunteer.granted_by is not None else "—",
        )
        keyboard: Keyboard = (
            (Button(_("🗺 Change the regions"), VolunteerButton("e", str(user))),),
            (Button(_("🚫 Revoke the role"), VolunteerButton("x", str(user))),),
            (Button(_("« Back to the list"), VolunteerButton("l")),),
        )
        return Response.of(Reply(text, keyboard, edit=True))

    # --- granting ---

    async def _ask_who(self, ctx: Context) -> Response:
        await AdminDrafts(ctx.session).put(ctx.event.user_id, PURPOSE, {"step": "who"})
        text = ctx.texts._(
            "Who should be able to publish webinars? Send me:\n"
            "• their Telegram user id (digits), or\n"
            "• their @username, if they have written to me in the last 90 days, or\n"
            "• forward me a message they wrote.\n"
            "Send /cancel to stop."
        )
        return Response.of(Reply(text))

    async def _person(self, ctx: Context, text: str) -> Response:
        """The person named by a typed id or @username, or by a forwarded message."""
        _ = ctx.texts._
        event = ctx.event
        user: int | None = event.forwarded_from
        if event.forward_hidden:
            return Response.of(
                Reply(
                    _(
                        "This person hides their account in forwarded messages, so I cannot "
                        "tell who they are. Ask them to write to me, then send their @username, "
                        "or send their user id."
                    )
                )
            )
        typed = text.strip()
        if user is None and typed.isascii() and typed.isdigit() and len(typed) <= 16:
            user = int(typed) or None
        elif user is None and (name := parse_username(typed)) is not None:
            user = await self._usernames.find(ctx.session, name)
            if user is None:
                return Response.of(
                    Reply(
                        _(
                            "Nobody has written to me as @{name} in the last 90 days. Ask them "
                            "to send me a message first, or send their user id."
                        ).format(name=name)
                    )
                )
        if not user:
            return Response.of(
                Reply(
                    _(
                        "I did not recognise a person: send a user id (digits), an @username, "
                        "or forward a message they wrote. Send /cancel to stop."
                    )
                )
            )
        if user in self._roles.admin_ids:
            return Response.of(
                Reply(
                    _(
                        "{user} is an administrator (MESBOT_ADMIN_IDS) and may already publish "
                        "everywhere."
                    ).format(user=user)
                )
            )
        current = await VolunteerRoles(ctx.session).get(user)
        return await self._pick(ctx, user, current.regions if current else (), edit=False)

    async def _pick(
        self, ctx: Context, user: int, regions: tuple[str, ...] | None, *, edit: bool
    ) -> Response:
        data: dict[str, Any] = {
            "step": "regions",
            "user": user,
            "everywhere": regions is None,
            "regions": list(regions or ()),
        }
        await AdminDrafts(ctx.session).put(ctx.event.user_id, PURPOSE, data)
        return self._picker(ctx, data, edit=edit)

    def _picker(
        self, ctx: Context, data: dict[str, Any], *, edit: bool, notice: str | None = None
    ) -> Response:
        _ = ctx.texts._
        user = str(data["user"])
        chosen = set(data["regions"])
        everywhere = bool(data["everywhere"])
        text = _(
            "Where may <code>{user}</code> publish webinars? Choose regions, or everywhere "
            "(national webinars included). Then press “Save”."
        ).format(user=user)
        mark = "✅ " if everywhere else ""
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    mark + _("Everywhere, and national"),
                    VolunteerButton("r", user, ALL_REGIONS),
                ),
            )
        ]
        buttons = [
            Button(
                ("✅ " if r.code in chosen and not everywhere else "") + r.name(ctx.texts.lang),
                VolunteerButton("r", user, r.code),
            )
            for r in self._wording.regions.all
        ]
        rows += [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        rows.append(
            (
                Button(_("💾 Save"), VolunteerButton("k", user)),
                Button(_("✖️ Cancel"), VolunteerButton("l")),
            )
        )
        return Response((Reply(text, tuple(rows), edit=edit),), notice)

    async def _draft_for(self, ctx: Context, user: int) -> dict[str, Any] | None:
        """The region choice under way for ``user``; None for a press on an older message."""
        draft = await AdminDrafts(ctx.session).get(ctx.event.user_id)
        if draft is None or draft.purpose != PURPOSE:
            return None
        if draft.data.get("step") != "regions" or draft.data.get("user") != user:
            return None
        return draft.data

    async def _toggle(self, ctx: Context, user: int, value: str) -> Response:
        data = await self._draft_for(ctx, user)
        if data is None:
            return self._expired(ctx)
        if value == ALL_REGIONS:
            data["everywhere"] = not data["everywhere"]
        elif self._wording.regions.get(value) is not None:
            chosen = set(data["regions"])
            chosen ^= {value}
            data["regions"] = sorted(chosen)
            data["everywhere"] = False
        else:
            return self._expired(ctx)
        await AdminDrafts(ctx.session).put(ctx.event.user_id, PURPOSE, data)
        return self._picker(ctx, data, edit=True)

    async def _grant(self, ctx: Context, user: int) -> Response:
        _ = ctx.texts._
        data = await self._draft_for(ctx, user)
        if data is None:
            return self._expired(ctx)
        if not data["everywhere"] and not data["regions"]:
            return Response(notice=_("Choose at least one region, or everywhere."))
        regions = None if data["everywhere"] else data["regions"]
        volunteer = await VolunteerRoles(ctx.session).grant(
            Actor.user(ctx.event.user_id), user, regions
        )
        await AdminDrafts(ctx.session).delete(ctx.event.user_id)
        text = _(
            "Done: <code>{user}</code> may publish webinars ({where}). Their command menu "
            "shows /nouveau_webinaire and /mes_webinaires."
        ).format(user=user, where=self._where(ctx, volunteer))
        keyboard: Keyboard = ((Button(_("« Back to the list"), VolunteerButton("l")),),)
        return Response((Reply(text, keyboard, edit=True),), roles_changed=(user,))

    # --- revoking ---

    def _confirm_revoke(self, ctx: Context, user: int) -> Response:
        _ = ctx.texts._
        text = _(
            "Revoke the volunteer role of <code>{user}</code>? The webinars they published "
            "stay; they can no longer publish, change or cancel any."
        ).format(user=user)
        keyboard: Keyboard = (
            (Button(_("Yes, revoke"), VolunteerButton("y", str(user))),),
            (Button(_("« Back"), VolunteerButton("o", str(user))),),
        )
        return Response.of(Reply(text, keyboard, edit=True))

    async def _revoke(self, ctx: Context, user: int) -> Response:
        _ = ctx.texts._
        if not await VolunteerRoles(ctx.session).revoke(Actor.user(ctx.event.user_id), user):
            return self._gone(ctx)
        text = _("Done: <code>{user}</code> no longer holds the volunteer role.").format(user=user)
        keyboard: Keyboard = ((Button(_("« Back to the list"), VolunteerButton("l")),),)
        return Response((Reply(text, keyboard, edit=True),), roles_changed=(user,))

    # --- stale presses ---

    @staticmethod
    def _gone(ctx: Context) -> Response:
        return Response(notice=ctx.texts._("This person no longer holds the volunteer role."))

    @staticmethod
    def _expired(ctx: Context) -> Response:
        return Response(notice=ctx.texts._("This button has expired: open /volunteers again."))
