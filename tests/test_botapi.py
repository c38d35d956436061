"""The stand-in Bot API behaves like Telegram: what it accepts, refuses, delivers and fakes.

Spoken to with raw HTTP, as a client library would, and at the end through python-telegram-bot
and aiogram themselves.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.botapi import CALLBACK_QUERY_LIFETIME, NOT_MODIFIED, QUERY_TOO_OLD, FakeBotApi

TOKEN = "123456:TEST-token_x"
USER = 42
KEYBOARD = {"inline_keyboard": [[{"text": "Oui", "callback_data": "yes"}]]}


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class Client:
    """Raw Bot API calls: JSON by default, or form-encoded with JSON strings, as PTB sends."""

    def __init__(self, api: FakeBotApi, http: aiohttp.ClientSession) -> None:
        self.api = api
        self.http = http

    async def __call__(
        self, method: str, *, form: bool = False, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.api.api_base}/bot{self.api.token}/{method}"
        if form:
            encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            request = self.http.post(url, data=encoded)
        else:
            request = self.http.post(url, json=params)
        async with request as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert (status, body["ok"]) == (200, True), body
        return body["result"]

    async def refused(self, method: str, **params: Any) -> str:
        """The description of a 400, checking the error's shape on the way."""
        status, body = await self(method, **params)
        assert status == 400, body
        assert body["ok"] is False
        assert body["error_code"] == 400
        return body["description"]


@pytest.fixture
def call(api: FakeBotApi, http: aiohttp.ClientSession) -> Client:
    return Client(api, http)


# --- routing -------------------------------------------------------------------------------------


async def test_a_wrong_token_is_unauthorized(api: FakeBotApi, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{api.api_base}/bot123456:wrong/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }


async def test_method_names_are_case_insensitive_and_unknown_ones_not_found(call: Client) -> None:
    assert (await call.ok("GETME"))["id"] == 123456
    status, body = await call("sendCarrierPigeon")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert [(c.method, c.status) for c in call.api.errors] == [("sendCarrierPigeon", 404)]


async def test_get_me_is_a_bot_user(call: Client) -> None:
    me = await call.ok("getMe")
    assert me["id"] == 123456
    assert me["is_bot"] is True
    assert me["username"] == "mesbot_test_bot"
    assert me["can_join_groups"] is True


async def test_parameters_are_read_from_query_json_form_and_multipart(
    api: FakeBotApi, call: Client, http: aiohttp.ClientSession
) -> None:
    api.user_says(USER, "bonjour")
    url = f"{api.api_base}/bot{TOKEN}/sendMessage"
    async with http.get(url, params={"chat_id": str(USER), "text": "query"}) as response:
        assert response.status == 200
    await call.ok("sendMessage", chat_id=USER, text="json", reply_markup=KEYBOARD)
    await call("sendMessage", form=True, chat_id=USER, text="form", reply_markup=KEYBOARD)
    multipart = aiohttp.FormData()
    multipart.add_field("chat_id", str(USER))
    multipart.add_field("text", "multipart")
    multipart.add_field("reply_markup", json.dumps(KEYBOARD))
    multipart.add_field("unused", b"bytes", filename="x.bin")  # forces multipart/form-data
    async with http.post(url, data=multipart) as response:
        assert response.status == 200
    assert [m.text for m in api.sent] == ["query", "json", "form", "multipart"]
    assert [m.reply_markup for m in api.sent] == [None, KEYBOARD, KEYBOARD, KEYBOARD]
    # Recorded as Telegram reads them, whatever the encoding: numbers are numbers.
    assert {c.params["chat_id"] for c in api.calls_of("sendMessage")} == {USER}


# --- sendMessage ---------------------------------------------------------------------------------


async def test_send_message_answers_a_telegram_message(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour", first_name="Marie")
    message = await call.ok(
        "sendMessage",
        chat_id=USER,
        text="<b>Bien</b> reçu",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert message["message_id"] == 2  # the user's message was 1: one sequence per chat
    assert message["chat"] == {"id": USER, "type": "private", "first_name": "Marie"}
    assert message["from"]["id"] == 123456
    assert message["text"] == "Bien reçu"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert message["reply_markup"] == KEYBOARD
    assert isinstance(message["date"], int)
    [sent] = api.sent
    assert (sent.chat_id, sent.message_id, sent.kind) == (USER, 2, "message")
    assert (sent.text, sent.visible_text, sent.parse_mode) == (
        "<b>Bien</b> reçu",
        "Bien reçu",
        "HTML",
    )
    assert api.messages(USER) == [sent]


async def test_empty_and_blank_texts_are_refused(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    assert await call.refused("sendMessage", chat_id=USER) == "Bad Request: message text is empty"
    assert await call.refused("sendMessage", chat_id=USER, text="") == (
        "Bad Request: message text is empty"
    )
    assert await call.refused("sendMessage", chat_id=USER, text="  \n ") == (
        "Bad Request: text must be non-empty"
    )
    assert await call.refused("sendMessage", chat_id=USER, text="<b> </b>", parse_mode="HTML") == (
        "Bad Request: text must be non-empty"
    )


async def test_length_is_counted_on_the_visible_text(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    await call.ok("sendMessage", chat_id=USER, text="x" * 4096)
    await call.ok("sendMessage", chat_id=USER, text=f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    await call.ok("sendMessage", chat_id=USER, text="&amp;" * 4096, parse_mode="HTML")
    too_long = "Bad Request: message is too long"
    assert await call.refused("sendMessage", chat_id=USER, text="x" * 4097) == too_long
    html = f"<i>{'&lt;' * 4000}</i>{'y' * 97}"
    assert await call.refused("sendMessage", chat_id=USER, text=html, parse_mode="HTML") == too_long


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("ligne<br>suivante", 'Unsupported start tag "br" at byte offset 5'),
        ("é <p>x</p>", 'Unsupported start tag "p" at byte offset 3'),
        ("<b>gras", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("Q&A", "Character '&' at byte offset 1 must be escaped"),
        ("&nbsp;", "Character '&' at byte offset 0 must be escaped"),
        ("2 > 1", "Character '>' at byte offset 2 must be escaped"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_malformed_html_is_refused(
    api: FakeBotApi, call: Client, text: str, detail: str
) -> None:
    api.user_says(USER, "bonjour")
    description = await call.refused("sendMessage", chat_id=USER, text=text, parse_mode="HTML")
    assert description == f"Bad Request: can't parse entities: {detail}"


async def test_all_of_telegrams_html_is_accepted(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    text = (
        '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>'
        '<del>d</del><tg-spoiler>t</tg-spoiler><span class="tg-spoiler">p</span>'
        '<a href="https://example.org/?a=1&amp;b=2">lien</a><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre><blockquote expandable>q</blockquote>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        " &lt;&gt;&amp;&quot;&#39;&#x27;"
    )  # fmt: skip
    message = await call.ok("sendMessage", chat_id=USER, text=text, parse_mode="HTML")
    assert message["text"] == "bsieunskdtpliencx = 1q👍 <>&\"''"
    by_type = {entity["type"]: entity for entity in message["entities"]}
    assert by_type["text_link"]["url"] == "https://example.org/?a=1&b=2"
    assert by_type["pre"]["language"] == "python"
    assert "code" in by_type  # the lone <code>, not the one inside <pre>
    assert by_type["expandable_blockquote"]["length"] == 1
    assert by_type["custom_emoji"] == {
        "type": "custom_emoji",
        "offset": 22,
        "length": 2,
        "custom_emoji_id": "5368324170671202286",
    }


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        ("x" * 64, True),
        ("x" * 65, False),
        ("é" * 32, True),  # 64 bytes
        ("é" * 33, False),  # 33 characters but 66 bytes
        ("webinar:" + "é" * 28, True),  # 8 + 56 bytes
        ("webinar:" + "é" * 29, False),
    ],
)
async def test_callback_data_is_limited_to_64_bytes(
    api: FakeBotApi, call: Client, data: str, accepted: bool
) -> None:
    api.user_says(USER, "bonjour")
    markup = {"inline_keyboard": [[{"text": "B", "callback_data": data}]]}
    status, body = await call("sendMessage", chat_id=USER, text="t", reply_markup=markup)
    if accepted:
        assert status == 200
    else:
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


def keyboard(rows: int, per_row: int) -> dict[str, Any]:
    return {
        "inline_keyboard": [
            [{"text": f"{r}.{c}", "callback_data": f"{r}.{c}"} for c in range(per_row)]
            for r in range(rows)
        ]
    }


async def test_keyboards_are_limited_to_8_a_row_and_100_buttons(
    api: FakeBotApi, call: Client
) -> None:
    api.user_says(USER, "bonjour")
    await call.ok("sendMessage", chat_id=USER, text="t", reply_markup=keyboard(12, 8))
    await call.ok("sendMessage", chat_id=USER, text="t", reply_markup=keyboard(10, 10 - 2))
    too_many = "Bad Request: BUTTONS_TOO_MUCH"
    for markup in (keyboard(1, 9), keyboard(13, 8), keyboard(101, 1)):
        assert await call.refused("sendMessage", chat_id=USER, text="t", reply_markup=markup) == (
            too_many
        )


BUTTON = "can't parse inline keyboard button: "
TEXT_BUTTON = BUTTON + "Text buttons are unallowed in the inline keyboard"


def bad_url(url: str, reason: str) -> str:
    return f"inline keyboard button URL '{url}' is invalid: {reason}"


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"callback_data": "x"}, BUTTON + 'Can\'t find field "text"'),
        ({"text": "B"}, TEXT_BUTTON),
        ({"text": "B", "callback_data": ""}, TEXT_BUTTON),
        (
            {"text": "B", "callback_data": "x", "url": "https://example.org"},
            BUTTON + "exactly one of callback_data, url must be used",
        ),
        (
            {"text": "B", "url": "ftp://example.org"},
            bad_url("ftp://example.org", "Unsupported URL protocol"),
        ),
        (
            {"text": "B", "url": "http://localhost/x"},
            bad_url("http://localhost/x", "Wrong HTTP URL"),
        ),
        ({"text": "B", "url": "not-a-url"}, bad_url("not-a-url", "Wrong HTTP URL")),
    ],
)
async def test_invalid_buttons_are_refused(
    api: FakeBotApi, call: Client, button: dict[str, Any], description: str
) -> None:
    api.user_says(USER, "bonjour")
    markup = {"inline_keyboard": [[button]]}
    refused = await call.refused("sendMessage", chat_id=USER, text="t", reply_markup=markup)
    assert refused == f"Bad Request: {description}"


async def test_url_buttons_take_public_http_links(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    for url in ("https://www.monespacesante.fr/", "http://example.org/a?b=c", "tg://resolve?x"):
        markup = {"inline_keyboard": [[{"text": "Lien", "url": url}]]}
        await call.ok("sendMessage", chat_id=USER, text="t", reply_markup=markup)


async def test_only_chats_of_users_who_wrote_exist(api: FakeBotApi, call: Client) -> None:
    assert (
        await call.refused("sendMessage", chat_id=USER, text="t") == "Bad Request: chat not found"
    )
    assert await call.refused("sendMessage", chat_id="@someone", text="t") == (
        "Bad Request: chat not found"
    )
    assert await call.refused("sendMessage", text="t") == "Bad Request: chat_id is empty"
    api.user_says(USER, "bonjour")
    await call.ok("sendMessage", chat_id=str(USER), text="t")


async def test_send_document_uploads_a_file_with_a_caption(
    api: FakeBotApi, http: aiohttp.ClientSession
) -> None:
    api.user_says(USER, "bonjour")

    async def send(caption: str) -> tuple[int, dict[str, Any]]:
        form = aiohttp.FormData()
        form.add_field("chat_id", str(USER))
        form.add_field("caption", caption)
        form.add_field("parse_mode", "HTML")
        form.add_field("document", b"%PDF-1.4", filename="guide.pdf")
        url = f"{api.api_base}/bot{TOKEN}/sendDocument"
        async with http.post(url, data=form) as response:
            return response.status, await response.json()

    status, body = await send("<b>Le guide</b>")
    assert status == 200
    assert body["result"]["document"]["file_name"] == "guide.pdf"
    assert body["result"]["caption"] == "Le guide"
    [sent] = api.sent
    assert (sent.kind, sent.document, sent.text) == ("document", "guide.pdf", "<b>Le guide</b>")
    status, body = await send("x" * 1025)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")


# --- edits ---------------------------------------------------------------------------------------


async def test_edits_must_change_something(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    sent = await call.ok(
        "sendMessage", chat_id=USER, text="<b>Un</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    target = {"chat_id": USER, "message_id": sent["message_id"]}
    same = {"text": "<strong>Un</strong>", "parse_mode": "HTML", "reply_markup": KEYBOARD}
    assert await call.refused("editMessageText", **target, **same) == f"Bad Request: {NOT_MODIFIED}"
    # The same words without the bold are a change; so is a dropped keyboard.
    await call.ok("editMessageText", **target, text="Un", reply_markup=KEYBOARD)
    edited = await call.ok("editMessageText", **target, text="Un")
    assert "reply_markup" not in edited  # leaving reply_markup out removes the keyboard
    assert "edit_date" in edited
    [now] = api.messages(USER)
    assert (now.text, now.reply_markup) == ("Un", None)
    assert [edit.after.text for edit in api.edits] == ["Un", "Un"]
    assert api.sent[0].text == "<b>Un</b>"  # what was sent stays as sent


async def test_edits_of_missing_or_foreign_messages_are_refused(
    api: FakeBotApi, call: Client
) -> None:
    api.user_says(USER, "bonjour")  # message 1, the user's
    assert await call.refused("editMessageText", chat_id=USER, message_id=99, text="x") == (
        "Bad Request: message to edit not found"
    )
    assert await call.refused("editMessageText", chat_id=USER, message_id=1, text="x") == (
        "Bad Request: message can't be edited"
    )
    assert await call.refused("editMessageText", chat_id=7, message_id=1, text="x") == (
        "Bad Request: chat not found"
    )


async def test_edit_reply_markup(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    sent = await call.ok("sendMessage", chat_id=USER, text="Un", reply_markup=KEYBOARD)
    target = {"chat_id": USER, "message_id": sent["message_id"]}
    assert await call.refused("editMessageReplyMarkup", **target, reply_markup=KEYBOARD) == (
        f"Bad Request: {NOT_MODIFIED}"
    )
    result = await call.ok("editMessageReplyMarkup", **target)
    assert "reply_markup" not in result
    assert api.messages(USER)[0].reply_markup is None
    assert [edit.method for edit in api.edits] == ["editMessageReplyMarkup"]


# --- answerCallbackQuery -------------------------------------------------------------------------


async def test_callback_queries_are_answered_once_within_15_minutes(
    api: FakeBotApi, call: Client
) -> None:
    api.user_says(USER, "bonjour")
    sent = await call.ok("sendMessage", chat_id=USER, text="Oui ?", reply_markup=KEYBOARD)
    press = api.user_presses(USER, sent["message_id"], "yes")
    [update] = await call.ok("getUpdates", offset=press)
    query = update["callback_query"]
    assert query["id"] == api.callback_query_id(press)
    assert (query["data"], query["from"]["id"]) == ("yes", USER)
    assert query["message"]["message_id"] == sent["message_id"]
    too_old = f"Bad Request: {QUERY_TOO_OLD}"
    assert await call.refused("answerCallbackQuery", callback_query_id="123") == too_old
    assert await call.refused(
        "answerCallbackQuery", callback_query_id=query["id"], text="x" * 201
    ) == ("Bad Request: MESSAGE_TOO_LONG")
    assert await call.ok("answerCallbackQuery", callback_query_id=query["id"], text="C'est noté")
    assert await call.refused("answerCallbackQuery", callback_query_id=query["id"]) == too_old
    [answer] = api.callback_answers
    assert (answer.query_id, answer.text, answer.show_alert) == (query["id"], "C'est noté", False)

    late = api.callback_query_id(api.user_presses(USER, sent["message_id"], "yes"))
    api.advance_clock(CALLBACK_QUERY_LIFETIME + 1)
    assert await call.refused("answerCallbackQuery", callback_query_id=late) == too_old


async def test_users_press_only_buttons_they_were_shown(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    sent = await call.ok("sendMessage", chat_id=USER, text="Oui ?", reply_markup=KEYBOARD)
    with pytest.raises(ValueError, match="no button"):
        api.user_presses(USER, sent["message_id"], "no")
    with pytest.raises(ValueError, match="no message"):
        api.user_presses(USER, 999, "yes")
    api.user_presses(USER, sent["message_id"], "stale", check_button=False)


# --- getUpdates ----------------------------------------------------------------------------------


async def test_a_long_poll_wakes_as_soon_as_an_update_arrives(
    api: FakeBotApi, call: Client
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(call.ok("getUpdates", timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    update_id = api.user_says(USER, "/start aidant", language_code="en")
    [update] = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 2
    message = update["message"]
    assert update["update_id"] == update_id
    assert message["text"] == "/start aidant"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"]["language_code"] == "en"
    assert message["chat"]["id"] == USER


async def test_a_long_poll_without_updates_answers_empty_after_its_timeout(
    call: Client,
) -> None:
    started = time.monotonic()
    assert await call.ok("getUpdates", timeout=1) == []
    assert 0.9 < time.monotonic() - started < 2


async def test_updates_stay_until_a_later_offset_confirms_them(
    api: FakeBotApi, call: Client
) -> None:
    first = api.user_says(USER, "un")
    second = api.user_says(USER, "deux")
    assert [u["update_id"] for u in await call.ok("getUpdates")] == [first, second]
    assert [u["update_id"] for u in await call.ok("getUpdates", limit=1)] == [first]
    assert api.pending_updates() == 2  # reading confirms nothing
    assert [u["update_id"] for u in await call.ok("getUpdates", offset=first + 1)] == [second]
    assert api.pending_updates() == 1
    assert await call.ok("getUpdates", offset=second + 1) == []
    assert api.pending_updates() == 0


async def test_a_second_poller_ends_the_first_with_409(api: FakeBotApi, call: Client) -> None:
    first = asyncio.create_task(call("getUpdates", timeout=10))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(call("getUpdates", timeout=10))
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )
    api.user_says(USER, "bonjour")
    status, body = await asyncio.wait_for(second, 2)
    assert status == 200
    assert len(body["result"]) == 1


async def test_a_poller_that_gave_up_is_no_conflict(api: FakeBotApi, call: Client) -> None:
    # A client timing out (or cancelling its poll at shutdown) leaves no one to answer to.
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(call("getUpdates", timeout=10), 0.2)
    await asyncio.sleep(0.05)
    assert await call.ok("getUpdates", timeout=0) == []
    await api.wait_for(lambda: len(api.calls) == 2, what="the abandoned poll to end")
    assert api.errors == []
    assert [c.status for c in api.calls] == [200, None]


async def test_get_updates_conflicts_with_a_webhook(api: FakeBotApi, call: Client) -> None:
    waiting = asyncio.create_task(call("getUpdates", timeout=10))
    await asyncio.sleep(0.1)
    await call.ok("setWebhook", url="http://127.0.0.1:9/hook")
    message = (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )
    status, body = await asyncio.wait_for(waiting, 2)  # the waiting poll is ended
    assert (status, body["description"]) == (409, message)
    status, body = await call("getUpdates")
    assert (status, body["description"]) == (409, message)
    await call.ok("deleteWebhook")
    assert await call.ok("getUpdates") == []


async def test_allowed_updates_filters_what_is_created(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    sent = await call.ok("sendMessage", chat_id=USER, text="?", reply_markup=KEYBOARD)
    await call.ok("getUpdates", allowed_updates=["message"], offset=-1)
    api.user_presses(USER, sent["message_id"], "yes")
    api.user_says(USER, "encore")
    assert [list(u)[1] for u in await call.ok("getUpdates")] == ["message", "message"]


# --- webhooks ------------------------------------------------------------------------------------


class Receiver:
    """The bot's webhook endpoint: answers the given statuses in turn, then 200."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, Any], str | None]] = []

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.received.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver([])
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield receiver, str(server.make_url("/hook"))
    finally:
        await server.close()


async def test_webhook_pushes_updates_with_the_secret_and_retries_failures(
    api: FakeBotApi, call: Client, receiver: tuple[Receiver, str]
) -> None:
    bot, url = receiver
    bot.statuses = [500]
    api.webhook_backoff = 0.05
    await call.ok("setWebhook", url=url, secret_token="s3cret_-X")
    first = api.user_says(USER, "un")
    second = api.user_says(USER, "deux")
    await api.wait_for(lambda: api.pending_updates() == 0, what="both updates delivered")
    # The failed update came again, before the next one of the same chat.
    assert [(u["update_id"], secret) for u, secret in bot.received] == [
        (first, "s3cret_-X"),
        (first, "s3cret_-X"),
        (second, "s3cret_-X"),
    ]
    assert [(d.update_id, d.attempt, d.status) for d in api.webhook_deliveries] == [
        (first, 1, 500),
        (first, 2, 200),
        (second, 1, 200),
    ]
    info = await call.ok("getWebhookInfo")
    assert info["url"] == url
    assert info["pending_update_count"] == 0
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )


async def test_a_webhook_that_cannot_be_reached_keeps_its_updates(
    api: FakeBotApi, call: Client
) -> None:
    api.webhook_backoff = 0.05
    api.user_says(USER, "en attente")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await call.ok("setWebhook", url=f"http://127.0.0.1:{port}/nobody-listens")
    await api.wait_for(lambda: len(api.webhook_deliveries) >= 2)
    assert api.webhook_deliveries[0].status is None
    assert (await call.ok("getWebhookInfo"))["last_error_message"] == "Connection refused"
    await call.ok("deleteWebhook")  # back to polling: the update is still there
    assert len(await call.ok("getUpdates")) == 1
    await call.ok("deleteWebhook", drop_pending_updates=True)
    assert api.pending_updates() == 0


LOCAL_HOOK = "http://127.0.0.1:8080/h"
BAD_SECRET = "secret token contains unallowed characters"


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"url": LOCAL_HOOK, "secret_token": "a b"}, BAD_SECRET),
        ({"url": LOCAL_HOOK, "secret_token": "é"}, BAD_SECRET),
        ({"url": LOCAL_HOOK, "secret_token": "x" * 257}, BAD_SECRET),
        (
            {"url": "http://bot.example.org/h"},
            "bad webhook: HTTPS url must be provided for webhook",
        ),
        (
            {"url": "https://bot.example.org:8080/h"},
            "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
        ),
    ],
)
async def test_set_webhook_checks_its_url_and_secret(
    call: Client, params: dict[str, Any], description: str
) -> None:
    assert await call.refused("setWebhook", **params) == f"Bad Request: {description}"


async def test_set_webhook_accepts_a_256_character_secret(api: FakeBotApi, call: Client) -> None:
    assert await call.ok("setWebhook", url="https://bot.example.org/h", secret_token="A-_9" * 64)
    assert api.webhook_url == "https://bot.example.org/h"


# --- fault injection ----------------------------------------------------------------------------


async def test_injected_429_carries_retry_after(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    api.user_says(7, "bonjour")
    api.inject("sendMessage", 429, retry_after=5, times=2, chat_id=USER)
    await call.ok("sendMessage", chat_id=7, text="other chats are not concerned")
    for _ in range(2):
        status, body = await call("sendMessage", chat_id=USER, text="t")
        assert status == 429
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 5",
            "parameters": {"retry_after": 5},
        }
    await call.ok("sendMessage", chat_id=USER, text="t")
    assert [call.status for call in api.errors] == [429, 429]
    assert len(api.sent) == 2


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (502, "Bad Gateway"),
        (500, "Internal Server Error"),
        (403, "Forbidden: bot was blocked by the user"),
    ],
)
async def test_injected_errors(
    api: FakeBotApi, call: Client, status: int, description: str
) -> None:
    api.inject("getMe", status)
    got, body = await call("getMe")
    assert (got, body["error_code"], body["description"]) == (status, status, description)
    await call.ok("getMe")


async def test_a_blocked_user_refuses_sends_and_edits_until_they_write(
    api: FakeBotApi, call: Client
) -> None:
    api.user_says(USER, "bonjour")
    sent = await call.ok("sendMessage", chat_id=USER, text="un")
    api.block(USER)
    forbidden = (403, "Forbidden: bot was blocked by the user")
    status, body = await call("sendMessage", chat_id=USER, text="deux")
    assert (status, body["description"]) == forbidden
    status, body = await call(
        "editMessageText", chat_id=USER, message_id=sent["message_id"], text="x"
    )
    assert (status, body["description"]) == forbidden
    api.user_says(USER, "/start")  # writing again means they unblocked the bot
    await call.ok("sendMessage", chat_id=USER, text="re")


async def test_flood_limit_per_chat(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    api.user_says(7, "bonjour")
    api.flood_limit(per_chat_per_second=1)
    await call.ok("sendMessage", chat_id=USER, text="un")
    status, body = await call("sendMessage", chat_id=USER, text="deux")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    await call.ok("sendMessage", chat_id=7, text="another chat")
    api.advance_clock(1)
    await call.ok("sendMessage", chat_id=USER, text="deux")


async def test_flood_limit_overall(api: FakeBotApi, call: Client) -> None:
    for user in range(1, 5):
        api.user_says(user, "bonjour")
    api.flood_limit(global_per_second=3)
    for user in range(1, 4):
        await call.ok("sendMessage", chat_id=user, text="annonce")
    status, _ = await call("sendMessage", chat_id=4, text="annonce")
    assert status == 429


async def test_latency_slows_every_answer(api: FakeBotApi, call: Client) -> None:
    api.latency = 0.3
    started = time.monotonic()
    await call.ok("getMe")
    assert time.monotonic() - started >= 0.3


async def test_latency_delays_each_call_without_serialising_them(
    api: FakeBotApi, call: Client
) -> None:
    api.latency = 0.3
    started = time.monotonic()
    answers = await asyncio.gather(*(call("getMe") for _ in range(20)))
    elapsed = time.monotonic() - started
    assert [status for status, _ in answers] == [200] * 20
    assert 0.3 <= elapsed < 1.5  # one after the other, it would take 6 s


async def test_an_answer_the_client_gave_up_on_during_the_latency_is_not_heard(
    api: FakeBotApi, http: aiohttp.ClientSession
) -> None:
    api.user_says(USER, "bonjour")
    api.latency = 0.5
    url = f"{api.api_base}/bot{TOKEN}/sendMessage"
    with pytest.raises(TimeoutError):
        async with http.post(
            url, json={"chat_id": USER, "text": "t"}, timeout=aiohttp.ClientTimeout(total=0.1)
        ):
            pass
    await api.wait_for(lambda: bool(api.calls), what="the call to be recorded")
    # Sent (the user got it), but the bot never heard so: a retry would duplicate it.
    assert [m.text for m in api.sent] == ["t"]
    assert [c.status for c in api.calls_of("sendMessage")] == [None]


async def test_dropped_connections(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    api.drop_connection_next("sendMessage")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call("sendMessage", chat_id=USER, text="perdu")
    assert api.sent == []
    # After processing: the message is sent but the bot never hears so (retrying duplicates it).
    api.drop_connection_next("sendMessage", after_processing=True)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call("sendMessage", chat_id=USER, text="envoyé")
    assert [m.text for m in api.sent] == ["envoyé"]
    assert [c.status for c in api.calls_of("sendMessage")] == [None, None]
    await call.ok("sendMessage", chat_id=USER, text="ensuite")


# --- broadcasts: paid sends, random faults, many users -----------------------------------------


class FrozenClock:
    """Stops the server's clock, so that rate limits are checked at chosen instants."""

    def __init__(self, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
        self.time = 1_750_000_000.0
        monkeypatch.setattr(api, "now", lambda: self.time)

    def advance(self, seconds: float) -> None:
        self.time += seconds


@pytest.fixture
def clock(api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(api, monkeypatch)


async def send(call: Client, chat_id: int, paid: bool = False, **params: Any) -> int:
    """A sendMessage's status; with ``paid``, as a paid broadcast."""
    if paid:
        params["allow_paid_broadcast"] = True
    status, _ = await call("sendMessage", chat_id=chat_id, text="Webinaire", **params)
    return status


async def test_paid_broadcasts_are_marked_and_read_as_booleans(
    api: FakeBotApi, call: Client, http: aiohttp.ClientSession
) -> None:
    api.add_users([1, 2, 3, 4])
    await call.ok("sendMessage", chat_id=1, text="json", allow_paid_broadcast=True)
    await call("sendMessage", form=True, chat_id=2, text="form", allow_paid_broadcast=True)
    await call.ok("sendMessage", chat_id=3, text="free", allow_paid_broadcast=False)
    form = aiohttp.FormData()
    form.add_field("chat_id", "4")
    form.add_field("allow_paid_broadcast", "true")
    form.add_field("document", b"BEGIN:VCALENDAR", filename="webinaire.ics")
    async with http.post(f"{api.api_base}/bot{TOKEN}/sendDocument", data=form) as response:
        assert response.status == 200
    assert [(m.chat_id, m.kind, m.paid) for m in api.sent] == [
        (1, "message", True),
        (2, "message", True),
        (3, "message", False),
        (4, "document", True),
    ]
    params = [c.params["allow_paid_broadcast"] for c in api.calls]
    assert params == [True, True, False, True]


async def test_paid_sends_have_their_own_global_limit_and_do_not_use_the_free_one(
    api: FakeBotApi, call: Client, clock: FrozenClock
) -> None:
    api.add_users(range(1, 40))
    api.flood_limit(global_per_second=3, paid_per_second=5)
    assert [await send(call, chat, paid=True) for chat in range(1, 7)] == [200] * 5 + [429]
    # Five paid sends this second, yet the free limit is untouched.
    assert [await send(call, chat) for chat in range(10, 14)] == [200] * 3 + [429]
    assert [await send(call, chat, paid=True) for chat in (20, 21)] == [429, 429]
    clock.advance(1)
    assert [await send(call, chat, paid=True) for chat in range(22, 28)] == [200] * 5 + [429]
    assert [await send(call, chat) for chat in range(30, 34)] == [200] * 3 + [429]
    assert sum(m.paid for m in api.sent) == 10
    assert len(api.sent) == 16


async def test_without_a_paid_limit_paid_sends_escape_the_free_one(
    api: FakeBotApi, call: Client, clock: FrozenClock
) -> None:
    api.add_users(range(1, 60))
    api.flood_limit(global_per_second=3)
    assert [await send(call, chat, paid=True) for chat in range(1, 51)] == [200] * 50
    assert [await send(call, chat) for chat in range(51, 55)] == [200] * 3 + [429]


async def test_the_per_chat_limit_applies_to_paid_and_free_sends_alike(
    api: FakeBotApi, call: Client, clock: FrozenClock
) -> None:
    api.add_users([USER, 7])
    api.flood_limit(per_chat_per_second=1, global_per_second=30, paid_per_second=1000)
    assert await send(call, USER, paid=True) == 200
    status, body = await call("sendMessage", chat_id=USER, text="encore", allow_paid_broadcast=True)
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    assert await send(call, USER) == 429  # a paid send is a send to the chat all the same
    assert await send(call, 7) == 200
    clock.advance(1)
    assert await send(call, USER) == 200
    assert await send(call, USER, paid=True) == 429


async def test_the_global_limit_is_a_sliding_window(
    api: FakeBotApi, call: Client, clock: FrozenClock
) -> None:
    """At most 3 sends within any second, not 3 per calendar second."""
    api.add_users(range(1, 20))
    api.flood_limit(global_per_second=3)
    assert await send(call, 1) == 200  # at 0
    clock.advance(0.5)
    assert [await send(call, chat) for chat in (2, 3)] == [200, 200]  # at 0.5
    clock.advance(0.4)
    status, body = await call("sendMessage", chat_id=4, text="t")  # at 0.9
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    clock.advance(0.1)
    assert await send(call, 5) == 200  # at 1.0: the send at 0 has left the window
    clock.advance(0.2)
    assert await send(call, 6) == 429  # at 1.2: 0.5, 0.5 and 1.0 are within the second
    clock.advance(0.3)
    assert [await send(call, chat) for chat in (7, 8, 9)] == [200, 200, 429]  # at 1.5


async def test_a_rate_below_one_a_second_allows_one_send_per_interval(
    api: FakeBotApi, call: Client, clock: FrozenClock
) -> None:
    api.add_users(range(1, 10))
    api.flood_limit(paid_per_second=0.5)
    assert await send(call, 1, paid=True) == 200
    clock.advance(1)
    status, body = await call("sendMessage", chat_id=2, text="t", allow_paid_broadcast=True)
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    clock.advance(1)
    assert await send(call, 2, paid=True) == 200


async def test_flood_limit_refuses_rates_that_are_not_positive(api: FakeBotApi) -> None:
    for rates in ({"per_chat_per_second": 0}, {"global_per_second": -1}, {"paid_per_second": 0}):
        with pytest.raises(ValueError, match="positive"):
            api.flood_limit(**rates)


async def test_fail_randomly_fails_a_reproducible_fraction(api: FakeBotApi, call: Client) -> None:
    api.fail_randomly("getMe", 0.1, seed=1)
    statuses = [(await call("getMe"))[0] for _ in range(2000)]
    assert set(statuses) == {200, 502}
    failed = [status == 502 for status in statuses]
    assert 160 <= sum(failed) <= 240  # 10 % of 2,000, within 3 standard deviations
    draws = random.Random(1)
    assert failed == [draws.random() < 0.1 for _ in range(2000)]  # the seed's own draws
    status, body = await call("getMe")
    while status != 502:
        status, body = await call("getMe")
    assert body == {"ok": False, "error_code": 502, "description": "Bad Gateway"}

    api.fail_randomly("getMe", 0.1, seed=1)  # again: the draws start over
    assert [(await call("getMe"))[0] == 502 for _ in range(500)] == failed[:500]
    api.fail_randomly("getMe", 0.1, seed=2)
    assert [(await call("getMe"))[0] == 502 for _ in range(500)] != failed[:500]
    api.fail_randomly("getMe", 0)
    assert {(await call("getMe"))[0] for _ in range(200)} == {200}


async def test_randomly_failed_sends_take_no_effect_and_use_no_limit(
    api: FakeBotApi, call: Client
) -> None:
    api.add_users(range(1, 10))
    api.flood_limit(per_chat_per_second=1, global_per_second=3)
    api.fail_randomly("sendMessage", 1, status=500, description="Internal Server Error: oops")
    status, body = await call("sendMessage", chat_id=1, text="t")
    assert (status, body["description"]) == (500, "Internal Server Error: oops")
    assert [await send(call, chat) for chat in (1, 2, 3, 4, 5)] == [500] * 5
    assert api.sent == []
    assert api.messages(1) == []
    assert api.delivered_counts() == Counter()
    api.fail_randomly("sendMessage", 0)
    # Had the failures counted, chat 1 and the overall second would be spent.
    assert [await send(call, chat) for chat in (1, 2, 3, 4)] == [200, 200, 200, 429]


async def test_a_429_storm_carries_retry_after(api: FakeBotApi, call: Client) -> None:
    api.add_users(range(1, 201))
    api.fail_randomly("sendMessage", 0.3, status=429, retry_after=3, seed=5)
    answers = [await call("sendMessage", chat_id=chat, text="t") for chat in range(1, 201)]
    storms = [body for status, body in answers if status == 429]
    assert 30 <= len(storms) <= 90
    assert all(
        body["description"] == "Too Many Requests: retry after 3"
        and body["parameters"] == {"retry_after": 3}
        for body in storms
    )
    assert len(api.sent) == 200 - len(storms)
    api.fail_randomly("getMe", 1, status=429)
    status, body = await call("getMe")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})


async def test_injected_faults_come_before_random_ones(api: FakeBotApi, call: Client) -> None:
    api.fail_randomly("getMe", 1)
    api.inject("getMe", 403, times=2)
    assert [(await call("getMe"))[0] for _ in range(3)] == [403, 403, 502]


async def test_fail_randomly_checks_its_arguments(api: FakeBotApi) -> None:
    with pytest.raises(ValueError, match="fraction"):
        api.fail_randomly("sendMessage", 1.5)
    with pytest.raises(ValueError, match="status"):
        api.fail_randomly("sendMessage", 0.1, status=200)
    with pytest.raises(ValueError, match="429"):
        api.fail_randomly("sendMessage", 0.1, retry_after=2)
    with pytest.raises(ValueError, match="not a method"):
        api.fail_randomly("sendCarrierPigeon", 0.1)


async def test_add_users_lets_the_bot_write_to_them_without_updates(
    api: FakeBotApi, call: Client
) -> None:
    api.user_says(5, "bonjour", first_name="Marie")
    api.block(6)
    api.add_users(range(5, 10_005), language_code="en")
    [update] = await call.ok("getUpdates")  # Marie's message, the only update
    assert update["message"]["text"] == "bonjour"
    message = await call.ok("sendMessage", chat_id=9_999, text="Webinaire demain")
    assert message["message_id"] == 1
    assert message["chat"] == {"id": 9_999, "type": "private", "first_name": "Test"}
    assert (await call.ok("sendMessage", chat_id=5, text="t"))["chat"]["first_name"] == "Marie"
    status, body = await call("sendMessage", chat_id=6, text="t")  # still blocked
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    assert await call.refused("sendMessage", chat_id=10_005, text="t") == (
        "Bad Request: chat not found"
    )
    with pytest.raises(ValueError, match="positive integers"):
        api.add_users([20_000, -1])
    with pytest.raises(ValueError, match="positive integers"):
        api.add_users([True])
    assert await call.refused("sendMessage", chat_id=20_000, text="t") == (
        "Bad Request: chat not found"
    )  # nothing added from a refused list


async def test_delivered_counts_count_messages_that_took_effect(
    api: FakeBotApi, call: Client, http: aiohttp.ClientSession
) -> None:
    api.add_users([1, 2, 3])
    first = await call.ok("sendMessage", chat_id=1, text="un")
    await call.ok("sendMessage", chat_id=1, text="deux")
    await call.ok("editMessageText", chat_id=1, message_id=first["message_id"], text="1")
    form = aiohttp.FormData()
    form.add_field("chat_id", "2")
    form.add_field("document", b"%PDF-1.4", filename="guide.pdf")
    async with http.post(f"{api.api_base}/bot{TOKEN}/sendDocument", data=form) as response:
        assert response.status == 200
    api.drop_connection_next("sendMessage", after_processing=True)  # sent, answer lost
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await call("sendMessage", chat_id=2, text="perdu")
    await call.refused("sendMessage", chat_id=2, text="<b>", parse_mode="HTML")
    api.block(3)
    assert await send(call, 3) == 403
    counts = api.delivered_counts()
    assert counts == Counter({1: 2, 2: 2})
    counts[1] += 1  # a copy
    assert api.delivered_counts()[1] == 2
    assert [m.text for m in api.messages(1)] == ["1", "deux"]


async def test_a_broadcast_to_10000_users(
    api: FakeBotApi, call: Client, clock: FrozenClock
) -> None:
    """Paid sends at 1,000 a second, 5 % of calls failing with 502 and retried in the same
    second: every user gets the message exactly once, and no retry meets a 429."""
    users = range(1, 10_001)
    api.add_users(users)
    api.flood_limit(per_chat_per_second=1, global_per_second=30, paid_per_second=1000)
    api.fail_randomly("sendMessage", 0.05, seed=3)
    last = asyncio.create_task(api.next_messages(10_000, timeout=120))

    async def answered(chat_id: int) -> int:
        status = 502
        while status == 502:
            status = await send(call, chat_id, paid=True)
        return status

    for start in range(1, 10_001, 1000):
        batch = list(range(start, start + 1000))
        while batch:
            statuses = await asyncio.gather(*(send(call, chat, paid=True) for chat in batch))
            assert set(statuses) <= {200, 502}
            batch = [chat for chat, status in zip(batch, statuses, strict=True) if status == 502]
        if start + 1000 <= 10_000:
            assert await answered(start + 1000) == 429  # this second's 1,000 are spent
        clock.advance(1)
    [message] = await last
    assert message.chat_id == 10_000
    assert api.delivered_counts() == Counter(users)
    assert all(m.paid for m in api.sent)
    failed = [c.status for c in api.calls_of("sendMessage") if c.status != 200]
    assert failed.count(429) == 9
    assert 400 <= failed.count(502) <= 650  # about 5 % of some 10,500 calls


# --- commands ------------------------------------------------------------------------------------


def commands(command: str, description: str = "x") -> list[dict[str, str]]:
    return [{"command": command, "description": description}]


SCOPE = "can't parse BotCommandScope: "


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"commands": commands("Start")}, "BOT_COMMAND_INVALID"),
        ({"commands": commands("a" * 33)}, "BOT_COMMAND_INVALID"),
        ({"commands": commands("mes-donnees")}, "BOT_COMMAND_INVALID"),
        ({"commands": commands("")}, "command must be non-empty"),
        ({"commands": commands("aide", "")}, "command description must be non-empty"),
        ({"commands": commands("aide", " ")}, "command description must be non-empty"),
        ({"commands": commands("aide", "x" * 257)}, "BOT_COMMAND_DESCRIPTION_INVALID"),
        (
            {"commands": [{"command": "aide"}]},
            "can't parse BotCommand: Can't find field \"description\"",
        ),
        ({"commands": [], "scope": {"type": "everyone"}}, SCOPE + "Unsupported type specified"),
        ({"commands": [], "scope": {"type": "chat"}}, SCOPE + 'Can\'t find field "chat_id"'),
        ({"commands": [], "scope": {"type": "chat", "chat_id": 5}}, "chat not found"),
        ({"commands": [], "language_code": "french"}, "invalid language code specified"),
    ],
)
async def test_set_my_commands_validation(
    call: Client, params: dict[str, Any], description: str
) -> None:
    assert await call.refused("setMyCommands", **params) == f"Bad Request: {description}"


async def test_commands_are_kept_per_scope_and_language(api: FakeBotApi, call: Client) -> None:
    api.user_says(USER, "bonjour")
    aide = [{"command": "aide", "description": "Obtenir de l'aide"}]
    help_ = [{"command": "help", "description": "Get help"}]
    admin = [{"command": "stats", "description": "Statistiques"}]
    chat_scope = {"type": "chat", "chat_id": USER}
    await call.ok("setMyCommands", commands=aide)
    await call.ok("setMyCommands", commands=help_, language_code="en")
    await call("setMyCommands", form=True, commands=admin, scope=chat_scope)
    assert api.commands == {
        ("default", None, ""): [("aide", "Obtenir de l'aide")],
        ("default", None, "en"): [("help", "Get help")],
        ("chat", USER, ""): [("stats", "Statistiques")],
    }
    assert await call.ok("getMyCommands") == aide
    assert await call.ok("getMyCommands", language_code="en") == help_
    assert await call.ok("getMyCommands", scope=chat_scope) == admin
    assert await call.ok("getMyCommands", language_code="de") == []
    assert await call.ok("deleteMyCommands", language_code="en")
    assert await call.ok("getMyCommands", language_code="en") == []
    await call.ok("setMyCommands", commands=[])  # an empty list deletes too
    assert ("default", None, "") not in api.commands


# --- waiting helpers ----------------------------------------------------------------------------


async def test_next_messages_returns_each_message_once_whenever_it_came(
    api: FakeBotApi, call: Client
) -> None:
    api.user_says(USER, "bonjour")
    await call.ok("sendMessage", chat_id=USER, text="déjà là")
    [early] = await api.next_messages(USER)
    assert early.text == "déjà là"

    async def reply_later() -> None:
        await asyncio.sleep(0.1)
        await call.ok("sendMessage", chat_id=USER, text="un")
        await call.ok("sendMessage", chat_id=USER, text="deux")

    task = asyncio.create_task(reply_later())
    assert [m.text for m in await api.next_messages(USER, n=2)] == ["un", "deux"]
    await task
    await api.assert_no_new_messages(USER, within=0.05)


async def test_wait_for_fails_with_a_useful_message(api: FakeBotApi, call: Client) -> None:
    await call.ok("getMe")
    with pytest.raises(AssertionError, match=r"waiting for a reply; last calls: getMe->200"):
        await api.wait_for(lambda: bool(api.sent), timeout=0.1, what="a reply")


# --- the real client libraries -----------------------------------------------------------------


async def test_python_telegram_bot_speaks_to_it(api: FakeBotApi) -> None:
    import telegram

    api.user_says(USER, "/start")
    async with telegram.Bot(TOKEN, base_url=f"{api.api_base}/bot") as bot:
        me = await bot.get_me()
        assert (me.id, me.username) == (123456, "mesbot_test_bot")
        [update] = await bot.get_updates(timeout=1)
        assert update.message is not None
        assert update.message.text == "/start"
        markup = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Oui", callback_data="oui")]]
        )
        message = await bot.send_message(
            USER, "<b>Bonjour</b>", parse_mode="HTML", reply_markup=markup
        )
        assert message.text == "Bonjour"
        assert message.reply_markup == markup
        with pytest.raises(telegram.error.BadRequest, match=r"(?i)can't find end tag"):
            await bot.send_message(USER, "<b>oups", parse_mode="HTML")
    [sent] = api.sent
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "Oui", "callback_data": "oui"}]]}


async def test_aiogram_speaks_to_it(api: FakeBotApi) -> None:
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import TelegramRetryAfter
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    api.user_says(USER, "bonjour")
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.api_base)))
    try:
        me = await bot.get_me()
        assert (me.id, me.username) == (123456, "mesbot_test_bot")
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Oui", callback_data="oui")]]
        )
        message = await bot.send_message(
            USER, "<i>Bonjour</i>", parse_mode="HTML", reply_markup=markup
        )
        assert message.text == "Bonjour"
        assert message.reply_markup is not None
        assert message.reply_markup.inline_keyboard[0][0].callback_data == "oui"
        api.inject("sendMessage", 429, retry_after=3)
        with pytest.raises(TelegramRetryAfter) as raised:
            await bot.send_message(USER, "encore")
        assert raised.value.retry_after == 3
    finally:
        await bot.session.close()
    [sent] = api.sent
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "Oui", "callback_data": "oui"}]]}
