"""Reading and writing FAQ entries in the database, each change kept as a revision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from faq.db import utcnow
from faq.entries import Entry
from faq.models import FaqEntryRow, FaqRevisionRow


class UnknownEntry(LookupError):
    """No entry, or no revision, of that id."""


@dataclass(frozen=True)
class Stamp:
    """What changes whenever any entry does: every change, a hide or a rollback included, adds
    a version. Two instances that read the same stamp hold the same FAQ."""

    entries: int
    versions: int


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class FaqStore:
    """FAQ entries of one database session; the caller commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def entries(self, *, include_hidden: bool = False) -> list[Entry]:
        """The entries users are answered from; with ``include_hidden``, the hidden ones too."""
        query = select(FaqEntryRow).order_by(FaqEntryRow.id)
        if not include_hidden:
            query = query.where(FaqEntryRow.hidden.is_(False))
        return [Entry.model_validate(row.content) for row in await self._session.scalars(query)]

    async def rows(self) -> list[FaqEntryRow]:
        """Every entry's current row, hidden ones included, by id."""
        return list(await self._session.scalars(select(FaqEntryRow).order_by(FaqEntryRow.id)))

    async def row(self, entry_id: str) -> FaqEntryRow | None:
        return await self._session.get(FaqEntryRow, entry_id)

    async def stamp(self) -> Stamp:
        count, versions = (
            await self._session.execute(
                select(func.count(), func.coalesce(func.sum(FaqEntryRow.version), 0))
            )
        ).one()
        return Stamp(int(count), int(versions))

    async def set_hidden(self, entry_id: str, hidden: bool, author: str) -> FaqEntryRow:
        """Hide the entry from users, or show it again: a new revision of the same content."""
        row = await self.row(entry_id)
        if row is None:
            raise UnknownEntry(entry_id)
        if row.hidden != hidden:
            self._revise(row, row.content, hidden, author)
            await self._session.flush()
        return row

    async def rollback(self, entry_id: str, version: int, author: str) -> FaqEntryRow:
        """Make an earlier revision current again, as a new revision: history only grows."""
        row = await self.row(entry_id)
        revision = await self._session.scalar(
            select(FaqRevisionRow).where(
                FaqRevisionRow.entry_id == entry_id, FaqRevisionRow.version == version
            )
        )
        if row is None or revision is None:
            raise UnknownEntry(f"{entry_id} v{version}")
        self._revise(row, revision.content, revision.hidden, author)
        await self._session.flush()
        return row

    def _revise(self, row: FaqEntryRow, content: dict[str, Any], hidden: bool, author: str) -> None:
        now = utcnow()
        row.version += 1
        row.content = content
        row.hidden = hidden
        row.updated_at = now
        row.updated_by = author
        self._session.add(
            FaqRevisionRow(
                entry_id=row.id,
                version=row.version,
                content=content,
                hidden=hidden,
                created_at=now,
                created_by=author,
            )
        )

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
                    id=entry.id,
                    version=1,
                    content=content,
                    hidden=False,
                    updated_at=now,
                    updated_by=author,
                )
                self._session.add(row)
                existing[entry.id] = row
                report.added.append(entry.id)
            elif row.content == content or (keep_edited and row.updated_by != author):
                report.unchanged.append(entry.id)
                continue
            else:
                self._revise(row, content, row.hidden, author)
                report.updated.append(entry.id)
                continue
            self._session.add(
                FaqRevisionRow(
                    entry_id=entry.id,
                    version=row.version,
                    content=content,
                    hidden=False,
                    created_at=now,
                    created_by=author,
                )
            )
        await self._session.flush()
        return report
