"""Whether a message is meant for this bot, and its text without the bot's name.

In a private chat every message is. In a group the bot speaks only when addressed: a command
(bare, or named for this bot), a reply to one of its messages, or a message that mentions its
@username. A command named for another bot is never this bot's, in any chat.
"""

from __future__ import annotations

import re

_COMMAND_TARGET = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]+))?(?:\s|$)")
_AROUND_MENTION = " \t\n,;:-–—"


def addressed_text(text: str, *, private: bool, reply_to_bot: bool, username: str) -> str | None:
    """The text the conversation answers, or None when the message is not for this bot."""
    command = _COMMAND_TARGET.match(text.strip())
    if command is not None:
        target = command.group(1)
        return text if target is None or target.lower() == username.lower() else None
    if private or reply_to_bot:
        return text
    if not username:
        return None
    # Usernames are case-insensitive; "@name" inside a longer word or handle is not a mention.
    mention = re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)
    if mention.search(text) is None:
        return None
    return mention.sub(" ", text).strip(_AROUND_MENTION)
