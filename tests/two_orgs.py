"""Two communes on one bot, every role linked, the real app polling the emulator.

Used by the security and fuzz tests: who may do what, and whether a refused input wrote
anything (``snapshot`` compares every table except InboundMessage, which stores every update by
design).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dtm
import hashlib
import zoneinfo
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import build_application
from bot.emulator import TelegramEmulator, TranscriptEntry
from db.engine import session_scope
from db.inbound import store_inbound
from db.models import InboundMessage, Officer
from db.officers import add_officer
from db.orgs import get_or_create_org, get_or_create_unit
from db.tasks import PlanInput, TaskInput, assign, create_extension, import_plan
from handlers.context import Services
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
T0 = dtm.datetime(2025, 11, 24, 3, 0, tzinfo=dtm.UTC)  # Monday 10:00 in Hà Nội
TOKEN = "7712345678:AAHq3fZ9x_Secr3tPartOfTheBotT0ken-xyz"

# Telegram ids of the people in org A, and the admin of org B.
OFFICER, UNIT_HEAD, MONITOR, LEADER, ADMIN_A, OTHER_ADMIN, STRANGER = (
    8001, 8002, 8003, 8004, 8005, 8101, 8999)
ROLES = {"officer": OFFICER, "unit_head": UNIT_HEAD, "monitor": MONITOR, "leader": LEADER,
         "other_admin": OTHER_ADMIN, "unlinked": STRANGER}


@dataclasses.dataclass
class Orgs:
    engine: Engine
    emu: TelegramEmulator
    app: Any
    clock: FakeClock
    org_a: int
    org_b: int
    task_a: int  # I.1 of org A, led by OFFICER's unit
    waiting_a: int  # IV.1 of org A, conditional
    task_b: int
    unit_a: int
    request_a: int  # OFFICER's pending extension request on I.1
    inbound_a: int  # a stored message of OFFICER (for pick:)


def _due(days: int) -> dtm.datetime:
    return dtm.datetime.combine(T0.astimezone(LOCAL).date() + dtm.timedelta(days=days),
                                dtm.time(17, 0), tzinfo=LOCAL).astimezone(dtm.UTC)


def seed(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        org_a = get_or_create_org(s, "phuong-a", "UBND phường A").id or 0
        org_b = get_or_create_org(s, "xa-b", "UBND xã B").id or 0
        unit = get_or_create_unit(s, org_a, "Văn phòng HĐND và UBND")
        unit_b = get_or_create_unit(s, org_b, "Văn phòng HĐND và UBND")
        res = import_plan(s, org_a, PlanInput(
            title="Kế hoạch A", number="9/KH-UBND", issuer=None, issued_on=None, year=2025,
            file_hash=hashlib.sha256(b"A").hexdigest(), file_name=None, tasks=[
                TaskInput(ref="I.1", title="Rà soát thủ tục hành chính", lead_unit_id=unit.id,
                          lead_text=unit.name, deadline_text="05/12/2025", deadline_kind="date",
                          due_at=_due(11)),
                TaskInput(ref="IV.1", title="Triển khai khi có hướng dẫn",
                          lead_unit_id=unit.id, deadline_text="Sau khi có hướng dẫn",
                          deadline_kind="conditional", condition="Sau khi có hướng dẫn")]),
            now=T0 - dtm.timedelta(days=10))
        task_a, waiting_a = res.changed_task_ids
        res_b = import_plan(s, org_b, PlanInput(
            title="Kế hoạch B", number="3/KH-UBND", issuer=None, issued_on=None, year=2025,
            file_hash=hashlib.sha256(b"B").hexdigest(), file_name=None, tasks=[
                TaskInput(ref="II.9", title="Nhiệm vụ riêng của xã B", lead_unit_id=unit_b.id,
                          deadline_text="05/12/2025", deadline_kind="date", due_at=_due(11))]),
            now=T0 - dtm.timedelta(days=10))
        people = [(OFFICER, org_a, "Lê Văn Cán", unit.id, "officer"),
                  (UNIT_HEAD, org_a, "Hoàng Trưởng Phòng", unit.id, "unit_head"),
                  (MONITOR, org_a, "Trần Thị Theo", None, "monitor"),
                  (LEADER, org_a, "Nguyễn Văn Lãnh", None, "leader"),
                  (ADMIN_A, org_a, "Quản Trị A", None, "admin"),
                  (OTHER_ADMIN, org_b, "Quản Trị Xã B", unit_b.id, "admin")]
        ids = {}
        for tg, org, name, unit_id, role in people:
            o = add_officer(s, org, name, unit_id=unit_id, role=role)
            o.telegram_user_id, o.linked_at = tg, T0
            s.add(o)
            s.flush()
            ids[tg] = o.id or 0
        add_officer(s, org_a, "Đỗ Văn Chưa Liên Kết", unit_id=unit.id)  # never linked
        add_officer(s, org_b, "Phí Thị Chưa Liên Kết B", unit_id=unit_b.id)
        assign(s, task_a, ids[OFFICER], "lead")
        assign(s, waiting_a, ids[OFFICER], "lead")
        assign(s, res_b.changed_task_ids[0], ids[OTHER_ADMIN], "lead")
        officer = s.get(Officer, ids[OFFICER])
        from db.models import Task

        req = create_extension(s, s.get(Task, task_a), officer, _due(20), "chờ hướng dẫn",
                               now=T0)
        inbound, _ = store_inbound(s, update_id=10_000_000, telegram_user_id=OFFICER,
                                   chat_id=OFFICER, kind="message", text="đang làm 40%",
                                   raw={}, now=T0)
        return {"org_a": org_a, "org_b": org_b, "task_a": task_a, "waiting_a": waiting_a,
                "task_b": res_b.changed_task_ids[0], "unit_a": unit.id or 0,
                "request_a": req.id or 0, "inbound_a": inbound.id or 0}


@contextlib.asynccontextmanager
async def two_orgs(engine: Engine, *, max_upload_bytes: int = 64 * 1024, token: str = TOKEN,
                   **emu_kwargs: Any):
    ids = seed(engine)
    clock = FakeClock(T0)
    # Limits off: a role test sends far more than one message a second to one chat.
    emu = TelegramEmulator(token=token, **{"enforce_limits": False, **emu_kwargs})
    await emu.start()
    for tg in ROLES.values():
        emu.add_user(tg, f"U{tg}")
    emu.add_user(ADMIN_A, "UA")
    svc = Services(engine=engine, clock=clock, calendar=WorkingCalendar(),
                   bot_username="nhacviec_bot", max_upload_bytes=max_upload_bytes)
    app = build_application(token, svc, base_url=emu.base_url, base_file_url=emu.base_file_url)
    try:
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield Orgs(engine=engine, emu=emu, app=app, clock=clock, **ids)
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        await emu.stop()


def answer_text(entry: TranscriptEntry) -> str:
    return entry.text or entry.caption or ""


async def answer(w: Orgs, tg: int, mark: int, timeout: float = 15.0) -> TranscriptEntry:
    found = await w.emu.wait_for(1, chat_id=tg, since=mark, timeout=timeout)
    return found[0]


async def say(w: Orgs, tg: int, text: str) -> TranscriptEntry:
    mark = w.emu.mark()
    w.emu.inject_text(tg, text)
    return await answer(w, tg, mark)


async def press(w: Orgs, tg: int, data: str) -> TranscriptEntry:
    """A (possibly modified) client sends callback `data` from a message in its chat.

    The bot plants a message carrying that button (Telegram lets a client send any callback
    data for a bot message), then the user presses it.
    """
    planted = await w.app.bot.send_message(tg, "·", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("·", callback_data=data)]]))
    mark = w.emu.mark()
    w.emu.press_button(tg, planted.message_id, data)
    return await answer(w, tg, mark)


async def upload(w: Orgs, tg: int, name: str, content: bytes, mime: str) -> TranscriptEntry:
    mark = w.emu.mark()
    w.emu.upload_document(tg, name, content, mime)
    return await answer(w, tg, mark)


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table but InboundMessage (which keeps every update by design)."""
    out: dict[str, list[tuple]] = {}
    with session_scope(engine) as s:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == InboundMessage.__tablename__:
                continue
            rows = s.connection().execute(select(table)).all()
            out[table.name] = sorted(tuple(str(v) for v in r) for r in rows)
    return out


def diff(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, Any]:
    return {t: (len(before[t]), len(after.get(t, [])))
            for t in before if before[t] != after.get(t)}


async def settle(w: Orgs, seconds: float = 0.05) -> None:
    """Let a handler finish the work it does after its first answer."""
    await asyncio.sleep(seconds)


def inbound_count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return len(s.exec(select(InboundMessage.id)).all())
