"""Process settings, read from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.db import normalize_database_url, sqlite_path
from services.common.locales import SUPPORTED_LOCALES

OFFICIAL_API_URL = "https://api.telegram.org"
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{10,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///data/planerka.sqlite3"
    telegram_api_url: str = OFFICIAL_API_URL
    default_locale: str = "ru"
    default_timezone: str = "Europe/Moscow"
    redis_url: str | None = None
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # The Mini App (bot/webapp): WEBAPP_URL is the public HTTPS address Telegram opens (the
    # webhook's host + /app/ in webhook mode); in polling mode it is served on WEBAPP_PORT.
    webapp_url: str | None = None
    webapp_name: str = "dashboard"  # the short name given to @BotFather's /newapp
    webapp_host: str = "0.0.0.0"
    webapp_port: int | None = Field(default=None, ge=0, le=65535)  # 0: any free port
    catch_up_hours: int = Field(default=12, ge=0)
    # The task engine's broker (jobs/engine.py): unset, due work runs in this process; a
    # redis:// URL, every replica and `planerka worker` takes tasks from one Redis stream.
    broker_url: str | None = None
    broker_idle_seconds: float = Field(default=600, gt=0)  # a dead worker's task is retaken
    broker_queue: str = "planerka"
    worker_tasks: int = Field(default=4, ge=1)  # due tasks a process runs at once
    # Outgoing messages (core/delivery.py): Telegram's limits; 0 turns a limit off.
    delivery_global_per_s: float = Field(default=30, ge=0)
    delivery_private_per_s: float = Field(default=1, ge=0)
    delivery_group_per_min: float = Field(default=20, ge=0)
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    delivery_backoff_s: float = Field(default=0.5, ge=0)
    delivery_timeout_s: float = Field(default=30, gt=0)
    delivery_retry_uncertain: bool = True

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not TOKEN_PATTERN.match(value.strip()):
            raise ValueError("expected the form 123456789:AA... as given by @BotFather")
        return value.strip()

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not WEBHOOK_SECRET_PATTERN.match(value):
            raise ValueError("expected 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webapp_url", mode="before")
    @classmethod
    def _webapp_url(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise ValueError("expected the page's address, e.g. https://bot.example.com/app/")
        return value.strip()

    @field_validator("webapp_name")
    @classmethod
    def _webapp_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_]{3,30}", value):
            raise ValueError("expected the Mini App's short name: 3-30 letters, digits or _")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/Moscow") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalize_database_url(value)

    def sqlite_path(self) -> Path | None:
        return sqlite_path(self.database_url)
