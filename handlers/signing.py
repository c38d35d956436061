"""Signatures on the buttons that act on a stored question (👍, 👎, "none of these").

Callback data comes back from the client, which anyone can forge. A button that names a question
therefore carries a short HMAC over what it may act on: its purpose, the question's id and
creation time, the chat it was shown in and the person who asked. Another chat's question, a
question id that was reused, a vote button replayed as "none of these", or a press by someone
else in a group does not verify.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Literal

Purpose = Literal["vote", "none"]
DIGEST_BYTES = 6  # 48 bits, 8 characters of callback data: far beyond guessing by hand
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ButtonSigner:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a button signing key needs at least 16 bytes")
        self._key = key

    @classmethod
    def from_secret(cls, secret: str) -> ButtonSigner:
        """A key derived from a secret every instance shares (the bot token), so that one
        instance verifies what another signed and a new token retires the old buttons."""
        return cls(hashlib.sha256(b"mesbot buttons\x00" + secret.encode()).digest())

    @classmethod
    def ephemeral(cls) -> ButtonSigner:
        """For a process without a token (the console chat): buttons last as long as it."""
        return cls(secrets.token_bytes(32))

    def sign(
        self,
        purpose: Purpose,
        question_id: int,
        created_at: dt.datetime,
        chat_id: int,
        user_id: int,
    ) -> str:
        message = f"{purpose}:{question_id}:{_micros(created_at)}:{chat_id}:{user_id}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:DIGEST_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def verify(
        self,
        signature: str,
        purpose: Purpose,
        question_id: int,
        created_at: dt.datetime,
        chat_id: int,
        user_id: int,
    ) -> bool:
        expected = self.sign(purpose, question_id, created_at, chat_id, user_id)
        return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _micros(moment: dt.datetime) -> int:
    """The instant as whole microseconds, the same whatever the database returned it as."""
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)
