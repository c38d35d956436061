"""Throw-away databases for tests: a SQLite file, or a fresh PostgreSQL database when
``MESBOT_TEST_POSTGRES_URL`` is set.

With ``MESBOT_TEST_BACKEND=postgresql`` as well, the whole suite's app runs on PostgreSQL
(`make test` does both when the URL is set): each test gets a copy of a template database that
was migrated, and given the bundled FAQ, once per run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

POSTGRES_URL = os.environ.get("MESBOT_TEST_POSTGRES_URL")
BACKEND = os.environ.get("MESBOT_TEST_BACKEND", "sqlite")
T = TypeVar("T")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL,
            reason="MESBOT_TEST_POSTGRES_URL is not set (no PostgreSQL to test on)",
        ),
    ),
]


@asynccontextmanager
async def scratch_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}"
        return
    assert POSTGRES_URL is not None
    async with scratch_postgres(POSTGRES_URL) as url:
        yield url


@asynccontextmanager
async def scratch_postgres(server_url: str, prefix: str = "mesbot_test") -> AsyncIterator[str]:
    """A new, empty database on a PostgreSQL server, dropped afterwards (also by the bench)."""
    server = make_url(server_url).set(drivername="postgresql+asyncpg")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def in_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end in an event loop of its own, from synchronous code (a fixture)
    and whatever loop the calling thread has."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def create_template(server_url: str) -> str:
    """A database migrated and holding the bundled FAQ, to copy for each test."""
    from bot.app import prepare_database  # the app, only when a template is asked for
    from bot.config import Settings

    server = make_url(server_url).set(drivername="postgresql+asyncpg")
    name = f"mesbot_template_{uuid.uuid4().hex[:12]}"
    await _execute(server, f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = await prepare_database(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    await engine.dispose()
    return url


async def copy_of(template_url: str) -> str:
    template = make_url(template_url)
    name = f"mesbot_test_{uuid.uuid4().hex[:12]}"
    await _execute(template, f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"')
    return template.set(database=name).render_as_string(hide_password=False)


async def drop(url: str) -> None:
    await _execute(
        make_url(url), f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'
    )


async def _execute(url: URL, statement: str) -> None:
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()
