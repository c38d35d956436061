"""`mesbot flows check` and `mesbot flows graph`: every flow sound, and a flow drawn for review."""

from __future__ import annotations

from collections.abc import Iterable

from faq.telegram_html import MAX_MESSAGE_CHARS, check_html, to_plain
from handlers.callbacks import CallbackError
from handlers.flows.definition import Condition, Flow, Range, Step
from handlers.flows.engine import Walkthroughs
from handlers.flows.state import FlowState
from handlers.i18n import SUPPORTED, Catalogs


def check_flows(
    walkthroughs: Walkthroughs, entry_ids: Iterable[str], catalogs: Catalogs
) -> list[str]:
    """Every problem found, one line each naming the flow and step; empty when all is well."""
    known_entries = set(entry_ids)
    problems: list[str] = []
    for flow in walkthroughs.flows.values():
        problems += [f"{flow.id}: {p}" for p in _structure(flow, set(walkthroughs.flows))]
        problems += [f"{flow.id}: {p}" for p in _references(flow, known_entries)]
        if not any(p.startswith(f"{flow.id}:") for p in problems):
            problems += [f"{flow.id}: {p}" for p in _rendering(walkthroughs, flow, catalogs)]
    return problems


def _structure(flow: Flow, flow_ids: set[str]) -> list[str]:
    problems: list[str] = []
    if flow.start not in flow.steps:
        return [f"start step {flow.start!r} does not exist"]
    for step_id, step in flow.steps.items():
        for target in step.targets():
            if target not in flow.steps:
                problems.append(f"step {step_id!r} leads to {target!r}, which does not exist")
        for next_ in [c.next for c in step.choices] + ([step.input.next] if step.input else []):
            if isinstance(next_, list) and (not next_ or next_[-1].when):
                problems.append(f"step {step_id!r}: the last rule must have no condition")
        if step.handover is not None and step.handover not in flow_ids:
            problems.append(f"step {step_id!r} hands over to unknown flow {step.handover!r}")
        if step.handover is not None and not step.is_end:
            problems.append(f"step {step_id!r}: only an end step hands over")
    if problems:
        return problems
    reachable, cycle = _walk(flow)
    if cycle:
        problems.append(f"a loop through step {cycle!r}: a flow only moves forward")
    problems += [f"step {s!r} cannot be reached" for s in flow.steps if s not in reachable]
    problems += _conditions(flow)
    return problems


def _walk(flow: Flow) -> tuple[set[str], str | None]:
    """The steps reachable from the start, and a step on a loop if there is one."""
    reachable: set[str] = set()
    on_path: set[str] = set()
    cycle: str | None = None

    def visit(step_id: str) -> None:
        nonlocal cycle
        if step_id in on_path:
            cycle = cycle or step_id
            return
        if step_id in reachable:
            return
        reachable.add(step_id)
        on_path.add(step_id)
        for target in flow.steps[step_id].targets():
            visit(target)
        on_path.discard(step_id)

    visit(flow.start)
    return reachable, cycle


def _conditions(flow: Flow) -> list[str]:
    """Conditions may only read answers that can have been given before them (on some path: an
    answer not given fails its condition), with values the asking step can give."""
    problems: list[str] = []
    asked_before = _asked_before(flow)

    def check(where: str, answered: set[str], when: dict[str, Condition]) -> None:
        for key, condition in when.items():
            asker = flow.steps.get(key)
            if asker is None or key not in answered:
                problems.append(f"{where}: condition on {key!r}, which is never asked before")
                continue
            problems.extend(f"{where}: {p}" for p in _condition_values(key, asker, condition))

    for step_id, step in flow.steps.items():
        # A step's rules are read once it is answered: its own answer counts.
        answered = asked_before[step_id] | {step_id}
        for next_ in [c.next for c in step.choices] + ([step.input.next] if step.input else []):
            for rule in next_ if isinstance(next_, list) else []:
                check(f"step {step_id!r}", answered, rule.when)
        for item in step.checklist:
            check(f"checklist of {step_id!r}", asked_before[step_id], item.when)
    return problems


def _asked_before(flow: Flow) -> dict[str, set[str]]:
    """For each step, the steps that may have been answered on the way to it."""
    before: dict[str, set[str]] = {s: set() for s in flow.steps}
    for step_id in _topological(flow):
        for target in flow.steps[step_id].targets():
            before[target] |= before[step_id] | {step_id}
    return before


def _topological(flow: Flow) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(step_id: str) -> None:
        if step_id in seen:
            return
        seen.add(step_id)
        for target in flow.steps[step_id].targets():
            visit(target)
        order.append(step_id)

    visit(flow.start)
    return order[::-1]


def _condition_values(key: str, asker: Step, condition: Condition) -> list[str]:
    if isinstance(condition, Range):
        if asker.input is None or asker.input.kind != "age":
            return [f"a number range on {key!r}, which does not ask for an age"]
        return []
    values = [condition] if isinstance(condition, str) else condition
    if asker.choices:
        offered = {c.id for c in asker.choices}
    elif asker.input is not None and asker.input.kind == "yes_no":
        offered = {"yes", "no"}
    else:
        return [f"a value condition on {key!r}, whose answers are not a fixed set"]
    return [f"{key!r} never answers {v!r}" for v in values if v not in offered]


def _references(flow: Flow, entries: set[str]) -> list[str]:
    problems = [
        f"offered from unknown FAQ entry {e!r}" for e in flow.offered_from if e not in entries
    ]
    for step_id, step in flow.steps.items():
        problems += [
            f"step {step_id!r} links unknown FAQ entry {e!r}"
            for e in step.entries
            if e not in entries
        ]
    return problems


def _rendering(walkthroughs: Walkthroughs, flow: Flow, catalogs: Catalogs) -> list[str]:
    """Each step as the bot shows it, in each language, with every checklist item: within
    Telegram's limits, valid HTML, buttons packable."""
    problems: list[str] = []
    for lang in SUPPORTED:
        texts = catalogs.texts(lang)
        for step_id in flow.steps:
            # Two steps behind (Back and Restart shown) and every checklist item: the longest
            # form the step can take.
            state = FlowState(flow.id, flow.revision, step_id, {}, [flow.start] * 2)
            reply = walkthroughs.render(texts, flow, state, every_item=True)
            found, _, _ = check_html(reply.text)
            problems += [f"step {step_id!r} ({lang}): {p}" for p in found]
            if len(to_plain(reply.text)) > MAX_MESSAGE_CHARS:
                problems.append(f"step {step_id!r} ({lang}): over {MAX_MESSAGE_CHARS} characters")
            for row in reply.buttons:
                for button in row:
                    try:
                        if button.data is not None:
                            button.data.pack()
                    except CallbackError as exc:
                        problems.append(f"step {step_id!r}: {exc}")
    return problems


def mermaid(flow: Flow, lang: str = "fr") -> str:
    """The flow as a Mermaid diagram: steps as boxes (ends rounded), choices on the arrows."""
    lines = ["flowchart TD"]
    for step_id, step in flow.steps.items():
        first_line = to_plain(step.text.get(lang)).strip().split("\n")[0]
        words = _quote(first_line[:60] + ("…" if len(first_line) > 60 else ""))
        lines.append(f'    {step_id}(["{words}"])' if step.is_end else f'    {step_id}["{words}"]')
    for step_id, step in flow.steps.items():
        for choice in step.choices:
            for target, condition in _edges(choice.next):
                text = _quote(choice.label.get(lang) + (f" · {condition}" if condition else ""))
                lines.append(f'    {step_id} -->|"{text}"| {target}')
        if step.input is not None:
            for target, condition in _edges(step.input.next):
                text = _quote(step.input.kind + (f" · {condition}" if condition else ""))
                lines.append(f'    {step_id} -.->|"{text}"| {target}')
    return "\n".join(lines)


def _edges(next_: str | list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    if isinstance(next_, str):
        return [(next_, "")]
    return [(rule.step, _describe(rule.when)) for rule in next_]


def _describe(when: dict[str, Condition]) -> str:
    parts = []
    for key, condition in when.items():
        if isinstance(condition, Range):
            bounds = []
            if condition.at_least is not None:
                bounds.append(f"≥ {condition.at_least}")
            if condition.below is not None:
                bounds.append(f"< {condition.below}")
            parts.append(f"{key} {' '.join(bounds)}")
        else:
            parts.append(
                f"{key} = {condition if isinstance(condition, str) else '/'.join(condition)}"
            )
    return ", ".join(parts)


def _quote(text: str) -> str:
    return text.replace('"', "#quot;")
