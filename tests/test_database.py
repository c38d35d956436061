"""Migrations and storage, on SQLite and (when available) PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.db import METADATA, alembic_config, create_engine, downgrade, session_factory, upgrade
from faq.entries import Entry
from faq.matcher import MatchResult
from faq.review import QuestionLog
from faq.store import FaqStore
from handlers.updates import Arrival, arrive
from handlers.users import Users
from tests.databases import BACKENDS, scratch_database

pytestmark = pytest.mark.parametrize("backend", BACKENDS)


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def test_each_migration_goes_up_down_and_up(backend: str, tmp_path: Path) -> None:
    async with scratch_database(backend, tmp_path) as url:
        previous = "base"
        for revision in _revisions(url):
            await upgrade(url, revision)
            await downgrade(url, previous)
            await upgrade(url, revision)
            previous = revision
        await downgrade(url, "base")
        assert await _tables(url) == set()
        await upgrade(url)
        assert {"faq_entries", "faq_revisions", "faq_questions", "users"} <= await _tables(url)


async def test_models_match_migrations(backend: str, tmp_path: Path) -> None:
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), METADATA
                )
            )
        await engine.dispose()
        assert diff == []


async def test_entries_are_versioned_with_history(
    backend: str, tmp_path: Path, entries: list[Entry]
) -> None:
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        async with sessions() as session:
            report = await FaqStore(session).save(entries, "bundle")
            await session.commit()
        assert len(report.added) == len(entries)

        hide = next(e for e in entries if e.id == "documents.hide")
        edited = hide.model_copy(update={"fr": hide.fr.model_copy(update={"answer": "Nouveau."})})
        async with sessions() as session:
            store = FaqStore(session)
            assert (await store.save([edited], "admin:1")).updated == ["documents.hide"]
            assert (await store.save([edited], "admin:1")).unchanged == ["documents.hide"]
            assert (await store.save([hide], "bundle", keep_edited=True)).unchanged == [
                "documents.hide"
            ]
            activation = next(e for e in entries if e.id == "activation.how")
            newer = activation.model_copy(update={"theme": "general"})
            assert (await store.save([newer], "bundle", keep_edited=True)).updated == [
                "activation.how"
            ]
            await session.commit()
        async with sessions() as session:
            store = FaqStore(session)
            current = {e.id: e for e in await store.entries()}
            history = await store.history("documents.hide")
        assert current["documents.hide"].fr.answer == "Nouveau."
        assert [(r.version, r.created_by) for r in history] == [(1, "bundle"), (2, "admin:1")]
        assert history[0].created_at.tzinfo is not None
        await engine.dispose()


async def test_question_log_redacts_and_expires(backend: str, tmp_path: Path) -> None:
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        answered = MatchResult("answer", "documents.hide", 80.0, ())
        unanswered = MatchResult("fallback", None, 10.0, ())
        async with sessions() as session:
            log = QuestionLog(session)
            kept = (await log.record("fr", "je suis au 06 12 34 56 78", unanswered)).id
            await log.record("fr", "masquer un document", answered)
            await session.commit()
        async with sessions() as session:
            rows = await QuestionLog(session).to_review()
        assert [r.id for r in rows] == [kept]
        assert rows[0].text == "je suis au [phone]"
        async with sessions() as session:
            assert await QuestionLog(session).purge(dt.timedelta(0), dt.timedelta(days=1)) == 1
            await session.commit()
        async with sessions() as session:
            remaining = await QuestionLog(session).to_review()
        assert [r.id for r in remaining] == [kept]
        async with sessions() as session:  # kept for review, but not forever
            assert await QuestionLog(session).purge(dt.timedelta(0), dt.timedelta(0)) == 1
            await session.commit()
        await engine.dispose()


async def test_question_ids_are_never_reused_and_their_time_reads_back_exactly(
    backend: str, tmp_path: Path
) -> None:
    """A button names its question by id and creation time: after the newest questions are
    purged, the next one must not take an id an old button still carries."""
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        answered = MatchResult("answer", "documents.hide", 80.0, ())
        async with sessions() as session:
            first = [await QuestionLog(session).record("fr", "q", answered) for _ in range(3)]
            await session.commit()
        async with sessions() as session:
            assert await QuestionLog(session).purge(dt.timedelta(0), dt.timedelta(days=1)) == 3
            await session.commit()
        async with sessions() as session:
            later = await QuestionLog(session).record("fr", "q", answered)
            await session.commit()
        assert later.id > max(q.id for q in first)
        async with sessions() as session:
            row = await QuestionLog(session).get(later.id)
        assert row is not None and row.created_at == later.created_at
        await engine.dispose()


async def test_an_update_is_claimed_once_across_instances(backend: str, tmp_path: Path) -> None:
    """Two instances handed the same update (a webhook retry racing a slow first attempt): the
    second waits for the first's transaction and finds the update answered; a rolled-back
    claim leaves it free."""
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        first = create_engine(url)
        try:
            async with session_factory(first)() as session:
                assert await arrive(session, 1, 77) == Arrival(None, False)
                reached = threading.Event()
                racing = asyncio.create_task(
                    asyncio.to_thread(_other_instance_claims, url, 77, reached)
                )
                assert await asyncio.to_thread(reached.wait, 10), "the other instance never ran"
                await _held_back(backend, url, racing)
                await session.commit()
            assert await racing is None

            async with session_factory(first)() as session:
                assert await arrive(session, 1, 78) is not None
                await session.rollback()
            assert await asyncio.to_thread(_other_instance_claims, url, 78) is not None
        finally:
            await first.dispose()


async def test_two_updates_of_one_user_wait_for_each_other_across_instances(
    backend: str, tmp_path: Path
) -> None:
    """Two instances handed two updates of one user at once (a load balancer spreads them):
    the second waits until the first's transaction ends, so it reads the flow step or draft
    the first left, never one both change."""
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        first = create_engine(url)
        try:
            async with session_factory(first)() as session:
                assert await arrive(session, 1, 80) is not None
                reached = threading.Event()
                racing = asyncio.create_task(
                    asyncio.to_thread(_other_instance_claims, url, 81, reached)
                )
                assert await asyncio.to_thread(reached.wait, 10), "the other instance never ran"
                await _held_back(backend, url, racing)
                await session.commit()
            assert await racing is not None  # its own update: answered, after the first
        finally:
            await first.dispose()


async def _held_back(backend: str, url: str, racing: asyncio.Task[Arrival | None]) -> None:
    """Fail unless the other instance's claim is waiting for the first's transaction."""
    if backend == "postgresql":  # the server says who waits for a lock
        engine = create_engine(url)
        try:
            for _ in range(200):
                async with engine.connect() as conn:
                    waiting = await conn.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                        )
                    )
                if waiting:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the other instance's claim never waited for a lock")
        finally:
            await engine.dispose()
    else:  # SQLite waits in its busy handler, which nothing reports: give it time to return
        await asyncio.sleep(0.3)
    assert not racing.done(), "the other instance claimed the update without waiting"


def _other_instance_claims(
    url: str, update_id: int, reached: threading.Event | None = None
) -> Arrival | None:
    """Another instance claims the update: its own engine and event loop, in a thread here
    and a process in production (SQLite calls block their event loop while they wait)."""

    async def claim() -> Arrival | None:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                if reached is not None:
                    reached.set()
                standing = await arrive(session, 1, update_id)
                await session.commit()
            return standing
        finally:
            await engine.dispose()

    return asyncio.run(claim())


async def test_two_sessions_saving_a_new_user_at_once_both_succeed(
    backend: str, tmp_path: Path
) -> None:
    """Two instances (or two updates) of one new user: neither finds a row, both write one."""
    async with scratch_database(backend, tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        both_read = asyncio.Barrier(2) if backend == "postgresql" else None

        async def choose(lang: str, blocked: bool) -> None:
            async with sessions() as session:
                users = Users(session)
                await users.get(77)
                if both_read is not None:
                    await both_read.wait()
                await (users.set_blocked(77, True) if blocked else users.set_lang(77, lang))
                await session.commit()

        await asyncio.gather(choose("en", False), choose("fr", True))
        async with sessions() as session:
            row = await Users(session).get(77)
        assert row is not None and row.lang == "en" and row.blocked_at is not None
        await engine.dispose()
