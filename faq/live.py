"""The FAQ in use, replaced whole when its entries change: at once in the process that changed
them, and within a poll interval in every other process sharing the database."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from faq.catalog import FaqCatalog, Language
from faq.entries import Entry
from faq.matcher import MatchSettings
from faq.store import FaqStore, Stamp

log = structlog.get_logger(__name__)

POLL_INTERVAL = 5.0  # seconds between checks for changes made elsewhere (well within 15 s)


class LiveCatalog:
    """Holds the current `FaqCatalog`. Readers take ``current`` once per use: a catalog is
    immutable, so a swap never changes one under a reader's feet."""

    def __init__(
        self,
        catalog: FaqCatalog,
        language: Language,
        settings: MatchSettings,
        stamp: Stamp | None = None,
    ) -> None:
        self.current = catalog
        self.language = language
        self._settings = settings
        self._stamp = stamp
        self._lock = asyncio.Lock()

    @classmethod
    async def load(
        cls, session: AsyncSession, language: Language, settings: MatchSettings
    ) -> LiveCatalog:
        store = FaqStore(session)
        stamp = await store.stamp()
        catalog = FaqCatalog(await store.entries(), language, settings)
        return cls(catalog, language, settings, stamp)

    @property
    def entries(self) -> Mapping[str, Entry]:
        return self.current.entries

    async def adopt(self, session: AsyncSession) -> None:
        """Rebuild from what ``session`` sees, its own unsaved changes included: called by the
        process that changed the FAQ, before it commits. Should the commit fail, the stamp read
        here differs from the database's and the next `refresh` rebuilds."""
        await self._rebuild(session, force=True)

    async def refresh(self, session: AsyncSession) -> bool:
        """Rebuild if the entries changed since the last build; whether it did."""
        return await self._rebuild(session, force=False)

    async def _rebuild(self, session: AsyncSession, *, force: bool) -> bool:
        async with self._lock:
            store = FaqStore(session)
            stamp = await store.stamp()
            if not force and stamp == self._stamp:
                return False
            entries = await store.entries()
            # Building the index takes a fraction of a second of pure Python: off the event
            # loop's thread, answers already under way are not held up by it.
            self.current = await asyncio.to_thread(
                FaqCatalog, entries, self.language, self._settings
            )
            self._stamp = stamp
        log.info("faq_reloaded", entries=len(entries), versions=stamp.versions)
        return True
