"""Guided walkthroughs through the core: every path of every bundled flow, Back, Restart,
Cancel, resuming after a restart, outdated buttons, typed answers, safety first, the user's
data; and the checker that guards the flow files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.app import build_app
from bot.cli import main
from bot.config import Settings
from faq.telegram_html import to_plain
from handlers.callbacks import CallbackData, CallbackError, ConfirmForget, FlowButton
from handlers.events import Response
from handlers.flows.check import check_flows
from handlers.flows.definition import Flow, Range, Step, bundled_flows, resolve
from handlers.flows.engine import Walkthroughs
from handlers.i18n import Catalogs
from handlers.models import ConversationStateRow
from tests.conftest import Chat, only

FLOWS = bundled_flows()
# A typed answer of each kind, and ages either side of every bound the flows test.
SAMPLES = {"yes_no": ["oui", "non"], "date": ["14/07/1950"], "postal_code": ["75011"]}


def ages(flow: Flow) -> list[str]:
    bounds = {40}
    for step in flow.steps.values():
        rules = step.input.next if step.input and isinstance(step.input.next, list) else []
        for rule in rules:
            for condition in rule.when.values():
                if isinstance(condition, Range):
                    for bound in (condition.below, condition.at_least):
                        if bound is not None:
                            bounds |= {bound - 1, bound}
    return [f"{age} ans" for age in sorted(b for b in bounds if 0 <= b <= 120)]


@dataclass(frozen=True)
class Path_:
    """One way through a flow: what to press or type at each step, and where it ends."""

    actions: tuple[tuple[str, str | int], ...]  # ("choose", index) or ("type", text)
    steps: tuple[str, ...]


def paths(flow: Flow) -> Iterator[Path_]:
    def walk(step_id: str, answers: dict, actions: tuple, steps: tuple) -> Iterator[Path_]:
        step = flow.steps[step_id]
        steps = (*steps, step_id)
        if step.is_end:
            yield Path_(actions, steps)
            return
        if step.input is not None:
            samples = ages(flow) if step.input.kind == "age" else SAMPLES[step.input.kind]
            for text in samples:
                value = _value(step, text)
                target = resolve(step.input.next, {**answers, step_id: value})
                assert target is not None
                yield from walk(
                    target, {**answers, step_id: value}, (*actions, ("type", text)), steps
                )
            return
        for index, choice in enumerate(step.choices):
            target = resolve(choice.next, {**answers, step_id: choice.id})
            assert target is not None
            yield from walk(
                target, {**answers, step_id: choice.id}, (*actions, ("choose", index)), steps
            )

    yield from walk(flow.start, {}, (), ())


def _value(step: Step, text: str) -> str | int:
    from handlers.flows.inputs import READERS

    assert step.input is not None
    value = READERS[step.input.kind](text)
    assert value is not None, text
    return value


def flow_buttons(response: Response) -> list[FlowButton]:
    return [
        b.data
        for r in response.replies
        for row in r.buttons
        for b in row
        if isinstance(b.data, FlowButton)
    ]


def pressed(response: Response, action: str, choice: int = 0) -> str:
    for button in flow_buttons(response):
        if button.action == action and button.choice == choice:
            return button.pack()
    raise AssertionError(
        f"no {action}/{choice} button in {[r.text[:60] for r in response.replies]}"
    )


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
async def test_every_path_of_every_flow_reaches_its_end_through_the_core(app, flow_id: str) -> None:
    flow = FLOWS[flow_id]
    every = list(paths(flow))
    visited = {step for path in every for step in path.steps}
    assert visited == set(flow.steps), "a step no path reaches"
    # Each path is played in a chat of its own, in French and in English alternately.
    for number, path in enumerate(every):
        chat = Chat(app, user_id=10_000 + number, language_code="fr" if number % 2 else "en")
        response = await chat.say(f"/start {flow_id}")
        for kind, what in path.actions:
            if kind == "choose":
                assert isinstance(what, int)
                response = await chat.press(pressed(response, "c", what))
            else:
                response = await chat.say(str(what))
        end = flow.steps[path.steps[-1]]
        shown = only(response)
        lang = "fr" if number % 2 else "en"
        assert to_plain(end.text.get(lang))[:40] in to_plain(shown)
        total = len(path.steps)
        assert (f"Étape {total}/{total}" if lang == "fr" else f"Step {total}/{total}") in shown
        document = (await chat.press(pressed(response, "d"))).replies[0].document
        assert document is not None and document.filename == f"aide-memoire-{flow_id}.txt"
        assert "[ ]" in document.content.decode()


async def test_back_keeps_earlier_answers_and_restart_and_cancel_work(app) -> None:
    chat = Chat(app)
    first = await chat.say("/aidant")
    assert "Étape 1/" in only(first)
    second = await chat.press(pressed(first, "c", 1))
    assert "Étape 2/" in only(second) and second.replies[0].edit
    back = await chat.press(pressed(second, "b"))
    assert "Étape 1/" in only(back)
    again = await chat.press(pressed(back, "c", 1))
    assert only(again) == only(second)
    restarted = await chat.press(pressed(again, "r"))
    assert "Étape 1/" in only(restarted)
    assert "Parcours arrêté" in only(await chat.say("/annuler"))
    assert "rien à annuler" in only(await chat.say("/annuler"))
    async with app.sessions() as session:
        assert (await session.scalars(select(ConversationStateRow))).all() == []


async def test_a_user_resumes_after_a_restart_with_an_offer_to_start_again(
    settings: Settings,
) -> None:
    async with build_app(settings) as app:
        chat = Chat(app)
        step_two = await chat.press(pressed(await chat.say("/aidant"), "c", 0))
        where = only(step_two)
    async with build_app(settings) as restarted:  # a deploy, another instance
        chat = Chat(restarted)
        offer = await chat.say("/aidant")
        assert "étape 2/" in only(offer) and "Reprendre" in str(offer)
        resumed = await chat.press(pressed(offer, "k"))
        assert only(resumed) == where
        # The step's own buttons, from the message shown before the restart, still act.
        third = await chat.press(pressed(step_two, "c", 0))
        assert "Étape 3/" in only(third)


async def test_an_outdated_button_gets_a_notice_and_the_current_step(app) -> None:
    chat = Chat(app)
    first = await chat.say("/aidant")
    await chat.press(pressed(first, "c", 0))
    stale = await chat.press(pressed(first, "c", 2))  # a button of step 1, now at step 2
    assert stale.notice and "étape précédente" in stale.notice
    assert "Étape 2/" in only(stale)


async def test_a_changed_flow_definition_is_told_and_never_shows_a_wrong_step(app) -> None:
    chat = Chat(app)
    first = await chat.say("/aidant")
    second = await chat.press(pressed(first, "c", 0))
    walkthroughs: Walkthroughs = app.conversation.walkthroughs
    flow = walkthroughs.flows["caregiver"]
    reworded = flow.model_copy(update={"as_of": dt.date(2026, 12, 1)})
    walkthroughs.flows["caregiver"] = reworded  # a deploy changed the wording, not the steps
    stale = await chat.press(pressed(second, "c", 0))
    assert stale.notice and "Étape 2/" in only(stale)
    # Steps removed: the saved position no longer exists, so the flow starts again, and says so.
    renamed = {("renamed_" + k if k != flow.start else k): v for k, v in flow.steps.items()}
    walkthroughs.flows["caregiver"] = flow.model_copy(update={"steps": renamed})
    restarted = await chat.press(pressed(stale, "c", 0))
    assert restarted.notice and "recommence" in restarted.notice and "Étape 1/" in only(restarted)


async def test_typed_answers_are_validated_and_safety_comes_first(app) -> None:
    chat = Chat(app)
    response = await chat.say("/start close_or_oppose")
    while not any(b.action == "c" for b in flow_buttons(response)) or "âge" not in only(response):
        if "âge" in only(response):
            break
        response = await chat.press(pressed(response, "c", 0))
    assert "Écrivez un âge" in only(response)
    refused = only(await chat.say("douze"))
    assert "Je n'ai pas compris" in refused and "0 à 120" in refused
    assert "Je n'ai pas compris" in only(await chat.say("150 ans"))
    card = await chat.say("je ne veux plus vivre")
    assert "3114" in card.replies[0].text
    async with app.sessions() as session:
        state = await session.get(ConversationStateRow, chat.user_id)
    assert state is not None and state.step  # the walkthrough is kept
    moved_on = only(await chat.say("40 ans"))
    assert "Étape" in moved_on and "Je n'ai pas compris" not in moved_on


async def test_a_question_during_a_walkthrough_is_answered_with_a_way_back(app) -> None:
    chat = Chat(app)
    await chat.press(pressed(await chat.say("/aidant"), "c", 0))
    response = await chat.say("comment masquer un document")
    answer, reminder = (r.text for r in response.replies)
    assert "masquer" in answer.lower() and "vous attend à l'étape 2" in reminder
    resumed = await chat.press(pressed(response, "k"))
    assert "Étape 2/" in only(resumed)


async def test_an_faq_answer_offers_its_walkthrough_in_private_only(app) -> None:
    question = "un aidant peut il acceder a mon espace sante"
    private = await Chat(app).say(question)
    offer = next(b for b in flow_buttons(private) if b.action == "s")
    assert offer.flow == "caregiver"
    assert not flow_buttons(await Chat(app, user_id=9, group=-1005).say(question))
    started = await Chat(app).press(offer.pack())
    assert "Étape 1/" in only(started)
    refused = await Chat(app, user_id=9, group=-1005).press(offer.pack())
    assert refused.notice and "privée" in refused.notice and not refused.replies


async def test_my_data_shows_and_forget_erases_the_walkthrough(app) -> None:
    chat = Chat(app)
    await chat.press(pressed(await chat.say("/aidant"), "c", 0))
    response = await chat.say("/mesdonnees")
    assert "parcours « Aidants" in response.replies[0].text
    document = response.replies[1].document
    assert document is not None
    exported = json.loads(document.content)["walkthrough"]
    assert exported["flow"] == "caregiver" and exported["answers"] == {"who": "patient"}
    await chat.say("/oublier")
    await chat.press(ConfirmForget().pack())
    async with app.sessions() as session:
        assert await session.get(ConversationStateRow, chat.user_id) is None


async def test_abandoned_walkthroughs_expire(app) -> None:
    chat = Chat(app)
    await chat.say("/aidant")
    async with app.sessions() as session:
        await session.execute(
            update(ConversationStateRow).values(
                updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=73)
            )
        )
        await session.commit()
    await app.conversation.tidy()
    async with app.sessions() as session:
        assert (await session.scalars(select(ConversationStateRow))).all() == []


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("oui", "yes_no", "yes"),
        ("Non.", "yes_no", "no"),
        ("Yes!", "yes_no", "yes"),
        ("peut-être", "yes_no", None),
        ("42", "age", 42),
        ("42 ans", "age", 42),
        ("7 years old", "age", 7),
        ("quarante", "age", None),
        ("121", "age", None),
        ("-3", "age", None),
        ("14/07/1950", "date", "1950-07-14"),
        ("1-2-2001", "date", "2001-02-01"),
        ("31/02/1950", "date", None),
        ("14/07/2999", "date", None),
        ("1950", "date", None),
        ("75011", "postal_code", "75011"),
        ("20 000", "postal_code", "20000"),
        ("97400", "postal_code", "97400"),
        ("7501", "postal_code", None),
        ("00123", "postal_code", None),
        ("99000", "postal_code", None),
    ],
)
def test_typed_answers_are_read_in_both_languages(text: str, kind: str, expected: object) -> None:
    from handlers.flows.inputs import READERS

    assert READERS[kind](text) == expected  # type: ignore[index]


def test_the_bundled_flows_pass_the_check_and_the_cli_draws_them(
    catalog, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    walkthroughs = Walkthroughs(FLOWS, catalog)
    assert check_flows(walkthroughs, catalog.entries, Catalogs("fr")) == []
    assert main(["flows", "check"]) == 0
    assert "0 problems" in capsys.readouterr().out
    assert main(["flows", "graph", "caregiver"]) == 0
    graph = capsys.readouterr().out
    assert graph.startswith("flowchart TD") and "who -->" in graph
    assert main(["flows", "graph", "nothing"]) == 2


def test_the_check_refuses_what_would_break_a_walkthrough(catalog) -> None:
    """Each fault the checker exists for, planted in a copy of the caregiver flow."""
    flow = FLOWS["caregiver"]
    steps = dict(flow.steps)
    end = next(s for s, step in steps.items() if step.is_end)
    first = steps[flow.start]
    broken_choice = first.choices[0].model_copy(update={"next": "nowhere"})
    faults = {
        "does not exist": {flow.start: first.model_copy(update={"choices": [broken_choice]})},
        "cannot be reached": {"orphan": steps[end]},
        "unknown FAQ entry": {end: steps[end].model_copy(update={"entries": ["no.such"]})},
        "unknown flow": {end: steps[end].model_copy(update={"handover": "nosuchflow"})},
        "loop": {end: steps[flow.start]},
        "over 4096": {
            end: steps[end].model_copy(
                update={"text": steps[end].text.model_copy(update={"fr": "x" * 5000})}
            )
        },
        "not allowed by Telegram": {
            end: steps[end].model_copy(
                update={"text": steps[end].text.model_copy(update={"en": "<blink>x</blink>"})}
            )
        },
    }
    for expected, change in faults.items():
        broken = flow.model_copy(update={"steps": steps | change})
        walkthroughs = Walkthroughs({**FLOWS, "caregiver": broken}, catalog)
        problems = check_flows(walkthroughs, catalog.entries, Catalogs("fr"))
        assert any(expected in p for p in problems), (expected, problems)


def test_flow_buttons_are_bounded_and_typed() -> None:
    for raw in ("1:w:caregiver:who:c:9:abcdef", "1:w:caregiver:who:z:0:abcdef", "1:w:a:b:c:0"):
        with pytest.raises(CallbackError):
            CallbackData.unpack(raw)
    longest = FlowButton("x" * 16, "y" * 24, "c", 7, "abcdef").pack()
    assert len(longest.encode()) <= 64


def test_no_flow_file_names_a_machine_path() -> None:
    for path in Path("handlers/flows/data").glob("*.yaml"):
        assert "/work" not in path.read_text(encoding="utf-8")
