"""Settings read from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

import datetime as dtm
import json
import re
import zoneinfo
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from messages.render import render_plain

DEFAULT_DB_URL = "sqlite:///data/nhacviec.sqlite3"
ROLES = ("all", "updates", "sender")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Plain http is only for a webhook on this machine (tests, a proxy on the same host).
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the administrator."""


def _invalid(kind: str, value: object = None) -> ValueError:
    """Why a setting is refused, in Vietnamese (messages/templates/settings_invalid.j2)."""
    return ValueError(render_plain("settings_invalid", kind=kind, value=value))


# pydantic's own error types (English messages) and the Vietnamese reason shown instead.
_PYDANTIC_KINDS = {
    "int_parsing": "integer", "int_type": "integer", "int_from_float": "integer",
    "float_parsing": "number", "float_type": "number",
    "time_parsing": "time", "time_type": "time",
    "bool_parsing": "boolean", "bool_type": "boolean",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    bot_username: str = "nhacviec_bot"
    database_url: str = DEFAULT_DB_URL
    timezone: str = "Asia/Ho_Chi_Minh"
    end_of_workday: dtm.time = dtm.time(17, 0)
    digest_time: dtm.time = dtm.time(7, 30)
    # NoDecode: "7,3,1" from .env reaches the validator below instead of json.loads.
    reminder_offsets: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [7, 3, 1])
    tick_seconds: float = 20.0
    max_upload_mb: int = 20
    day_swaps_file: Path | None = None
    log_level: str = "INFO"
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None
    # What this process does (see docs/deploy.md): all = updates + tick, updates = only
    # updates, sender = only the tick.
    role: str = Field(default="all", validation_alias=AliasChoices("nhacviec_role", "role"))
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise _invalid("timezone", value) from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _check_db_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise _invalid("database_url", value) from exc
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise _invalid("database_backend", url.drivername)
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _split_offsets(cls, value: object) -> object:
        # Administrators write "7,3,1" in .env; pydantic alone would demand JSON.
        try:
            if isinstance(value, str) and value.strip().startswith("["):
                return json.loads(value)
            if isinstance(value, str):
                return [int(part) for part in value.split(",") if part.strip()]
        except ValueError as exc:
            raise _invalid("offsets", value) from exc
        return value

    @field_validator("day_swaps_file", "telegram_base_url", "telegram_base_file_url",
                     mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # `DAY_SWAPS_FILE=` as left in .env.example means "not set", not the current folder.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise _invalid("log_level", value)
        return level

    @field_validator("role", mode="before")
    @classmethod
    def _check_role(cls, value: object) -> object:
        role = str(value).strip().lower()
        if role not in ROLES:
            raise _invalid("role", value)
        return role

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _check_webhook_url(cls, value: object) -> object:
        if value is None or not str(value).strip():
            return None
        url = str(value).strip()
        parts = urlsplit(url)
        if not parts.hostname or parts.scheme not in {"https", "http"}:
            raise _invalid("webhook_url", url)
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise _invalid("webhook_https")
        if parts.query or parts.fragment:
            raise _invalid("webhook_query")
        return url

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _check_webhook_secret(cls, value: object, info: ValidationInfo) -> object:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        raw = str(raw).strip() if raw is not None else ""
        if not raw:
            if info.data.get("webhook_url"):
                raise _invalid("webhook_secret_missing")
            return None
        if not _SECRET_RE.fullmatch(raw):
            raise _invalid("webhook_secret")
        return raw

    @field_validator("webhook_port", mode="before")
    @classmethod
    def _check_webhook_port(cls, value: object) -> object:
        try:
            port = int(str(value).strip())
        except ValueError:
            port = 0
        if not 1 <= port <= 65535:
            raise _invalid("port", value)
        return port

    @property
    def webhook_path(self) -> str:
        """The path part of WEBHOOK_URL: the local server listens on the same path."""
        return urlsplit(self.webhook_url).path.rstrip("/") if self.webhook_url else ""

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's multi-line report into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())).upper()
        if first.get("type") == "value_error":  # raised by a validator above: Vietnamese
            reason = str(first.get("msg", "")).removeprefix("Value error, ")
        else:  # pydantic's own English message is not shown to the administrator
            kind = _PYDANTIC_KINDS.get(str(first.get("type")), "invalid")
            reason = render_plain("settings_invalid", kind=kind)
        raise SettingsError(render_plain("settings_error", field=field, reason=reason)) from None
