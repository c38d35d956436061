"""The admin Mini App's JSON API under ``/admin/api/``: a thin HTTP adapter over the same core
use cases as the chat's /faq, /nonrepondues, /mes_webinaires and /stats, so that no rule has a
second copy.

Every call proves who it is (`bot.miniapp.auth`: 401 otherwise) and is checked against the
role as stored now (403). Every input is validated before it reaches the core (422 with the
reasons). Writes go through the core, which writes the audit record in the same transaction.
No response names who asked a question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

import structlog
from aiohttp import web
from sqlalchemy.exc import DBAPIError

from bot.app import App
from bot.miniapp.auth import Unauthorized, caller
from bot.miniapp.faq_routes import FaqRoutes
from bot.miniapp.http import Call, Clock, error
from bot.miniapp.page import AdminPage
from bot.miniapp.review_routes import ReviewRoutes
from bot.miniapp.stats_routes import StatsRoutes
from bot.miniapp.webinar_routes import WebinarRoutes
from faq.db import utcnow
from faq.lexicon import LANGS
from faq.review_queue import ReviewQueue
from handlers.admin.review_actions import ReviewActions
from handlers.roles import Role
from scheduler.regions import Regions

log = structlog.get_logger(__name__)
PREFIX = "/admin/api"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Route = Callable[[Call], Awaitable[web.Response]]


class AdminApi:
    """The routes, bound to one running app and the bot's token (which keys initData)."""

    def __init__(self, app: App, token: str, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._app = app
        self._token = token
        self._now = clock
        when = Clock(clock, ZoneInfo(app.settings.timezone))
        regions = Regions.bundled()
        editing = app.conversation.editing
        queue = ReviewQueue(app.language.normalisers)
        self._review = ReviewRoutes(ReviewActions(editing, queue))
        self._faq = FaqRoutes(editing, app.catalogs, self._review, when)
        self._webinars = WebinarRoutes(app.conversation.roles, regions, when)
        self._stats = StatsRoutes(editing.live, regions)

    def add_to(self, web_app: web.Application) -> None:
        """The page and its API."""
        AdminPage(self._app.catalogs).add_to(web_app)
        admin, volunteer = Role.ADMIN, Role.VOLUNTEER
        faq, review, webinars = self._faq, self._review, self._webinars
        routes: list[tuple[str, str, Role, Route]] = [
            ("GET", "/me", volunteer, self.me),
            ("GET", "/themes", admin, faq.themes),
            ("GET", "/entries", admin, faq.entries),
            ("POST", "/entries", admin, faq.create),
            ("POST", "/entries/preview/{lang}", admin, faq.preview_new),
            ("GET", "/entries/{id}", admin, faq.entry),
            ("PUT", "/entries/{id}/{lang}", admin, faq.save),
            ("POST", "/entries/{id}/{lang}/preview", admin, faq.preview),
            ("POST", "/entries/{id}/reviewed", admin, faq.reviewed),
            ("POST", "/entries/{id}/hidden", admin, faq.hide),
            ("POST", "/entries/{id}/rollback/{revision}", admin, faq.rollback),
            ("GET", "/review", admin, review.groups),
            ("POST", "/review/{anchor}/{stamp}/alternate", admin, review.add_alternate),
            ("POST", "/review/{anchor}/{stamp}/dismiss", admin, review.dismiss),
            ("GET", "/regions", volunteer, webinars.regions),
            ("GET", "/webinars", volunteer, webinars.listed),
            ("POST", "/webinars", volunteer, webinars.create),
            ("PUT", "/webinars/{id}", volunteer, webinars.change),
            ("POST", "/webinars/{id}/cancel", volunteer, webinars.cancel),
            ("GET", "/stats", admin, self._stats.figures),
        ]
        for method, path, needed, route in routes:
            web_app.router.add_route(method, PREFIX + path, self._staff(needed, route))

    def _staff(self, needed: Role, route: Route) -> Handler:
        """``route`` for callers whose signed initData is valid and whose role, as stored now,
        is at least ``needed``; in one session, committed when the route has answered."""

        async def checked(request: web.Request) -> web.StreamResponse:
            try:
                who = caller(request.headers.get("Authorization"), self._token, self._now())
            except Unauthorized as exc:
                return error(401, str(exc))
            try:
                async with self._app.sessions() as session:
                    role = await self._app.conversation.roles.role_of(session, who.user_id)
                    if role < needed:
                        log.warning(
                            "permission_refused",
                            user_id=who.user_id,
                            path=request.path,
                            via="miniapp",
                        )
                        return error(403, "this needs a role you do not hold")
                    response = await route(Call(request, session, who, role))
                    if response.status < 400:
                        await session.commit()
            except (DBAPIError, OSError) as exc:  # the database is down or unreachable
                log.error("miniapp_database_unavailable", error=type(exc).__name__)
                return error(503, "the database is unavailable: try again in a moment")
            return response

        return checked

    async def me(self, call: Call) -> web.Response:
        publisher = await self._app.conversation.roles.publisher(call.session, call.who.user_id)
        regions = None  # every region
        if publisher is not None and publisher.regions is not None:
            regions = sorted(publisher.regions)
        return web.json_response(
            {
                "user_id": call.who.user_id,
                "roles": ["admin", "volunteer"] if call.role >= Role.ADMIN else ["volunteer"],
                "regions": regions,
                "lang": call.who.language_code if call.who.language_code in LANGS else None,
            }
        )
