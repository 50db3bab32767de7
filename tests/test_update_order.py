"""Concurrent updates: different chats overlap, one chat's updates keep their order."""

from __future__ import annotations

import asyncio
import datetime as dtm

from telegram import Chat, Message, Update

from bot.app import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    return Update(update_id, message=Message(update_id, dtm.datetime.now(dtm.UTC), chat))


async def test_one_chat_in_order_others_concurrently():
    processor = PerChatUpdateProcessor(8)
    events: list[str] = []

    async def handle(name: str, delay: float) -> None:
        events.append(f"start {name}")
        await asyncio.sleep(delay)
        events.append(f"end {name}")

    async with processor:
        await asyncio.gather(
            processor.process_update(_update(1, 10), handle("a1", 0.05)),
            processor.process_update(_update(2, 10), handle("a2", 0.0)),
            processor.process_update(_update(3, 20), handle("b1", 0.0)),
        )
    # a2 waits for a1 (same chat); b1 (another chat) does not wait for a1.
    assert events.index("end a1") < events.index("start a2")
    assert events.index("end b1") < events.index("end a1")
    assert processor._locks == {} and processor._waiting == {}  # nothing kept per chat
