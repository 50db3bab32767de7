"""Helpers to run a real python-telegram-bot ``Application`` against :mod:`bot.emulator`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable

from telegram.ext import Application, ApplicationBuilder, BaseHandler, BaseRateLimiter

from bot.emulator import TelegramEmulator

logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)


def build_app(
    emu: TelegramEmulator,
    *,
    token: str | None = None,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """An ``Application`` wired to the emulator (no job queue: tests do not need one)."""
    builder = (
        ApplicationBuilder()
        .token(token or emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .job_queue(None)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    return builder.build()


@contextlib.asynccontextmanager
async def running_app(
    emu: TelegramEmulator,
    handlers: Iterable[BaseHandler] = (),
    *,
    rate_limiter: BaseRateLimiter | None = None,
    app: Application | None = None,
) -> AsyncIterator[Application]:
    """Initialize, start and poll (``poll_interval=0``, ``timeout=1``); stop cleanly on exit."""
    app = app or build_app(emu, rate_limiter=rate_limiter)
    for handler in handlers:
        app.add_handler(handler)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
