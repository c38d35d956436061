"""The composition root: settings in, a ready conversation out. Nothing is built at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db import DatabaseError, create_engine, schema_lock, session_factory, upgrade
from faq.catalog import Language
from faq.entries import bundled_entries
from faq.live import LiveCatalog
from faq.store import FaqStore
from handlers.conversation import Conversation
from handlers.flows.definition import bundled_flows
from handlers.flows.engine import Walkthroughs
from handlers.i18n import Catalogs
from handlers.roles import Roles
from handlers.signing import ButtonSigner
from handlers.usernames import UsernameBook
from scheduler.regions import Regions

log = structlog.get_logger(__name__)

BUNDLE_AUTHOR = "bundle"


@dataclass(frozen=True)
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    language: Language
    catalogs: Catalogs
    conversation: Conversation


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def prepare_database(settings: Settings) -> AsyncEngine:
    """Migrate to the latest schema and bring the bundled FAQ in, one instance at a time, and
    return an engine; DatabaseError when that fails."""
    engine = create_engine(settings.database_url)
    try:
        async with schema_lock(engine):
            await upgrade(settings.database_url)
            await seed_bundled_faq(session_factory(engine))
    except (OSError, SQLAlchemyError) as exc:
        await engine.dispose()
        raise DatabaseError(
            f"cannot prepare the database at {safe_url(settings.database_url)}: {exc}"
        ) from exc
    return engine


async def seed_bundled_faq(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Bring the bundled FAQ in: new entries added, entries nobody edited updated."""
    async with sessions() as session:
        report = await FaqStore(session).save(bundled_entries(), BUNDLE_AUTHOR, keep_edited=True)
        await session.commit()
    if report.added or report.updated:
        log.info("faq_bundle_synced", added=len(report.added), updated=len(report.updated))


async def load_catalog(
    sessions: async_sessionmaker[AsyncSession], language: Language, settings: Settings
) -> LiveCatalog:
    async with sessions() as session:
        return await LiveCatalog.load(session, language, settings.match_settings())


def button_signer(settings: Settings) -> ButtonSigner:
    """Every instance of one bot shares its token, hence the key; the console has none."""
    if settings.token is None:
        return ButtonSigner.ephemeral()
    return ButtonSigner.from_secret(settings.token.get_secret_value())


def username_book(settings: Settings) -> UsernameBook:
    if settings.token is None:
        return UsernameBook.ephemeral()
    return UsernameBook.from_secret(settings.token.get_secret_value())


@asynccontextmanager
async def build_app(settings: Settings) -> AsyncIterator[App]:
    engine = await prepare_database(settings)
    try:
        sessions = session_factory(engine)
        language = Language.load()
        catalog = await load_catalog(sessions, language, settings)
        catalogs = Catalogs(settings.default_locale)
        conversation = Conversation(
            sessions=sessions,
            catalogs=catalogs,
            faq=catalog,
            roles=Roles(settings.admin_ids),
            question_retention=settings.question_retention,
            review_retention=settings.review_retention,
            signer=button_signer(settings),
            usernames=username_book(settings),
            walkthroughs=Walkthroughs(bundled_flows(), catalog),
            flow_expiry=settings.flow_expiry,
            admin_url=settings.admin_url,
            regions=Regions.bundled(),
            zone=ZoneInfo(settings.timezone),
        )
        log.info(
            "app_ready",
            database=make_url(settings.database_url).get_backend_name(),
            faq_entries=len(catalog.entries),
            routes=",".join(conversation.route_table()),
        )
        yield App(settings, engine, sessions, language, catalogs, conversation)
    finally:
        await engine.dispose()
