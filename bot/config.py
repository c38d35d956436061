"""Typed settings from the environment (``MESBOT_*``) or a ``.env`` file; see `.env.example`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from faq.matcher import MatchSettings

_OFFSET = re.compile(r"^(\d+)([dhm])$")
_LISTEN = re.compile(r"^(?P<host>[^\s:]*|\[[0-9a-fA-F:.]+\]):(?P<port>\d{1,5})$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
FREE_BULK_RATE = 30  # messages a second Telegram allows a bot's broadcasts without payment


def parse_offsets(value: str) -> list[dt.timedelta]:
    """``"1d,1h,30m"`` -> timedeltas; raises ValueError on anything else."""
    offsets = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        match = _OFFSET.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not a number followed by d, h or m")
        offset = dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        if not offset or offset > dt.timedelta(days=60):
            raise ValueError(f"{part!r} is not between 1 minute and 60 days")
        offsets.append(offset)
    return offsets


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MESBOT_", env_file=".env", extra="ignore")

    token: SecretStr | None = None
    api_base: str = "https://api.telegram.org"
    framework: Literal["ptb", "aiogram"] = "ptb"
    database_url: str = "sqlite+aiosqlite:///data/mesbot.db"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen: str = "127.0.0.1:8080"
    # The admin Mini App's public HTTPS address; its API is served on the bot's HTTP server.
    admin_url: str | None = None
    timezone: str = "Europe/Paris"
    default_locale: Literal["fr", "en"] = "fr"
    reminders: Annotated[list[dt.timedelta], NoDecode] = Field(
        default_factory=lambda: parse_offsets("1d,1h")
    )
    # Paid broadcasts (``allow_paid_broadcast``) may go past Telegram's free bulk pace.
    broadcast_paid: bool = False
    broadcast_rate: float = Field(default=25.0, gt=0, le=1000)
    # Seconds between two looks of the scheduler at the webinars table (and lease renewals).
    scheduler_tick: float = Field(default=5.0, gt=0, le=5)
    flood_limit: int = Field(default=5, ge=1)
    flood_period: float = Field(default=5.0, gt=0)
    send_attempts: int = Field(default=5, ge=1, le=20)
    send_backoff: float = Field(default=0.5, gt=0, le=60)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    question_retention_hours: int = Field(default=48, ge=1)
    review_retention_days: int = Field(default=30, ge=1)
    flow_expiry_hours: int = Field(default=72, ge=1)
    faq_confident_score: float = Field(default=MatchSettings.confident_score, ge=0, le=100)
    faq_suggest_score: float = Field(default=MatchSettings.suggest_score, ge=0, le=100)
    faq_margin: float = Field(default=MatchSettings.margin, ge=0, le=100)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(" ", "").split(",") if v]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        match = _LISTEN.match(value.strip())
        if match is None or not 0 < int(match.group("port")) < 65536:
            raise ValueError("expected host:port, for example 127.0.0.1:8080")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone; expected a name such as Europe/Paris") from exc
        return value

    @field_validator("api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        # Without a scheme the frameworks build a relative URL and print it, token included.
        parts = urlsplit(value.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username
            or parts.query
            or parts.fragment
        ):
            raise ValueError("expected an http(s) URL such as https://api.telegram.org")
        return value.strip().rstrip("/")

    @field_validator("admin_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        # Telegram opens Mini Apps over HTTPS only.
        if parts.scheme != "https" or not parts.hostname or parts.username or parts.fragment:
            raise ValueError("expected the page's public https:// address")
        return value.strip()

    @field_validator("broadcast_rate")
    @classmethod
    def _free_or_paid(cls, value: float, info: ValidationInfo) -> float:
        if value > FREE_BULK_RATE and not info.data.get("broadcast_paid"):
            raise ValueError(
                f"over {FREE_BULK_RATE} messages a second Telegram refuses bulk messages "
                "unless they are paid broadcasts: lower it, or set MESBOT_BROADCAST_PAID=true"
            )
        return value

    @field_validator("reminders", mode="before")
    @classmethod
    def _parse_reminders(cls, value: object) -> object:
        return parse_offsets(value) if isinstance(value, str) else value

    @property
    def question_retention(self) -> dt.timedelta:
        return dt.timedelta(hours=self.question_retention_hours)

    @property
    def review_retention(self) -> dt.timedelta:
        return dt.timedelta(days=self.review_retention_days)

    @property
    def flow_expiry(self) -> dt.timedelta:
        return dt.timedelta(hours=self.flow_expiry_hours)

    def match_settings(self) -> MatchSettings:
        return MatchSettings(
            confident_score=self.faq_confident_score,
            suggest_score=self.faq_suggest_score,
            margin=self.faq_margin,
        )
