"""Which transport updates were already answered: a redelivered one is not answered twice;
and one user's events handled one at a time, whichever instance receives them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from sqlalchemy import ScalarSelect, Select, TextClause, bindparam, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from faq.db import utcnow
from handlers.models import ProcessedUpdateRow, UserRow

# PostgreSQL advisory lock keys of users' events: 2**60 + the user id (Telegram's ids stay under
# 2**52), so that they never meet the few fixed keys of `bot.db`, which are all below 2**60.
USER_LOCKS = 1 << 60


@dataclass(frozen=True)
class Arrival:
    """What the conversation needs to know about the user before answering an event."""

    lang: str | None  # the language the user chose, if any
    blocked: bool  # the user had blocked the bot


async def arrive(session: AsyncSession, user_id: int, update_id: int | None) -> Arrival | None:
    """The user's standing, claiming the update for this transaction in the same statement;
    None when the update was answered before.

    The claim is a row in ``processed_updates``: it stands if the transaction commits with the
    answer and vanishes if it rolls back. On PostgreSQL, another instance handed the same update
    meanwhile waits for this transaction, then finds the update answered."""
    # Core statements, run on the session's connection: the ORM's execute adds nothing to them.
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # Several instances behind a load balancer may get one user's updates at once: the
        # second waits here until the first's transaction ends, then reads the state the first
        # left (a flow's step, a draft), never a state both changed. One process already keeps
        # a chat's updates in order (`bot.dispatch`); this holds across processes.
        await connection.execute(_user_lock(), {"key": USER_LOCKS + user_id})
    if update_id is None:
        row = (await connection.execute(_look_up(), {"user_id": user_id})).one()
    else:
        parameters = {"user_id": user_id, "update_id": update_id, "now": utcnow()}
        row = (await connection.execute(_claim(connection.dialect.name), parameters)).one_or_none()
        if row is None:
            return None
    return Arrival(row[0], bool(row[1]))


# These statements are built once, on the tables rather than the mapped classes: building them,
# and the ORM's handling of ORM statements, cost more than running them.


def _standing() -> tuple[ScalarSelect[str | None], ScalarSelect[bool]]:
    users = UserRow.__table__.c
    user = users.id == bindparam("user_id")
    return (
        select(users.lang).where(user).scalar_subquery(),
        select(users.blocked_at.is_not(None)).where(user).scalar_subquery(),
    )


@cache
def _user_lock() -> TextClause:
    return text("SELECT pg_advisory_xact_lock(:key)")


@cache
def _look_up() -> Select[tuple[str | None, bool]]:
    return select(*_standing())


@cache
def _claim(dialect: str) -> ReturningInsert[tuple[str | None, bool]]:
    inserts = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
    if dialect not in inserts:
        raise ValueError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
    return (
        inserts[dialect](ProcessedUpdateRow.__table__)
        .values(update_id=bindparam("update_id"), processed_at=bindparam("now"))
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(*_standing())
    )


class ProcessedUpdates:
    """Processed update ids of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def forget(self, update_id: int) -> None:
        await self._session.execute(
            delete(ProcessedUpdateRow).where(ProcessedUpdateRow.update_id == update_id)
        )

    async def purge(self, retention: dt.timedelta) -> None:
        cutoff = utcnow() - retention
        await self._session.execute(
            delete(ProcessedUpdateRow).where(ProcessedUpdateRow.processed_at < cutoff)
        )
