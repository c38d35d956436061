"""python-telegram-bot's networking on aiohttp instead of httpx.

PTB lets the HTTP client be swapped (`telegram.request.BaseRequest`). With its default, httpx, a
bot update cost about 40 % more CPU here than with aiohttp (its connection pool and per-request
set-up; docs/benchmarks.md), and aiohttp is here anyway for aiogram and the webhook server.
PTB still turns statuses and payloads into its exceptions; this class only moves bytes, and
turns aiohttp's failures into PTB's `NetworkError` and `TimedOut`.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.transports.base import network_failure

JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session with at most ``pool_size`` connections."""

    def __init__(
        self,
        *,
        pool_size: int,
        connect_timeout: float,
        read_timeout: float,
        pool_timeout: float,
    ) -> None:
        self._pool_size = pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = aiohttp.ClientTimeout(
            connect=_given(pool_timeout, self._pool_timeout),
            sock_connect=_given(connect_timeout, self._connect_timeout),
            sock_read=_given(read_timeout, self._read_timeout),
        )
        body, headers = _body(request_data)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut() from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(network_failure(exc)) from exc


def _given(value: object, default: float) -> float | None:
    """A timeout PTB passes (seconds, or None for none), or ours when it passes its "default"
    marker."""
    if value is None or isinstance(value, int | float):
        return value
    return default


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The body and its headers: parameters as JSON, which the Bot API accepts and which costs
    less than percent-encoding a form (replies are long and accented); with files, a
    multipart form as PTB sends it."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return request_data.json_payload, JSON_HEADERS
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
