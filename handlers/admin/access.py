"""Permission checks for staff actions, made on the server for every command, press and typed
answer: the role is read as it is now, whatever the button or the menu claimed."""

from __future__ import annotations

import structlog

from handlers.context import Context
from handlers.events import Reply, Response
from handlers.roles import Role, Roles

log = structlog.get_logger(__name__)


async def refusal(ctx: Context, roles: Roles, required: Role, what: str) -> Response | None:
    """None when the user holds ``required``; otherwise a polite refusal, logged with what was
    attempted (a forged or replayed button, or a role taken back meanwhile)."""
    role = await roles.role_of(ctx.session, ctx.event.user_id)
    if role >= required:
        return None
    log.warning(
        "permission_refused",
        user_id=ctx.event.user_id,
        role=role.name.lower(),
        required=required.name.lower(),
        attempted=what,
        press=ctx.event.callback is not None,
    )
    _ = ctx.texts._
    message = (
        _("This is reserved for the bot's administrators.")
        if required >= Role.ADMIN
        else _("This is reserved for the associations' volunteers who publish webinars.")
    )
    if ctx.event.callback is not None:
        return Response(notice=message)
    return Response.of(Reply(message))
