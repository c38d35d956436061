"""Logging, configured once at start: key-value events, never the token or message text.

Secrets are masked where every line passes, whatever wrote it: in one structlog processor
(after exceptions are formatted into text, so a traceback through a Bot API URL is masked too)
and in the formatter of the standard library's handler (libraries, and their tracebacks).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

# Libraries whose INFO lines are noise here; httpx would also log every request URL, and a Bot
# API URL carries the token.
QUIET_LOGGERS = ("sqlalchemy", "alembic", "aiosqlite", "asyncio", "httpx", "httpcore")


MASK = "***"


class Masker:
    """Replaces every secret in a text; a structlog processor over every event's values."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        if self._secrets:
            for key, value in event.items():
                if not isinstance(value, str | int | float | bool | None):
                    value = str(value)  # an exception, a URL object: as it would be rendered
                if isinstance(value, str):
                    event[key] = self.text(value)
        return event


class MaskingFormatter(logging.Formatter):
    """The standard library's lines, tracebacks included, with every secret masked."""

    def __init__(self, masker: Masker) -> None:
        super().__init__("%(message)s")
        self._masker = masker

    def format(self, record: logging.LogRecord) -> str:
        return self._masker.text(super().format(record))


def configure_logging(
    level: str = "INFO", fmt: str = "console", secrets: Iterable[str] = ()
) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    numeric = logging.getLevelName(level.upper())
    masker = Masker(secrets)
    logging.basicConfig(level=numeric, stream=sys.stderr, force=True)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(MaskingFormatter(masker))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, numeric))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            masker,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
