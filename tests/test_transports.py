"""Each framework's adapter against the stand-in Bot API server, for what the conversation
tests do not reach yet (file uploads)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.runner import make_transport
from handlers.events import Document
from tests.botapi import FakeBotApi

USER = 6001


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_documents_are_uploaded_as_files(
    framework: str, api: FakeBotApi, settings: Settings
) -> None:
    api.user_says(USER, "/start")  # a bot writes only to users who wrote first
    settings = settings.model_copy(
        update={"framework": framework, "api_base": api.api_base, "token": SecretStr(api.token)}
    )
    transport = make_transport(settings, api.token)
    try:
        await transport.start()
        document = Document("mes-donnees.json", b'{"lang": "fr"}', "Vos <b>données</b>")
        message_id = await transport.api.send_document(USER, document, ())
    finally:
        await transport.close()

    (sent,) = [m for m in api.messages(USER) if m.kind == "document"]
    assert (sent.message_id, sent.document) == (message_id, "mes-donnees.json")
    assert sent.visible_text == "Vos données"


async def test_aiogram_answers_are_read_without_rebuilding_their_models(api: FakeBotApi) -> None:
    """pydantic keeps aiogram's Response[...] models only weakly; the transport holds each one
    from its method's first call, so a garbage collection between two calls does not make the
    next one build its model again."""
    from aiogram.methods import Response, SendMessage

    from bot.transports.aiogram_transport import AiogramTransport

    api.user_says(USER, "/start")  # a bot writes only to users who wrote first
    transport = AiogramTransport(api.token, api.api_base)
    try:
        await transport.start()
        await transport.api.send_message(USER, "bonjour", ())
        model = weakref.ref(Response[SendMessage.__returning__])
        gc.collect()
        assert model() is not None
    finally:
        await transport.close()
