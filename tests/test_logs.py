"""Logging never shows a secret, whichever logger writes it and whatever it carries."""

from __future__ import annotations

import logging

import pytest
import structlog

from bot.logs import configure_logging

SECRET = "123456:AAbbCCddEEff"


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_structlog_events_and_their_tracebacks_are_masked(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG", fmt, [SECRET])
    log = structlog.get_logger("test")
    url = f"https://api.telegram.org/bot{SECRET}/getMe"
    log.warning("api_unavailable", reason=f"cannot reach {url}", url=ValueError(url))
    try:
        raise ConnectionError(f"failed: {url}")
    except ConnectionError:
        log.exception("update_failed", update_id=1)
    err = capsys.readouterr().err
    assert "api_unavailable" in err and "update_failed" in err and "ConnectionError" in err
    assert SECRET not in err
    assert "bot***/getMe" in err


def test_library_records_and_their_tracebacks_are_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("DEBUG", "console", [SECRET])
    library = logging.getLogger("telegram.ext")
    library.info("Set Bot API URL: %s", f"https://api.telegram.org/bot{SECRET}")
    try:
        raise OSError(f"https://api.telegram.org/bot{SECRET}/getUpdates")
    except OSError:
        library.exception("polling failed")
    err = capsys.readouterr().err
    assert "Set Bot API URL" in err and "polling failed" in err and "OSError" in err
    assert SECRET not in err
