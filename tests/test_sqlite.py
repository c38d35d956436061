"""SQLite connections that run on the event loop (`bot.sqlite`)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.db import create_engine


async def test_statements_run_on_the_event_loop_thread(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    threads = threading.active_count()
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            await raw.driver_connection.create_function(
                "thread_name", 0, lambda: threading.current_thread().name
            )
            name = (await conn.execute(text("select thread_name()"))).scalar_one()
            # aiosqlite would have started a thread for the connection.
            assert threading.active_count() == threads
    finally:
        await engine.dispose()
    assert name == threading.current_thread().name


async def test_errors_reach_the_caller_and_the_connection_goes_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("create table notes (id integer primary key, body text)"))
        async with engine.connect() as conn:
            await conn.execute(text("insert into notes (body) values ('rolled back')"))
            with pytest.raises(OperationalError, match="no such table"):
                await conn.execute(text("select * from missing"))
            await conn.rollback()
            await conn.execute(text("insert into notes (body) values ('after the error')"))
            await conn.commit()
            rows = (await conn.execute(text("select body from notes"))).scalars().all()
    finally:
        await engine.dispose()
    assert rows == ["after the error"]


async def test_a_write_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """A CLI command writing to the file while the bot runs: the bot's write waits (the busy
    timeout) and then goes through."""
    path = tmp_path / "inline.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("create table notes (id integer primary key, body text)"))
        other.execute("begin immediate")
        other.execute("insert into notes (body) values ('by the command')")
        releases = threading.Timer(0.3, other.execute, ("commit",))
        releases.start()
        async with engine.begin() as conn:
            await conn.execute(text("insert into notes (body) values ('by the bot')"))
        releases.join()
        async with engine.connect() as conn:
            rows = (await conn.execute(text("select body from notes order by id"))).scalars().all()
    finally:
        other.close()
        await engine.dispose()
    assert rows == ["by the command", "by the bot"]
