"""Who wrote to the bot under which @username, so that an administrator can grant a role by
it ("/benevoles @name").

A username is public, but a list of who uses a health bot is not: the table keeps only a keyed
hash of each username (HMAC with a key derived from the bot token), beside the user id, and
forgets it once its user has not written for `RETENTION`. Without the key, the table cannot be
searched for a name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections import OrderedDict

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from handlers.models import KnownUsernameRow

RETENTION = dt.timedelta(days=90)
# Telegram usernames: 5-32 characters of letters, digits and underscores (a few older ones
# are shorter), compared without regard to case.
USERNAME = re.compile(r"^@?([A-Za-z0-9_]{3,32})$")
_REMEMBERED = 10_000  # users whose hash was written recently, held in memory
_TABLE = KnownUsernameRow.__table__


def parse_username(text: str) -> str | None:
    """The username in ``text`` (``@name`` or ``name``), lowercased; None if it is not one."""
    match = USERNAME.match(text.strip())
    return None if match is None else match.group(1).lower()


class UsernameBook:
    """One per process."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a username key needs at least 16 bytes")
        self._key = key
        # The last hash written for each recent user, and when: most messages then cost no
        # write at all.
        self._written: OrderedDict[int, tuple[str, dt.date]] = OrderedDict()

    @classmethod
    def from_secret(cls, secret: str) -> UsernameBook:
        return cls(hashlib.sha256(b"mesbot usernames\x00" + secret.encode()).digest())

    @classmethod
    def ephemeral(cls) -> UsernameBook:
        return cls(secrets.token_bytes(32))

    def fingerprint(self, username: str) -> str:
        name = username.lstrip("@").lower().encode()
        return hmac.new(self._key, name, hashlib.sha256).hexdigest()

    async def note(self, session: AsyncSession, user_id: int, username: str | None) -> None:
        """Remember that ``user_id`` wrote as ``username`` (at most one write a day a user)."""
        if not username:
            return
        fingerprint = self.fingerprint(username)
        now = utcnow()
        if self._written.get(user_id) == (fingerprint, now.date()):
            self._written.move_to_end(user_id)
            return
        connection = await session.connection()
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        await session.execute(
            insert(_TABLE)
            .values(username_hash=fingerprint, user_id=user_id, seen_at=now)
            .on_conflict_do_update(
                index_elements=[_TABLE.c.username_hash], set_={"user_id": user_id, "seen_at": now}
            )
        )
        self._written[user_id] = (fingerprint, now.date())
        self._written.move_to_end(user_id)
        if len(self._written) > _REMEMBERED:
            self._written.popitem(last=False)

    async def find(self, session: AsyncSession, username: str) -> int | None:
        """The user who last wrote under ``username``, if they did within `RETENTION`."""
        return await session.scalar(
            select(KnownUsernameRow.user_id).where(
                KnownUsernameRow.username_hash == self.fingerprint(username),
                KnownUsernameRow.seen_at >= utcnow() - RETENTION,
            )
        )

    async def purge(self, session: AsyncSession) -> int:
        result = await session.execute(
            delete(KnownUsernameRow).where(KnownUsernameRow.seen_at < utcnow() - RETENTION)
        )
        return int(result.rowcount or 0)

    async def forget(self, session: AsyncSession, user_id: int) -> int:
        self._written.pop(user_id, None)
        result = await session.execute(
            delete(KnownUsernameRow).where(KnownUsernameRow.user_id == user_id)
        )
        return int(result.rowcount or 0)

    @staticmethod
    async def export(session: AsyncSession, user_id: int) -> list[dict[str, str]]:
        rows = await session.scalars(
            select(KnownUsernameRow).where(KnownUsernameRow.user_id == user_id)
        )
        return [
            {"username_hash": row.username_hash, "seen_at": row.seen_at.isoformat()} for row in rows
        ]
