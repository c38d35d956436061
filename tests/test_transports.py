"""Each framework's adapter against the stand-in Bot API server, for what the conversation
tests do not reach yet (file uploads)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.botapi import BotApiError, ChatMigrated, Conflict, Rejected, Unauthorized
from bot.config import Settings
from bot.runner import make_transport
from bot.sender import RetryPolicy, Sender
from handlers.events import Document, Reply
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


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, Unauthorized),  # the token was revoked while running
        (409, Conflict),  # another process polls with this token
        (413, Rejected),  # a file over the limit
    ],
)
async def test_telegram_refusals_are_translated_and_not_retried_as_server_faults(
    framework: str,
    status: int,
    expected: type[BotApiError],
    api: FakeBotApi,
    settings: Settings,
) -> None:
    api.user_says(USER, "/start")  # a bot writes only to users who wrote first
    settings = settings.model_copy(
        update={"framework": framework, "api_base": api.api_base, "token": SecretStr(api.token)}
    )
    transport = make_transport(settings, api.token)
    try:
        await transport.start()
        api.inject("sendMessage", status)
        sender = Sender(transport.api, policy=RetryPolicy(attempts=3, first_backoff=0.01))
        with pytest.raises(expected):
            await sender.send(USER, Reply("bonjour"))
    finally:
        await transport.close()
    assert len(api.calls_of("sendMessage")) == 1


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_a_group_turned_supergroup_is_followed_to_its_new_id(
    framework: str, api: FakeBotApi, settings: Settings
) -> None:
    old, new = -4001, -1004001
    api.add_group(old, supergroup=False)
    api.add_group(new)
    settings = settings.model_copy(
        update={"framework": framework, "api_base": api.api_base, "token": SecretStr(api.token)}
    )
    transport = make_transport(settings, api.token)
    try:
        await transport.start()
        api.inject("sendMessage", 400, migrate_to_chat_id=new, chat_id=old)
        with pytest.raises(ChatMigrated) as raised:  # what the transport says, translated
            await transport.api.send_message(old, "bonjour", ())
        assert raised.value.new_chat_id == new
        api.inject("sendMessage", 400, migrate_to_chat_id=new, chat_id=old)
        await Sender(transport.api).send(old, Reply("bonjour"))  # what the bot does with it
    finally:
        await transport.close()
    assert [m.text for m in api.messages(new)] == ["bonjour"]
    assert api.messages(old) == []
