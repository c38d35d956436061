"""Who may do what: everyone, association volunteers, administrators."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class Role(IntEnum):
    """Ordered: each role may do what the roles below it may."""

    USER = 0
    VOLUNTEER = 1
    ADMIN = 2


class Roles:
    """Administrators are named in the settings (``MESBOT_ADMIN_IDS``); everyone else is a
    user until volunteers are granted their role."""

    def __init__(self, admin_ids: Iterable[int]) -> None:
        self.admin_ids = frozenset(admin_ids)

    def of(self, user_id: int) -> Role:
        return Role.ADMIN if user_id in self.admin_ids else Role.USER
