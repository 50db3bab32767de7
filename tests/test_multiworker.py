"""Three sender processes tick the same PostgreSQL outbox at once: nothing doubled, nothing missed.

Each process runs the real `Ticker.tick` (daily sync, digest rows, claim with SKIP LOCKED, send
through PTB to one emulator, mark sent). The seeded reminders and the digest rows the workers
create themselves must each reach Telegram exactly once.
"""

from __future__ import annotations

import collections
import datetime as dtm
import json
import os
import subprocess
import sys
import time
import types

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import Assignment, Notification, Officer, Plan, Task
from db.orgs import get_or_create_org
from tests.conftest import PG_URL

T0 = dtm.datetime(2025, 11, 25, 3, 0, tzinfo=dtm.UTC)  # Tuesday 10:00 in Hà Nội, a working day
WORKERS = 3
OFFICERS = 300
TASKS = 500  # due beyond the 60-day planning horizon: the daily sync adds nothing for them
PER_TASK = 3  # assignees per task: 1,500 seeded reminders
NEAR = 20  # due this week with one lead each: every worker's sync plans the same ~400 rows
TG_BASE = 500_000


def _seed(engine) -> None:
    far = T0 + dtm.timedelta(days=90)
    near = T0 + dtm.timedelta(days=3, hours=7)  # Friday 17:00
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "city").id
        plan = Plan(org_id=org_id, number="1/KH-UBND", title="Kế hoạch thử tải", file_hash="mw")
        s.add(plan)
        officers = [Officer(org_id=org_id, name=f"Cán bộ {i}", telegram_user_id=TG_BASE + i,
                            linked_at=T0) for i in range(OFFICERS)]
        s.add_all(officers)
        s.flush()

        def task(ref: str, due: dtm.datetime) -> Task:
            return Task(org_id=org_id, plan_id=plan.id, ref=ref, title=f"Nhiệm vụ {ref}",
                        deadline_text=f"{due:%d/%m/%Y}", deadline_kind="date", due_at=due,
                        created_at=T0 - dtm.timedelta(days=30))

        tasks = [task(f"NV{i}", far) for i in range(TASKS)]
        near_tasks = [task(f"G{i}", near) for i in range(NEAR)]
        week = task("TUAN", near)  # watched by everyone, so every officer gets a digest
        s.add_all([*tasks, *near_tasks, week])
        s.flush()
        for i, t in enumerate(tasks):
            for j in range(PER_TASK):
                officer = officers[(i * PER_TASK + j) % OFFICERS]
                role = "lead" if j == 0 else "cooperate"
                s.add(Assignment(task_id=t.id, officer_id=officer.id, role=role))
                s.add(Notification(org_id=org_id, task_id=t.id, officer_id=officer.id,
                                   kind="before_due", seq=1, role=role,
                                   key=f"seed:{t.id}:{officer.id}",
                                   due_at=T0 - dtm.timedelta(minutes=1 + (i % 7))))
        for i, t in enumerate(near_tasks):
            s.add(Assignment(task_id=t.id, officer_id=officers[i].id, role="lead"))
        s.add_all(Assignment(task_id=week.id, officer_id=o.id, role="watch") for o in officers)


@pytest.mark.postgres
def test_three_senders_no_double_no_miss(pg_engine):
    _seed(pg_engine)
    with pg_engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    emu = TelegramEmulator(enforce_limits=False).start_in_thread()
    started = time.monotonic()
    try:
        start_at = time.time() + 3.0  # imports take a moment; then all tick together
        procs = [subprocess.Popen(
            [sys.executable, "-m", "tests.multiworker_worker", PG_URL, schema, emu.base_url,
             emu.token, T0.isoformat(), str(start_at)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
            for _ in range(WORKERS)]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode()[-3000:]
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
        sent = emu.sent_messages()
    finally:
        emu.stop_thread()
    elapsed = time.monotonic() - started
    print(f"\n{WORKERS} workers, {len(sent)} messages in {elapsed:.1f}s: "
          + ", ".join(f"{r['sent']} sent/{r['ticks']} ticks" for r in results))

    assert [r["errors"] for r in results] == [[]] * WORKERS, results
    with session_scope(pg_engine) as s:
        rows = list(s.exec(select(Notification)))
        chat_of = {o.id: o.telegram_user_id for o in s.exec(select(Officer))}
    seeded = [r for r in rows if r.key.startswith("seed:")]
    digests = [r for r in rows if r.kind == "digest"]
    assert len(seeded) == TASKS * PER_TASK
    assert len(digests) == OFFICERS  # one per officer, though three processes made them
    # Nothing missed: every due row was sent, none given up.
    due_rows = [r for r in rows if r.due_at <= T0]
    assert {r.key for r in due_rows} == {r.key for r in seeded + digests}
    assert [r.key for r in due_rows if r.sent_at is None or r.cancelled] == []
    # Nothing doubled: Telegram got exactly one message per row, in the officer's chat.
    assert len(sent) == len(due_rows) == sum(r["sent"] for r in results)
    delivered = collections.Counter((e.chat_id, e.message_id) for e in sent)
    recorded = collections.Counter((r.chat_id, r.telegram_message_id) for r in due_rows)
    assert delivered == recorded
    assert all(r.chat_id == chat_of[r.officer_id] for r in due_rows)
    per_chat = collections.Counter(e.chat_id for e in sent)
    want = collections.Counter(chat_of[r.officer_id] for r in due_rows)
    assert per_chat == want
    # The work was shared (SKIP LOCKED hands each process other rows), not done by one.
    assert sum(1 for r in results if r["sent"] > 0) >= 2


class _SlowBot:
    """A send takes `seconds` of simulated time; at the `steal_at`-th send another sender ticks."""

    def __init__(self, clock, log, name, seconds=0.0, other=None, steal_at=0):
        self.clock, self.log, self.name, self.seconds = clock, log, name, seconds
        self.other, self.steal_at, self.count = other, steal_at, 0

    async def send_message(self, chat_id, text, reply_markup=None):
        self.count += 1
        if self.other is not None and self.count == self.steal_at:
            ticker, bot = self.other
            await ticker.tick(bot)
        self.clock.advance(dtm.timedelta(seconds=self.seconds))
        self.log.append((self.name, chat_id))
        return types.SimpleNamespace(message_id=len(self.log))


async def test_long_tick_keeps_its_claims(sqlite_engine):
    """A tick longer than the claim lease must not let another sender take its current batch."""
    from scheduler.calendar import WorkingCalendar
    from scheduler.clock import FakeClock
    from scheduler.delivery import Ticker

    n = 300  # 300 simulated seconds of sending: longer than the 2-minute lease
    with session_scope(sqlite_engine) as s:
        org_id = get_or_create_org(s, "slow").id
        plan = Plan(org_id=org_id, title="KH", file_hash="slow")
        s.add(plan)
        officers = [Officer(org_id=org_id, name=f"CB {i}", telegram_user_id=TG_BASE + i)
                    for i in range(n)]
        s.add_all(officers)
        s.flush()
        task = Task(org_id=org_id, plan_id=plan.id, ref="I", title="Việc chậm",
                    deadline_kind="date", due_at=T0 + dtm.timedelta(days=90),
                    created_at=T0 - dtm.timedelta(days=1))
        s.add(task)
        s.flush()
        for o in officers:
            s.add(Notification(org_id=org_id, task_id=task.id, officer_id=o.id,
                               kind="before_due", key=f"slow:{o.id}", due_at=T0))
    clock, log = FakeClock(T0), []
    cal = WorkingCalendar()
    b = Ticker(sqlite_engine, cal, clock, batch=20)
    a = Ticker(sqlite_engine, cal, clock, batch=20)
    bot_b = _SlowBot(clock, log, "b")
    bot_a = _SlowBot(clock, log, "a", seconds=1.0, other=(b, bot_b), steal_at=150)
    await a.tick(bot_a)
    per_chat = collections.Counter(chat for _, chat in log)
    assert sorted(per_chat) == [TG_BASE + i for i in range(n)]
    assert [c for c, k in per_chat.items() if k > 1] == []
    assert {name for name, _ in log} == {"a", "b"}
