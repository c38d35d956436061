"""Everything a handler needs about the event it is answering."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.events import Incoming
from handlers.i18n import Texts


@dataclass(frozen=True)
class Context:
    event: Incoming
    session: AsyncSession
    texts: Texts

    @property
    def lang(self) -> str:
        return self.texts.lang
