"""A stand-in for the Telegram Bot API, so that end-to-end tests never reach Telegram.

It is an aiohttp server on 127.0.0.1 in the tests' own event loop. It answers like Telegram,
refuses what Telegram refuses (with Telegram's own descriptions), simulates users and faults,
and records everything the bot did::

    async with FakeBotApi() as api:
        bot = telegram.Bot(api.token, base_url=f"{api.api_base}/bot")
        api.user_says(42, "/start")
        ...
        [reply] = await api.next_messages(42)

Where Telegram's exact behaviour is not documented, the choice made here is the stricter one and
is said so in a comment: a bot that passes here should pass on Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import re
import socket
import struct
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

# Telegram's limits (docs/telegram.md).
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # a photo uploaded by multipart/form-data
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
MAX_BUTTONS_PER_ROW = 8
MAX_CALLBACK_ANSWER_LENGTH = 200
CALLBACK_QUERY_LIFETIME = 15 * 60.0
MAX_COMMANDS = 100
WEBHOOK_MAX_ATTEMPTS = 10
WEBHOOK_PORTS = (80, 88, 443, 8443)

DEFAULT_TOKEN = "123456:TEST-token_x"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
# Update kinds Telegram leaves out unless asked for by name in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Parameters that are objects or arrays: form-encoded clients send them as JSON strings.
JSON_PARAMETERS = frozenset(
    {"reply_markup", "commands", "scope", "allowed_updates", "entities", "caption_entities"}
    | {"link_preview_options", "reply_parameters", "menu_button"}
)
# Scalars read as Telegram reads them ("42" is 42), so that `Call.params` compare easily.
INTEGER_PARAMETERS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout"})
BOOLEAN_PARAMETERS = frozenset(
    {"show_alert", "drop_pending_updates", "disable_notification", "allow_paid_broadcast"}
)
BUTTON_ACTIONS = (
    "callback_data", "url", "login_url", "switch_inline_query", "copy_text", "web_app",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game", "pay",
)  # fmt: skip
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class BotApiError(Exception):
    """A refusal, answered as {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def _fault_wording(
    status: int, description: str | None, retry_after: int | None
) -> tuple[str, int | None]:
    """A fault's description and retry_after, Telegram's by default (a 429 retries after 1)."""
    if status == 429:
        retry_after = 1 if retry_after is None else retry_after
        return description or f"Too Many Requests: retry after {retry_after}", retry_after
    return description or DEFAULT_DESCRIPTIONS.get(status, f"Error {status}"), None


def utf16_length(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# --- what the tests observe ---------------------------------------------------------------


@dataclass(frozen=True)
class SentMessage:
    """A message of the bot, as sent or (in `messages()`) as it is now after edits."""

    chat_id: int
    message_id: int
    kind: str  # "message", "document" or "photo"
    text: str  # as the bot sent it, markup included; a document's or photo's caption ("" if none)
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    document: str | None = None  # the uploaded file's name
    visible_text: str = ""  # what the user reads: tags removed, character references decoded
    entities: tuple[dict[str, Any], ...] = ()
    date: int = 0
    edit_date: int | None = None
    paid: bool = False  # sent with allow_paid_broadcast
    photo: bytes | None = field(default=None, repr=False)  # the uploaded image
    photo_size: tuple[int, int] | None = None  # its width and height


@dataclass(frozen=True)
class Edit:
    method: str
    before: SentMessage
    after: SentMessage


@dataclass(frozen=True)
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class Call:
    method: str  # canonical spelling, e.g. "sendMessage", whatever case the client used
    params: dict[str, Any]
    status: int | None  # None: no answer reached the client (dropped, or the client left)
    at: float  # the server clock when the call was processed (before any `latency`)
    description: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    update_id: int
    attempt: int
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    error: str | None


# --- internal state -------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content: bytes


@dataclass
class _Fault:
    method: str  # lower case
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None
    migrate_to_chat_id: int | None = None


@dataclass
class _RandomFault:
    fraction: float
    status: int
    description: str
    retry_after: int | None
    draws: random.Random


class _SendWindow:
    """The times of recent sends, for a limit of ``rate`` sends a second: at most ``rate`` of
    them within any 1-second window (a fractional rate rounds down; a rate below 1 allows one
    send within any 1/rate seconds). Each time is appended once and dropped once as it leaves
    the window, so only the window's are kept: O(1) amortised, whatever the volume."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    @staticmethod
    def span(rate: float | None) -> float:
        return 1.0 if rate is None else max(1.0, 1 / rate)

    def wait(self, rate: float, now: float) -> int | None:
        """None if a send may go now, else the whole seconds until one may (at least 1)."""
        span, capacity = self.span(rate), max(1, math.floor(rate))
        self._forget(now - span)
        if len(self.times) < capacity:
            return None
        frees_at = self.times[-capacity] + span  # when this many sends are back in the window
        return max(1, math.ceil(frees_at - now))

    def add(self, now: float, rate: float | None) -> None:
        self.times.append(now)
        self._forget(now - self.span(rate))  # kept short even while no limit is set

    def _forget(self, until: float) -> None:
        while self.times and self.times[0] <= until:
            self.times.popleft()


@dataclass
class _Webhook:
    url: str
    secret: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _CallbackQuery:
    created_at: float
    answered: bool = False


@dataclass(frozen=True)
class _User:
    id: int
    first_name: str
    language_code: str | None
    username: str | None


@dataclass(frozen=True)
class _PendingUpdate:
    chat_id: int
    update: dict[str, Any]


# --- reading parameters -------------------------------------------------------------------------


class Params:
    """One call's parameters, however they came (query, JSON, form, multipart), read leniently
    the way Telegram reads them: "123" is a number, "true" a boolean."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile]) -> None:
        self.values = values
        self.files = files
        self.connected: Callable[[], bool] = lambda: True  # is the client still waiting?

    @classmethod
    async def read(cls, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.can_read_body and request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected as request body")
            values.update(body)
        elif request.can_read_body:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(value.filename, value.file.read())
                else:
                    values[name] = value
        for name in JSON_PARAMETERS & values.keys():
            if values[name] == "":
                del values[name]
            elif isinstance(values[name], str):
                try:
                    values[name] = json.loads(values[name])
                except ValueError:
                    raise bad_request(f"can't parse {name} JSON object") from None
        for name in INTEGER_PARAMETERS & values.keys():
            if isinstance(values[name], str) and re.fullmatch(r"-?\d+", values[name].strip()):
                values[name] = int(values[name])
        for name in BOOLEAN_PARAMETERS & values.keys():
            if str(values[name]).lower() in ("true", "false"):
                values[name] = str(values[name]).lower() == "true"
        return cls(values, files)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise bad_request(f'field "{name}" must be a valid Number')

    def flag(self, name: str) -> bool:
        return str(self.values.get(name, "")).lower() in ("true", "1")

    def json(self, name: str) -> Any:
        return self.values.get(name)

    def chat_id(self) -> int:
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and not re.fullmatch(r"-?\d+", value.strip()):
            raise bad_request("chat not found")  # an @username: no public chats here
        return self.integer("chat_id") or 0

    def chat_id_or_none(self) -> int | None:
        try:
            return self.chat_id()
        except BotApiError:
            return None

    def file(self, name: str) -> UploadedFile | str | None:
        """An uploaded part, found by its name or by "attach://<part>"; else a file_id or URL."""
        value = self.text(name)
        if value is not None and value.startswith("attach://"):
            return self.files.get(value.removeprefix("attach://"))
        return self.files.get(name, value)

    def recorded(self) -> dict[str, Any]:
        uploads = {name: f"<file {upload.filename!r}>" for name, upload in self.files.items()}
        return {**self.values, **uploads}


# --- Telegram's HTML parse mode -----------------------------------------------------------------

HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
    | {"tg-emoji", "pre", "code", "blockquote"}
)
ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
NAMED_CHARACTERS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
CHARACTER_REFERENCE = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([a-zA-Z]+));?")


def _decode_reference(match: re.Match[str]) -> str | None:
    hexadecimal, decimal, name = match.groups()
    if name is not None:
        return NAMED_CHARACTERS.get(name)
    code = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    offset: int  # UTF-16 offset in the visible text
    start: int  # index in the visible text


class HtmlParser:
    """Telegram's HTML parse mode as TDLib implements it (parse_html in MessageEntity.cpp), with
    its error messages. One deliberate difference when ``strict``: TDLib keeps a bare `&` or `>`
    as text, but Telegram's documentation requires them escaped, so they are refused here."""

    def __init__(self, source: str, strict: bool = True) -> None:
        self.source = source
        self.strict = strict
        self.position = 0
        self.visible: list[str] = []
        self.length = 0  # of the visible text so far, in UTF-16 code units
        self.open_tags: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        source = self.source
        while self.position < len(source):
            char = source[self.position]
            if char == "&":
                self._character_reference()
            elif char == "<" and source.startswith("</", self.position):
                self._end_tag()
            elif char == "<":
                self._start_tag()
            elif char == ">" and self.strict:
                raise self._error(f"Character '>' at byte offset {self._byte()} must be escaped")
            else:
                self._emit(char)
                self.position += 1
        if self.open_tags:
            name = self.open_tags[-1].name
            raise self._error(f'Can\'t find end tag corresponding to start tag "{name}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only kept to give <pre> its language
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.visible), self.entities

    def _error(self, detail: str) -> BotApiError:
        return bad_request(f"can't parse entities: {detail}")

    def _byte(self, position: int | None = None) -> int:
        """TDLib reports positions as byte offsets in the UTF-8 source."""
        return len(self.source[: self.position if position is None else position].encode())

    def _emit(self, text: str) -> None:
        self.visible.append(text)
        self.length += utf16_length(text)

    def _skip_spaces(self, index: int) -> int:
        while index < len(self.source) and self.source[index].isspace():
            index += 1
        return index

    def _character_reference(self) -> None:
        match = CHARACTER_REFERENCE.match(self.source, self.position)
        decoded = _decode_reference(match) if match else None
        if match is None or decoded is None:
            if self.strict:
                raise self._error(f"Character '&' at byte offset {self._byte()} must be escaped")
            self._emit("&")
            self.position += 1
            return
        self._emit(decoded)
        self.position = match.end()

    def _start_tag(self) -> None:
        source, start = self.source, self.position
        index = start + 1
        while index < len(source) and not source[index].isspace() and source[index] != ">":
            index += 1
        if index >= len(source):
            raise self._error(f"Unclosed start tag at byte offset {self._byte(start)}")
        name = source[start + 1 : index].lower()
        if name not in HTML_TAGS:
            raise self._error(f'Unsupported start tag "{name}" at byte offset {self._byte(start)}')
        attributes: dict[str, str] = {}
        while True:
            index = self._skip_spaces(index)
            if index >= len(source):
                raise self._error(f"Unclosed start tag at byte offset {self._byte(start)}")
            if source[index] == ">":
                break
            name_start = index
            while index < len(source) and not source[index].isspace() and source[index] not in "=>":
                index += 1
            attribute = source[name_start:index].lower()
            if not attribute:
                raise self._error(
                    f'Empty attribute name in the tag "{name}" at byte offset {self._byte(start)}'
                )
            index = self._skip_spaces(index)
            value = ""  # an attribute without a value, like <blockquote expandable>
            if index < len(source) and source[index] == "=":
                value, index = self._attribute_value(start, self._skip_spaces(index + 1))
            attributes[attribute] = value
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self._error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte(start)}'
            )
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise self._error("Invalid custom emoji identifier specified")
        self.open_tags.append(_OpenTag(name, attributes, self.length, len(self.visible)))
        self.position = index + 1

    def _attribute_value(self, tag_start: int, index: int) -> tuple[str, int]:
        source = self.source
        if index >= len(source):
            raise self._error(f"Unclosed start tag at byte offset {self._byte(tag_start)}")
        if source[index] in "\"'":
            end = source.find(source[index], index + 1)
            if end == -1:
                raise self._error(f"Unclosed start tag at byte offset {self._byte(tag_start)}")
            raw = source[index + 1 : end]
            decoded = CHARACTER_REFERENCE.sub(lambda m: _decode_reference(m) or m.group(0), raw)
            return decoded, end + 1
        end = index
        while end < len(source) and (source[end].isalnum() or source[end] in ".-"):
            end += 1
        if end < len(source) and not source[end].isspace() and source[end] != ">":
            raise self._error(f"Unexpected end of name token at byte offset {self._byte(index)}")
        return source[index:end].lower(), end

    def _end_tag(self) -> None:
        source, start = self.source, self.position
        if not self.open_tags:
            raise self._error(f"Unexpected end tag at byte offset {self._byte(start)}")
        index = start + 2
        while index < len(source) and not source[index].isspace() and source[index] != ">":
            index += 1
        name = source[start + 2 : index].lower()
        index = self._skip_spaces(index)
        if index >= len(source) or source[index] != ">":
            raise self._error(f"Unclosed end tag at byte offset {self._byte(start)}")
        expected = self.open_tags[-1].name
        if name and name != expected:
            raise self._error(
                f"Unmatched end tag at byte offset {self._byte(start)}, "
                f'expected "</{expected}>", found "</{name}>"'
            )
        self._close(self.open_tags.pop())
        self.position = index + 1

    def _close(self, tag: _OpenTag) -> None:
        length = self.length - tag.offset
        if length <= 0:
            return  # Telegram drops empty entities
        entity: dict[str, Any] = {"type": ENTITY_TYPES[tag.name], "offset": tag.offset}
        entity["length"] = length
        if tag.name == "a":
            entity["url"] = tag.attributes.get("href") or "".join(self.visible[tag.start :])
        elif tag.name == "code" and tag.attributes.get("class", "").startswith("language-"):
            entity["language"] = tag.attributes["class"].removeprefix("language-")
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attributes["emoji-id"]
        elif tag.name == "pre" and self.entities:
            # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
            inner = self.entities[-1]
            same_span = (inner["offset"], inner["length"]) == (tag.offset, length)
            if inner["type"] == "code" and same_span and "language" in inner:
                entity["language"] = self.entities.pop()["language"]
        self.entities.append(entity)


def parse_formatted(
    text: str, parse_mode: str | None, strict: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and entities of a text sent with ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return HtmlParser(text, strict).parse()
    if mode in ("", "markdown", "markdownv2"):
        return text, []  # Markdown is not modelled: its text is counted as is
    raise bad_request("unsupported parse_mode")


def check_length(visible: str, limit: int, description: str) -> None:
    # Telegram trims surrounding whitespace, then counts characters (code points, a guess:
    # Telegram does not say whether it counts code points or UTF-16 units).
    if len(visible.strip()) > limit:
        raise bad_request(description)


# --- reply markup ----------------------------------------------------------------------------


def check_reply_markup(markup: Any, edit: bool = False) -> None:
    """Refuse a keyboard Telegram refuses: its rules on buttons, data, URLs and counts."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" not in markup:
        if edit:
            raise bad_request("inline keyboard expected")
        return  # a reply keyboard, its removal or a forced reply: not modelled
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" must be of type Array')
    # Undocumented limits, observed: 8 buttons a row, 100 in all.
    if any(len(row) > MAX_BUTTONS_PER_ROW for row in rows):
        raise bad_request("BUTTONS_TOO_MUCH")
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("BUTTONS_TOO_MUCH")
    for row in rows:
        for button in row:
            check_button(button)


def check_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button"
    if not isinstance(button, dict):
        raise bad_request(f"{prefix}: InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request(f'{prefix}: Can\'t find field "text"')
    # An empty callback_data counts as none at all, as on Telegram.
    actions = [name for name in BUTTON_ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise bad_request(f"{prefix}: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        # Telegram silently uses one of them; refused here as the bot surely meant only one.
        raise bad_request(f"{prefix}: exactly one of {', '.join(actions)} must be used")
    if "callback_data" in actions:
        data = str(button["callback_data"])
        if len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        check_button_url(str(button["url"]))
    if "web_app" in actions:
        web_app = button["web_app"]
        url = web_app.get("url") if isinstance(web_app, dict) else None
        if not isinstance(url, str) or not url.lower().startswith("https://"):
            raise bad_request("BUTTON_URL_INVALID")  # Mini Apps open over HTTPS only
        check_button_url(url)


def check_button_url(url: str) -> None:
    scheme = url.split("://", 1)[0].lower() if "://" in url else "http"
    if scheme == "tg":
        return
    if scheme not in ("http", "https"):
        raise bad_request(
            f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol"
        )
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    # Telegram wants a public host name ("localhost" is refused); a bare IP address is refused
    # here too, a guess.
    labels = host.split(".")
    if len(labels) < 2 or not labels[-1].isalpha() or not all(labels):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def callback_datas(markup: dict[str, Any] | None) -> list[str]:
    rows = (markup or {}).get("inline_keyboard") or []
    return [str(b["callback_data"]) for row in rows for b in row if b.get("callback_data")]


def normalized_markup(markup: Any) -> dict[str, Any] | None:
    """An inline keyboard without buttons is no keyboard."""
    if (
        isinstance(markup, dict)
        and "inline_keyboard" in markup
        and not any(markup["inline_keyboard"])
    ):
        return None
    return markup


# --- commands ----------------------------------------------------------------------------------

SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
MENU_BUTTONS = {"commands", "web_app", "default"}
SCOPES = SCOPES_WITH_CHAT | {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
}


def check_commands(commands: Any) -> list[tuple[str, str]]:
    if commands is None:
        raise bad_request('parameter "commands" is required')
    if not isinstance(commands, list):
        raise bad_request('field "commands" must be of type Array')
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        for name in ("command", "description"):
            if name not in item:
                raise bad_request(f"can't parse BotCommand: Can't find field \"{name}\"")
        command, description = str(item["command"]), str(item["description"])
        if not command:
            raise bad_request("command must be non-empty")
        if not re.fullmatch(r"[a-z0-9_]{1,32}", command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not description.strip():
            raise bad_request("command description must be non-empty")
        if len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")  # a guess at the wording
        checked.append((command, description))
    return checked


# --- the server ----------------------------------------------------------------------------------

Handler = Callable[[Params], Awaitable[Any]]


class FakeBotApi:
    """The Bot API on 127.0.0.1, with simulated users, fault injection and observation."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.port = 0
        self.latency = 0.0  # seconds added before each answer (the work is done first)
        self.strict_html = True  # refuse a bare & or > (Telegram's rule, not its parser's)
        self.webhook_timeout = 10.0
        self.webhook_backoff = 0.2  # first retry delay; doubles up to webhook_backoff_max
        self.webhook_backoff_max = 2.0
        self.sent: list[SentMessage] = []
        self.edits: list[Edit] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[tuple[str, int | None, str], list[tuple[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # chat id (None: default)
        self.calls: list[Call] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._users: dict[int, _User] = {}
        self._groups: dict[int, tuple[str, str]] = {}  # chat id -> (type, title)
        self._messages: dict[int, dict[int, SentMessage]] = {}  # chat -> message id -> now
        self._sent_by_chat: dict[int, list[SentMessage]] = {}  # `sent`, by chat
        self._last_message_id: dict[int, int] = {}
        self._read_cursors: dict[int, int] = {}
        self._queries: dict[str, _CallbackQuery] = {}
        self._query_of_update: dict[int, str] = {}
        self._pending: dict[int, _PendingUpdate] = {}
        self._update_ids = itertools.count(700_000_001)
        self._query_ids = itertools.count(4_200_000_000_000_000_001)
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._push_queues: dict[int, asyncio.Queue[int]] = {}
        self._push_tasks: dict[int, asyncio.Task[None]] = {}
        self._blocked: set[int] = set()
        self._faults: list[_Fault] = []
        self._random_faults: dict[str, _RandomFault] = {}  # method (lower case) -> fault
        self._drops: dict[str, bool] = {}  # method (lower case) -> after_processing
        self._per_chat_rate: float | None = None
        self._global_rate: float | None = None
        self._paid_rate: float | None = None
        self._last_send_at: dict[int, float] = {}
        self._free_sends = _SendWindow()
        self._paid_sends = _SendWindow()
        self._clock_offset = 0.0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
            }.items()
        }

    # --- life cycle ---

    async def __aenter__(self) -> FakeBotApi:
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram's upload limit
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.port = sock.getsockname()[1]
        self._client = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing = True  # long polls answer at once
        self._notify()
        await self._stop_pushing()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "mesbot",
            "username": "mesbot_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def now(self) -> float:
        """The server's clock: real time, moved on by `advance_clock`."""
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Pretend time passed (callback queries expire, flood limits lapse, dates move)."""
        self._clock_offset += seconds

    # --- simulated users ---

    def user_says(
        self,
        user_id: int,
        text: str,
        language_code: str | None = "fr",
        first_name: str = "Test",
        username: str | None = None,
    ) -> int:
        """A user writes to the bot in their private chat (chat id == user id): an update."""
        if not text:
            raise ValueError("a user cannot send an empty message")
        user = self._remember(user_id, first_name, language_code, username)
        self._blocked.discard(user_id)  # writing to a bot means having unblocked it
        message: dict[str, Any] = {
            "message_id": self._next_message_id(user_id),
            "from": self._user_json(user),
            "chat": self._chat_json(user_id),
            "date": int(self.now()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
            ]
        return self._add_update("message", message, user_id)

    def user_forwards(
        self,
        user_id: int,
        text: str,
        author_id: int | None,
        author_name: str = "Bénévole",
        language_code: str | None = "fr",
    ) -> int:
        """A user forwards to the bot a message written by ``author_id``, or by someone who
        hides their account in forwards (``author_id`` None: Telegram gives only a name)."""
        user = self._remember(user_id, "Test", language_code, None)
        if author_id is None:
            origin: dict[str, Any] = {
                "type": "hidden_user",
                "date": int(self.now()) - 60,
                "sender_user_name": author_name,
            }
        else:
            origin = {
                "type": "user",
                "date": int(self.now()) - 60,
                "sender_user": {"id": author_id, "is_bot": False, "first_name": author_name},
            }
        message: dict[str, Any] = {
            "message_id": self._next_message_id(user_id),
            "from": self._user_json(user),
            "chat": self._chat_json(user_id),
            "date": int(self.now()),
            "text": text,
            "forward_origin": origin,
        }
        return self._add_update("message", message, user_id)

    def user_presses(
        self,
        user_id: int,
        message_id: int,
        data: str,
        language_code: str | None = "fr",
        check_button: bool = True,
    ) -> int:
        """A user presses a button of the bot's message: a callback_query update.

        With ``check_button``, the message must show a button with that data (else ValueError)."""
        return self.member_presses(user_id, user_id, message_id, data, language_code, check_button)

    def member_presses(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        data: str,
        language_code: str | None = "fr",
        check_button: bool = True,
    ) -> int:
        """A user presses a button of the bot's message in a chat (private: ``chat_id`` is the
        user's id; or a group of `add_group`)."""
        message = self._message(chat_id, message_id)
        if message is None:
            raise ValueError(f"the bot sent no message {message_id} to chat {chat_id}")
        if check_button and data not in callback_datas(message.reply_markup):
            raise ValueError(f"message {message_id} has no button with data {data!r}")
        known = self._users.get(user_id)
        if known is None:
            raise ValueError(f"user {user_id} never wrote anywhere the bot is")
        user = self._remember(user_id, known.first_name, language_code, known.username)
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _CallbackQuery(created_at=self.now())
        query = {
            "id": query_id,
            "from": self._user_json(user),
            "message": self._message_json(message),
            "chat_instance": str(-chat_id * 7919),
            "data": data,
        }
        update_id = self._add_update("callback_query", query, chat_id)
        self._query_of_update[update_id] = query_id
        return update_id

    def add_users(self, user_ids: Iterable[int], language_code: str | None = "fr") -> None:
        """Users who wrote to the bot some time ago, so that it may write to them in their
        private chats; no update is created (a broadcast's audience, by the thousand). Users
        already known keep their name and whether they blocked the bot."""
        ids = list(user_ids)
        for user_id in ids:
            if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
                raise ValueError(f"user ids are positive integers, not {user_id!r}")
        for user_id in ids:
            known = self._users.get(user_id)
            self._remember(user_id, known.first_name if known else "Test", language_code, None)
        self._notify()

    def add_group(self, chat_id: int, title: str = "Association", supergroup: bool = True) -> None:
        """A group the bot was added to, with privacy mode off: it receives every message."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        self._groups[chat_id] = ("supergroup" if supergroup else "group", title)

    def member_says(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        reply_to: int | None = None,
        language_code: str | None = "fr",
        first_name: str = "Membre",
    ) -> int:
        """A member writes in a group of `add_group`, replying to message ``reply_to`` if given;
        commands and @mentions get their entities as Telegram sets them."""
        if chat_id not in self._groups:
            raise ValueError(f"no group {chat_id}: add_group first")
        user = self._remember(user_id, first_name, language_code, None)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self._user_json(user),
            "chat": self._chat_json(chat_id),
            "date": int(self.now()),
            "text": text,
        }
        entities = [
            {
                "type": "bot_command" if found.group().startswith("/") else "mention",
                "offset": utf16_length(text[: found.start()]),
                "length": utf16_length(found.group()),
            }
            for found in re.finditer(r"(?:^/[A-Za-z0-9_]+(?:@\w+)?)|(?<![\w@])@\w{5,32}", text)
        ]
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            replied = self._message(chat_id, reply_to)
            if replied is None:
                raise ValueError(f"the bot sent no message {reply_to} to group {chat_id}")
            message["reply_to_message"] = self._message_json(replied)
        return self._add_update("message", message, chat_id)

    def callback_query_id(self, update_id: int) -> str:
        """The query id of the callback_query update `user_presses` returned."""
        return self._query_of_update[update_id]

    # --- faults ---

    def block(self, chat_id: int) -> None:
        """The user blocks the bot (or the group removes it): sends and edits get 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def inject(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id`` only, if given) fail so;
        ``migrate_to_chat_id``: a group that became a supergroup, as Telegram says it."""
        self._check_method_name(method)
        description, retry_after = _fault_wording(status, description, retry_after)
        self._faults.append(
            _Fault(
                method.lower(), status, description, retry_after, times, chat_id, migrate_to_chat_id
            )
        )

    def fail_randomly(
        self,
        method: str,
        fraction: float,
        status: int = 502,
        description: str | None = None,
        seed: int = 0,
        retry_after: int | None = None,
    ) -> None:
        """From now on, each call of ``method`` fails with probability ``fraction``, answered
        with ``status`` (and ``description``, Telegram's wording by default): one draw of
        ``random.Random(seed)`` per call, in the order the calls arrive, so a run is reproducible.

        A failed call takes no effect (nothing sent, no limit counted). Status 429 is a flood
        storm: its ``retry_after`` defaults to 1. A fraction of 0 turns it off; calling again
        replaces it (and restarts its draws). `inject` still applies, and first."""
        self._check_method_name(method)
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be within 0 and 1, not {fraction}")
        if not 400 <= status <= 599:
            raise ValueError(f"a failure has a 4xx or 5xx status, not {status}")
        if retry_after is not None and status != 429:
            raise ValueError("retry_after comes with status 429 only")
        if fraction == 0:
            self._random_faults.pop(method.lower(), None)
            return
        description, retry_after = _fault_wording(status, description, retry_after)
        self._random_faults[method.lower()] = _RandomFault(
            fraction, status, description, retry_after, random.Random(seed)
        )

    def flood_limit(
        self,
        per_chat_per_second: float | None = None,
        global_per_second: float | None = None,
        paid_per_second: float | None = None,
    ) -> None:
        """Answer sends over these rates with 429 and a retry_after, as Telegram does (None: off;
        each call sets all three).

        Per chat: a send sooner than 1/rate seconds after the previous one to that chat, paid or
        not. Global: more sends than the rate within any second, counted apart for ordinary sends
        (``global_per_second``, Telegram's free bulk limit) and for sends with
        allow_paid_broadcast (``paid_per_second``, e.g. Telegram's 1000); a paid send does not
        count toward the free limit."""
        for rate in (per_chat_per_second, global_per_second, paid_per_second):
            if rate is not None and rate <= 0:
                raise ValueError(f"a rate is positive (or None for no limit), not {rate}")
        self._per_chat_rate = per_chat_per_second
        self._global_rate = global_per_second
        self._paid_rate = paid_per_second

    def drop_connection_next(self, method: str, after_processing: bool = False) -> None:
        """Close the connection of the next call of ``method`` without an answer, once.

        ``after_processing``: the call takes effect first (a sent message, then a lost answer)."""
        self._check_method_name(method)
        self._drops[method.lower()] = after_processing

    def _check_method_name(self, method: str) -> None:
        if method.lower() not in self._methods:
            raise ValueError(f"{method} is not a method of this Bot API")

    # --- observation ---

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat as they are now (after edits), oldest first."""
        found = self._messages.get(chat_id, {}).values()
        return sorted(found, key=lambda message: message.message_id)

    def delivered_counts(self) -> Counter[int]:
        """Chat id -> how many messages the bot sent there: the sendMessage, sendDocument and
        sendPhoto calls that took effect, including those whose answer was lost (a dropped
        connection, a client gone), as the user got them. For duplicate and loss checks of a
        broadcast."""
        return Counter({chat_id: len(sent) for chat_id, sent in self._sent_by_chat.items()})

    @property
    def errors(self) -> list[Call]:
        """The calls answered with an error (4xx, 5xx)."""
        return [call for call in self.calls if call.status is not None and call.status >= 400]

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def pending_updates(self) -> int:
        """Updates not yet confirmed (polling) or delivered (webhook)."""
        return len(self._pending)

    @property
    def webhook_url(self) -> str | None:
        return self._webhook.url if self._webhook else None

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for a condition, not an I/O timeout
        what: str | None = None,
    ) -> None:
        """Return once ``predicate()`` holds, checked after every call and update (and every
        50 ms, for predicates on other state); AssertionError after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{c.method}->{c.status}" for c in self.calls[-8:])
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what or 'the condition'}; "
                    f"last calls: {recent or 'none'}"
                )
            await self._changed_or_timeout(min(remaining, 0.05))

    async def next_messages(
        self,
        chat_id: int,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - as in wait_for
    ) -> list[SentMessage]:
        """The next ``n`` messages the bot sent to the chat that no earlier call returned,
        waiting for them if need be (so a reply sent before the call is not missed). They are
        as sent; `messages()` has their state after edits."""
        cursor = self._read_cursors.get(chat_id, 0)

        def arrived() -> bool:
            return len(self._sent_to(chat_id)) >= cursor + n

        await self.wait_for(arrived, timeout, f"{n} new message(s) to chat {chat_id}")
        self._read_cursors[chat_id] = cursor + n
        return self._sent_to(chat_id)[cursor : cursor + n]

    async def assert_no_new_messages(self, chat_id: int, within: float = 0.3) -> None:
        """Fail if the bot sends the chat a message `next_messages` has not returned yet."""
        cursor = self._read_cursors.get(chat_id, 0)
        await asyncio.sleep(within)
        unread = self._sent_to(chat_id)[cursor:]
        assert not unread, f"unexpected messages to chat {chat_id}: {[m.text for m in unread]}"

    # --- HTTP ---

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)/?", request.path)
        if match is None:
            return self._refuse(request.path, BotApiError(404, "Not Found"))
        token, name = match.groups()
        known = self._methods.get(name.lower())
        if token != self.token:
            return self._refuse(name, BotApiError(401, "Unauthorized"))
        if known is None:
            return self._refuse(name, BotApiError(404, "Not Found: method not found"))
        method, handler = known
        drop_after = self._drops.pop(method.lower(), None)
        if drop_after is False:
            return self._drop(request, method, {})
        params = Params({}, {})
        status: int | None
        try:
            params = await Params.read(request)
            params.connected = lambda: _client_waiting(request)
            self._raise_injected_fault(method, params)
            body: dict[str, Any] = {"ok": True, "result": await handler(params)}
            status, description = 200, None
        except BotApiError as error:
            body, status, description = error.payload(), error.status, error.description
        if drop_after:
            return self._drop(request, method, params.recorded())
        at = self.now()  # when the call took effect, as counted by the flood limits
        try:
            if self.latency:
                # Each request sleeps in its own task: concurrent calls are not serialised.
                await asyncio.sleep(self.latency)
        finally:
            if not _client_waiting(request):
                # Nobody hears this answer (a client that timed out, during the latency too; a
                # poll cancelled at shutdown): it is no answer the bot saw.
                status, description = None, "the client went away before the answer"
            self._record(Call(method, params.recorded(), status, at, description))
        return web.json_response(body, status=status or 200)

    def _refuse(self, method: str, error: BotApiError) -> web.Response:
        self._record(Call(method, {}, error.status, self.now(), error.description))
        return web.json_response(error.payload(), status=error.status)

    def _drop(self, request: web.Request, method: str, params: dict[str, Any]) -> web.Response:
        self._record(Call(method, params, None, self.now(), "connection dropped"))
        if request.transport is not None:
            request.transport.close()
        return web.Response()  # never reaches the client

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._notify()

    def _raise_injected_fault(self, method: str, params: Params) -> None:
        randomly = self._random_faults.get(method.lower())
        # One draw per call, even one an injected fault answers: the k-th call's fate is fixed.
        if randomly is not None and randomly.draws.random() >= randomly.fraction:
            randomly = None
        for fault in self._faults:
            if fault.method != method.lower() or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and fault.chat_id != params.chat_id_or_none():
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)  # spent: the list stays short
            raise BotApiError(
                fault.status, fault.description, fault.retry_after, fault.migrate_to_chat_id
            )
        if randomly is not None:
            raise BotApiError(randomly.status, randomly.description, randomly.retry_after)

    # --- getMe, updates, webhook ---

    async def _get_me(self, params: Params) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        self._check_not_webhook()
        offset = params.integer("offset")
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.integer("timeout") or 0, 0)
        self._set_allowed_updates(params.json("allowed_updates"))
        self._confirm_updates(offset)
        # A newer getUpdates ends the one still waiting (Telegram's guard against two pollers).
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if not params.connected():
                return []  # the poller gave up (timeout, shutdown): it is no longer polling
            if generation != self._poll_generation:
                raise BotApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            self._check_not_webhook()
            ready = [p.update for p in itertools.islice(self._pending.values(), limit)]
            remaining = deadline - asyncio.get_running_loop().time()
            if ready or remaining <= 0 or self._closing:
                return ready
            await self._changed_or_timeout(remaining)

    def _check_not_webhook(self) -> None:
        if self._webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )

    def _confirm_updates(self, offset: int | None) -> None:
        """offset > 0 forgets older updates; a negative one keeps only the last -offset."""
        if offset is None or offset == 0:
            return
        ids = list(self._pending)
        forget = [i for i in ids if i < offset] if offset > 0 else ids[: max(len(ids) + offset, 0)]
        for update_id in forget:
            del self._pending[update_id]

    def _set_allowed_updates(self, allowed: Any) -> None:
        # Telegram keeps the last list given; an empty one means the default set.
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad_request('field "allowed_updates" must be of type Array')
            self._allowed_updates = frozenset(map(str, allowed)) or None

    async def _set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            await self._remove_webhook(params.flag("drop_pending_updates"))
            return True
        check_webhook_url(url)
        secret = params.text("secret_token") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = min(max(params.integer("max_connections") or 40, 1), 100)
        self._set_allowed_updates(params.json("allowed_updates"))
        await self._remove_webhook(params.flag("drop_pending_updates"))
        self._webhook = _Webhook(url, secret, max_connections)
        self._notify()  # a waiting getUpdates now answers 409
        for pending in self._pending.values():
            self._schedule_push(pending)
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        await self._remove_webhook(params.flag("drop_pending_updates"))
        return True

    async def _remove_webhook(self, drop_pending: bool) -> None:
        self._webhook = None  # first, so that no new delivery starts meanwhile
        await self._stop_pushing()
        if drop_pending:
            self._pending.clear()
        self._notify()

    async def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            info["ip_address"] = "127.0.0.1"
            if self._webhook.last_error_date is not None:
                info["last_error_date"] = self._webhook.last_error_date
                info["last_error_message"] = self._webhook.last_error_message
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _add_update(self, kind: str, payload: dict[str, Any], chat_id: int) -> int:
        update_id = next(self._update_ids)
        allowed = self._allowed_updates
        if (kind in OPT_IN_UPDATES) if allowed is None else (kind not in allowed):
            return update_id  # filtered out by allowed_updates: never delivered
        pending = _PendingUpdate(chat_id, {"update_id": update_id, kind: payload})
        self._pending[update_id] = pending
        if self._webhook is not None:
            self._schedule_push(pending)
        self._notify()
        return update_id

    def _schedule_push(self, pending: _PendingUpdate) -> None:
        """Webhook deliveries run one chat at a time, in order, like Telegram's."""
        queue = self._push_queues.get(pending.chat_id)
        if queue is None:
            queue = self._push_queues[pending.chat_id] = asyncio.Queue()
            self._push_tasks[pending.chat_id] = asyncio.create_task(self._push_chat(queue))
        queue.put_nowait(pending.update["update_id"])

    async def _stop_pushing(self) -> None:
        tasks = list(self._push_tasks.values())
        self._push_tasks.clear()
        self._push_queues.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _push_chat(self, queue: asyncio.Queue[int]) -> None:
        while True:
            update_id = await queue.get()
            pending = self._pending.get(update_id)
            if pending is not None:
                await self._deliver(pending.update)

    async def _deliver(self, update: dict[str, Any]) -> None:
        """POST an update until the bot answers 2xx; Telegram gives up after a while."""
        webhook = self._webhook
        if webhook is None:
            return
        for attempt in range(1, WEBHOOK_MAX_ATTEMPTS + 1):
            status, error = await self._post_update(webhook, update)
            self.webhook_deliveries.append(
                WebhookDelivery(update["update_id"], attempt, status, error)
            )
            if error is None:
                self._pending.pop(update["update_id"], None)
                self._notify()
                return
            webhook.last_error_date, webhook.last_error_message = int(self.now()), error
            self._notify()
            if attempt < WEBHOOK_MAX_ATTEMPTS:
                delay = self.webhook_backoff * 2 ** (attempt - 1)
                await asyncio.sleep(min(delay, self.webhook_backoff_max))
        self._pending.pop(update["update_id"], None)
        self._notify()

    async def _post_update(
        self, webhook: _Webhook, update: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        """The HTTP status and, for a failure, Telegram's wording of it in getWebhookInfo."""
        assert self._client is not None
        headers = {"Content-Type": "application/json"}
        if webhook.secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret
        try:
            async with self._client.post(
                webhook.url,
                data=json.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
        except TimeoutError:
            return None, "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return None, "Connection refused"
        except aiohttp.ClientError as exc:
            return None, f"Connection error: {type(exc).__name__}"
        if 200 <= response.status < 300:
            return response.status, None
        return response.status, (
            f"Wrong response from the webhook: {response.status} {response.reason}"
        )

    # --- messages ---

    async def _send_message(self, params: Params) -> dict[str, Any]:
        chat_id = params.chat_id()
        text = params.text("text") or ""
        if not text:
            raise bad_request("message text is empty")
        parse_mode = params.text("parse_mode")
        visible, entities = parse_formatted(text, parse_mode, self.strict_html)
        self._require_chat(chat_id)
        check_length(visible, MAX_TEXT_LENGTH, "message is too long")
        if not visible.strip():
            raise bad_request("text must be non-empty")
        markup = params.json("reply_markup")
        check_reply_markup(markup)
        paid = params.flag("allow_paid_broadcast")
        self._check_can_send(chat_id, paid)
        message = SentMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            kind="message",
            text=text,
            parse_mode=parse_mode,
            reply_markup=normalized_markup(markup),
            visible_text=visible,
            entities=tuple(entities),
            date=int(self.now()),
            paid=paid,
        )
        return self._store_sent(message)

    async def _send_document(self, params: Params) -> dict[str, Any]:
        chat_id = params.chat_id()
        document = params.file("document")
        if document is None or document == "":
            raise bad_request("there is no document in the request")
        if isinstance(document, UploadedFile) and not document.content:
            raise bad_request("file must be non-empty")
        if isinstance(document, UploadedFile):
            filename = document.filename
        else:
            filename = document.rsplit("/", 1)[-1]  # a file_id or URL
        return self._send_captioned(params, chat_id, "document", document=filename)

    async def _send_photo(self, params: Params) -> dict[str, Any]:
        chat_id = params.chat_id()
        photo = params.file("photo")
        if photo is None or photo == "":
            raise bad_request("there is no photo in the request")
        if not isinstance(photo, UploadedFile):
            # A file_id or URL: this server keeps no files and fetches nothing.
            raise bad_request("wrong file identifier/HTTP URL specified")
        size = check_photo(photo.content)
        return self._send_captioned(params, chat_id, "photo", photo=photo.content, photo_size=size)

    def _send_captioned(
        self, params: Params, chat_id: int, kind: str, **attachment: Any
    ) -> dict[str, Any]:
        """A document or photo whose file was checked: its caption, markup and chat next."""
        caption = params.text("caption") or ""
        parse_mode = params.text("parse_mode")
        visible, entities = parse_formatted(caption, parse_mode, self.strict_html)
        self._require_chat(chat_id)
        check_length(visible, MAX_CAPTION_LENGTH, "message caption is too long")
        markup = params.json("reply_markup")
        check_reply_markup(markup)
        paid = params.flag("allow_paid_broadcast")
        self._check_can_send(chat_id, paid)
        message = SentMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            kind=kind,
            text=caption,
            parse_mode=parse_mode,
            reply_markup=normalized_markup(markup),
            visible_text=visible,
            entities=tuple(entities),
            date=int(self.now()),
            paid=paid,
            **attachment,
        )
        return self._store_sent(message)

    def _store_sent(self, message: SentMessage) -> dict[str, Any]:
        self.sent.append(message)
        self._sent_by_chat.setdefault(message.chat_id, []).append(message)
        self._messages.setdefault(message.chat_id, {})[message.message_id] = message
        return self._message_json(message)

    async def _edit_message_text(self, params: Params) -> dict[str, Any]:
        current = self._message_to_edit(params)
        text = params.text("text") or ""
        if not text:
            raise bad_request("message text is empty")
        parse_mode = params.text("parse_mode")
        visible, entities = parse_formatted(text, parse_mode, self.strict_html)
        if current.kind != "message":
            raise bad_request("there is no text in the message to edit")
        check_length(visible, MAX_TEXT_LENGTH, "message is too long")
        if not visible.strip():
            raise bad_request("text must be non-empty")
        markup = params.json("reply_markup")
        check_reply_markup(markup, edit=True)
        # Leaving reply_markup out of an edit removes the keyboard, as on Telegram.
        edited = replace(
            current,
            text=text,
            parse_mode=parse_mode,
            visible_text=visible,
            entities=tuple(entities),
            reply_markup=normalized_markup(markup),
        )
        return self._store_edit("editMessageText", current, edited)

    async def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        current = self._message_to_edit(params)
        markup = params.json("reply_markup")
        check_reply_markup(markup, edit=True)
        edited = replace(current, reply_markup=normalized_markup(markup))
        return self._store_edit("editMessageReplyMarkup", current, edited)

    def _message_to_edit(self, params: Params) -> SentMessage:
        if params.text("inline_message_id"):
            raise bad_request("message to edit not found")  # no inline mode here
        chat_id = params.chat_id()
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        self._require_chat(chat_id)
        message = self._message(chat_id, message_id)
        if message is None:
            if 0 < message_id <= self._last_message_id.get(chat_id, 0):
                raise bad_request("message can't be edited")  # the user's own message
            raise bad_request("message to edit not found")
        return message

    def _store_edit(self, method: str, before: SentMessage, after: SentMessage) -> dict[str, Any]:
        # Telegram compares what the user sees: text, formatting and keyboard.
        seen_before = (before.visible_text.strip(), before.entities, before.reply_markup)
        if seen_before == (after.visible_text.strip(), after.entities, after.reply_markup):
            raise bad_request(NOT_MODIFIED)
        self._check_can_write(before.chat_id)
        after = replace(after, edit_date=int(self.now()))
        self._messages[after.chat_id][after.message_id] = after
        self.edits.append(Edit(method, before, after))
        return self._message_json(after)

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.text("callback_query_id") or ""
        query = self._queries.get(query_id)
        expired = query is None or self.now() - query.created_at > CALLBACK_QUERY_LIFETIME
        if query is None or expired or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        text = params.text("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        answer = CallbackAnswer(query_id, text, params.flag("show_alert"), params.text("url"))
        self.callback_answers.append(answer)
        return True

    # --- commands ---

    async def _set_my_commands(self, params: Params) -> bool:
        commands = check_commands(params.json("commands"))
        key = self._commands_key(params)
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)  # an empty list deletes them, as on Telegram
        return True

    async def _get_my_commands(self, params: Params) -> list[dict[str, str]]:
        commands = self.commands.get(self._commands_key(params), [])
        return [{"command": command, "description": text} for command, text in commands]

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: Params) -> bool:
        chat_id = params.chat_id() if params.values.get("chat_id") is not None else None
        if chat_id is not None:
            self._require_chat(chat_id)
        button = params.json("menu_button") or {"type": "default"}
        prefix = "can't parse menu button"
        if not isinstance(button, dict) or button.get("type") not in MENU_BUTTONS:
            raise bad_request(f"{prefix}: unsupported menu button type")
        if button["type"] == "web_app":
            text = button.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 64:  # as for a button
                raise bad_request(f"{prefix}: text must be non-empty")
            check_button({"text": text, "web_app": button.get("web_app")})
        if button["type"] == "default":
            self.menu_buttons.pop(chat_id, None)
        else:
            self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        chat_id = params.chat_id() if params.values.get("chat_id") is not None else None
        return self.menu_buttons.get(chat_id, {"type": "commands"})

    def _commands_key(self, params: Params) -> tuple[str, int | None, str]:
        """(scope type, chat id or None, language code or ""): Telegram keeps one list each."""
        scope = params.json("scope") or {"type": "default"}
        prefix = "can't parse BotCommandScope"
        if not isinstance(scope, dict):
            raise bad_request(f"{prefix}: BotCommandScope must be an Object")
        kind = scope.get("type")
        if kind not in SCOPES:
            raise bad_request(f"{prefix}: Unsupported type specified")
        chat_id = None
        if kind in SCOPES_WITH_CHAT:
            needed = ("chat_id", "user_id") if kind == "chat_member" else ("chat_id",)
            for name in needed:
                if name not in scope:
                    raise bad_request(f'{prefix}: Can\'t find field "{name}"')
            chat_id = Params({"chat_id": scope["chat_id"]}, {}).chat_id()
            self._require_chat(chat_id)
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return str(kind), chat_id, language

    # --- helpers ---

    def _require_chat(self, chat_id: int) -> None:
        # A bot can write only to users who wrote to it first, and to groups it is in.
        if chat_id not in self._users and chat_id not in self._groups:
            raise bad_request("chat not found")

    def _check_can_write(self, chat_id: int) -> None:
        if chat_id in self._blocked:
            if chat_id in self._groups:
                raise BotApiError(403, "Forbidden: bot was kicked from the supergroup chat")
            raise BotApiError(403, "Forbidden: bot was blocked by the user")

    def _check_can_send(self, chat_id: int, paid: bool = False) -> None:
        """Blocked users, then flood control; a send that passes counts toward the limits: the
        chat's, and the free or the paid overall one (a paid send is not a free one)."""
        self._check_can_write(chat_id)
        now = self.now()
        if self._per_chat_rate:
            interval = 1 / self._per_chat_rate
            since = now - self._last_send_at.get(chat_id, -math.inf)
            if since < interval:
                raise too_many_requests(max(1, math.ceil(interval - since)))
        window, rate = (
            (self._paid_sends, self._paid_rate) if paid else (self._free_sends, self._global_rate)
        )
        if rate:
            wait = window.wait(rate, now)
            if wait is not None:
                raise too_many_requests(wait)
        self._last_send_at[chat_id] = now
        window.add(now, rate)

    def _remember(
        self, user_id: int, first_name: str, language_code: str | None, username: str | None
    ) -> _User:
        known = self._users.get(user_id)
        if known is not None and username is None:
            username = known.username
        user = _User(user_id, first_name, language_code, username)
        self._users[user_id] = user
        return user

    def _next_message_id(self, chat_id: int) -> int:
        # Messages of both sides share one sequence per private chat.
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _sent_to(self, chat_id: int) -> list[SentMessage]:
        return self._sent_by_chat.get(chat_id, [])

    def _message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return self._messages.get(chat_id, {}).get(message_id)

    def _user_json(self, user: _User) -> dict[str, Any]:
        payload: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
        if user.username:
            payload["username"] = user.username
        if user.language_code:
            payload["language_code"] = user.language_code
        return payload

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._groups:
            kind, title = self._groups[chat_id]
            return {"id": chat_id, "type": kind, "title": title}
        user = self._users[chat_id]
        payload: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": user.first_name}
        if user.username:
            payload["username"] = user.username
        return payload

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self._chat_json(message.chat_id),
            "date": message.date,
        }
        if message.edit_date is not None:
            payload["edit_date"] = message.edit_date
        text_field, entities_field = "text", "entities"
        if message.kind == "document":
            text_field, entities_field = "caption", "caption_entities"
            payload["document"] = {
                "file_id": f"BQACAgQAAx{message.chat_id}_{message.message_id}",
                "file_unique_id": f"AgAD{message.chat_id}_{message.message_id}",
                "file_name": message.document,
            }
        if message.kind == "photo" and message.photo_size is not None:
            text_field, entities_field = "caption", "caption_entities"
            width, height = message.photo_size
            payload["photo"] = [
                {
                    "file_id": f"AgACAgQAAx{message.chat_id}_{message.message_id}",
                    "file_unique_id": f"AQAD{message.chat_id}_{message.message_id}",
                    "width": width,
                    "height": height,
                    "file_size": len(message.photo or b""),
                }
            ]
        if message.visible_text:
            payload[text_field] = message.visible_text
        if message.entities:
            payload[entities_field] = list(message.entities)
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            payload["reply_markup"] = message.reply_markup  # Telegram echoes inline keyboards
        return payload

    def _notify(self) -> None:
        """Wake everything waiting for a change (long polls, wait_for)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _changed_or_timeout(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)


def check_photo(content: bytes) -> tuple[int, int]:
    """The width and height of an uploaded photo, or Telegram's refusal.

    Telegram takes other image formats too; PNG and JPEG alone are read here (the stricter
    choice). Over 10 MB, Telegram answers with its internal error name, as it does for sizes.
    """
    if not content:
        raise bad_request("file must be non-empty")
    if len(content) > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    size = image_size(content)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(size):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return size


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other segments.
JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(content: bytes) -> tuple[int, int] | None:
    """A PNG's or JPEG's width and height from its header; None for anything else."""
    if content.startswith(PNG_SIGNATURE) and content[12:16] == b"IHDR" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return (width, height) if width and height else None
    if not content.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 9 <= len(content) and content[position] == 0xFF:
        marker = content[position + 1]
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        if marker in JPEG_FRAMES:
            height, width = struct.unpack(">HH", content[position + 5 : position + 9])
            return (width, height) if width and height else None
        position += 2 + length
    return None


def _client_waiting(request: web.Request) -> bool:
    return request.transport is not None and not request.transport.is_closing()


def check_webhook_url(url: str) -> None:
    """HTTPS on Telegram's ports; plain HTTP is accepted on this machine only, for the tests."""
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    try:
        port = parts.port or 443
    except ValueError:
        raise bad_request(
            "bad webhook: Failed to resolve host: Name or service not known"
        ) from None
    if not loopback and port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
