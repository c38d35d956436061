"""The database engine, sessions and schema migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.sqlite import inline_creator
from faq.models import FaqBase
from handlers.models import ConversationBase
from scheduler.models import SchedulerBase

# Every package's tables, as Alembic compares them with the migrations.
METADATA = [FaqBase.metadata, ConversationBase.metadata, SchedulerBase.metadata]
MIGRATIONS = Path(__file__).with_name("migrations")
# The PostgreSQL advisory lock under which one instance at a time migrates and syncs the FAQ
# ("mesbot" in ASCII): below 2**60, where users' locks start (`handlers.updates`).
SCHEMA_LOCK = 0x6D6573626F74


class DatabaseError(Exception):
    """The database cannot be reached or brought up to date."""


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one writer at a time: concurrent connections only meet in its busy-wait
        # loop (sleeps of several milliseconds). One connection, queued in the pool, is faster.
        # Sessions roll back what they did not commit when they close, so the pool's own
        # rollback on return would be a wasted call.
        engine = create_async_engine(
            url,
            hide_parameters=True,  # an error's text must not carry what a user wrote
            async_creator=inline_creator(parsed.get_dialect()(), parsed, timeout=30),
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            pool_reset_on_return=None,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_driver_name() == "asyncpg":
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "checkout", _replace_if_closed)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL loses nothing on a crash of the process, only on power loss, and saves
    # an fsync per commit (each update commits a few times).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _replace_if_closed(dbapi_connection: Any, _record: object, _proxy: object) -> None:
    """Hand out no connection that the server has ended (a restart, an administrator).

    asyncpg knows it without asking the server, having read the end of the stream, where
    ``pool_pre_ping`` costs three round trips per checkout (a transaction around ``;``), paid in
    CPU and latency on every event (docs/benchmarks.md). The pool replaces the connection."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server ended this connection")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``; Alembic runs its own event loop in a worker thread."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


@asynccontextmanager
async def schema_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold the database's schema lock: several instances started at once on one PostgreSQL
    database take turns to migrate and sync, and the later ones find the work done.

    A session-level advisory lock on a connection of its own, so that Alembic's connection and
    the sync's sessions are not inside it; the server releases it if this process dies. SQLite
    serves one instance on one machine: its own file lock is enough there."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
        await connection.commit()  # hold the lock, not a transaction, while the work runs
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
            await connection.commit()


async def downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)
