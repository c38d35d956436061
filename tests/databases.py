"""Throw-away databases for tests: a SQLite file, or a fresh PostgreSQL database when
``MESBOT_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

POSTGRES_URL = os.environ.get("MESBOT_TEST_POSTGRES_URL")
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
