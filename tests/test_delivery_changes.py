"""What the tick sends next follows the database at once: done tasks, moved dues, blocked bots."""

from __future__ import annotations

import datetime as dtm

import pytest
from sqlmodel import col, select

from bot.app import build_application
from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import Notification, Officer, Task
from db.officers import add_officer, issue_invite
from db.orgs import get_or_create_org, get_or_create_unit
from db.tasks import assign_by_units
from handlers.context import Services
from handlers.importing import commit_preview, load_plan_file
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock
from scheduler.delivery import Ticker
from scheduler.outbox import sync_tasks

PLAN = "tests/fixtures/revision/hoa-binh_kh15_v1.txt"
# Monday 22/12/2025 09:00 in Hà Nội: II.1 (due 31/12/2025) has had its 7-day reminder.
T0 = dtm.datetime(2025, 12, 22, 2, 0, tzinfo=dtm.UTC)
OFFICER, MONITOR, LEADER = 8201, 8202, 8203


@pytest.fixture
async def setup(sqlite_engine):
    engine, cal = sqlite_engine, WorkingCalendar()
    clock = FakeClock(T0)
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "hoa-binh", "UBND xã Hoà Bình").id or 0
        hcc = get_or_create_unit(s, org_id, "Trung tâm Phục vụ hành chính công")
        people = {}
        for tg, name, unit_id, role in [(OFFICER, "Lê Thị Hành", hcc.id, "officer"),
                                        (MONITOR, "Trần Thị Theo", None, "monitor"),
                                        (LEADER, "Nguyễn Văn Lãnh", None, "leader")]:
            o = add_officer(s, org_id, name, unit_id=unit_id, role=role)
            people[tg] = issue_invite(s, o, now=T0)
    commit_preview(engine, org_id, load_plan_file(PLAN), now=T0 - dtm.timedelta(days=30))
    with session_scope(engine) as s:
        assign_by_units(s, org_id)
        s.exec(select(Notification)).all()
        for n in s.exec(select(Notification).where(Notification.kind == "plan_tasks")):
            n.cancelled = True  # the import notice is not what these tests look at
            s.add(n)
    sync_tasks(engine, cal, T0 - dtm.timedelta(days=10), org_id=org_id)
    emu = TelegramEmulator()
    await emu.start()
    for tg in people:
        emu.add_user(tg, f"u{tg}")
    svc = Services(engine=engine, clock=clock, calendar=cal, bot_username="nhacviec_bot")
    app = build_application(emu.token, svc, base_url=emu.base_url,
                            base_file_url=emu.base_file_url)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        w = {"emu": emu, "app": app, "engine": engine, "clock": clock, "codes": people,
             "ticker": Ticker(engine, cal, clock), "org_id": org_id}
        for tg in people:
            await _say(w, tg, f"/start {people[tg]}")
        yield w
        await app.updater.stop()
        await app.stop()
    await emu.stop()


async def _say(w, tg, text, reply_to=None):
    emu = w["emu"]
    n = len(emu.sent_messages(tg))
    emu.inject_text(tg, text, reply_to_message_id=reply_to)
    await emu.wait_for(n + 1, chat_id=tg, timeout=10)
    return emu.sent_messages(tg)[n]


def _task(w, ref: str) -> Task:
    with session_scope(w["engine"]) as s:
        return s.exec(select(Task).where(Task.ref == ref)).one()


def _reminders(w, tg: int, ref: str) -> list:
    """Reminders about ``ref`` (text as the user sees it; the morning digest is not counted)."""
    return [m for m in w["emu"].sent_messages(tg) if f"nhiệm vụ {ref} " in (m.text or "")
            and "Bản tin sáng" not in m.text]


async def _tick_at(w, local_day: dtm.date, hour: int = 8, minute: int = 5):
    moment = dtm.datetime(local_day.year, local_day.month, local_day.day, hour - 7, minute,
                          tzinfo=dtm.UTC)
    w["clock"].set(moment)
    return await w["ticker"].tick(w["app"].bot)


async def test_done_task_gets_nothing_on_the_next_tick(setup):
    w = setup
    await _tick_at(w, dtm.date(2025, 12, 26))  # the 3-working-days reminder of II.1
    sent = _reminders(w, OFFICER, "II.1")
    assert len(sent) == 1
    await _say(w, OFFICER, "xong rồi", reply_to=sent[-1].message_id)
    counts = await _tick_at(w, dtm.date(2025, 12, 30))  # the 1-day reminder was due here
    assert len(_reminders(w, OFFICER, "II.1")) == 1, counts
    with session_scope(w["engine"]) as s:
        pending = s.exec(select(Notification).where(
            Notification.task_id == _task(w, "II.1").id, col(Notification.sent_at).is_(None),
            col(Notification.cancelled).is_(False))).all()
    assert pending == []


async def test_approved_extension_moves_what_is_sent_next(setup):
    w = setup
    emu = w["emu"]
    ask = await _say(w, OFFICER, "/extend II.1 20/01/2026 chờ số liệu của Sở")
    assert ask.text
    found = await emu.wait_for(lambda m: m.chat_id in (LEADER, MONITOR) and bool(m.reply_markup)
                               and "Duyệt" in str(m.reply_markup), timeout=10)
    decision = found[0]
    approve = next(b["callback_data"] for row in decision.reply_markup["inline_keyboard"]
                   for b in row if b["text"] == "Duyệt")
    n = len(emu.sent_messages(OFFICER))
    emu.press_button(decision.chat_id, decision.message_id, approve)
    await emu.wait_for(n + 1, chat_id=OFFICER, timeout=10)
    task = _task(w, "II.1")
    assert task.due_at.astimezone(dtm.UTC).date() == dtm.date(2026, 1, 20)
    before = len(_reminders(w, OFFICER, "II.1"))
    await _tick_at(w, dtm.date(2025, 12, 30))  # 1 working day before the OLD due: nothing
    await _tick_at(w, dtm.date(2025, 12, 31))  # the OLD due day: nothing
    assert len(_reminders(w, OFFICER, "II.1")) == before
    await _tick_at(w, dtm.date(2026, 1, 19))  # 1 working day before the NEW due
    assert len(_reminders(w, OFFICER, "II.1")) == before + 1


async def test_blocked_officer_is_reported_to_the_monitor_once(setup):
    w = setup
    emu = w["emu"]
    emu.block_user(OFFICER)
    await _tick_at(w, dtm.date(2025, 12, 26))
    await _tick_at(w, dtm.date(2025, 12, 26), hour=9)  # the monitor's notice goes out here
    with session_scope(w["engine"]) as s:
        officer = s.exec(select(Officer).where(Officer.telegram_user_id == OFFICER)).one()
        assert officer.unreachable
    alerts = [m for m in emu.sent_messages(MONITOR) if "Không gửi được" in (m.text or "")]
    assert len(alerts) == 1 and "Lê Thị Hành" in alerts[0].text
    await _tick_at(w, dtm.date(2025, 12, 26), hour=10)
    assert len([m for m in emu.sent_messages(MONITOR) if "Không gửi được" in (m.text or "")]) == 1
    emu.unblock_user(OFFICER)
    await _say(w, OFFICER, "/tasks")  # writing to the bot again makes him reachable
    with session_scope(w["engine"]) as s:
        assert not s.exec(select(Officer).where(Officer.telegram_user_id == OFFICER)).one().unreachable
