"""Reading and writing FAQ entries in the database, each change kept as a revision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from faq.entries import Entry
from faq.models import FaqEntryRow, FaqRevisionRow


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class FaqStore:
    """FAQ entries of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def entries(self) -> list[Entry]:
        rows = await self._session.scalars(select(FaqEntryRow).order_by(FaqEntryRow.id))
        return [Entry.model_validate(row.content) for row in rows]

    async def history(self, entry_id: str) -> list[FaqRevisionRow]:
        rows = await self._session.scalars(
            select(FaqRevisionRow)
            .where(FaqRevisionRow.entry_id == entry_id)
            .order_by(FaqRevisionRow.version)
        )
        return list(rows)

    async def save(
        self, entries: Iterable[Entry], author: str, *, keep_edited: bool = False
    ) -> ImportReport:
        """Add or update entries; an update bumps the version and keeps the old one as history.

        With ``keep_edited``, an entry last written by someone other than ``author`` is left as
        it is: a new release of the bundled FAQ updates the entries nobody edited, never an
        administrator's.
        """
        report = ImportReport()
        existing = {row.id: row for row in await self._session.scalars(select(FaqEntryRow))}
        now = utcnow()
        for entry in entries:
            content = entry.model_dump(mode="json")
            row = existing.get(entry.id)
            if row is None:
                row = FaqEntryRow(
                    id=entry.id, version=1, content=content, updated_at=now, updated_by=author
                )
                self._session.add(row)
                existing[entry.id] = row
                report.added.append(entry.id)
            elif row.content == content or (keep_edited and row.updated_by != author):
                report.unchanged.append(entry.id)
                continue
            else:
                row.version += 1
                row.content = content
                row.updated_at = now
                row.updated_by = author
                report.updated.append(entry.id)
            self._session.add(
                FaqRevisionRow(
                    entry_id=entry.id,
                    version=row.version,
                    content=content,
                    created_at=now,
                    created_by=author,
                )
            )
        await self._session.flush()
        return report
