"""/audit: the latest staff actions, page by page, optionally of one person."""

from __future__ import annotations

from handlers.admin.drafts import AdminDraft
from handlers.callbacks import CallbackData
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Reply, Response


class AuditScreens:
    commands = frozenset({Command.AUDIT})
    buttons: tuple[type[CallbackData], ...] = ()
    purposes: frozenset[str] = frozenset()

    async def command(self, ctx: Context, command: Command, argument: str) -> Response:
        return Response.of(Reply("…"))

    async def press(self, ctx: Context, data: CallbackData) -> Response:
        raise TypeError(data)

    async def on_text(self, ctx: Context, draft: AdminDraft, text: str) -> Response:
        raise TypeError(draft)
