"""Where each user is in a walkthrough, kept in the database so that any instance, after any
restart, continues where they were."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.flows.definition import Answer
from handlers.models import ConversationStateRow


@dataclass
class FlowState:
    """A user's position: the flow and its revision, the current step, the answers given and the
    steps behind (for Back)."""

    flow_id: str
    revision: str
    step: str
    answers: dict[str, Answer] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)


class FlowStates:
    """Flow positions of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> FlowState | None:
        row = await self._session.get(ConversationStateRow, user_id)
        if row is None:
            return None
        return FlowState(row.flow_id, row.revision, row.step, dict(row.answers), list(row.history))

    async def save(self, user_id: int, state: FlowState) -> None:
        row = await self._session.get(ConversationStateRow, user_id)
        if row is None:
            row = ConversationStateRow(user_id=user_id, started_at=utcnow())
            self._session.add(row)
        row.flow_id = state.flow_id
        row.revision = state.revision
        row.step = state.step
        row.answers = dict(state.answers)
        row.history = list(state.history)
        row.updated_at = utcnow()

    async def delete(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(ConversationStateRow).where(ConversationStateRow.user_id == user_id)
        )
        return bool(result.rowcount)

    async def purge(self, idle: dt.timedelta) -> int:
        """Delete the walkthroughs nobody touched for ``idle``."""
        result = await self._session.execute(
            delete(ConversationStateRow).where(ConversationStateRow.updated_at < utcnow() - idle)
        )
        return int(result.rowcount or 0)

    async def export(self, user_id: int) -> dict[str, Any] | None:
        row = await self._session.get(ConversationStateRow, user_id)
        if row is None:
            return None
        return {
            "flow": row.flow_id,
            "step": row.step,
            "answers": row.answers,
            "steps_behind": row.history,
            "started_at": row.started_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
        }
