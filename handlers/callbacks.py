"""Typed, versioned, compact callback data for inline buttons.

Each kind of button is a frozen dataclass registered under a one-letter prefix. Packed form:
``<version>:<prefix>:<field>:<field>`` — a few bytes, always checked against Telegram's 64.
Data packed by an older version of the bot no longer unpacks, and the user is told the button
has expired instead of getting a wrong answer.

Anyone can send any callback data, so unpacking trusts nothing: numbers are plain ASCII digits
within a 32-bit column's range, text fields are short identifiers, and whatever else is refused
with `CallbackError`. Buttons that act on a stored question carry a signature (`signing`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_type_hints

VERSION = "1"
MAX_BYTES = 64
MAX_INT = 2**31 - 1  # the widest integer column a field may reach (PostgreSQL's INTEGER)
_SEPARATOR = ":"
_INT = re.compile(r"-?[0-9]{1,10}")
_TEXT = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


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
        if len(raw.encode("utf-8", "replace")) > MAX_BYTES:
            raise CallbackError(f"callback data over {MAX_BYTES} bytes")
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
            values[f.name] = _field(f.name, text, hints[f.name] is int)
        try:
            return cls(**values)
        except ValueError as exc:
            raise CallbackError(str(exc)) from exc


def _field(name: str, text: str, number: bool) -> int | str:
    if number:
        if _INT.fullmatch(text) is None or abs(value := int(text)) > MAX_INT:
            raise CallbackError(f"{name} is not a number in range")
        return value
    if _TEXT.fullmatch(text) is None:
        raise CallbackError(f"{name} is not an identifier")
    return text


@dataclass(frozen=True)
class ShowEntry(CallbackData, prefix="e"):
    entry_id: str


def _check_question(question_id: int) -> None:
    if not 0 < question_id <= MAX_INT:
        raise ValueError("a question id is a positive 32-bit number")


# Vote and NoneFits replaced, under new prefixes, buttons that named any question by its id
# alone ("v" and "n"): those now unpack as expired.
@dataclass(frozen=True)
class Vote(CallbackData, prefix="u"):
    """👍 or 👎 on the answer a stored question got, from the chat that asked it."""

    question_id: int
    value: int
    signature: str

    def __post_init__(self) -> None:
        _check_question(self.question_id)
        if self.value not in (1, -1):
            raise ValueError("a vote is 1 or -1")


@dataclass(frozen=True)
class NoneFits(CallbackData, prefix="o"):
    """ "None of these" under the suggestions a stored question got, from the chat that asked."""

    question_id: int
    signature: str

    def __post_init__(self) -> None:
        _check_question(self.question_id)


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


FLOW_ACTIONS = {
    "s": "start",  # begin the flow (offered by an FAQ answer, a handover, "start again")
    "c": "choose",  # the choice numbered ``choice`` at ``step``
    "b": "back",
    "r": "restart",
    "x": "cancel",
    "k": "continue",  # show the step the user is at
    "d": "download",  # the end step's checklist as a file
}


@dataclass(frozen=True)
class FlowButton(CallbackData, prefix="w"):
    """A button of a guided walkthrough. ``step`` and ``revision`` say which step of which
    version of the flow it was shown at: a press on an older message is recognised."""

    flow: str
    step: str
    action: str
    choice: int
    revision: str

    def __post_init__(self) -> None:
        if self.action not in FLOW_ACTIONS:
            raise ValueError("unknown walkthrough action")
        if not 0 <= self.choice < 8:
            raise ValueError("a choice is numbered 0 to 7")


def _check_webinar(webinar_id: int) -> None:
    if not 0 < webinar_id <= MAX_INT:
        raise ValueError("a webinar id is a positive 32-bit number")


# --- webinars: the subscriber's screen ---


@dataclass(frozen=True)
class WebinarScreen(CallbackData, prefix="s"):
    """Back to the webinar screen (/webinaires)."""


@dataclass(frozen=True)
class RegionPicker(CallbackData, prefix="r"):
    """The keyboard of the regions, to subscribe or unsubscribe."""


@dataclass(frozen=True)
class ToggleRegion(CallbackData, prefix="g"):
    """Subscribe to the region, or unsubscribe when already subscribed."""

    region: str


@dataclass(frozen=True)
class AskPostalCode(CallbackData, prefix="p"):
    pass


@dataclass(frozen=True)
class UnsubscribeAll(CallbackData, prefix="q"):
    pass


@dataclass(frozen=True)
class CalendarFile(CallbackData, prefix="c"):
    """The webinar's .ics file; anyone may have it, as anyone may be told of it."""

    webinar_id: int

    def __post_init__(self) -> None:
        _check_webinar(self.webinar_id)


# --- webinars: the volunteer's screens ---

DRAFT_ACTIONS = {
    "r": "toggle region",  # ``value`` is a region code, or NATIONAL
    "k": "regions chosen",
    "d": "duration",  # ``value`` is minutes
    "s": "skip the description",
    "n": "announce now",
    "t": "announce at a time to type",
    "f": "change a field",  # the list of fields
    "e": "edit field",  # ``value`` names the field
    "v": "preview",
    "p": "publish, or save the changes",
    "x": "cancel the draft",
}
NO_VALUE = "-"


@dataclass(frozen=True)
class DraftButton(CallbackData, prefix="d"):
    """A button of a webinar being written or changed. ``draft`` and ``step`` say which draft
    and which of its steps it was shown at, so a press on an older message is recognised."""

    draft: str
    step: str
    action: str
    value: str = NO_VALUE

    def __post_init__(self) -> None:
        if self.action not in DRAFT_ACTIONS:
            raise ValueError("unknown draft action")


MANAGE_ACTIONS = {
    "e": "edit",
    "c": "ask to cancel",
    "k": "cancel, confirmed",
    "l": "the list (/mes_webinaires)",
}


@dataclass(frozen=True)
class ManageWebinar(CallbackData, prefix="m"):
    """A volunteer's action on one of their webinars."""

    webinar_id: int
    action: str

    def __post_init__(self) -> None:
        _check_webinar(self.webinar_id)
        if self.action not in MANAGE_ACTIONS:
            raise ValueError("unknown webinar action")


# --- staff: volunteers (/benevoles) and the audit log (/audit) ---

VOLUNTEER_ACTIONS = {
    "l": "the list",
    "a": "grant the role to someone new",
    "o": "open a volunteer",
    "r": "toggle a region of the role being granted (``value``: a region code, or ALL)",
    "k": "grant, or save the regions",
    "e": "change a volunteer's regions",
    "x": "ask to revoke",
    "y": "revoke, confirmed",
}
ALL_REGIONS = "all"


def _check_user(text: str) -> None:
    """User ids pass as text: Telegram's reach 52 bits, past a callback number's 32."""
    if not (text.isascii() and text.isdigit() and len(text) <= 16):
        raise ValueError("a user id is a positive number")


@dataclass(frozen=True)
class VolunteerButton(CallbackData, prefix="b"):
    """An administrator's action on the volunteer role; ``user`` is the volunteer's id ("0"
    for none)."""

    action: str
    user: str = "0"
    value: str = NO_VALUE

    def __post_init__(self) -> None:
        if self.action not in VOLUNTEER_ACTIONS:
            raise ValueError("unknown volunteer action")
        _check_user(self.user)


AUDIT_EVERYONE = "0"
AUDIT_PEOPLE = "p"  # the list of people to filter by


@dataclass(frozen=True)
class AuditPage(CallbackData, prefix="a"):
    """A page of the audit log from the newest: everyone's actions (``actor`` "0"), one
    person's (their id), or the list of people to filter by ("p")."""

    offset: int
    actor: str = AUDIT_EVERYONE

    def __post_init__(self) -> None:
        if not 0 <= self.offset <= 1_000_000:
            raise ValueError("an audit page starts at 0 to a million")
        if self.actor != AUDIT_PEOPLE:
            _check_user(self.actor)


# --- staff: the review queue (/nonrepondues) ---

REVIEW_ACTIONS = {
    "l": "the list, at page ``number``",
    "o": "open the group of question ``number``",
    "s": "search for another entry to add the group to",
    "n": "make a new entry of the group",
    "d": "dismiss the group",
}
REVIEW_LIST = "l"
NO_STAMP = "-"
MAX_REVIEW_PAGE = 10_000
_STAMP = re.compile(r"[0-9a-f]{6}")
_ENTRY_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


def _check_group(anchor: int, stamp: str) -> None:
    _check_question(anchor)
    if _STAMP.fullmatch(stamp) is None:
        raise ValueError("a group's stamp is six hex digits")


@dataclass(frozen=True)
class ReviewButton(CallbackData, prefix="k"):
    """An administrator's action in the review queue. ``number`` is the list's page for "l",
    otherwise the group's anchor (its oldest question); ``stamp`` says which questions the group
    held when shown (`faq.review_queue.ReviewGroup.stamp`), so that a press on a group that
    changed meanwhile acts on nothing unseen."""

    action: str
    number: int
    stamp: str = NO_STAMP

    def __post_init__(self) -> None:
        if self.action not in REVIEW_ACTIONS:
            raise ValueError("unknown review action")
        if self.action == REVIEW_LIST:
            if not 0 <= self.number <= MAX_REVIEW_PAGE or self.stamp != NO_STAMP:
                raise ValueError("a page of the review queue is a number, without a stamp")
        else:
            _check_group(self.number, self.stamp)


@dataclass(frozen=True)
class ReviewAlternate(CallbackData, prefix="j"):
    """Add the group's phrasing as an alternate of ``entry_id`` (ids reach 40 characters: the
    packed form stays within 62 bytes)."""

    anchor: int
    stamp: str
    entry_id: str

    def __post_init__(self) -> None:
        _check_group(self.anchor, self.stamp)
        if _ENTRY_ID.fullmatch(self.entry_id) is None or len(self.entry_id) > 40:
            raise ValueError("not an entry id")


# --- staff: the FAQ editor (/faq) ---

FAQ_ENTRY_ACTIONS = {
    "c": "the entry's card",
    "p": "its preview as users get it, in ``value`` (fr or en)",
    "e": "edit it",
    "h": "its history, at page ``value``",
    "r": "restore revision ``version``",
    "x": "hide it",
    "s": "show it again",
    "d": "mark it reviewed today",
}
# The entry's parts the wizard changes: language and part ("fq": the French question, "ea":
# the English answer, "fl"/"el" alternates, "fk"/"ek" keywords), or the sources ("s").
FAQ_FIELDS = ("fq", "fa", "fl", "fk", "eq", "ea", "el", "ek", "s")
MAX_HISTORY_PAGE = 9999  # four digits: the packed form stays within 62 bytes
_PAGE = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class FaqEntryButton(CallbackData, prefix="f"):
    """An administrator's action on one FAQ entry. ``version`` is the entry's version the
    message showed, so that a change made meanwhile makes the press stale; for "r", the
    revision to restore."""

    entry_id: str
    version: int
    action: str
    value: str = NO_VALUE

    def __post_init__(self) -> None:
        if _ENTRY_ID.fullmatch(self.entry_id) is None or len(self.entry_id) > 40:
            raise ValueError("not an entry id")
        if self.action not in FAQ_ENTRY_ACTIONS:
            raise ValueError("unknown FAQ entry action")
        lowest = 1 if self.action == "r" else 0  # a revision to restore exists
        if not lowest <= self.version <= MAX_INT:
            raise ValueError("a version is a positive number")
        if self.action == "p":
            valid = self.value in ("fr", "en")
        elif self.action == "h":
            valid = _PAGE.fullmatch(self.value) is not None
        else:
            valid = self.value == NO_VALUE
        if not valid:
            raise ValueError("wrong value for this FAQ entry action")


# Actions that need no draft, then the wizard's, which name the draft they were shown with.
FAQ_SCREEN_ACTIONS = {
    "o": "the topics",
    "t": "the entries of theme ``value``",
    "s": "search",
    "n": "a new entry",
    "c": "continue where the draft stands",
    "f": "type field ``value``",
    "g": "the new entry's theme is ``value``",
    "k": "keep the field as it is",
    "m": "the list of fields",
    "v": "the preview, in ``value`` (fr or en)",
    "y": "save",
    "x": "cancel",
}
FAQ_DRAFTLESS = frozenset("otsn")
_NONCE = re.compile(r"[0-9a-f]{8}")
_THEME = re.compile(r"[a-z]{1,16}")


@dataclass(frozen=True)
class FaqScreenButton(CallbackData, prefix="i"):
    """An administrator's step through the FAQ editor: browsing, or the edit wizard, whose
    buttons carry the nonce of the draft they were shown with (``draft``), so that a press on
    an older message is recognised."""

    action: str
    value: str = NO_VALUE
    draft: str = NO_VALUE

    def __post_init__(self) -> None:
        if self.action not in FAQ_SCREEN_ACTIONS:
            raise ValueError("unknown FAQ screen action")
        if self.action in FAQ_DRAFTLESS:
            if self.draft != NO_VALUE:
                raise ValueError("this FAQ screen action has no draft")
        elif _NONCE.fullmatch(self.draft) is None:
            raise ValueError("a draft nonce is eight hex digits")
        if self.action in ("t", "g"):
            valid = _THEME.fullmatch(self.value) is not None
        elif self.action == "f":
            valid = self.value in FAQ_FIELDS
        elif self.action == "v":
            valid = self.value in ("fr", "en")
        else:
            valid = self.value == NO_VALUE
        if not valid:
            raise ValueError("wrong value for this FAQ screen action")
