"""The admin Mini App's page under ``/admin/``: one HTML file, its script and its styles, shipped
in the package, served under a Content-Security-Policy that lets the page load nothing from
anywhere else; and its words, from the gettext catalogs."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from handlers.admin.page_texts import page_texts
from handlers.i18n import Catalogs

PAGE = "/admin/"
FILES = {  # name: content type; nothing else is served
    "app.js": "text/javascript",
    "common.js": "text/javascript",
    "faq.js": "text/javascript",
    "review.js": "text/javascript",
    "webinars.js": "text/javascript",
    "stats.js": "text/javascript",
    "style.css": "text/css",
    "planning.css": "text/css",
}
SECURITY = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class AdminPage:
    def __init__(self, catalogs: Catalogs) -> None:
        self._catalogs = catalogs
        self._static = resources.files("bot.miniapp") / "static"

    def add_to(self, web_app: web.Application) -> None:
        router = web_app.router
        router.add_get("/admin", self.to_page)
        router.add_get(PAGE, self.page)
        router.add_get(f"{PAGE}static/{{name}}", self.file)
        router.add_get(f"{PAGE}texts.json", self.texts)

    async def to_page(self, request: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect(PAGE)  # the page's own addresses are relative to it

    async def page(self, request: web.Request) -> web.Response:
        body = (self._static / "index.html").read_bytes()
        return web.Response(body=body, content_type="text/html", headers=SECURITY)

    async def file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in FILES:
            raise web.HTTPNotFound()
        body = (self._static / name).read_bytes()
        return web.Response(body=body, content_type=FILES[name], headers=SECURITY)

    async def texts(self, request: web.Request) -> web.Response:
        lang = "en" if request.query.get("lang") == "en" else "fr"
        return web.json_response(page_texts(self._catalogs.texts(lang)), headers=SECURITY)
