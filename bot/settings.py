"""Settings read from the environment and `.env` (pydantic-settings)."""

from __future__ import annotations

import datetime as dtm
import zoneinfo
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DB_URL = "sqlite:///data/nhacviec.sqlite3"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the administrator."""


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
    reminder_offsets: list[int] = Field(default_factory=lambda: [7, 3, 1])
    tick_seconds: float = 20.0
    max_upload_mb: int = 20
    day_swaps_file: Path | None = None
    log_level: str = "INFO"
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"múi giờ không tồn tại: {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _check_db_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"DATABASE_URL không hợp lệ: {value!r}") from exc
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(f"chỉ hỗ trợ SQLite và PostgreSQL, không phải {url.drivername!r}")
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _split_offsets(cls, value: object) -> object:
        # Administrators write "7,3,1" in .env; pydantic alone would demand JSON.
        if isinstance(value, str) and not value.strip().startswith("["):
            return [int(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"LOG_LEVEL không hợp lệ: {value!r}")
        return level

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
        field = ".".join(str(p) for p in first.get("loc", ())).upper() or "cấu hình"
        msg = str(first.get("msg", "giá trị không hợp lệ")).removeprefix("Value error, ")
        raise SettingsError(f"Lỗi cấu hình {field}: {msg}") from None
