"""The real bot running in the test's event loop, against the stand-in Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.runner import run_bot
from tests.botapi import FakeBotApi


@asynccontextmanager
async def running(settings: Settings, api: FakeBotApi) -> AsyncIterator[None]:
    """The bot running in this event loop until the block ends, then stopped gracefully."""
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop, ready))
    await api.wait_for(lambda: ready.is_set() or task.done(), timeout=20, what="the bot to start")
    if task.done():
        task.result()
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
