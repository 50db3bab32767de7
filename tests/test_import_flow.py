"""Plan import beyond parsing: revisions by ref, "new tasks" notices, mapping unknown units."""

from __future__ import annotations

import datetime as dtm
from pathlib import Path

from sqlmodel import col, select

from bot.app import build_application
from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import Notification, Task, Unit
from db.officers import add_officer, issue_invite
from db.orgs import get_or_create_org, get_or_create_unit, org_directory
from handlers.context import Services
from handlers.importing import commit_preview, load_plan_file, load_plan_for_org
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock
from scheduler.delivery import Ticker
from scheduler.outbox import sync_tasks
from tests.chat_harness import running_bot

V1 = Path("tests/fixtures/revision/hoa-binh_kh15_v1.txt")
V2 = Path("tests/fixtures/revision/hoa-binh_kh15_v2.txt")
T0 = dtm.datetime(2025, 11, 17, 2, 0, tzinfo=dtm.UTC)  # Monday 09:00 in Hà Nội
MONITOR, HCC, VHXH = 8101, 8102, 8103


def _org(engine) -> int:
    with session_scope(engine) as s:
        return get_or_create_org(s, "hoa-binh", "UBND xã Hoà Bình").id or 0


def _tasks(engine, org_id: int) -> dict[str, Task]:
    with session_scope(engine) as s:
        return {t.ref: t for t in s.exec(select(Task).where(Task.org_id == org_id))}


def test_revised_plan_updates_tasks_by_ref(engine):
    org_id = _org(engine)
    first = commit_preview(engine, org_id, load_plan_file(V1), now=T0)
    assert sorted(first.created) == ["II.1", "II.2", "II.3"]
    before = _tasks(engine, org_id)

    revised = commit_preview(engine, org_id, load_plan_file(V2), now=T0)
    assert revised.plan_id == first.plan_id  # same number 15/KH-UBND: a revision
    assert revised.updated == ["II.1"] and revised.created == ["II.4"]
    assert revised.removed == ["II.3"] and revised.unchanged == 1
    after = _tasks(engine, org_id)
    assert after["II.1"].id == before["II.1"].id  # the same row: its reports stay attached
    assert after["II.1"].deadline_text == "Tháng 01/2026"
    assert after["II.1"].due_at.date() > before["II.1"].due_at.date()
    assert after["II.4"].has_time_of_day and after["II.4"].deadline_kind == "datetime"
    assert "II.3" in after  # removed from the plan, kept in the database

    again = commit_preview(engine, org_id, load_plan_file(V2), now=T0)
    assert again.already_imported and not again.changed_task_ids


def test_revision_reschedules_pending_reminders(sqlite_engine):
    engine, cal = sqlite_engine, WorkingCalendar()
    org_id = _org(engine)
    with session_scope(engine) as s:
        unit = get_or_create_unit(s, org_id, "Trung tâm Phục vụ hành chính công")
        add_officer(s, org_id, "Lê Thị Hành", unit_id=unit.id, role="officer")
    later = dtm.datetime(2025, 12, 15, 2, 0, tzinfo=dtm.UTC)  # both dues within the horizon
    result = commit_preview(engine, org_id, load_plan_file(V1), now=T0)
    sync_tasks(engine, cal, later, result.changed_task_ids)
    with session_scope(engine) as s:
        old = {n.key for n in s.exec(select(Notification).where(Notification.kind == "due_today"))}
    revised = commit_preview(engine, org_id, load_plan_file(V2), now=later)
    sync_tasks(engine, cal, later, revised.changed_task_ids)
    task = _tasks(engine, org_id)["II.1"]
    with session_scope(engine) as s:
        pending = list(s.exec(select(Notification).where(
            Notification.task_id == task.id, Notification.sent_at == None,  # noqa: E711
            Notification.cancelled == False)))  # noqa: E712
    assert pending
    assert all(n.due_at <= task.due_at for n in pending if n.kind in ("before_due", "due_today"))
    assert all(n.due_at > task.due_at for n in pending if n.kind == "overdue")
    days = {(n.kind, n.seq): cal.local(n.due_at).date() for n in pending}
    # Due Saturday 31/01/2026: the last reminder on Friday, the first overdue on Monday.
    assert days[("before_due", 1)] == dtm.date(2026, 1, 30)
    assert days[("overdue", 1)] == dtm.date(2026, 2, 2)
    with session_scope(engine) as s:  # the notice for the old due date is withdrawn
        stale = s.exec(select(Notification).where(col(Notification.key).in_(old))).all()
    assert stale and all(n.cancelled for n in stale if n.task_id == task.id)


def test_import_queues_one_new_tasks_notice_per_officer(engine):
    org_id = _org(engine)
    with session_scope(engine) as s:
        hcc = get_or_create_unit(s, org_id, "Trung tâm Phục vụ hành chính công")
        vp = get_or_create_unit(s, org_id, "Văn phòng HĐND và UBND")
        lead = add_officer(s, org_id, "Lê Thị Hành", unit_id=hcc.id, role="officer")
        coop = add_officer(s, org_id, "Ngô Văn Phòng", unit_id=vp.id, role="officer")
        ids = (lead.id, coop.id)
    commit_preview(engine, org_id, load_plan_file(V1), now=T0)
    commit_preview(engine, org_id, load_plan_file(V1), now=T0)  # same file again: nothing new
    with session_scope(engine) as s:
        rows = list(s.exec(select(Notification).where(Notification.kind == "plan_tasks")))
    assert sorted(r.officer_id for r in rows) == sorted(ids)
    assert all(r.due_at == T0 and len(r.payload["created"]) == 1 for r in rows)


async def test_new_tasks_notice_reaches_officers_once(sqlite_engine):
    engine = sqlite_engine
    org_id = _org(engine)
    with session_scope(engine) as s:
        hcc = get_or_create_unit(s, org_id, "Trung tâm Phục vụ hành chính công")
        officer = add_officer(s, org_id, "Lê Thị Hành", unit_id=hcc.id, role="officer")
        officer.telegram_user_id = HCC
        s.add(officer)
    commit_preview(engine, org_id, load_plan_file(V1), now=T0)
    clock = FakeClock(T0)
    ticker = Ticker(engine, WorkingCalendar(), clock)
    emu = TelegramEmulator()
    await emu.start()
    emu.add_user(HCC, "hanh")
    app = build_application(emu.token, Services(engine=engine, clock=clock,
                                                calendar=WorkingCalendar(), bot_username="nhacviec_bot"),
                            base_url=emu.base_url)
    async with app:
        await ticker.tick(app.bot)
        clock.advance(dtm.timedelta(minutes=1))
        await ticker.tick(app.bot)
    notices = [m for m in emu.sent_messages(HCC) if "Nhiệm vụ được giao" in m.text]
    await emu.stop()
    assert len(notices) == 1
    assert "II.1" in notices[0].text and "15/KH-UBND" in notices[0].text
    assert "II.2" not in notices[0].text  # another unit's task


def test_org_directory_knows_mapped_aliases(sqlite_engine):
    org_id = _org(sqlite_engine)
    preview = load_plan_for_org(sqlite_engine, org_id, V1.read_bytes(), V1.name)
    assert preview.plan.unknown_units == ["Ban Quản lý chợ xã"]
    with session_scope(sqlite_engine) as s:
        get_or_create_unit(s, org_id, "Ban Quản lý dịch vụ công ích")
    preview = load_plan_for_org(sqlite_engine, org_id, V1.read_bytes(), V1.name)
    preview.map_unit("Ban Quản lý chợ xã", "Ban Quản lý dịch vụ công ích")
    assert preview.per_unit["Ban Quản lý dịch vụ công ích"] == 1
    commit_preview(sqlite_engine, org_id, preview, now=T0)
    with session_scope(sqlite_engine) as s:
        units = {u.name: u for u in s.exec(select(Unit).where(Unit.org_id == org_id))}
        assert "Ban Quản lý chợ xã" not in units  # mapped, not invented
        assert units["Ban Quản lý dịch vụ công ích"].aliases == ["Ban Quản lý chợ xã"]
        assert org_directory(s, org_id).is_known("Ban Quản lý chợ xã")
    task = _tasks(sqlite_engine, org_id)["II.2"]
    assert task.lead_unit_id == units["Ban Quản lý dịch vụ công ích"].id
    again = load_plan_for_org(sqlite_engine, org_id, V2.read_bytes(), V2.name)
    assert again.plan.unknown_units == []


def _monitor(engine, org_id: int) -> str:
    with session_scope(engine) as s:
        monitor = add_officer(s, org_id, "Trần Thị Theo", role="monitor")
        return issue_invite(s, monitor, now=T0)


async def test_monitor_maps_unknown_unit_in_chat(sqlite_engine):
    engine = sqlite_engine
    org_id = _org(engine)
    with session_scope(engine) as s:
        get_or_create_unit(s, org_id, "Ban Quản lý dịch vụ công ích")
    code = _monitor(engine, org_id)
    async with running_bot(engine, FakeClock(T0), [MONITOR]) as chat:
        await chat.say(MONITOR, f"/start {code}")
        preview = await chat.upload(MONITOR, V1.name, V1.read_bytes())
        assert "Ban Quản lý chợ xã (sẽ tạo đơn vị mới)" in preview.text
        ask = await chat.press(MONITOR, preview, "Ghép:")
        assert "Ban Quản lý chợ xã" in ask.text
        updated = await chat.press(MONITOR, ask, "Ban Quản lý dịch vụ")
        assert "Ban Quản lý chợ xã → Ban Quản lý dịch vụ công ích" in updated.text
        done = await chat.press(MONITOR, updated, "Xác nhận")
        assert "3 nhiệm vụ mới" in done.text
    with session_scope(engine) as s:
        names = {u.name for u in s.exec(select(Unit).where(Unit.org_id == org_id))}
    assert "Ban Quản lý chợ xã" not in names


def test_default_due_choices_are_period_ends():
    from handlers.importing import default_due_choices

    now = dtm.datetime(2026, 5, 6, 3, 0, tzinfo=dtm.UTC)
    local = [c.astimezone(dtm.timezone(dtm.timedelta(hours=7))) for c in default_due_choices(now)]
    assert [(d.date(), d.hour) for d in local] == [(dtm.date(2026, 5, 31), 17),
                                                   (dtm.date(2026, 6, 30), 17),
                                                   (dtm.date(2026, 12, 31), 17)]
    december = default_due_choices(dtm.datetime(2026, 12, 2, 3, 0, tzinfo=dtm.UTC))
    assert len(december) == 1  # month, quarter and year end on the same day


async def test_monitor_gives_undated_tasks_a_common_due(sqlite_engine):
    engine = sqlite_engine
    org_id = _org(engine)
    code = _monitor(engine, org_id)
    plan = Path("tests/fixtures/revision/hoa-binh_kh15_undated.txt")
    async with running_bot(engine, FakeClock(T0), [MONITOR]) as chat:
        await chat.say(MONITOR, f"/start {code}")
        preview = await chat.upload(MONITOR, plan.name, plan.read_bytes())
        assert "Nhiệm vụ chưa có thời hạn: II.3" in preview.text
        updated = await chat.press(MONITOR, preview, "Hạn chung 31/12/2025")
        assert "II.3 → hạn chung 31/12/2025" in updated.text
        await chat.press(MONITOR, updated, "Xác nhận")
    task = _tasks(engine, org_id)["II.3"]
    assert task.deadline_kind == "date"
    assert task.due_at.astimezone(dtm.UTC) == dtm.datetime(2025, 12, 31, 10, 0, tzinfo=dtm.UTC)


def test_abandoned_previews_do_not_pile_up():
    from handlers.importing import MAX_PENDING, remember

    store: dict[str, object] = {}
    for i in range(MAX_PENDING + 10):
        remember(store, f"t{i}", i)
    assert len(store) == MAX_PENDING and "t0" not in store and f"t{MAX_PENDING + 9}" in store


async def test_preview_survives_a_restart_and_a_double_tap(sqlite_engine):
    engine = sqlite_engine
    org_id = _org(engine)
    with session_scope(engine) as s:
        get_or_create_unit(s, org_id, "Ban Quản lý dịch vụ công ích")
    code = _monitor(engine, org_id)
    emu = TelegramEmulator()
    await emu.start()
    async with running_bot(engine, FakeClock(T0), [MONITOR], emu=emu) as chat:
        await chat.say(MONITOR, f"/start {code}")
        preview = await chat.upload(MONITOR, V1.name, V1.read_bytes())
        ask = await chat.press(MONITOR, preview, "Ghép:")
        mapped = await chat.press(MONITOR, ask, "Ban Quản lý dịch vụ")
    # A new process: nothing in memory but the database.
    async with running_bot(engine, FakeClock(T0), [MONITOR], emu=emu) as chat:
        assert "3 nhiệm vụ mới" in (await chat.press(MONITOR, mapped, "Xác nhận")).text
        again = await chat.press(MONITOR, mapped, "Xác nhận")  # the same button again
        assert "đã được xử lý" in again.text
    await emu.stop()
    task = _tasks(engine, org_id)["II.2"]
    with session_scope(engine) as s:
        unit = s.get(Unit, task.lead_unit_id)
    assert unit.name == "Ban Quản lý dịch vụ công ích"  # the mapping made before the restart
