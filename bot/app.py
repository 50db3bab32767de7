"""The one place that builds the python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import logging
import re
import zoneinfo
from collections.abc import Awaitable
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.settings import Settings
from handlers import chat, roster_upload, upload
from handlers.context import Services
from messages import label
from scheduler.delivery import Ticker

CONCURRENT_UPDATES = 8

COMMANDS = [
    BotCommand("start", label("cmd_start")),
    BotCommand("tasks", label("cmd_tasks")),
    BotCommand("task", label("cmd_task")),
    BotCommand("report", label("cmd_report")),
    BotCommand("extend", label("cmd_extend")),
    BotCommand("summary", label("cmd_summary")),
    BotCommand("import", label("cmd_import")),
    BotCommand("unlinked", label("cmd_unlinked")),
    BotCommand("activate", label("cmd_activate")),
    BotCommand("help", label("cmd_help")),
]

HANDLERS = [
    CommandHandler("start", chat.start),
    CommandHandler("help", chat.help_cmd),
    CommandHandler("tasks", chat.tasks_cmd),
    CommandHandler("task", chat.task_cmd),
    CommandHandler("report", chat.report_cmd),
    CommandHandler("extend", chat.extend_cmd),
    CommandHandler("summary", chat.summary_cmd),
    CommandHandler("import", chat.import_cmd),
    CommandHandler("unlinked", chat.unlinked_cmd),
    CommandHandler("activate", chat.activate_cmd),
    CallbackQueryHandler(upload.decide, pattern=r"^imp:"),
    CallbackQueryHandler(roster_upload.decide, pattern=r"^ros:"),
    CallbackQueryHandler(chat.callback),
    MessageHandler(filters.Document.ALL, upload.document),
    MessageHandler(filters.TEXT & ~filters.COMMAND, chat.text_message),
]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; one chat's updates run in order.

    An officer's "xong rồi" then "à, mới 80%" must be applied in that order, and a chat's
    per-update state (the stored inbound row) must not be overwritten by his next message.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:  # nobody else queued for this chat: forget it
                del self._waiting[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Request URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # PTB logs its Bot API URLs, token included, at DEBUG when a Bot is built.
    for name in ("telegram.Bot", "telegram.ext.ExtBot"):
        bot_logger = logging.getLogger(name)
        if not any(isinstance(f, RedactToken) for f in bot_logger.filters):
            bot_logger.addFilter(RedactToken())


class RedactToken(logging.Filter):
    """Replaces anything shaped like a bot token (123456:AA…) in a record by 123456:***."""

    PATTERN = re.compile(r"(\d{3,}):[A-Za-z0-9_-]{20,}")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.PATTERN.search(message):
            record.msg, record.args = self.PATTERN.sub(r"\1:***", message), None
        return True


def build_application(token: str, services: Services, *, base_url: str | None = None,
                      base_file_url: str | None = None, ticker: Ticker | None = None,
                      tick_seconds: float = 20.0) -> Application:
    builder = (ApplicationBuilder().token(token)
               .defaults(Defaults(parse_mode=ParseMode.HTML,
                                  tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")))
               .rate_limiter(AIORateLimiter(overall_max_rate=29, max_retries=3))
               # Updates overlap while one waits on Telegram. Handlers never await after a
               # write inside a transaction, so concurrent updates cannot interleave writes.
               .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
               .post_init(_post_init))
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    app = builder.build()
    app.bot_data["services"] = services
    app.add_handler(TypeHandler(Update, chat.store_update), group=-1)
    app.add_handlers(HANDLERS)
    app.add_error_handler(chat.on_error)
    if ticker is not None and app.job_queue is not None:
        app.bot_data["ticker"] = ticker
        app.job_queue.run_repeating(_tick_job, interval=tick_seconds, first=1.0)
    return app


async def _post_init(app: Application) -> None:
    await app.bot.set_my_commands(COMMANDS)


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    ticker = context.bot_data["ticker"]
    await ticker.tick(context.bot)


def make_services(settings: Settings, clock: object | None = None) -> tuple[Services, Ticker]:
    from db.engine import make_engine
    from db.migrate import upgrade
    from scheduler.calendar import WorkingCalendar
    from scheduler.clock import SystemClock

    engine = make_engine(settings.database_url)
    upgrade(engine)
    calendar = WorkingCalendar(settings.timezone, swaps_path=settings.day_swaps_file)
    real_clock = clock or SystemClock()
    svc = Services(engine=engine, clock=real_clock, calendar=calendar,  # type: ignore[arg-type]
                   bot_username=settings.bot_username, end_of_workday=settings.end_of_workday,
                   max_upload_bytes=settings.max_upload_mb * 1024 * 1024)
    ticker = Ticker(engine, calendar, real_clock, settings.digest_time)  # type: ignore[arg-type]
    return svc, ticker


def run_polling(settings: Settings) -> int:
    """Kept for callers of the old name: the role and the transport are chosen in bot.webhook."""
    from bot.webhook import serve

    return serve(settings)
