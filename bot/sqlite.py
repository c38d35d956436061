"""SQLite connections for SQLAlchemy's async engine that run each call on the event loop.

aiosqlite sends every call (cursor, execute, fetch, close, commit) to a thread of its own and
waits for the answer: nine round trips for a question. A statement here takes tens of
microseconds, while each round trip costs a thread switch, and under load a wait for the GIL
that the event loop holds; the bot then spent more on the round trips than on its queries
(docs/benchmarks.md). These connections keep aiosqlite's interface, which SQLAlchemy's
``sqlite+aiosqlite`` dialect drives, but run each call at once on the caller's thread.

What a thread would have absorbed now pauses the event loop instead: waiting for another
process's write lock (up to the busy timeout) and WAL checkpoints. With one pooled connection,
every update waited for those anyway.

aiosqlite funnels every call through its queue to the thread (``Connection._tx``), so the queue
is the one thing replaced (aiosqlite is pinned to the minor version this was written for);
``tests/test_sqlite.py`` checks that no thread is started.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine, Generator
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import URL, Dialect


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its thread: runs each call as it is queued."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        if future is None:  # nobody awaits the call: its error, if any, goes to the caller
            function()
            return
        try:
            result = function()
        except Exception as exc:  # for the awaiting caller, as aiosqlite's thread does
            future.set_exception(exc)
        else:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection without its thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()  # type: ignore[return-value]


def inline_creator(
    dialect: Dialect, url: URL, **options: Any
) -> Callable[[], Coroutine[Any, Any, InlineConnection]]:
    """An ``async_creator`` for `create_async_engine`: connections to the database of ``url``,
    opened with the arguments SQLAlchemy would give sqlite3, plus ``options``."""
    args, kwargs = dialect.create_connect_args(url)
    connector = partial(sqlite3.connect, *args, **(kwargs | options))

    async def connect() -> InlineConnection:
        return await InlineConnection(connector)

    return connect
