"""A city-sized commune for the fault tests: many linked officers, one task due this week.

Shared by tests/test_faults.py and the SIGKILL worker (tests/fault_worker.py); also the
exactly-once audit that compares the outbox with what the emulator actually delivered.
"""

from __future__ import annotations

import dataclasses
import datetime as dtm
import zoneinfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import Assignment, Notification, Officer
from db.orgs import get_or_create_org, get_or_create_unit
from db.tasks import PlanInput, TaskInput, import_plan

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
T0 = dtm.datetime(2025, 11, 24, 1, 0, tzinfo=dtm.UTC)  # Monday 08:00 in Hà Nội
TG_BASE = 500_000


def seed_city(engine: Engine, officers: int, *, now: dtm.datetime = T0,
              tg_base: int = TG_BASE) -> list[int]:
    """One org, one task due Friday, `officers` linked officers assigned to it; their tg ids."""
    due = dtm.datetime.combine(now.astimezone(LOCAL).date() + dtm.timedelta(days=4),
                               dtm.time(17, 0), tzinfo=LOCAL).astimezone(dtm.UTC)
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "thanh-pho", "UBND phường Thành Phố").id or 0
        unit = get_or_create_unit(s, org_id, "Phòng Văn hóa - Xã hội")
        result = import_plan(s, org_id, PlanInput(
            title="Kế hoạch thử tải", number="1/KH-UBND", issuer=None, issued_on=None,
            year=now.year, file_hash="city-" + str(officers), file_name=None,
            tasks=[TaskInput(ref="I.1", title="Báo cáo tình hình chuyển đổi số",
                             lead_unit_id=unit.id, deadline_text="trước ngày 28/11/2025",
                             deadline_kind="date", due_at=due)]), now=now - dtm.timedelta(days=30))
        task_id = result.changed_task_ids[0]
        ids = []
        for i in range(officers):
            o = Officer(org_id=org_id, name=f"Cán bộ {i:03d}", unit_id=unit.id,
                        telegram_user_id=tg_base + i, linked_at=now)
            s.add(o)
            s.flush()
            s.add(Assignment(task_id=task_id, officer_id=o.id or 0, role="lead"))
            ids.append(tg_base + i)
    return ids


@dataclasses.dataclass
class Audit:
    sent: int
    duplicates: list[tuple[int, int]]  # (chat, message id) of deliveries no row accounts for
    digests: set[int]  # chats that received their digest


def audit(engine: Engine, emu: TelegramEmulator, now: dtm.datetime) -> Audit:
    """Every due notice is sent or cancelled for a reason other than delivery failure, and
    every sent row points at a message the emulator really delivered; extra deliveries with a
    notice's text are duplicates."""
    with session_scope(engine) as s:
        rows = list(s.exec(select(Notification)))
        tg = {o.id: o.telegram_user_id for o in s.exec(select(Officer))}
    pending = [r for r in rows if r.sent_at is None and not r.cancelled and r.due_at <= now]
    assert not pending, [(r.key, r.attempts, r.last_error) for r in pending[:5]]
    lost = [r for r in rows if r.cancelled and r.last_error not in ("stale", "nothing to say")]
    assert not lost, [(r.key, r.last_error) for r in lost[:5]]
    delivered: set[tuple[int, int]] = set()
    texts: dict[int, set[str]] = {}
    digests: set[int] = set()
    for r in rows:
        if r.sent_at is None:
            continue
        assert r.chat_id == tg[r.officer_id]
        assert r.telegram_message_id is not None
        entry = emu.message(r.chat_id, r.telegram_message_id)
        assert entry is not None and entry.direction == "out", r.key
        assert (r.chat_id, r.telegram_message_id) not in delivered, "two rows, one message"
        delivered.add((r.chat_id, r.telegram_message_id))
        texts.setdefault(r.chat_id, set()).add(entry.text or "")
        if r.kind == "digest":
            digests.add(r.chat_id)
    dupes = [(e.chat_id, e.message_id) for e in emu.sent_messages()
             if (e.chat_id, e.message_id) not in delivered
             and (e.text or "") in texts.get(e.chat_id, set())]
    return Audit(len(delivered), dupes, digests)
