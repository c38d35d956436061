"""The Sender against a scripted BotApi: splitting, retries, flood waits, blocked chats."""

from __future__ import annotations

import asyncio

import pytest

from bot.botapi import Blocked, BotIdentity, ChatMigrated, Rejected, RetryAfter, Unavailable
from bot.dispatch import MAX_QUEUED_PER_CHAT, InboundUpdate, UpdateDispatcher, UpdateFailed
from bot.flood import FloodGuard, Verdict
from bot.sender import RetryPolicy, Sender, SendFailed, split_message
from faq.telegram_html import check_html, to_plain
from handlers.callbacks import ShowEntry
from handlers.events import Button, Document, Incoming, Keyboard, Reply, Response


class ScriptedApi:
    """Records calls; ``failures`` maps a method to errors raised by its next calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | str, str]] = []
        self.failures: dict[str, list[Exception]] = {}
        self.next_id = 100

    async def _maybe_fail(self, method: str) -> None:
        queue = self.failures.get(method)
        if queue:
            raise queue.pop(0)

    async def get_me(self) -> BotIdentity:
        return BotIdentity(1, "bot")

    async def send_message(self, chat_id: int, text: str, keyboard: Keyboard) -> int:
        await self._maybe_fail("send_message")
        self.calls.append(("send_message", chat_id, text))
        self.next_id += 1
        return self.next_id

    async def send_document(self, chat_id: int, document: Document, keyboard: Keyboard) -> int:
        self.calls.append(("send_document", chat_id, document.filename))
        return 1

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard
    ) -> None:
        await self._maybe_fail("edit_message")
        self.calls.append(("edit_message", chat_id, text))

    async def answer_callback(self, query_id: str, text: str | None) -> None:
        await self._maybe_fail("answer_callback")
        self.calls.append(("answer_callback", query_id, text or ""))

    async def set_commands(
        self,
        commands: list[tuple[str, str]],
        language_code: str | None,
        chat_id: int | None = None,
    ) -> None:
        self.calls.append(("set_commands", language_code or "", str(len(commands))))


class Clock:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def api() -> ScriptedApi:
    return ScriptedApi()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender(api: ScriptedApi, clock: Clock) -> Sender:
    return Sender(api, policy=RetryPolicy(attempts=4, first_backoff=0.5), sleep=clock.sleep)


def test_split_keeps_short_text_whole() -> None:
    assert split_message("<b>court</b>") == ["<b>court</b>"]


def test_split_cuts_between_paragraphs_and_keeps_html_valid() -> None:
    text = "\n\n".join(f"<b>Partie {i}</b> " + "mot " * 400 for i in range(6))
    parts = split_message(text)
    assert len(parts) > 1
    for part in parts:
        assert len(to_plain(part)) <= 4096
        assert check_html(part)[0] == []
    assert "\n\n".join(parts) == text


def test_split_cuts_a_giant_line_as_escaped_text() -> None:
    parts = split_message("a &amp; b " * 2000)
    assert all(len(to_plain(p)) <= 4096 and check_html(p)[0] == [] for p in parts)
    assert "".join(to_plain(p) for p in parts) == "a & b " * 2000


async def test_long_reply_goes_out_in_order_with_buttons_on_the_last(
    sender: Sender, api: ScriptedApi
) -> None:
    buttons = ((Button("x", ShowEntry("general.what")),),)
    await sender.send(7, Reply("\n\n".join("p " * 1500 for _ in range(4)), buttons))
    assert [c[0] for c in api.calls] == ["send_message"] * len(api.calls)
    assert len(api.calls) >= 2


async def test_flood_wait_is_respected_then_retried(
    sender: Sender, api: ScriptedApi, clock: Clock
) -> None:
    api.failures["send_message"] = [RetryAfter("Too Many Requests: retry after 3", 3)]
    await sender.send(7, Reply("bonjour"))
    assert clock.slept == [3]
    assert api.calls == [("send_message", 7, "bonjour")]


async def test_server_errors_back_off_then_give_up(
    sender: Sender, api: ScriptedApi, clock: Clock
) -> None:
    api.failures["send_message"] = [Unavailable("Bad Gateway")] * 2
    await sender.send(7, Reply("bonjour"))
    assert clock.slept[0] == pytest.approx(0.5, rel=0.3) and clock.slept[1] == pytest.approx(
        1.0, rel=0.3
    )
    api.failures["send_message"] = [Unavailable("Bad Gateway")] * 10
    with pytest.raises(SendFailed):
        await sender.send(7, Reply("encore"))
    assert len(clock.slept) == 2 + 3


async def test_a_reply_to_a_group_that_became_a_supergroup_goes_to_the_new_chat(
    sender: Sender, api: ScriptedApi
) -> None:
    upgraded = "Bad Request: group chat was upgraded to a supergroup chat"
    api.failures["send_message"] = [ChatMigrated(upgraded, -100555)]
    await sender.play(-5, Response.of(Reply("un"), Reply("deux")))
    assert api.calls == [("send_message", -100555, "un"), ("send_message", -100555, "deux")]


async def test_a_button_edit_in_a_migrated_group_is_sent_anew_there(
    sender: Sender, api: ScriptedApi
) -> None:
    upgraded = "Bad Request: group chat was upgraded to a supergroup chat"
    api.failures["edit_message"] = [ChatMigrated(upgraded, -100555)]
    await sender.play(-5, Response.of(Reply("modifié", edit=True)), message_id=3)
    assert api.calls == [("send_message", -100555, "modifié")]


async def test_a_chat_that_migrates_twice_is_refused_not_followed(
    sender: Sender, api: ScriptedApi
) -> None:
    upgraded = "Bad Request: group chat was upgraded to a supergroup chat"
    api.failures["send_message"] = [ChatMigrated(upgraded, -100555), ChatMigrated(upgraded, -5)]
    with pytest.raises(ChatMigrated):
        await sender.play(-5, Response.of(Reply("un")))
    assert api.calls == []


async def test_blocked_chat_is_reported(api: ScriptedApi, clock: Clock) -> None:
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    sender = Sender(api, sleep=clock.sleep, on_blocked=on_blocked)
    api.failures["send_message"] = [Blocked("Forbidden: bot was blocked by the user")]
    with pytest.raises(Blocked):
        await sender.send(9, Reply("bonjour"))
    assert blocked == [9]


async def test_edit_falls_back_to_a_new_message_and_ignores_not_modified(
    sender: Sender, api: ScriptedApi
) -> None:
    api.failures["edit_message"] = [
        Rejected("Bad Request: message is not modified"),
        Rejected("Bad Request: message to edit not found"),
    ]
    await sender.play(
        7, Response.of(Reply("same", edit=True)), message_id=5, callback_query_id="q1"
    )
    await sender.play(
        7, Response.of(Reply("gone", edit=True)), message_id=6, callback_query_id="q2"
    )
    assert [c[0] for c in api.calls] == ["answer_callback", "send_message", "answer_callback"]


async def test_callback_is_answered_even_when_sending_fails(
    sender: Sender, api: ScriptedApi
) -> None:
    api.failures["send_message"] = [Rejected("Bad Request: chat not found")]
    with pytest.raises(Rejected):
        await sender.play(7, Response.of(Reply("x"), notice="n" * 300), callback_query_id="q")
    assert api.calls == [("answer_callback", "q", "n" * 200)]


async def test_one_chat_waiting_does_not_hold_another(api: ScriptedApi) -> None:
    release = asyncio.Event()

    async def slow_sleep(_seconds: float) -> None:
        await release.wait()

    sender = Sender(api, sleep=slow_sleep)
    api.failures["send_message"] = [RetryAfter("Too Many Requests: retry after 30", 30)]
    waiting = asyncio.create_task(sender.send(1, Reply("flooded chat")))
    await asyncio.sleep(0)
    await asyncio.wait_for(sender.send(2, Reply("other chat")), timeout=1)
    assert api.calls == [("send_message", 2, "other chat")]
    release.set()
    await waiting
    assert api.calls[-1] == ("send_message", 1, "flooded chat")


async def test_flood_guard_warns_once_per_burst() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, period=2.0, clock=lambda: now[0])
    verdicts = [await guard.check(1) for _ in range(20)]
    assert verdicts[:3] == [Verdict.ALLOW] * 3
    assert verdicts[3] == Verdict.WARN
    assert set(verdicts[4:]) == {Verdict.DROP}
    assert await guard.check(2) == Verdict.ALLOW
    now[0] = 2.5
    assert await guard.check(1) == Verdict.ALLOW


class StubConversation:
    """The core as the dispatcher sees it: an answer per event, or a hang."""

    def __init__(self, hang: asyncio.Event | None = None) -> None:
        self.hang = hang
        self.unanswered_events = 0

    async def handle(self, event: Incoming) -> Response:
        if self.hang is not None:
            await self.hang.wait()
        return Response.of(Reply("réponse"))

    async def unanswered(self, event: Incoming) -> None:
        self.unanswered_events += 1


async def test_by_polling_a_reply_lost_after_its_retries_is_counted_not_raised(
    api: ScriptedApi, clock: Clock
) -> None:
    sender = Sender(api, policy=RetryPolicy(attempts=2, first_backoff=0.1), sleep=clock.sleep)
    conversation = StubConversation()
    dispatcher = UpdateDispatcher(conversation=conversation, sender=sender)  # type: ignore[arg-type]
    api.failures["send_message"] = [Unavailable("Bad Gateway"), Unavailable("Bad Gateway")]
    await dispatcher.dispatch(InboundUpdate(Incoming(7, 7, "fr", text="q", update_id=1)))
    await dispatcher.drain()
    assert dispatcher.lost == 1 and conversation.unanswered_events == 1

    redelivered = UpdateDispatcher(
        conversation=conversation,  # type: ignore[arg-type]
        sender=sender,
        redelivered=True,
    )
    api.failures["send_message"] = [Unavailable("Bad Gateway"), Unavailable("Bad Gateway")]
    with pytest.raises(UpdateFailed):
        await redelivered.dispatch(InboundUpdate(Incoming(7, 7, "fr", text="q", update_id=2)))
    assert redelivered.lost == 0


async def test_drain_at_shutdown_is_bounded(api: ScriptedApi, clock: Clock) -> None:
    sender = Sender(api, sleep=clock.sleep)
    never = asyncio.Event()
    dispatcher = UpdateDispatcher(
        conversation=StubConversation(hang=never),  # type: ignore[arg-type]
        sender=sender,
        drain_seconds=0.2,
    )
    await dispatcher.dispatch(InboundUpdate(Incoming(8, 8, "fr", text="q", update_id=3)))
    await asyncio.wait_for(dispatcher.drain(), timeout=5)
    assert api.calls == []  # the hung update was given up, not answered


class HeldClock:
    """A flood wait that lasts until the test ends it."""

    def __init__(self) -> None:
        self.over = asyncio.Event()
        self.waiting = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.waiting.set()
        await self.over.wait()


async def test_by_polling_an_update_waiting_out_a_flood_limit_holds_no_framework_slot(
    api: ScriptedApi,
) -> None:
    """The framework runs a bounded number of updates at once: an update whose reply waits out
    a long 429 must give its slot back at once, and still be answered when the wait ends."""
    held = HeldClock()
    sender = Sender(api, sleep=held.sleep)
    dispatcher = UpdateDispatcher(conversation=StubConversation(), sender=sender)  # type: ignore[arg-type]
    api.failures["send_message"] = [RetryAfter("Too Many Requests", 300)]
    await asyncio.wait_for(
        dispatcher.dispatch(InboundUpdate(Incoming(9, 9, "fr", text="q", update_id=4))), timeout=1
    )
    await asyncio.wait_for(held.waiting.wait(), timeout=1)
    assert api.calls == []  # still waiting, off the framework's slot
    held.over.set()
    await dispatcher.drain()
    assert api.calls == [("send_message", 9, "réponse")]


async def test_a_batch_of_one_chats_updates_meets_the_per_chat_cap(api: ScriptedApi) -> None:
    """Updates handed over in one go, before any of them runs, still count against their chat."""
    held = HeldClock()
    sender = Sender(api, sleep=held.sleep)
    dispatcher = UpdateDispatcher(
        conversation=StubConversation(),  # type: ignore[arg-type]
        sender=sender,
        flood=FloodGuard(limit=1000),
    )
    api.failures["send_message"] = [RetryAfter("Too Many Requests", 300)]
    for number in range(20):
        await dispatcher.dispatch(InboundUpdate(Incoming(9, 9, "fr", text="q", update_id=number)))
    held.over.set()
    await dispatcher.drain()
    assert len(api.calls) == MAX_QUEUED_PER_CHAT
