"""What every staff screen offers the conversation: its commands, its buttons, and the typed
answers its drafts wait for."""

from __future__ import annotations

from typing import Protocol

from handlers.admin.drafts import AdminDraft
from handlers.callbacks import CallbackData
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Response


class Screen(Protocol):
    #: The commands it answers.
    commands: frozenset[Command]
    #: The callback data types of its buttons.
    buttons: tuple[type[CallbackData], ...]
    #: The purposes of the administration drafts it owns (`handlers.admin.drafts`).
    purposes: frozenset[str]

    async def command(self, ctx: Context, command: Command, argument: str) -> Response: ...

    async def press(self, ctx: Context, data: CallbackData) -> Response: ...

    async def on_text(self, ctx: Context, draft: AdminDraft, text: str) -> Response:
        """The answer ``draft`` waits for; a forwarded message arrives here too, with its
        author in ``ctx.event.forwarded_from``."""
        ...
