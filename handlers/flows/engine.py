"""Running walkthroughs: starting, answering, going back, resuming, and the checklist at the end.

The position is read from the database on every event and written back before the reply, so a
user continues on any instance after any restart. A button names the step and the revision of
the flow it was shown with: a press from an older message, or from before the flow changed,
gets a clear notice and the step the user is really at, never a wrong step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from faq.catalog import EntrySource
from faq.telegram_html import escape, to_plain
from handlers.callbacks import FlowButton, ShowEntry
from handlers.context import Context
from handlers.events import Button, Document, Keyboard, Reply, Response
from handlers.flows.definition import Flow, InputKind, Step, resolve
from handlers.flows.inputs import READERS
from handlers.flows.state import FlowState, FlowStates
from handlers.i18n import Texts
from handlers.keyboards import label

FILE_NAME = "aide-memoire-{flow}.txt"


@dataclass(frozen=True)
class Offer:
    """A walkthrough an FAQ answer proposes."""

    flow_id: str
    button: FlowButton


def longest_remaining(flow: Flow) -> dict[str, int]:
    """For each step, the most steps still ahead of it (0 at an end): with the steps taken, the
    progress shown ("Step 2/5") never promises fewer steps than a path may need."""
    memo: dict[str, int] = {}

    def ahead(step_id: str, seen: frozenset[str]) -> int:
        if step_id in memo:
            return memo[step_id]
        step = flow.steps.get(step_id)
        if step is None or step_id in seen:  # `flows check` refuses both; stay finite anyway
            return 0
        targets = step.targets()
        result = 1 + max(ahead(t, seen | {step_id}) for t in targets) if targets else 0
        memo[step_id] = result
        return result

    for step_id in flow.steps:
        ahead(step_id, frozenset())
    return memo


class Walkthroughs:
    """The bundled flows, run for the conversation; one instance per process."""

    def __init__(self, flows: dict[str, Flow], faq: EntrySource) -> None:
        self.flows = flows
        self._faq = faq
        self._ahead = {flow.id: longest_remaining(flow) for flow in flows.values()}

    def offer_for(self, entry_id: str) -> Offer | None:
        """The walkthrough an FAQ entry's answer proposes, if any."""
        for flow in self.flows.values():
            if entry_id in flow.offered_from:
                return Offer(flow.id, _start_button(flow))
        return None

    async def begin(self, ctx: Context, flow_id: str) -> Response:
        """Start the flow, or, when the user is already part-way through it, offer to go on."""
        flow = self.flows[flow_id]
        states = FlowStates(ctx.session)
        state = await states.get(ctx.event.user_id)
        part_way = state is not None and state.flow_id == flow_id and state.history
        if state is not None and part_way and self._still_valid(flow, state):
            return self._resume_offer(ctx.texts, flow, state)
        return await self._fresh(ctx, flow)

    async def press(self, ctx: Context, button: FlowButton) -> Response:
        flow = self.flows.get(button.flow)
        if flow is None:
            return Response(notice=ctx.texts._("This walkthrough no longer exists."))
        if button.action == "s":
            return await self.begin(ctx, flow.id)
        if button.action == "r":
            return await self._fresh(ctx, flow, edit=True)
        states = FlowStates(ctx.session)
        state = await states.get(ctx.event.user_id)
        if button.action == "x":
            return await self._cancel(ctx, state is not None and state.flow_id == flow.id)
        if state is None or state.flow_id != flow.id:
            return self._ended(ctx.texts, flow)
        if not self._still_valid(flow, state):
            return await self._fresh(
                ctx, flow, notice=ctx.texts._("This walkthrough was updated: it starts again.")
            )
        if state.revision != flow.revision:  # same steps, newer wording: carry on where they are
            state.revision = flow.revision
            await states.save(ctx.event.user_id, state)
        if button.action == "k":
            return Response.of(self.render(ctx.texts, flow, state))
        if button.step != state.step or button.revision != flow.revision:
            return Response(
                (self.render(ctx.texts, flow, state),),
                notice=ctx.texts._("That button is from an earlier step. Here is where you are."),
            )
        return await self._act(ctx, flow, state, button)

    async def on_text(self, ctx: Context, text: str) -> Response | None:
        """The typed answer to the current step, when it asks for one; None otherwise (the text
        is then a question for the FAQ)."""
        states = FlowStates(ctx.session)
        state = await states.get(ctx.event.user_id)
        if state is None:
            return None
        flow = self.flows.get(state.flow_id)
        step = flow.step(state.step) if flow is not None else None
        if flow is None or step is None or step.input is None:
            return None
        value = READERS[step.input.kind](text)
        if value is None:
            return Response.of(
                Reply(
                    self._refusal(ctx.texts, step.input.kind),
                    self._navigation(ctx.texts, flow, state),
                )
            )
        state.answers[state.step] = value
        return await self._advance(ctx, flow, state, resolve(step.input.next, state.answers))

    async def waiting(self, ctx: Context) -> Reply | None:
        """A reminder, beside an FAQ answer, of a walkthrough left part-way."""
        state = await FlowStates(ctx.session).get(ctx.event.user_id)
        if state is None:
            return None
        flow = self.flows.get(state.flow_id)
        step = flow.step(state.step) if flow is not None else None
        if flow is None or step is None or step.is_end:
            return None
        _ = ctx.texts._
        text = _("Your walkthrough “{title}” is waiting at step {number}.").format(
            title=escape(flow.title.get(ctx.texts.lang)), number=len(state.history) + 1
        )
        go_on = FlowButton(flow.id, state.step, "k", 0, flow.revision)
        stop = FlowButton(flow.id, state.step, "x", 0, flow.revision)
        return Reply(text, ((Button(_("▶️ Continue"), go_on), Button(_("✖️ Stop it"), stop)),))

    async def cancel(self, ctx: Context) -> Response | None:
        """``/annuler``: end the user's walkthrough; None when there is none."""
        if await FlowStates(ctx.session).get(ctx.event.user_id) is None:
            return None
        return await self._cancel(ctx, True)

    # --- acting on a press at the current step ---

    async def _act(
        self, ctx: Context, flow: Flow, state: FlowState, button: FlowButton
    ) -> Response:
        step = flow.steps[state.step]
        if button.action == "c":
            if button.choice >= len(step.choices):
                return Response.of(self.render(ctx.texts, flow, state))
            choice = step.choices[button.choice]
            state.answers[state.step] = choice.id
            return await self._advance(
                ctx, flow, state, resolve(choice.next, state.answers), edit=True
            )
        if button.action == "b":
            if state.history:
                state.step = state.history.pop()
                await FlowStates(ctx.session).save(ctx.event.user_id, state)
            return Response.of(self.render(ctx.texts, flow, state, edit=True))
        # "d": the checklist, once at the end
        if not step.is_end:
            return Response.of(self.render(ctx.texts, flow, state))
        return Response.of(
            Reply("", document=self._checklist_file(ctx.texts, flow, step, state)),
            notice=ctx.texts._("Here is your checklist."),
        )

    async def _advance(
        self,
        ctx: Context,
        flow: Flow,
        state: FlowState,
        next_step: str | None,
        *,
        edit: bool = False,
    ) -> Response:
        if next_step is None or next_step not in flow.steps:  # `flows check` prevents it
            return await self._fresh(
                ctx, flow, notice=ctx.texts._("This walkthrough was updated: it starts again.")
            )
        state.history.append(state.step)
        state.step = next_step
        await FlowStates(ctx.session).save(ctx.event.user_id, state)
        return Response.of(self.render(ctx.texts, flow, state, edit=edit))

    async def _fresh(
        self, ctx: Context, flow: Flow, *, edit: bool = False, notice: str | None = None
    ) -> Response:
        state = FlowState(flow.id, flow.revision, flow.start)
        await FlowStates(ctx.session).save(ctx.event.user_id, state)
        return Response((self.render(ctx.texts, flow, state, edit=edit),), notice=notice)

    async def _cancel(self, ctx: Context, had_one: bool) -> Response:
        _ = ctx.texts._
        if had_one:
            await FlowStates(ctx.session).delete(ctx.event.user_id)
            text = _("Walkthrough stopped. Ask a question whenever you like.")
        else:
            text = _("This walkthrough is already over.")
        return Response.of(Reply(text, edit=True))

    @staticmethod
    def _still_valid(flow: Flow, state: FlowState) -> bool:
        """Whether the saved position still exists in the flow as it is now."""
        return state.step in flow.steps and all(s in flow.steps for s in state.history)

    # --- what the user sees ---

    def render(
        self,
        texts: Texts,
        flow: Flow,
        state: FlowState,
        *,
        edit: bool = False,
        every_item: bool = False,
    ) -> Reply:
        """The step the user is at, as shown; ``every_item`` lists the whole checklist whatever
        the answers (for `flows check`, which measures the longest form)."""
        _ = texts._
        step = flow.steps[state.step]
        number = len(state.history) + 1
        total = number + self._ahead[flow.id].get(state.step, 0)
        header = "<b>{title}</b> · {progress}".format(
            title=escape(flow.title.get(texts.lang)),
            progress=_("Step {number}/{total}").format(number=number, total=total),
        )
        parts = [header, step.text.get(texts.lang).strip()]
        if step.input is not None:
            parts.append(f"<i>{self._hint(texts, step.input.kind)}</i>")
        if step.is_end:
            items = [
                item.text.get(texts.lang) for item in step.checklist if item.applies(state.answers)
            ]
            if items:
                heading = _("Your checklist")
                parts.append(f"<b>{heading}</b>\n" + "\n".join(f"☐ {item}" for item in items))
            parts.append(
                "<i>"
                + _("Information as of {date}: check monespacesante.fr or call 3422.").format(
                    date=texts.date(flow.as_of)
                )
                + "</i>"
            )
        return Reply("\n\n".join(parts), self._keyboard(texts, flow, step, state), edit=edit)

    def _keyboard(self, texts: Texts, flow: Flow, step: Step, state: FlowState) -> Keyboard:
        rows: list[tuple[Button, ...]] = [
            (Button(label(choice.label.get(texts.lang)), _press(flow, state, "c", index)),)
            for index, choice in enumerate(step.choices)
        ]
        if step.is_end:
            rows.append((Button(texts._("📄 Checklist as a file"), _press(flow, state, "d")),))
            entries = [self._faq.entries[e] for e in step.entries if e in self._faq.entries]
            rows.extend(
                (Button(label("📖 " + entry.block(texts.lang).question), ShowEntry(entry.id)),)
                for entry in entries
            )
            other = self.flows.get(step.handover) if step.handover else None
            if other is not None:
                title = other.title.get(texts.lang)
                rows.append((Button(label(f"🧭 {title}"), _start_button(other)),))
        return (*rows, *self._navigation(texts, flow, state))

    @staticmethod
    def _navigation(texts: Texts, flow: Flow, state: FlowState) -> Keyboard:
        _ = texts._
        row: list[Button] = []
        if state.history:
            row.append(Button(_("◀️ Back"), _press(flow, state, "b")))
            row.append(Button(_("🔄 Restart"), _press(flow, state, "r")))
        row.append(Button(_("✖️ Cancel"), _press(flow, state, "x")))
        return (tuple(row),)

    def _resume_offer(self, texts: Texts, flow: Flow, state: FlowState) -> Response:
        _ = texts._
        number = len(state.history) + 1
        total = number + self._ahead[flow.id].get(state.step, 0)
        text = _(
            "You already started “{title}” and stopped at step {number}/{total}. Continue where "
            "you left off, or start again?"
        ).format(title=escape(flow.title.get(texts.lang)), number=number, total=total)
        keyboard = (
            (Button(_("▶️ Continue"), _press(flow, state, "k")),),
            (Button(_("🔄 Start again"), _press(flow, state, "r")),),
        )
        return Response.of(Reply(text, keyboard))

    @staticmethod
    def _ended(texts: Texts, flow: Flow) -> Response:
        _ = texts._
        text = _("This walkthrough is no longer in progress.")
        keyboard = ((Button(_("🔄 Start again"), _start_button(flow)),),)
        return Response((Reply(text, keyboard),), notice=text)

    @staticmethod
    def _hint(texts: Texts, kind: InputKind) -> str:
        _ = texts._
        return {
            "yes_no": _("Type your answer: yes or no."),
            "age": _("Type an age in years, for example 42."),
            "date": _("Type a date as day/month/year, for example 14/07/1950."),
            "postal_code": _("Type a postal code, for example 75011."),
        }[kind]

    @staticmethod
    def _refusal(texts: Texts, kind: InputKind) -> str:
        _ = texts._
        return {
            "yes_no": _("I did not understand. Answer with yes or no."),
            "age": _("I did not understand. Type an age as a number of years, from 0 to 120."),
            "date": _(
                "I did not understand. Type a past date as day/month/year, for example 14/07/1950."
            ),
            "postal_code": _(
                "I did not understand. Type a French postal code of five digits, for example 75011."
            ),
        }[kind]

    @staticmethod
    def _checklist_file(texts: Texts, flow: Flow, step: Step, state: FlowState) -> Document:
        _ = texts._
        items = [
            item.text.get(texts.lang) for item in step.checklist if item.applies(state.answers)
        ]
        lines = [
            to_plain(flow.title.get(texts.lang)),
            _("Checklist of {date}").format(date=texts.date(dt.date.today())),
            "",
            *(f"[ ] {to_plain(item)}" for item in items),
            "",
            _("Information as of {date}: check monespacesante.fr or call 3422.").format(
                date=texts.date(flow.as_of)
            ),
            *(f"- {source}" for source in flow.sources),
            "",
            _("mesbot, a volunteer-run assistant: not an official service, no medical advice."),
        ]
        content = "\n".join(lines).encode("utf-8")
        return Document(
            FILE_NAME.format(flow=flow.id), content, _("Your checklist, to keep or print.")
        )


def _checklist(
    texts: Texts, step: Step, state: FlowState, *, every_item: bool = False
) -> list[str]:
    """The end step's checklist items that apply to the user's answers."""
    return [
        item.text.get(texts.lang)
        for item in step.checklist
        if every_item or item.applies(state.answers)
    ]


def _press(flow: Flow, state: FlowState, action: str, choice: int = 0) -> FlowButton:
    return FlowButton(flow.id, state.step, action, choice, flow.revision)


def _start_button(flow: Flow) -> FlowButton:
    return FlowButton(flow.id, flow.start, "s", 0, flow.revision)
