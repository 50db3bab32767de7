"""The Telegram Bot API emulator, driven by a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import json
import struct
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.emulator import TelegramEmulator, parse_html
from tests.emulator_fixtures import build_app, running_app

pytestmark = pytest.mark.filterwarnings(
    # raised inside PTB itself when it builds a RetryAfter
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

ALICE = 1001
BOB = 1002


@pytest.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator()
    await emulator.start()
    emulator.add_user(ALICE, "Lan", "lan_vp")
    emulator.add_user(BOB, "Hùng")
    try:
        yield emulator
    finally:
        await emulator.stop()


def _png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _retry_seconds(exc: RetryAfter) -> float:
    # PTB 22 warns when .retry_after is read as an int; the timedelta is what its own limiter uses.
    return float(exc._retry_after.total_seconds())


# ------------------------------------------------------------------------------ polling basics


async def test_start_command_is_answered(emu: TelegramEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None and update.message is not None
        await update.message.reply_text(f"Xin chào {update.effective_user.first_name}!")

    async with running_app(emu, [CommandHandler("start", start)]):
        update = emu.inject_text(ALICE, "/start")
        assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        [answer] = await emu.wait_for(1, chat_id=ALICE)
        # /start@bot is a command too
        emu.inject_text(BOB, "/start@nhacviec_bot")
        await emu.wait_for(1, chat_id=BOB)

    assert answer.text == "Xin chào Lan!"
    assert answer.direction == "out"
    assert answer.message_id == 2  # the user's /start was message 1 in this chat
    assert emu.last_bot_message(BOB) is not None
    assert emu.last_bot_message(BOB).text == "Xin chào Hùng!"  # type: ignore[union-attr]
    transcript = emu.transcript(ALICE)
    assert [(e.direction, e.text) for e in transcript] == [
        ("in", "/start"),
        ("out", "Xin chào Lan!"),
    ]
    assert emu.stats.requests["getMe"] == 1
    assert emu.stats.requests["deleteWebhook"] == 1
    assert emu.stats.requests["getUpdates"] >= 1
    assert emu.pending_updates == 0  # PTB confirmed the updates on shutdown


async def test_message_ids_increase_per_chat(emu: TelegramEmulator) -> None:
    app = build_app(emu)
    async with app:
        a1 = await app.bot.send_message(ALICE, "một")
        emu.inject_text(ALICE, "hai")
        a3 = await app.bot.send_message(ALICE, "ba")
        b1 = await app.bot.send_message(BOB, "một")
    assert (a1.message_id, a3.message_id, b1.message_id) == (1, 3, 1)
    assert [e.message_id for e in emu.transcript(ALICE)] == [1, 2, 3]


async def test_reply_to_in_both_directions(emu: TelegramEmulator) -> None:
    seen: list[tuple[str, int | None]] = []

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.message
        assert msg is not None and msg.text is not None
        replied = msg.reply_to_message.message_id if msg.reply_to_message else None
        seen.append((msg.text, replied))
        await msg.reply_text("Đã ghi nhận", do_quote=True)

    async with running_app(emu, [MessageHandler(filters.TEXT, on_text)]) as app:
        task = await app.bot.send_message(ALICE, "Việc: nộp báo cáo sơ kết")
        mark = emu.mark()
        emu.inject_text(ALICE, "Đã xong", reply_to_message_id=task.message_id)
        [ack] = await emu.wait_for(1, chat_id=ALICE, since=mark)

    assert seen == [("Đã xong", task.message_id)]
    user_msg = emu.transcript(ALICE)[1]
    assert user_msg.direction == "in" and user_msg.reply_to == task.message_id
    assert ack.reply_to == user_msg.message_id  # reply_parameters from PTB's do_quote
    assert ack.message["reply_to_message"]["text"] == "Đã xong"
    with pytest.raises(ValueError):
        emu.inject_text(ALICE, "?", reply_to_message_id=999)


async def test_button_press_reaches_callback_handler(emu: TelegramEmulator) -> None:
    got: list[str] = []

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        got.append(query.data)
        await query.answer("Đã nhận")
        await query.edit_message_text(f"Đã chọn: {query.data}")

    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Xong", callback_data="done:7"),
                InlineKeyboardButton("Gia hạn", callback_data="extend:7"),
            ]
        ]
    )
    async with running_app(emu, [CallbackQueryHandler(on_button)]) as app:
        sent = await app.bot.send_message(ALICE, "Việc số 7", reply_markup=keyboard)
        entry = emu.last_bot_message(ALICE)
        assert entry is not None
        assert entry.buttons == [("Xong", "done:7"), ("Gia hạn", "extend:7")]
        with pytest.raises(ValueError):
            emu.press_button(ALICE, sent.message_id, "nope")
        query_id = emu.press_button(ALICE, sent.message_id, "done:7")
        await emu.wait_for(lambda e: e.edit_count > 0, chat_id=ALICE)

    assert got == ["done:7"]
    [answer] = emu.answered_callbacks
    assert answer["callback_query_id"] == query_id
    assert answer["text"] == "Đã nhận" and answer["data"] == "done:7"
    [edit] = emu.edits
    assert edit["method"] == "editMessageText" and edit["message_id"] == sent.message_id
    assert entry.text == "Đã chọn: done:7" and entry.reply_markup is None
    presses = [e for e in emu.transcript(ALICE) if e.kind == "callback"]
    assert [(p.text, p.callback_data) for p in presses] == [("Xong", "done:7")]


async def test_document_round_trip_and_bot_files(emu: TelegramEmulator) -> None:
    payload = "Kế hoạch số 12/KH-UBND\n".encode() * 500
    downloaded: list[bytes] = []
    photo = _png()

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.message
        assert msg is not None and msg.document is not None
        assert msg.document.file_name == "ke-hoach.txt"
        tg_file = await msg.document.get_file()
        data = bytes(await tg_file.download_as_bytearray())
        downloaded.append(data)
        await msg.reply_document(data[::-1], filename="nguoc.txt", caption="Đã đọc")
        await msg.reply_photo(photo, caption="<b>Biểu đồ</b>", parse_mode=ParseMode.HTML)

    async with running_app(emu, [MessageHandler(filters.Document.ALL, on_document)]):
        update = emu.upload_document(ALICE, "ke-hoach.txt", payload, "text/plain", "Gửi anh")
        assert update["message"]["document"]["file_size"] == len(payload)
        doc_entry, photo_entry = await emu.wait_for(2, chat_id=ALICE)

    assert downloaded == [payload]
    assert doc_entry.kind == "document" and doc_entry.document is not None
    assert doc_entry.document.content == payload[::-1]
    assert doc_entry.document.file_name == "nguoc.txt"
    assert doc_entry.caption == "Đã đọc"
    assert photo_entry.kind == "photo" and photo_entry.photo is not None
    assert photo_entry.photo.content == photo
    assert (photo_entry.photo.width, photo_entry.photo.height) == (3, 2)
    assert photo_entry.caption == "Biểu đồ"
    assert photo_entry.message["caption_entities"][0]["type"] == "bold"
    assert emu.transcript(ALICE)[0].document is not None  # the user's upload is recorded


async def test_commands_and_chat_action(emu: TelegramEmulator) -> None:
    app = build_app(emu)
    async with app:
        await app.bot.set_my_commands([("start", "Bắt đầu"), ("summary", "Tổng hợp")])
        commands = await app.bot.get_my_commands()
        assert await app.bot.send_chat_action(ALICE, "typing")
    assert [c.command for c in commands] == ["start", "summary"]
    assert emu.commands[1] == {"command": "summary", "description": "Tổng hợp"}


# ------------------------------------------------------------------------------ rate limits


async def test_burst_without_retries_draws_429() -> None:
    async with TelegramEmulator(per_chat_rate=20, per_chat_burst=20) as emu:
        app = build_app(emu)  # no rate limiter at all
        retry_after: list[float] = []
        delivered = 0
        async with app:
            for i in range(100):
                try:
                    await app.bot.send_message(ALICE, f"Tin {i + 1}")
                    delivered += 1
                except RetryAfter as exc:
                    retry_after.append(_retry_seconds(exc))
        assert emu.stats.http_429 == len(retry_after) > 0
        assert all(r >= 1 and r == int(r) for r in retry_after)
        assert emu.stats.delivered == delivered < 100

        # AIORateLimiter(max_retries=0), PTB's default, re-raises the RetryAfter
        emu.set_limits(per_chat_rate=1, per_chat_burst=3)
        limited = build_app(emu, rate_limiter=AIORateLimiter(max_retries=0))
        async with limited:
            with pytest.raises(RetryAfter):
                for i in range(10):
                    await limited.bot.send_message(BOB, f"Tin {i + 1}")
        assert len(emu.sent_messages(BOB)) == 3


async def test_burst_of_100_with_rate_limiter_delivers_all_in_order() -> None:
    # Per-chat rate raised from Telegram's 1/s so the test stays fast; it is still below
    # AIORateLimiter's 30/s overall pace, so the emulator must push back with 429s.
    async with TelegramEmulator(per_chat_rate=20, per_chat_burst=20) as emu:

        async def burst(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_chat is not None
            for i in range(100):
                await context.bot.send_message(update.effective_chat.id, f"Tin {i + 1}")

        started = time.monotonic()
        async with running_app(
            emu, [CommandHandler("burst", burst)], rate_limiter=AIORateLimiter(max_retries=10)
        ):
            emu.inject_text(ALICE, "/burst")
            sent = await emu.wait_for(100, chat_id=ALICE, timeout=30)
        elapsed = time.monotonic() - started

    assert [e.text for e in sent] == [f"Tin {i + 1}" for i in range(100)]
    assert emu.stats.delivered == 100
    assert emu.stats.http_429 > 0
    assert emu.stats.requests["sendMessage"] == 100 + emu.stats.http_429
    assert elapsed < 15


async def test_group_limit_20_per_minute_and_overall_limit() -> None:
    async with TelegramEmulator(per_chat_rate=100, per_chat_burst=100) as emu:
        emu.add_user(-100200, "Tổ công tác", is_group=True)
        app = build_app(emu)
        async with app:
            for i in range(20):
                await app.bot.send_message(-100200, f"Nhóm {i}")
            with pytest.raises(RetryAfter) as info:
                await app.bot.send_message(-100200, "một tin nữa")
            assert _retry_seconds(info.value) >= 1

            # 30/s overall, across many private chats
            emu.set_limits(global_rate=30)
            results = []
            for uid in range(2000, 2040):
                try:
                    await app.bot.send_message(uid, "chào")
                    results.append(True)
                except RetryAfter:
                    results.append(False)
        assert 30 <= results.count(True) < 40
        assert emu.stats.http_429 == 1 + results.count(False)

        emu.set_limits(enforce=False)
        async with app:
            for _ in range(50):
                await app.bot.send_message(ALICE, "không giới hạn")


# ------------------------------------------------------------------------------ faults


async def test_faults_and_errors(emu: TelegramEmulator) -> None:
    app = build_app(emu)
    async with app:
        emu.fail_next(1, status=500)
        with pytest.raises(NetworkError, match="(?i)Internal Server Error"):
            await app.bot.send_message(ALICE, "lần 1")
        emu.fail_next(1, status=502)
        with pytest.raises(NetworkError):
            await app.bot.send_message(ALICE, "lần 2")
        ok = await app.bot.send_message(ALICE, "lần 3")
        assert ok.text == "lần 3"
        assert emu.stats.http_5xx == 2

        emu.drop_next(1)
        with pytest.raises(NetworkError):
            await app.bot.send_message(ALICE, "rơi")
        await app.bot.send_message(ALICE, "sau khi rơi")
        assert emu.stats.dropped == 1

        emu.slow_next(1, 1.0)
        with pytest.raises(TimedOut):
            await app.bot.send_message(ALICE, "chậm", read_timeout=0.2)

        emu.block_user(BOB)
        with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
            await app.bot.send_message(BOB, "chào")
        emu.unblock_user(BOB)
        await app.bot.send_message(BOB, "chào lại")

        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await app.bot.send_message(ALICE, "x" * 4097)
        await app.bot.send_message(ALICE, "x" * 4096)
        with pytest.raises(BadRequest, match="(?i)text is empty"):
            await app.bot.send_message(ALICE, " ")
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await app.bot.send_message(ALICE, "<b>đậm</i>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await app.bot.send_message(ALICE, "1 < 2", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await app.bot.edit_message_text("x", chat_id=ALICE, message_id=999)
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await app.bot.send_message(
                ALICE,
                "nút",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="y" * 65)]]
                ),
            )

    bad = build_app(emu, token="123456:WRONG")
    with pytest.raises(InvalidToken):
        await bad.initialize()
    # Application.shutdown() is a no-op after a failed initialize; the bot's HTTP client is not.
    await bad.bot.shutdown()


async def test_faults_spare_get_updates_unless_asked(emu: TelegramEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("chào")

    emu.fail_next(1)  # the first send fails; polling is untouched
    async with running_app(emu, [CommandHandler("start", start)]):
        emu.inject_text(ALICE, "/start")
        await asyncio.sleep(0.3)
        assert emu.sent_messages(ALICE) == []
        emu.inject_text(ALICE, "/start")
        await emu.wait_for(1, chat_id=ALICE)
        # a fault aimed at getUpdates: PTB retries the poll and still gets the update
        emu.fail_next(1, status=502, method="getUpdates")
        mark = emu.mark()
        emu.inject_text(BOB, "/start")
        await emu.wait_for(1, chat_id=BOB, since=mark, timeout=10)
    assert emu.stats.http_5xx == 2


# ------------------------------------------------------------------------------ raw HTTP


async def test_raw_http_shapes(emu: TelegramEmulator) -> None:
    api = emu.base_url + emu.token
    async with aiohttp.ClientSession() as http:
        async with http.post(api + "/noSuchMethod") as r:
            assert r.status == 404
            assert await r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(emu.base_url + "123456:OTHER/getMe") as r:
            assert r.status == 401 and (await r.json())["description"] == "Unauthorized"
        async with http.post(emu.base_url + "garbage/getMe") as r:
            assert r.status == 404
        async with http.get(api + "/getme") as r:  # method names are case-insensitive
            assert (await r.json())["result"]["username"] == "nhacviec_bot"

        # JSON body, urlencoded body (non-string values JSON-encoded), query string
        async with http.post(api + "/sendMessage", json={"chat_id": ALICE, "text": "123"}) as r:
            body = await r.json()
            assert body["ok"] and body["result"]["text"] == "123"
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        form = {"chat_id": str(ALICE), "text": "true", "reply_markup": json.dumps(markup)}
        async with http.post(api + "/sendMessage", data=form) as r:
            result = (await r.json())["result"]
            assert result["text"] == "true" and result["reply_markup"] == markup
        async with http.get(api + "/sendMessage", params={"chat_id": BOB, "text": "q"}) as r:
            assert (await r.json())["ok"]

        # multipart upload with an attach:// reference, then getFile + download
        mp = aiohttp.FormData()
        mp.add_field("chat_id", str(ALICE))
        mp.add_field("document", "attach://f1")
        mp.add_field("f1", b"\x00\x01binary", filename="a.bin", content_type="application/x-bin")
        async with http.post(api + "/sendDocument", data=mp) as r:
            doc = (await r.json())["result"]["document"]
        async with http.post(api + "/getFile", json={"file_id": doc["file_id"]}) as r:
            path = (await r.json())["result"]["file_path"]
        async with http.get(f"{emu.base_file_url}{emu.token}/{path}") as r:
            assert await r.read() == b"\x00\x01binary"
        async with http.get(f"{emu.base_file_url}{emu.token}/documents/missing") as r:
            assert r.status == 404

        # long poll wakes up when an update is injected
        async def inject_later() -> None:
            await asyncio.sleep(0.3)
            emu.inject_text(ALICE, "dậy")

        started = time.monotonic()
        waker = asyncio.create_task(inject_later())
        async with http.post(api + "/getUpdates", json={"timeout": 5}) as r:
            updates = (await r.json())["result"]
        await waker
        assert 0.2 < time.monotonic() - started < 2
        assert [u["message"]["text"] for u in updates] == ["dậy"]
        last = updates[-1]["update_id"]
        async with http.post(api + "/getUpdates", json={"offset": last + 1, "timeout": 0}) as r:
            assert (await r.json())["result"] == []

        # a webhook blocks getUpdates until deleted
        async with http.post(api + "/setWebhook", json={"url": "https://example.org/h"}) as r:
            assert (await r.json())["result"] is True
        async with http.post(api + "/getUpdates") as r:
            assert r.status == 409
        async with http.post(api + "/deleteWebhook") as r:
            assert (await r.json())["result"] is True


def test_parse_html() -> None:
    text, entities = parse_html(
        '<b>Hạn</b> &lt;10/12&gt; <a href="https://x.vn">link</a> 😀<i>i</i>'
    )
    assert text == "Hạn <10/12> link 😀i"
    assert [e["type"] for e in entities] == ["bold", "text_link", "italic"]
    assert entities[1]["url"] == "https://x.vn"
    assert entities[2]["offset"] == 19  # the emoji counts as two UTF-16 units
    assert parse_html("a & b")[0] == "a & b"
    for bad in ["<b>x", "<x>y</x>", "<b><i>x</b></i>", "a < b", "</b>", '<span class="x">s</span>']:
        with pytest.raises(ValueError):
            parse_html(bad)


# ------------------------------------------------------------------------------ thread mode


def test_thread_mode_for_synchronous_callers() -> None:
    emu = TelegramEmulator(enforce_limits=False).start_in_thread()
    try:

        def call(method: str, **params: Any) -> Any:
            req = urllib.request.Request(
                f"{emu.base_url}{emu.token}/{method}",
                data=json.dumps(params).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(req, timeout=5) as resp:
                return json.loads(resp.read())["result"]

        assert call("getMe")["is_bot"] is True
        mark = emu.mark()
        emu.inject_text(ALICE, "/start")
        assert call("getUpdates", timeout=1)[0]["message"]["text"] == "/start"
        call("sendMessage", chat_id=ALICE, text="chào")
        [entry] = emu.wait_for_sync(1, chat_id=ALICE, since=mark)
        assert entry.text == "chào"
        with pytest.raises(TimeoutError):
            emu.wait_for_sync(5, chat_id=ALICE, timeout=0.05)
    finally:
        emu.stop_thread()
    assert not emu.running
