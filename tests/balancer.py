"""A load balancer in front of several bot instances, as a reverse proxy would be in production:
each webhook request goes to the next instance in turn, so one user's updates are spread across
them; an instance that refuses the connection (it died) is skipped for the next one, like
nginx's ``proxy_next_upstream error``."""

from __future__ import annotations

import itertools
from collections import Counter

import aiohttp
from aiohttp import web

FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends  # base URLs, e.g. http://127.0.0.1:8081
        self.served: Counter[str] = Counter()  # requests each backend answered
        self._turns = itertools.cycle(range(len(backends)))
        self._client: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, port: int) -> None:
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        for _ in self.backends:
            backend = self.backends[next(self._turns)]
            try:
                async with self._client.post(
                    backend + request.path, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
            except aiohttp.ClientConnectionError:
                continue  # not listening: the next one
            self.served[backend] += 1
            return web.Response(
                status=answer.status, body=payload, content_type=answer.content_type
            )
        return web.Response(status=502, text="no instance answered")
