"""The core's public surface: what comes in from a transport and what goes back out."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks import CallbackData


@dataclass(frozen=True)
class Incoming:
    """One user action: a text message, a command, or a button press (``callback``).

    ``update_id`` is the transport's id for it, when the transport may deliver it twice: an
    event whose id was already answered is not answered again. ``private`` is false in a group,
    where the transport passes on only what is addressed to the bot. ``username`` is the
    sender's @username, if they have one. A forwarded message names its original author in
    ``forwarded_from``, unless that person hides their account in forwards
    (``forward_hidden``).
    """

    user_id: int
    chat_id: int
    language_code: str | None = None
    text: str | None = None
    callback: str | None = None
    message_id: int | None = None
    update_id: int | None = None
    private: bool = True
    username: str | None = None
    forwarded_from: int | None = None
    forward_hidden: bool = False

    @property
    def forwarded(self) -> bool:
        return self.forwarded_from is not None or self.forward_hidden


@dataclass(frozen=True)
class Button:
    """An inline button: typed callback data, a URL, or a Mini App's URL (``web_app``, which
    Telegram opens inside the chat with signed launch data; private chats only)."""

    label: str
    data: CallbackData | None = None
    url: str | None = None
    web_app: str | None = None

    def __post_init__(self) -> None:
        if [self.data, self.url, self.web_app].count(None) != 2:
            raise ValueError("a button has one of callback data, a URL or a Mini App's URL")


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Photo:
    """An image shown in the chat (PNG or JPEG); its caption is Telegram HTML, 1024 visible
    characters at most."""

    filename: str
    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class Reply:
    """A message to send, in Telegram HTML.

    ``edit`` asks the transport to replace the message the pressed button belongs to rather
    than send a new one.
    """

    text: str
    buttons: Keyboard = ()
    edit: bool = False
    document: Document | None = None
    photo: Photo | None = None


@dataclass(frozen=True)
class Response:
    """What the core answers to one event: messages, and for a button press a short notice.

    ``duplicate`` says the event was answered before (a redelivery): nothing is to be sent.
    ``roles_changed`` names users whose role the event changed: their command menus follow.
    """

    replies: tuple[Reply, ...] = ()
    notice: str | None = None
    duplicate: bool = False
    roles_changed: tuple[int, ...] = ()

    @classmethod
    def of(cls, *replies: Reply, notice: str | None = None) -> Response:
        return cls(tuple(replies), notice)
