"""The chat commands, French names first with English aliases (contracts.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from handlers.i18n import Texts
from handlers.roles import Role

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)


class Command(Enum):
    START = "start"
    HELP = "help"
    LANGUAGE = "language"
    TOPICS = "topics"
    CAREGIVER = "caregiver"
    PRIVACY = "privacy"
    MY_DATA = "mydata"
    FORGET = "forget"
    CANCEL = "cancel"
    STATS = "stats"
    WEBINARS = "webinars"
    NEW_WEBINAR = "new_webinar"
    MY_WEBINARS = "my_webinars"
    FAQ = "faq"
    UNANSWERED = "unanswered"
    VOLUNTEERS = "volunteers"
    AUDIT = "audit"
    ADMIN_PAGE = "admin"


ALIASES: dict[str, Command] = {
    "start": Command.START,
    "aide": Command.HELP,
    "help": Command.HELP,
    "langue": Command.LANGUAGE,
    "language": Command.LANGUAGE,
    "themes": Command.TOPICS,
    "topics": Command.TOPICS,
    "aidant": Command.CAREGIVER,
    "caregiver": Command.CAREGIVER,
    "confidentialite": Command.PRIVACY,
    "privacy": Command.PRIVACY,
    "mesdonnees": Command.MY_DATA,
    "mydata": Command.MY_DATA,
    "oublier": Command.FORGET,
    "forget": Command.FORGET,
    "annuler": Command.CANCEL,
    "cancel": Command.CANCEL,
    "stats": Command.STATS,
    "webinaires": Command.WEBINARS,
    "webinars": Command.WEBINARS,
    "nouveau_webinaire": Command.NEW_WEBINAR,
    "new_webinar": Command.NEW_WEBINAR,
    "mes_webinaires": Command.MY_WEBINARS,
    "my_webinars": Command.MY_WEBINARS,
    "faq": Command.FAQ,
    "nonrepondues": Command.UNANSWERED,
    "unanswered": Command.UNANSWERED,
    "benevoles": Command.VOLUNTEERS,
    "volunteers": Command.VOLUNTEERS,
    "audit": Command.AUDIT,
    "admin": Command.ADMIN_PAGE,
}

# Commands reserved to a role; the others are everyone's.
REQUIRED_ROLE: dict[Command, Role] = {
    Command.NEW_WEBINAR: Role.VOLUNTEER,
    Command.MY_WEBINARS: Role.VOLUNTEER,
    Command.STATS: Role.ADMIN,
    Command.ADMIN_PAGE: Role.ADMIN,
    Command.FAQ: Role.ADMIN,
    Command.UNANSWERED: Role.ADMIN,
    Command.VOLUNTEERS: Role.ADMIN,
    Command.AUDIT: Role.ADMIN,
}
# The staff's screens (`handlers.admin`) answer these.
ADMIN_COMMANDS: frozenset[Command] = frozenset(
    {Command.FAQ, Command.UNANSWERED, Command.VOLUNTEERS, Command.AUDIT}
)
# Commands answered only in a private chat: role commands, and those showing or changing one
# person's data (their subscriptions among them), which a group must not see.
PRIVATE_ONLY: frozenset[Command] = frozenset(REQUIRED_ROLE) | {
    Command.MY_DATA,
    Command.FORGET,
    Command.WEBINARS,
}


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    command: Command | None
    argument: str


def parse_command(text: str) -> ParsedCommand | None:
    """``/name[@bot] [argument]`` as typed; None when the text is not a command."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    name = match.group(1).lower()
    return ParsedCommand(name, ALIASES.get(name), (match.group(2) or "").strip())


def menu(texts: Texts, role: Role = Role.USER) -> list[tuple[str, str]]:
    """Commands shown in the client's menu of someone with ``role``, in the user's language
    (for ``setMyCommands``); a command's role is the one `REQUIRED_ROLE` gives it."""
    _ = texts._
    shown = [
        (Command.HELP, "aide", "help", _("How to use this bot")),
        (Command.TOPICS, "themes", "topics", _("Browse the questions by topic")),
        (Command.CAREGIVER, "aidant", "caregiver", _("Giving a caregiver access")),
        (Command.WEBINARS, "webinaires", "webinars", _("Webinars in your region")),
        (Command.LANGUAGE, "langue", "language", _("Change language")),
        (Command.PRIVACY, "confidentialite", "privacy", _("What this bot keeps and why")),
        (Command.MY_DATA, "mesdonnees", "mydata", _("See what the bot keeps about you")),
        (Command.FORGET, "oublier", "forget", _("Erase what the bot keeps about you")),
        (
            Command.NEW_WEBINAR,
            "nouveau_webinaire",
            "new_webinar",
            _("Publish a webinar (volunteers)"),
        ),
        (Command.MY_WEBINARS, "mes_webinaires", "my_webinars", _("Change or cancel your webinars")),
        (Command.FAQ, "faq", "faq", _("Browse and edit the FAQ (administrators)")),
        (
            Command.UNANSWERED,
            "nonrepondues",
            "unanswered",
            _("Questions the bot could not answer (administrators)"),
        ),
        (Command.VOLUNTEERS, "benevoles", "volunteers", _("Who may publish webinars")),
        (Command.AUDIT, "audit", "audit", _("What staff changed, and when")),
        (Command.STATS, "stats", "stats", _("Figures on the bot's use (administrators)")),
        (Command.ADMIN_PAGE, "admin", "admin", _("Open the admin page (administrators)")),
    ]
    return [
        (french if texts.lang == "fr" else english, description)
        for command, french, english, description in shown
        if REQUIRED_ROLE.get(command, Role.USER) <= role
    ]
