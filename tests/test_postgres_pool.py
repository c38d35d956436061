"""PostgreSQL connections that the server closed are replaced before an update uses them."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import create_engine
from tests.databases import POSTGRES_URL, scratch_postgres

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="MESBOT_TEST_POSTGRES_URL is not set (no PostgreSQL to test on)"
)


async def test_a_connection_the_server_ended_is_not_handed_out() -> None:
    assert POSTGRES_URL is not None
    async with scratch_postgres(POSTGRES_URL) as url:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            # The pooled connection is ended by the server, as a restart or an administrator
            # would; the client learns it when its event loop reads the end of the stream.
            admin = create_async_engine(POSTGRES_URL)
            async with admin.connect() as conn:
                await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            await admin.dispose()
            await asyncio.sleep(0.5)

            async with engine.connect() as conn:
                second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            assert second != first
        finally:
            await engine.dispose()
