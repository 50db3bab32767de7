"""A real bot (build_application) polling the emulator, with the few moves chat tests make."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable

from sqlalchemy.engine import Engine

from bot.app import build_application
from bot.emulator import TelegramEmulator, TranscriptEntry
from handlers.context import Services
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock


class ChatSession:
    def __init__(self, emu: TelegramEmulator) -> None:
        self.emu = emu

    async def _next(self, tg: int, before: int, count: int = 1) -> TranscriptEntry:
        await self.emu.wait_for(before + count, chat_id=tg, timeout=10)
        return self.emu.sent_messages(tg)[-1]

    async def say(self, tg: int, text: str) -> TranscriptEntry:
        """Send a text; the bot's (last) answer."""
        before = len(self.emu.sent_messages(tg))
        self.emu.inject_text(tg, text)
        return await self._next(tg, before)

    async def upload(self, tg: int, name: str, content: bytes, mime: str = "text/plain",
                     answers: int = 1) -> TranscriptEntry:
        before = len(self.emu.sent_messages(tg))
        self.emu.upload_document(tg, name, content, mime)
        return await self._next(tg, before, answers)

    async def press(self, tg: int, message: TranscriptEntry, text_prefix: str,
                    answers: int = 1) -> TranscriptEntry:
        """Press the button of ``message`` whose label starts with ``text_prefix``."""
        before = len(self.emu.sent_messages(tg))
        self.emu.press_button(tg, message.message_id, button(message, text_prefix))
        return await self._next(tg, before, answers)


def button(message: TranscriptEntry, text_prefix: str) -> str:
    """The callback data of the button labelled ``text_prefix…`` under ``message``."""
    assert message.reply_markup, message.text
    return next(b["callback_data"] for row in message.reply_markup["inline_keyboard"] for b in row
                if b["text"].startswith(text_prefix))


@contextlib.asynccontextmanager
async def running_bot(engine: Engine, clock: FakeClock, users: Iterable[int], *,
                      emu: TelegramEmulator | None = None) -> AsyncIterator[ChatSession]:
    """Start the bot against ``emu`` (a new emulator unless given: pass one to restart)."""
    own = emu is None
    emu = emu or TelegramEmulator()
    if own:
        await emu.start()
    for tg in users:
        emu.add_user(tg, f"u{tg}")
    svc = Services(engine=engine, clock=clock, calendar=WorkingCalendar(),
                   bot_username="nhacviec_bot")
    app = build_application(emu.token, svc, base_url=emu.base_url,
                            base_file_url=emu.base_file_url)
    try:
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield ChatSession(emu)
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        if own:
            await emu.stop()
