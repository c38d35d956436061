"""The real bot running in the test's event loop, against the stand-in Bot API server."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.config import Settings
from bot.runner import run_bot
from tests.botapi import FakeBotApi, SentMessage


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


def on_telegram(settings: Settings, api: FakeBotApi, framework: str, **more: Any) -> Settings:
    """``settings`` for a bot on the stand-in server through ``framework``, typing faster than
    people (no anti-flood), with ``more`` on top."""
    return settings.model_copy(
        update={
            "token": SecretStr(api.token),
            "api_base": api.api_base,
            "framework": framework,
            "flood_limit": 100,
            **more,
        }
    )


async def mesbot_cli(settings: Settings, *args: str) -> str:
    """``mesbot ARGS`` in its own process on ``settings``' database; its standard output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESBOT_")}
    env |= {
        "PYTHONPATH": str(Path(__file__).parent.parent),
        "MESBOT_DATABASE_URL": settings.database_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


def labels(message: SentMessage) -> list[str]:
    markup = message.reply_markup or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def showing(api: FakeBotApi, chat: int, label: str, timeout: float = 10) -> SentMessage:  # noqa: ASYNC109 - a deadline for a condition
    """The bot's newest message in the chat with a button ``label``, once there is one."""
    found: list[SentMessage] = []

    def shown() -> bool:
        found[:] = [m for m in api.messages(chat) if label in labels(m)][-1:]
        return bool(found)

    await api.wait_for(shown, timeout=timeout, what=f"a button {label!r}")
    return found[0]


async def press(api: FakeBotApi, chat: int, label: str, timeout: float = 10) -> None:  # noqa: ASYNC109 - a deadline for a condition
    """Press ``label`` on the bot's newest message in the chat that shows it."""
    message = await showing(api, chat, label, timeout)
    markup = message.reply_markup or {}
    data = next(
        b["callback_data"] for row in markup["inline_keyboard"] for b in row if b["text"] == label
    )
    api.user_presses(chat, message.message_id, data)
