"""Which messages are for the bot: in groups only what addresses it, read by both frameworks."""

from __future__ import annotations

from typing import Any

import pytest

from bot.botapi import BotIdentity
from bot.transports.addressing import addressed_text
from bot.transports.aiogram_transport import AiogramTransport
from bot.transports.base import Transport
from bot.transports.ptb_transport import PtbTransport

TOKEN = "123456:TEST-token_for-the-fake-api"
BOT = BotIdentity(123456, "mesbot_test_bot")
GROUP = -1001234567890


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bonjour tout le monde", None),  # group talk: not for the bot
        ("/aide", "/aide"),  # a bare command is for every bot of the group
        ("/aide@mesbot_test_bot", "/aide@mesbot_test_bot"),
        ("/aide@MesBot_Test_Bot", "/aide@MesBot_Test_Bot"),  # usernames ignore case
        ("/aide@autre_bot", None),
        ("@mesbot_test_bot comment activer mon profil", "comment activer mon profil"),
        (
            "Bonjour @MESBOT_TEST_BOT, comment masquer un document ?",
            "Bonjour  , comment masquer un document ?",
        ),
        ("@mesbot_test_bot", ""),  # a bare mention: the core asks for the question
        ("@mesbot_test_bot_fan a dit ça", None),  # another account's name
        ("écrivez à contact@mesbot_test_bot.fr", None),  # an address, not a mention
        ("/", None),
    ],
)
def test_in_a_group_only_what_addresses_the_bot_is_taken(text: str, expected: str | None) -> None:
    taken = addressed_text(text, private=False, reply_to_bot=False, username=BOT.username)
    assert taken == expected


def test_a_reply_to_the_bot_is_for_it_and_a_private_chat_is_all_for_it() -> None:
    assert addressed_text("et pour mon fils ?", private=False, reply_to_bot=True, username="b") == (
        "et pour mon fils ?"
    )
    assert addressed_text("bonjour", private=True, reply_to_bot=False, username="b") == "bonjour"
    # A command named for another bot is not ours even in private.
    assert addressed_text("/aide@autre_bot", private=True, reply_to_bot=False, username="b") is None


def _message(chat: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    return {
        "update_id": 10,
        "message": {
            "message_id": 5,
            "date": 1_700_000_000,
            "chat": chat,
            "from": {"id": 77, "is_bot": False, "first_name": "Ana", "language_code": "fr"},
            "text": text,
            **extra,
        },
    }


GROUP_CHAT = {"id": GROUP, "type": "supergroup", "title": "Association"}
BOT_USER = {"id": BOT.id, "is_bot": True, "first_name": "mesbot", "username": BOT.username}


@pytest.fixture(params=["ptb", "aiogram"])
def transport(request: pytest.FixtureRequest) -> Transport:
    built: Transport = (
        PtbTransport(TOKEN, "http://127.0.0.1:9")
        if request.param == "ptb"
        else AiogramTransport(TOKEN, "http://127.0.0.1:9")
    )
    built.identity = BOT  # what start() learns from getMe
    return built


def test_both_frameworks_read_group_messages_alike(transport: Transport) -> None:
    assert transport.parse(_message(GROUP_CHAT, "on se voit demain ?")) is None
    assert transport.parse(_message(GROUP_CHAT, "/stats@autre_bot")) is None

    mention = transport.parse(_message(GROUP_CHAT, "@mesbot_test_bot activer mon profil"))
    assert mention is not None
    event = mention.event
    assert (event.user_id, event.chat_id, event.private) == (77, GROUP, False)
    assert event.text == "activer mon profil"

    bot_message = {"message_id": 4, "date": 1, "chat": GROUP_CHAT, "from": BOT_USER, "text": "…"}
    reply = transport.parse(
        _message(GROUP_CHAT, "et pour un enfant ?", reply_to_message=bot_message)
    )
    assert reply is not None and reply.event.text == "et pour un enfant ?"

    someone = {**bot_message, "from": {"id": 78, "is_bot": False, "first_name": "Léa"}}
    assert transport.parse(_message(GROUP_CHAT, "d'accord", reply_to_message=someone)) is None


def test_both_frameworks_mark_private_chats_and_group_button_presses(transport: Transport) -> None:
    private = {"id": 77, "type": "private", "first_name": "Ana"}
    inbound = transport.parse(_message(private, "bonjour"))
    assert inbound is not None and inbound.event.private

    press = {
        "update_id": 11,
        "callback_query": {
            "id": "99",
            "chat_instance": "1",
            "from": {"id": 78, "is_bot": False, "first_name": "Léa"},
            "message": {
                "message_id": 4,
                "date": 1,
                "chat": GROUP_CHAT,
                "from": BOT_USER,
                "text": "…",
            },
            "data": "1:t",
        },
    }
    pressed = transport.parse(press)
    assert pressed is not None
    assert (pressed.event.user_id, pressed.event.chat_id, pressed.event.private) == (
        78,
        GROUP,
        False,
    )


def test_updates_are_not_read_before_the_bot_knows_its_name() -> None:
    with pytest.raises(RuntimeError):
        PtbTransport(TOKEN, "http://127.0.0.1:9").parse(_message(GROUP_CHAT, "/aide"))
