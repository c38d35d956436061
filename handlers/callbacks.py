"""Typed, versioned, compact callback data for inline buttons.

Each kind of button is a frozen dataclass registered under a one-letter prefix. Packed form:
``<version>:<prefix>:<field>:<field>`` — a few bytes, always checked against Telegram's 64.
Data packed by an older version of the bot no longer unpacks, and the user is told the button
has expired instead of getting a wrong answer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_type_hints

VERSION = "1"
MAX_BYTES = 64
_SEPARATOR = ":"


class CallbackError(ValueError):
    """Callback data that is malformed, unknown or from another version."""


class CallbackData:
    prefix: ClassVar[str]
    _registry: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix in CallbackData._registry:
            raise TypeError(f"callback prefix {prefix!r} used twice")
        cls.prefix = prefix
        CallbackData._registry[prefix] = cls

    def pack(self) -> str:
        parts = [VERSION, self.prefix]
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = str(getattr(self, f.name))
            if _SEPARATOR in value:
                raise CallbackError(f"{f.name} may not contain {_SEPARATOR!r}")
            parts.append(value)
        packed = _SEPARATOR.join(parts)
        if len(packed.encode()) > MAX_BYTES:
            raise CallbackError(f"callback data over {MAX_BYTES} bytes: {packed!r}")
        return packed

    @staticmethod
    def unpack(raw: str) -> CallbackData:
        parts = raw.split(_SEPARATOR)
        if len(parts) < 2 or parts[0] != VERSION:
            raise CallbackError("callback data from another version")
        cls = CallbackData._registry.get(parts[1])
        if cls is None:
            raise CallbackError(f"unknown callback prefix {parts[1]!r}")
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        if len(fields) != len(parts) - 2:
            raise CallbackError("wrong number of fields")
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f, text in zip(fields, parts[2:], strict=True):
            kind = hints[f.name]
            try:
                values[f.name] = int(text) if kind is int else text
            except ValueError as exc:
                raise CallbackError(f"{f.name} is not a number") from exc
        try:
            return cls(**values)
        except ValueError as exc:
            raise CallbackError(str(exc)) from exc


@dataclass(frozen=True)
class ShowEntry(CallbackData, prefix="e"):
    entry_id: str


@dataclass(frozen=True)
class Vote(CallbackData, prefix="v"):
    question_id: int
    entry_id: str
    value: int

    def __post_init__(self) -> None:
        if self.value not in (1, -1):
            raise ValueError("a vote is 1 or -1")


@dataclass(frozen=True)
class NoneFits(CallbackData, prefix="n"):
    question_id: int


@dataclass(frozen=True)
class SetLanguage(CallbackData, prefix="l"):
    lang: Literal["fr", "en"]

    def __post_init__(self) -> None:
        if self.lang not in ("fr", "en"):
            raise ValueError("unknown language")


@dataclass(frozen=True)
class Themes(CallbackData, prefix="t"):
    pass


@dataclass(frozen=True)
class Theme(CallbackData, prefix="h"):
    theme: str


@dataclass(frozen=True)
class ConfirmForget(CallbackData, prefix="x"):
    pass
