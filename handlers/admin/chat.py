"""The staff's screens as the conversation sees them: every command, press and typed answer
checks the role first, then goes to the screen that owns it."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.admin.access import refusal
from handlers.admin.drafts import AdminDrafts
from handlers.admin.screen import Screen
from handlers.callbacks import CallbackData
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Reply, Response
from handlers.roles import Role, Roles


class AdminChat:
    def __init__(self, screens: Sequence[Screen], roles: Roles) -> None:
        self._roles = roles
        self._by_command = {c: s for s in screens for c in s.commands}
        self._by_button = {b: s for s in screens for b in s.buttons}
        self._by_purpose = {p: s for s in screens for p in s.purposes}

    def answers(self, command: Command | None) -> bool:
        return command in self._by_command

    def handles(self, data: CallbackData) -> bool:
        return type(data) in self._by_button

    async def command(self, ctx: Context, command: Command, argument: str) -> Response:
        """The caller has checked the command's role."""
        return await self._by_command[command].command(ctx, command, argument)

    async def press(self, ctx: Context, data: CallbackData) -> Response:
        refused = await refusal(ctx, self._roles, Role.ADMIN, type(data).__name__)
        if refused is not None:
            return refused
        if not ctx.event.private:
            return Response(notice=ctx.texts._("This works only in a private chat with me."))
        return await self._by_button[type(data)].press(ctx, data)

    async def on_text(self, ctx: Context, text: str) -> Response | None:
        """The answer a staff draft waits for; None when none waits."""
        draft = await AdminDrafts(ctx.session).get(ctx.event.user_id)
        if draft is None or draft.purpose not in self._by_purpose:
            return None
        refused = await refusal(ctx, self._roles, Role.ADMIN, f"draft:{draft.purpose}")
        if refused is not None:
            await AdminDrafts(ctx.session).delete(ctx.event.user_id)
            return refused
        return await self._by_purpose[draft.purpose].on_text(ctx, draft, text)

    async def cancel(self, ctx: Context) -> Response | None:
        if not await AdminDrafts(ctx.session).delete(ctx.event.user_id):
            return None
        return Response.of(Reply(ctx.texts._("Cancelled: nothing was changed.")))
