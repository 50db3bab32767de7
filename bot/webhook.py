"""How one `nhacviec start` process runs: its role (all / updates / sender) and its transport.

- ``all`` (the default): receives updates and runs the tick, as a single server does.
- ``updates``: receives updates (webhook or polling) and never runs the tick, so a slow send
  batch cannot delay the answers to officers.
- ``sender``: runs only the tick loop; it never calls getUpdates, setWebhook or deleteWebhook,
  so it can run beside a webhook process (or on another machine) without stealing updates.

Every piece of state that matters is in the database: the outbox claim (``SKIP LOCKED`` on
PostgreSQL) keeps several senders from sending a notice twice (tests/test_multiworker.py).
Telegram accepts updates at one webhook URL per bot and the upload previews wait in memory for
their confirm button (``bot_data``), so there is exactly one updates (or all) process per bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.settings import Settings

log = logging.getLogger(__name__)


def webhook_kwargs(settings: Settings) -> dict[str, Any]:
    """Arguments for PTB's ``run_webhook`` / ``Updater.start_webhook`` from the settings.

    The local server listens on the path of WEBHOOK_URL, so a proxy forwards that path as is;
    requests without the right ``X-Telegram-Bot-Api-Secret-Token`` header get 403.
    """
    if not settings.webhook_url or settings.webhook_secret is None:
        raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret.get_secret_value(),
        "allowed_updates": Update.ALL_TYPES,
    }


def transport(settings: Settings) -> str:
    """"webhook", "polling", or "none" (a sender receives nothing)."""
    if settings.role == "sender":
        return "none"
    return "webhook" if settings.webhook_url else "polling"


_MODE_VI = {"webhook": "nhận cập nhật qua webhook", "polling": "nhận cập nhật qua getUpdates",
            "none": "không nhận cập nhật (chỉ gửi nhắc việc)"}


def build_for_role(settings: Settings, clock: object | None = None) -> Application:
    """The Application this process needs: the tick job only where the role sends."""
    from bot.app import build_application, make_services

    assert settings.token
    svc, ticker = make_services(settings, clock)
    return build_application(settings.token, svc, base_url=settings.telegram_base_url,
                             base_file_url=settings.telegram_base_file_url,
                             ticker=None if settings.role == "updates" else ticker,
                             tick_seconds=settings.tick_seconds)


def serve(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM in the way the settings choose."""
    from bot.app import configure_logging

    configure_logging(settings.log_level)
    app = build_for_role(settings)
    mode = transport(settings)
    log.info("Nhắc Việc: vai trò %s, %s", settings.role, _MODE_VI[mode])
    if mode == "none":
        asyncio.run(run_sender(app))
    elif mode == "webhook":
        app.run_webhook(**webhook_kwargs(settings))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


async def run_sender(app: Application, stop: asyncio.Event | None = None) -> None:
    """Start the app without its Updater (the JobQueue runs the tick) until `stop` is set."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with app:  # initialize (getMe) … shutdown
            await app.start()
            try:
                await stop.wait()
            finally:
                await app.stop()
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
