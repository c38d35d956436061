"""Group chats through the core: who may press what, which commands stay private, and what a
group that removes the bot leaves behind. (Which group messages reach the core at all is the
transports' part: `test_addressing.py`.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.config import Settings
from faq.models import QuestionRow
from handlers.callbacks import NoneFits, Vote
from handlers.models import UserRow
from tests.conftest import Chat, only
from tests.test_conversation import callbacks

GROUP = -1001234567890
ADMIN = 900


@pytest.fixture
async def admin_app(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings.model_copy(update={"admin_ids": [ADMIN]})) as built:
        yield built


async def questions(app: App) -> list[QuestionRow]:
    async with app.sessions() as session:
        return list(await session.scalars(select(QuestionRow).order_by(QuestionRow.id)))


async def test_only_the_asker_can_vote_on_an_answer_in_a_group(app: App) -> None:
    asker, neighbour = Chat(app, user_id=1, group=GROUP), Chat(app, user_id=2, group=GROUP)
    answer = await asker.say("comment masquer un document")
    assert "masquer" in only(answer).lower()
    down = next(k for k in callbacks(answer) if isinstance(k, Vote) and k.value == -1)

    refused = await neighbour.press(down.pack())
    assert refused.notice and "personne qui a posé" in refused.notice and not refused.replies
    assert [(q.vote, q.needs_review) for q in await questions(app)] == [(None, False)]

    accepted = await asker.press(down.pack())
    assert accepted.notice and "👎" in accepted.notice
    assert [(q.vote, q.needs_review) for q in await questions(app)] == [(-1, True)]


async def test_only_the_asker_can_say_none_of_the_suggestions_fit_in_a_group(app: App) -> None:
    asker, neighbour = Chat(app, user_id=1, group=GROUP), Chat(app, user_id=2, group=GROUP)
    suggested = await asker.say("qui peut voir mon dossier")
    none = next(k for k in callbacks(suggested) if isinstance(k, NoneFits))
    refused = await neighbour.press(none.pack())
    assert refused.notice and not refused.replies
    assert [q.needs_review for q in await questions(app)] == [False]
    await asker.press(none.pack())
    assert [q.needs_review for q in await questions(app)] == [True]


async def test_a_button_from_a_private_chat_does_not_act_in_a_group(app: App) -> None:
    """The same person, but the button copied from their private chat into a group."""
    private, in_group = Chat(app, user_id=1), Chat(app, user_id=1, group=GROUP)
    answer = await private.say("comment masquer un document")
    up = next(k for k in callbacks(answer) if isinstance(k, Vote) and k.value == 1)
    refused = await in_group.press(up.pack())
    assert refused.notice and not refused.replies
    assert [q.vote for q in await questions(app)] == [None]


@pytest.mark.parametrize("command", ["/stats", "/mesdonnees", "/mydata", "/oublier"])
async def test_role_and_personal_data_commands_answer_only_in_private(
    admin_app: App, command: str
) -> None:
    """Not even an administrator's figures, nor anyone's data, are shown to a group."""
    response = await Chat(admin_app, user_id=ADMIN, group=GROUP).say(command)
    text = only(response)
    assert "privé" in text
    assert all(
        reply.document is None and reply.photo is None and not reply.buttons
        for reply in response.replies
    )
    assert "Questions" not in text


async def test_everyone_s_commands_work_in_a_group_and_unknown_ones_are_left_to_other_bots(
    app: App,
) -> None:
    member = Chat(app, user_id=3, group=GROUP)
    assert "/themes" in only(await member.say("/aide"))
    assert (await member.say("/commande_d_un_autre_bot")).replies == ()
    assert "inconnue" not in str(await member.say("/start"))


async def test_a_group_that_removes_the_bot_is_not_recorded_as_a_user(app: App) -> None:
    await app.conversation.blocked(GROUP)
    await app.conversation.blocked(7)
    async with app.sessions() as session:
        rows = list(await session.scalars(select(UserRow)))
    assert [(row.id, row.blocked_at is not None) for row in rows] == [(7, True)]
