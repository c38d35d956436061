"""Typed settings from the environment (``MESBOT_*``) or a ``.env`` file; see `.env.example`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from faq.matcher import MatchSettings

_OFFSET = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_offsets(value: str) -> list[dt.timedelta]:
    """``"1d,1h,30m"`` -> timedeltas; raises ValueError on anything else."""
    offsets = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        match = _OFFSET.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not a number followed by d, h or m")
        offsets.append(dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))}))
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
    timezone: str = "Europe/Paris"
    default_locale: Literal["fr", "en"] = "fr"
    reminders: Annotated[list[dt.timedelta], NoDecode] = Field(
        default_factory=lambda: parse_offsets("1d,1h")
    )
    broadcast_rate: float = Field(default=25.0, gt=0, le=1000)
    flood_limit: int = Field(default=8, ge=1)
    flood_period: float = Field(default=2.0, gt=0)
    send_attempts: int = Field(default=5, ge=1, le=20)
    send_backoff: float = Field(default=0.5, gt=0, le=60)
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"
    question_retention_hours: int = Field(default=48, ge=1)
    faq_confident_score: float = Field(default=MatchSettings.confident_score, ge=0, le=100)
    faq_suggest_score: float = Field(default=MatchSettings.suggest_score, ge=0, le=100)
    faq_margin: float = Field(default=MatchSettings.margin, ge=0, le=100)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(" ", "").split(",") if v]
        return value

    @field_validator("reminders", mode="before")
    @classmethod
    def _parse_reminders(cls, value: object) -> object:
        return parse_offsets(value) if isinstance(value, str) else value

    @property
    def question_retention(self) -> dt.timedelta:
        return dt.timedelta(hours=self.question_retention_hours)

    def match_settings(self) -> MatchSettings:
        return MatchSettings(
            confident_score=self.faq_confident_score,
            suggest_score=self.faq_suggest_score,
            margin=self.faq_margin,
        )
