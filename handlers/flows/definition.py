"""Guided walkthroughs as data: the validated shape of a flow file and reading the bundled ones.

A flow is a set of named steps. A step either asks a question with choice buttons, or asks for
a typed answer (yes/no, an age, a date, a postal code), or ends the flow with a summary and a
checklist. Where a step leads may depend on earlier answers (`Rule`). Answers are kept by the
id of the step that asked them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from faq.lexicon import Lang

IDENTIFIER = r"^[a-z][a-z0-9_]*$"
StepId = Annotated[str, Field(pattern=IDENTIFIER, max_length=24)]
FlowId = Annotated[str, Field(pattern=IDENTIFIER, max_length=16)]
InputKind = Literal["yes_no", "age", "date", "postal_code"]
Answer = str | int


class FlowError(Exception):
    """A flow file that cannot be read or does not have the flow shape."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(_Strict):
    """The same words in both languages (Telegram HTML)."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


class Range(_Strict):
    """A numeric answer within bounds: ``below`` excluded, ``at_least`` included."""

    below: int | None = None
    at_least: int | None = None


Condition = str | list[str] | Range


class Rule(_Strict):
    """Go to ``step`` when every condition on earlier answers holds (no condition: always)."""

    when: dict[StepId, Condition] = Field(default_factory=dict)
    step: StepId

    def holds(self, answers: dict[str, Answer]) -> bool:
        return all(_satisfies(answers.get(key), cond) for key, cond in self.when.items())


Next = StepId | list[Rule]


def _satisfies(value: Answer | None, condition: Condition) -> bool:
    if value is None:
        return False
    if isinstance(condition, Range):
        if not isinstance(value, int):
            return False
        return (condition.below is None or value < condition.below) and (
            condition.at_least is None or value >= condition.at_least
        )
    allowed = [condition] if isinstance(condition, str) else condition
    return str(value) in allowed


class Choice(_Strict):
    id: StepId
    label: Text
    next: Next


class Input(_Strict):
    kind: InputKind
    next: Next


class ChecklistItem(_Strict):
    text: Text
    when: dict[StepId, Condition] = Field(default_factory=dict)

    def applies(self, answers: dict[str, Answer]) -> bool:
        return all(_satisfies(answers.get(key), cond) for key, cond in self.when.items())


class Step(_Strict):
    text: Text
    choices: list[Choice] = Field(default_factory=list, max_length=8)
    input: Input | None = None
    checklist: list[ChecklistItem] = Field(default_factory=list)
    entries: list[str] = Field(default_factory=list, max_length=4)  # FAQ entries to open
    handover: FlowId | None = None  # another walkthrough offered at the end

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        if self.choices and self.input is not None:
            raise ValueError("a step offers choices or asks for an answer, not both")
        return self

    @property
    def is_end(self) -> bool:
        return not self.choices and self.input is None

    def targets(self) -> list[StepId]:
        """Every step this one may lead to."""
        nexts = [c.next for c in self.choices] + ([self.input.next] if self.input else [])
        found: list[str] = []
        for each in nexts:
            found.extend([each] if isinstance(each, str) else [rule.step for rule in each])
        return found


class Flow(_Strict):
    id: FlowId
    title: Text
    as_of: dt.date  # when the facts behind it were last checked
    sources: list[str] = Field(min_length=1)
    offered_from: list[str] = Field(default_factory=list)  # FAQ entries that offer this flow
    start: StepId
    steps: dict[StepId, Step] = Field(min_length=1)

    @property
    def revision(self) -> str:
        """A short fingerprint of the definition: a button or a saved position from another
        revision is recognised as outdated."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:6]

    def step(self, step_id: str) -> Step | None:
        return self.steps.get(step_id)


def resolve(next_: Next, answers: dict[str, Answer]) -> str | None:
    """The step ``next_`` leads to with these answers; None when no rule holds."""
    if isinstance(next_, str):
        return next_
    return next((rule.step for rule in next_ if rule.holds(answers)), None)


def read_flow(path: Path) -> Flow:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Flow.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise FlowError(f"{path.name}: {exc}") from exc


def bundled_flows() -> dict[str, Flow]:
    """The flows shipped in the package, by id."""
    folder = resources.files("handlers.flows") / "data"
    flows: dict[str, Flow] = {}
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".yaml"):
            with resources.as_file(item) as path:
                flow = read_flow(path)
            if flow.id in flows:
                raise FlowError(f"{item.name}: flow id {flow.id!r} used twice")
            flows[flow.id] = flow
    return flows
