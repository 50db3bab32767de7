"""Months of simulated time over the Trần Liễu plan, through the emulator and a real database."""

from __future__ import annotations

import collections
import datetime as dtm
import zoneinfo

import pytest
from sqlmodel import col, select
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import Notification, Officer, Task
from db.officers import add_officer
from db.orgs import get_or_create_org, get_or_create_unit
from db.tasks import assign_by_units, record_report
from handlers.importing import commit_preview, load_plan_file
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock
from scheduler.delivery import Ticker

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
START = dtm.datetime(2025, 10, 1, 7, 0, tzinfo=LOCAL)
END = dtm.datetime(2027, 1, 1, 7, 0, tzinfo=LOCAL)


def _next_tick(now: dtm.datetime) -> dtm.timedelta:
    """Every two hours from 07:00 (08:00 reminders go at 09:00, in working hours as required);
    one jump over the quiet night, when the tick sends nothing."""
    local = now.astimezone(LOCAL)
    if local.hour >= 21:
        wake = (local + dtm.timedelta(days=1)).replace(hour=7, minute=0)
        return wake - local
    return dtm.timedelta(hours=2)


@pytest.mark.slow
async def test_months_of_reminders_exactly_once(sqlite_engine):
    engine = sqlite_engine
    cal = WorkingCalendar()
    clock = FakeClock(START.astimezone(dtm.UTC))
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "tran-lieu").id
    commit_preview(engine, org_id, load_plan_file("tests/fixtures/tran-lieu_kh73-nq268.txt"),
                   now=clock.now())
    with session_scope(engine) as s:
        tg = 100
        units = {t.lead_unit_id for t in s.exec(select(Task)) if t.lead_unit_id}
        for unit_id in sorted(units):
            for role in ("officer", "unit_head"):
                tg += 1
                o = add_officer(s, org_id, f"{role} {unit_id}", unit_id=unit_id, role=role)
                o.telegram_user_id = tg
        leader = add_officer(s, org_id, "Lãnh đạo", role="leader")
        leader.telegram_user_id = 99
        assign_by_units(s, org_id)
        get_or_create_unit(s, org_id, "Văn phòng HĐND và UBND")
    emu = TelegramEmulator(enforce_limits=False)
    await emu.start()
    app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url).job_queue(None)
           # The emulator enforces no limits here: months of notices need not take real
           # minutes at 30 messages a second.
           .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3))
           .build())
    ticker = Ticker(engine, cal, clock)
    done_at: dict[int, dtm.datetime] = {}
    async with app:
        while clock.now() < END.astimezone(dtm.UTC):
            await ticker.tick(app.bot)
            now = clock.now()
            if now.astimezone(LOCAL).date() == dtm.date(2025, 11, 3) and not done_at:
                with session_scope(engine) as s:  # the lead unit finishes I.1 early
                    task = s.exec(select(Task).where(Task.ref == "I.1")).one()
                    lead = s.exec(select(Officer).where(Officer.unit_id == task.lead_unit_id,
                                                        Officer.role == "officer")).first()
                    record_report(s, task, lead, raw_text="xong", status="done", percent=100,
                                  note=None, source="reply", now=now)
                    done_at[task.id] = now
                from scheduler.outbox import sync_tasks

                sync_tasks(engine, cal, now, list(done_at))
            clock.advance(_next_tick(now))
    await emu.stop()

    with session_scope(engine) as s:
        sent = list(s.exec(select(Notification).where(col(Notification.sent_at).is_not(None))))
        tasks = {t.id: t for t in s.exec(select(Task))}
        heads = {o.id for o in s.exec(select(Officer).where(Officer.role == "unit_head"))}
    assert len(sent) > 100
    keys = collections.Counter(n.key for n in sent)
    assert max(keys.values()) == 1
    msgs = collections.Counter((e.chat_id, e.message_id) for e in emu.sent_messages())
    assert len(msgs) == len(emu.sent_messages()) == len(sent)
    for n in sent:
        local = n.sent_at.astimezone(LOCAL)
        assert cal.is_working_day(local.date()), (n.key, local)
        assert dtm.time(7, 0) <= local.time() < dtm.time(21, 0), (n.key, local)
        if n.task_id in done_at:
            assert n.sent_at <= done_at[n.task_id], n.key
    assert {n.key for n in sent if n.task_id} == _expected_keys(engine, cal, done_at)
    kinds = collections.Counter(n.kind for n in sent)
    assert kinds["before_due"] and kinds["overdue"] and kinds["digest"]
    assert any(n.kind == "escalation_unit_head" and n.officer_id in heads for n in sent)
    assert any(n.kind == "escalation_leader" for n in sent)
    assert tasks  # the plan was there all along


def _expected_keys(engine, cal: WorkingCalendar, done_at: dict[int, dtm.datetime]) -> set[str]:
    """Every notice the policy promises over the whole period, to every recipient: the
    simulation must have sent exactly these (none missing, none extra)."""
    from scheduler.outbox import _audience
    from scheduler.policy import DEFAULT_POLICY, TaskTiming, plan_notices

    keys: set[str] = set()
    with session_scope(engine) as s:
        for task in s.exec(select(Task)):
            timing = TaskTiming(task_id=task.id, due_at=task.due_at,
                                deadline_kind=task.deadline_kind,
                                has_time_of_day=task.has_time_of_day,
                                recurring_day=task.recurring_day, status="open",
                                created_at=task.created_at)
            if task.status == "waiting":
                continue
            end = done_at.get(task.id, END.astimezone(dtm.UTC))
            audience = _audience(s, task)
            for notice in plan_notices(timing, cal, DEFAULT_POLICY, now=START.astimezone(dtm.UTC),
                                       horizon_end=end - dtm.timedelta(seconds=1)):
                keys |= {f"{notice.key}:{oid}" for oid, _ in audience.get(notice.audience, [])}
    return keys
