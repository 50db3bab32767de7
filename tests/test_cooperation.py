"""A cooperating unit (phối hợp) reports: recorded, the task unchanged, the lead unit told.

End to end: the real PTB Application polling our emulator, a real SQLite database.
"""

from __future__ import annotations

import datetime as dtm

import pytest
from sqlmodel import select

from bot.app import build_application
from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import ProgressReport, Task
from db.officers import add_officer, issue_invite
from db.orgs import get_or_create_org, get_or_create_unit
from db.tasks import assign_by_units, assignment_role
from handlers.context import Services
from handlers.importing import commit_preview, load_plan_file
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock

T0 = dtm.datetime(2025, 11, 24, 1, 0, tzinfo=dtm.UTC)  # Monday 08:00 in Hà Nội
LEAD, LEAD_UNLINKED, COOP, MONITOR = 8101, 8102, 8103, 8104
REF = "VI.3"  # chủ trì: Phòng Văn hóa – Xã hội; phối hợp: Văn phòng HĐND và UBND
LEAD_UNIT, COOP_UNIT = "Phòng Văn hóa – Xã hội", "Văn phòng HĐND và UBND"


@pytest.fixture
async def world(sqlite_engine):
    with session_scope(sqlite_engine) as s:
        org_id = get_or_create_org(s, "tran-lieu", "UBND phường Trần Liễu").id
    commit_preview(sqlite_engine, org_id, load_plan_file("tests/fixtures/tran-lieu_kh73-nq268.txt"),
                   now=T0 - dtm.timedelta(days=60))
    codes, ids = {}, {}
    with session_scope(sqlite_engine) as s:
        lead_unit = get_or_create_unit(s, org_id, LEAD_UNIT)
        coop_unit = get_or_create_unit(s, org_id, COOP_UNIT)
        people = [(LEAD, "Hoàng Thị Chủ", lead_unit.id, "officer"),
                  (LEAD_UNLINKED, "Vũ Văn Trưởng", lead_unit.id, "unit_head"),
                  (COOP, "Đặng Văn Phối", coop_unit.id, "officer"),
                  (MONITOR, "Trần Thị Theo", None, "monitor")]
        for tg, name, unit_id, role in people:
            officer = add_officer(s, org_id, name, unit_id=unit_id, role=role)
            codes[tg] = issue_invite(s, officer, now=T0)
            ids[tg] = officer.id
        assign_by_units(s, org_id)
        task = s.exec(select(Task).where(Task.ref == REF)).one()
        assert task.lead_unit_id == lead_unit.id and coop_unit.id in task.cooperate_unit_ids
        assert assignment_role(s, task.id, ids[COOP]) == "cooperate"
        assert assignment_role(s, task.id, ids[LEAD]) == "lead"
    emu = TelegramEmulator()
    await emu.start()
    for tg, *_ in people:
        emu.add_user(tg, f"U{tg}")
    svc = Services(engine=sqlite_engine, clock=FakeClock(T0), calendar=WorkingCalendar(),
                   bot_username="nhacviec_bot")
    app = build_application(emu.token, svc, base_url=emu.base_url, base_file_url=emu.base_file_url)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        yield {"emu": emu, "engine": sqlite_engine, "codes": codes}
        await app.updater.stop()
        await app.stop()
    await emu.stop()


async def say(emu, tg, text):
    before = len(emu.sent_messages(tg))
    emu.inject_text(tg, text)
    await emu.wait_for(before + 1, chat_id=tg, timeout=10)
    return emu.sent_messages(tg)[before]


async def link(w, *tgs):
    for tg in tgs:
        answer = await say(w["emu"], tg, f"/start {w['codes'][tg]}")
        assert "Đã liên kết" in answer.text


def _task(engine):
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == REF)).one()
        return task.status, task.percent, task.completed_at


def _reports(engine):
    with session_scope(engine) as s:
        return [(r.role, r.status, r.percent, r.source)
                for r in s.exec(select(ProgressReport).order_by(ProgressReport.id))]


async def _forwarded(emu, before, timeout=10):
    await emu.wait_for(before + 1, chat_id=LEAD, timeout=timeout)
    return emu.sent_messages(LEAD)[before]


async def test_cooperating_report_is_recorded_forwarded_and_does_not_move_the_task(world):
    emu, engine = world["emu"], world["engine"]
    await link(world, LEAD, COOP)
    before_task = _task(engine)
    n_lead = len(emu.sent_messages(LEAD))

    answer = await say(emu, COOP, f"/report {REF} đang làm 50%")
    assert "phối hợp" in answer.text and "đã chuyển tới đơn vị chủ trì" in answer.text
    assert "50%" in answer.text
    forward = await _forwarded(emu, n_lead)
    assert "Báo cáo của đơn vị phối hợp" in forward.text
    assert REF in forward.text and "Đặng Văn Phối" in forward.text and COOP_UNIT in forward.text
    assert "50%" in forward.text
    assert forward.reply_markup is not None  # the lead can answer with one press
    assert _task(engine) == before_task  # the lead's report governs, not the cooperator's
    assert _reports(engine) == [("cooperate", "in_progress", 50, "command")]

    n_lead = len(emu.sent_messages(LEAD))
    done = await say(emu, COOP, f"/report {REF} xong rồi")
    assert "phối hợp" in done.text
    forward = await _forwarded(emu, n_lead)
    assert "đã hoàn thành" in forward.text
    assert _task(engine) == before_task

    # The lead presses "Xong" under the forwarded message: now the task is done.
    done_button = forward.reply_markup["inline_keyboard"][0][0]["callback_data"]
    n_lead, n_coop = len(emu.sent_messages(LEAD)), len(emu.sent_messages(COOP))
    emu.press_button(LEAD, forward.message_id, done_button)
    await emu.wait_for(n_lead + 1, chat_id=LEAD, timeout=10)
    confirmation = emu.sent_messages(LEAD)[n_lead]
    assert "đã hoàn thành" in confirmation.text and "phối hợp" not in confirmation.text
    status, percent, completed_at = _task(engine)
    assert status == "done" and percent == 100 and completed_at is not None
    assert [r[0] for r in _reports(engine)] == ["cooperate", "cooperate", "lead"]
    assert len(emu.sent_messages(COOP)) == n_coop  # nothing echoed back to the cooperator


async def test_cooperating_blocker_goes_to_lead_and_monitor(world):
    emu, engine = world["emu"], world["engine"]
    await link(world, LEAD, COOP, MONITOR)
    before_task = _task(engine)
    n_lead, n_mon = len(emu.sent_messages(LEAD)), len(emu.sent_messages(MONITOR))
    answer = await say(emu, COOP, f"/report {REF} vướng: chưa có kinh phí")
    assert "phối hợp" in answer.text
    forward = await _forwarded(emu, n_lead)
    assert "vướng mắc" in forward.text and "kinh phí" in forward.text
    await emu.wait_for(lambda m: "Vướng mắc" in (m.text or ""), chat_id=MONITOR, timeout=10)
    assert len(emu.sent_messages(MONITOR)) == n_mon + 1
    assert _task(engine) == before_task


async def test_lead_unit_without_linked_officer(world):
    emu, engine = world["emu"], world["engine"]
    await link(world, COOP)
    before_task = _task(engine)
    answer = await say(emu, COOP, f"/report {REF} đang làm 30%")
    assert "phối hợp" in answer.text and "chưa có cán bộ liên kết" in answer.text
    assert _task(engine) == before_task
    assert _reports(engine) == [("cooperate", "in_progress", 30, "command")]
    assert emu.sent_messages(LEAD) == [] and emu.sent_messages(LEAD_UNLINKED) == []


async def test_lead_report_is_not_forwarded(world):
    emu, engine = world["emu"], world["engine"]
    await link(world, LEAD, COOP)
    n_coop = len(emu.sent_messages(COOP))
    answer = await say(emu, LEAD, f"/report {REF} đang làm 70%")
    assert "70%" in answer.text and "phối hợp" not in answer.text
    status, percent, _ = _task(engine)
    assert status == "in_progress" and percent == 70
    assert len(emu.sent_messages(COOP)) == n_coop
