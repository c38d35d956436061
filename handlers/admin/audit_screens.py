"""/audit: the latest staff actions, newest first, page by page, for everyone or one person."""

from __future__ import annotations

from typing import Any

from faq.telegram_html import escape
from handlers.admin.drafts import AdminDraft
from handlers.audit import Action, Audit, AuditRecord
from handlers.callbacks import AUDIT_EVERYONE, AUDIT_PEOPLE, AuditPage, CallbackData
from handlers.commands import Command
from handlers.context import Context
from handlers.events import Button, Reply, Response
from handlers.i18n import Texts
from handlers.webinars.compose import Wording

PAGE = 8
PEOPLE = 24  # people offered as filters, the most recent first
SUMMARY_CHARS = 160


def action_labels(texts: Texts) -> dict[str, str]:
    _ = texts._
    return {
        Action.FAQ_ADD: _("FAQ entry added"),
        Action.FAQ_EDIT: _("FAQ entry edited"),
        Action.FAQ_HIDE: _("FAQ entry hidden"),
        Action.FAQ_SHOW: _("FAQ entry shown again"),
        Action.FAQ_ROLLBACK: _("FAQ entry restored"),
        Action.FAQ_IMPORT: _("FAQ imported"),
        Action.ROLE_GRANT: _("volunteer role granted"),
        Action.ROLE_REVOKE: _("volunteer role revoked"),
        Action.WEBINAR_PUBLISH: _("webinar published"),
        Action.WEBINAR_EDIT: _("webinar changed"),
        Action.WEBINAR_CANCEL: _("webinar cancelled"),
        Action.REVIEW_ALTERNATE: _("question added as an alternate"),
        Action.REVIEW_NEW_ENTRY: _("entry created from questions"),
        Action.REVIEW_DISMISS: _("questions dismissed"),
    }


def changed_fields(before: Any, after: Any) -> list[str]:
    """The fields that differ, one level deep (``fr.answer``), for a one-line summary."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    changed: list[str] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changed += [f"{key}.{inner}" for inner in changed_fields(old, new)] or [key]
        else:
            changed.append(key)
    return changed


class AuditScreens:
    commands = frozenset({Command.AUDIT})
    buttons: tuple[type[CallbackData], ...] = (AuditPage,)
    purposes: frozenset[str] = frozenset()

    def __init__(self, wording: Wording) -> None:
        self._wording = wording

    async def command(self, ctx: Context, command: Command, argument: str) -> Response:
        actor = argument.strip()
        if actor and not (actor.isascii() and actor.isdigit() and len(actor) <= 16):
            return Response.of(
                Reply(ctx.texts._("Send /audit, or /audit followed by a person's user id."))
            )
        return await self._page(ctx, 0, actor or AUDIT_EVERYONE, edit=False)

    async def press(self, ctx: Context, data: CallbackData) -> Response:
        assert isinstance(data, AuditPage)
        if data.actor == AUDIT_PEOPLE:
            return await self._people(ctx)
        return await self._page(ctx, data.offset, data.actor, edit=True)

    async def on_text(self, ctx: Context, draft: AdminDraft, text: str) -> Response:
        raise TypeError("the audit screens keep no draft")

    async def _page(self, ctx: Context, offset: int, actor: str, *, edit: bool) -> Response:
        _ = ctx.texts._
        actor_id = None if actor == AUDIT_EVERYONE else int(actor)
        records, total = await Audit(ctx.session).page(offset=offset, limit=PAGE, actor_id=actor_id)
        if actor_id is None:
            title = _("<b>Audit log</b>: {first}–{last} of {total}, newest first")
        else:
            title = _("<b>Audit log of {person}</b>: {first}–{last} of {total}, newest first")
        lines = [
            title.format(
                person=f"<code>{actor_id}</code>",
                first=min(offset + 1, total),
                last=offset + len(records),
                total=total,
            )
        ]
        if not records:
            lines.append(_("Nothing recorded yet."))
        lines += [self._line(ctx.texts, r) for r in records]
        pages = []
        if offset > 0:
            pages.append(Button("◀️", AuditPage(max(0, offset - PAGE), actor)))
        if offset + PAGE < total:
            pages.append(Button("▶️", AuditPage(offset + PAGE, actor)))
        rows = [tuple(pages)] if pages else []
        if actor_id is None:
            rows.append((Button(_("👤 Filter by person"), AuditPage(0, AUDIT_PEOPLE)),))
        else:
            rows.append((Button(_("👥 Everyone"), AuditPage(0, AUDIT_EVERYONE)),))
        return Response.of(Reply("\n\n".join(lines), tuple(rows), edit=edit))

    def _line(self, texts: Texts, record: AuditRecord) -> str:
        label = action_labels(texts).get(record.action, record.action)
        who = (
            f"<code>{record.actor_id}</code>"
            if record.actor_id is not None
            else escape(record.actor)
        )
        head = f"{escape(self._wording.when(record.at, texts))} · {who} · {escape(label)}"
        detail = escape(record.subject)
        fields = changed_fields(record.before, record.after)
        if fields:
            summary = ", ".join(fields)
            if len(summary) > SUMMARY_CHARS:
                summary = summary[: SUMMARY_CHARS - 1] + "…"
            detail += " — " + texts._("changed: {fields}").format(fields=escape(summary))
        return f"{head}\n{detail}"

    async def _people(self, ctx: Context) -> Response:
        _ = ctx.texts._
        people = (await Audit(ctx.session).actors())[:PEOPLE]
        if not people:
            return Response(notice=_("Nobody has acted yet."))
        buttons = [Button(str(p), AuditPage(0, str(p))) for p in people]
        rows = [tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3)]
        rows.append((Button(_("👥 Everyone"), AuditPage(0, AUDIT_EVERYONE)),))
        return Response.of(Reply(_("Whose actions?"), tuple(rows), edit=True))
