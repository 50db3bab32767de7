"""The delivery outbox: Notification rows planned from the policy, claimed atomically by the tick."""

from __future__ import annotations

import datetime as dtm
import time
import uuid

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import is_postgres, session_scope
from db.models import Assignment, Notification, Officer, Task, TaskStatus, utcnow
from scheduler.calendar import WorkingCalendar
from scheduler.policy import DEFAULT_POLICY, ReminderPolicy, TaskTiming, plan_notices

HORIZON = dtm.timedelta(days=60)
LEASE = dtm.timedelta(minutes=2)
TASK_KINDS = ("before_due", "due_today", "overdue", "escalation_unit_head", "escalation_leader",
              "checkin")


def _audience(session: Session, task: Task) -> dict[str, list[tuple[int, str]]]:
    assignees = [(oid, role) for oid, role in session.exec(
        select(Assignment.officer_id, Assignment.role).where(Assignment.task_id == task.id))]
    heads = [(o.id or 0, "watch") for o in session.exec(select(Officer).where(
        Officer.org_id == task.org_id, Officer.unit_id == task.lead_unit_id,
        Officer.role == "unit_head", col(Officer.active).is_(True)))] if task.lead_unit_id else []
    leaders = [(o.id or 0, "watch") for o in session.exec(select(Officer).where(
        Officer.org_id == task.org_id, Officer.role == "leader", col(Officer.active).is_(True)))]
    if task.leader_officer_id:
        leaders = [(task.leader_officer_id, "watch")]
    elif task.leader_text:
        named = [(oid, r) for oid, r in leaders
                 if (o := session.get(Officer, oid)) and o.name in (task.leader_text or "")]
        leaders = named or leaders
    return {"assignees": [a for a in assignees if a[1] != "watch"], "unit_head": heads,
            "leader": leaders}


def sync_task(session: Session, task: Task, calendar: WorkingCalendar, now: dtm.datetime,
              policy: ReminderPolicy = DEFAULT_POLICY) -> int:
    """Rewrite the task's pending notices to match its current state; returns rows added."""
    assert task.id is not None
    pending = {n.key: n for n in session.exec(select(Notification).where(
        Notification.task_id == task.id, col(Notification.sent_at).is_(None),
        col(Notification.cancelled).is_(False)))}
    # Plain dicts, not model instances: a daily sync plans thousands of rows that mostly
    # exist already, and building SQLModel objects for them was most of its cost.
    wanted: dict[str, dict[str, object]] = {}
    if task.status not in (TaskStatus.DONE, TaskStatus.WAITING):
        timing = TaskTiming(task_id=task.id, due_at=task.due_at, deadline_kind=task.deadline_kind,
                            has_time_of_day=task.has_time_of_day,
                            recurring_day=task.recurring_day, status=task.status,
                            created_at=task.created_at)
        audience = _audience(session, task)
        for notice in plan_notices(timing, calendar, policy, now=now, horizon_end=now + HORIZON):
            for officer_id, role in audience.get(notice.audience, []):
                key = f"{notice.key}:{officer_id}"
                wanted[key] = _new_row(org_id=task.org_id, task_id=task.id,
                                       officer_id=officer_id, kind=notice.kind, seq=notice.seq,
                                       role=role, key=key, due_at=notice.at)
    closed = task.status in (TaskStatus.DONE, TaskStatus.WAITING)
    for key, row in pending.items():
        # Past rows the planner no longer lists are missed notices, not obsolete ones:
        # the tick decides whether they are still useful.
        if key not in wanted and row.claimed_at is None and (closed or row.due_at > now):
            row.cancelled = True
            session.add(row)
    if not closed:
        _cancel_past_orphans(session, task, pending, wanted, calendar, policy, now)
    existing = set(session.exec(select(Notification.key).where(
        col(Notification.key).in_(list(wanted))))) if wanted else set()
    added = _insert_new(session, [row for key, row in sorted(wanted.items())
                                  if key not in existing])
    session.flush()
    return added


def _cancel_past_orphans(session: Session, task: Task, pending: dict[str, Notification],
                         wanted: dict[str, dict[str, object]], calendar: WorkingCalendar,
                         policy: ReminderPolicy, now: dtm.datetime) -> None:
    """A missed notice is kept only if the task's current schedule still has it: once a due
    date moves (extension, revised plan), the old schedule's missed reminders are void."""
    planned_prefix = f"{task.id}:"  # rows the planner made (others are not its to judge)
    orphans = [row for key, row in pending.items()
               if key not in wanted and key.startswith(planned_prefix)
               and row.claimed_at is None and not row.cancelled and row.due_at <= now]
    if not orphans:
        return
    assert task.id is not None
    since = min(row.due_at for row in orphans) - dtm.timedelta(minutes=1)
    timing = TaskTiming(task_id=task.id, due_at=task.due_at, deadline_kind=task.deadline_kind,
                        has_time_of_day=task.has_time_of_day, recurring_day=task.recurring_day,
                        status=task.status, created_at=task.created_at)
    audience = _audience(session, task)
    still = {f"{n.key}:{officer_id}"
             for n in plan_notices(timing, calendar, policy, now=since, horizon_end=now)
             for officer_id, _ in audience.get(n.audience, [])}
    for row in orphans:
        if row.key not in still:
            row.cancelled, row.last_error = True, "schedule changed"
            session.add(row)


def _new_row(**values: object) -> dict[str, object]:
    """The column values of a new pending Notification (the model's defaults filled in)."""
    return {"claimed_at": None, "claim_token": None, "sent_at": None, "cancelled": False,
            "attempts": 0, "last_error": None, "chat_id": None, "telegram_message_id": None,
            "payload": {}, "created_at": utcnow(), **values}


def _insert_new(session: Session, rows: list[dict[str, object]]) -> int:
    """Insert the rows whose key is still free; returns how many went in.

    Several processes (senders on PostgreSQL) plan the same notices at once: a key another
    transaction inserted meanwhile is skipped (ON CONFLICT DO NOTHING) instead of failing the
    whole sync with a unique violation. Callers insert in key order so two syncs never deadlock.
    """
    if not rows:
        return 0
    table = Notification.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(rows), 500):
        values = rows[start:start + 500]
        stmt = (insert(table).values(values).on_conflict_do_nothing(index_elements=["key"])
                .returning(table.c.id))
        added += len(conn.execute(stmt).all())
    return added


SYNC_CHUNK = 100  # tasks per transaction: a city-wide daily sync must not hold the writer


def sync_tasks(engine: Engine, calendar: WorkingCalendar, now: dtm.datetime,
               task_ids: list[int] | None = None, org_id: int | None = None) -> int:
    """Re-plan the pending notices of the given (or all open) tasks, in short transactions
    so that progress replies keep being written while a large sync runs (SQLite has one
    writer; on PostgreSQL it keeps row locks short)."""
    with session_scope(engine) as session:
        stmt = select(Task.id).where(col(Task.status).not_in((TaskStatus.DONE,)))
        if task_ids is not None:
            stmt = select(Task.id).where(col(Task.id).in_(task_ids))
        if org_id is not None:
            stmt = stmt.where(Task.org_id == org_id)
        # One order for every process, so concurrent syncs take row locks in the same order.
        ids = list(session.exec(stmt.order_by(col(Task.id))))
    return _sync_ids(engine, calendar, now, [i for i in ids if i is not None])


def _sync_ids(engine: Engine, calendar: WorkingCalendar, now: dtm.datetime,
              ids: list[int], pause: float = 0.0) -> int:
    added = 0
    for start in range(0, len(ids), SYNC_CHUNK):
        if pause and start:
            # Let a waiting writer (an officer's reply) in between two chunks: SQLite's busy
            # handler polls, and a sync committing back to back would starve it.
            time.sleep(pause)
        with session_scope(engine) as session:
            chunk = session.exec(select(Task).where(col(Task.id).in_(ids[start:start + SYNC_CHUNK]))
                                 .order_by(col(Task.id)))
            added += sum(sync_task(session, t, calendar, now) for t in chunk)
    return added


# A task due later than this is not re-planned daily: its first notice (7 working days
# before, moved back over Tết and day swaps) is still beyond the horizon.
DAILY_REACH = HORIZON + dtm.timedelta(days=45)
DAILY_PAUSE = 0.02  # seconds between two chunks of the daily re-plan (it runs in a thread)


def sync_daily(engine: Engine, calendar: WorkingCalendar, now: dtm.datetime) -> int:
    """The daily re-plan: open tasks whose notices may enter the horizon (dated ones due
    before ``now + DAILY_REACH``, overdue ones, recurring ones); the rest have nothing new."""
    with session_scope(engine) as session:
        ids = list(session.exec(
            select(Task.id).where(
                col(Task.status).not_in((TaskStatus.DONE, TaskStatus.WAITING)),
                (col(Task.due_at) < now + DAILY_REACH) | (Task.deadline_kind == "recurring"))
            .order_by(col(Task.id))))
    return _sync_ids(engine, calendar, now, [i for i in ids if i is not None], pause=DAILY_PAUSE)


def claim_due(engine: Engine, now: dtm.datetime, limit: int = 200) -> list[int]:
    """Claim due rows atomically; a row whose claim is older than LEASE (a crash) is claimable."""
    token = uuid.uuid4().hex
    table = Notification.__table__  # type: ignore[attr-defined]
    pick = (select(Notification.id)
            .where(col(Notification.sent_at).is_(None), col(Notification.cancelled).is_(False),
                   col(Notification.due_at) <= now,
                   (col(Notification.claimed_at).is_(None)) | (col(Notification.claimed_at) < now - LEASE))
            .order_by(col(Notification.due_at)).limit(limit))
    if is_postgres(engine):
        pick = pick.with_for_update(skip_locked=True)
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id.in_(pick.scalar_subquery()))
                     .values(claim_token=token, claimed_at=now))
        ids = [r[0] for r in conn.execute(
            select(Notification.id).where(Notification.claim_token == token)
            .order_by(col(Notification.due_at)))]
    return ids


def mark_sent(engine: Engine, notification_id: int, chat_id: int, message_id: int,
              now: dtm.datetime) -> None:
    with session_scope(engine) as session:
        row = session.get(Notification, notification_id)
        if row is not None:
            row.sent_at, row.chat_id, row.telegram_message_id = now, chat_id, message_id
            row.attempts += 1
            session.add(row)


def mark_cancelled(engine: Engine, notification_id: int, reason: str) -> None:
    with session_scope(engine) as session:
        row = session.get(Notification, notification_id)
        if row is not None:
            row.cancelled, row.last_error = True, reason[:500]
            session.add(row)


def release_for_retry(engine: Engine, notification_id: int, error: str, now: dtm.datetime) -> None:
    """Network trouble: try again later with growing backoff."""
    with session_scope(engine) as session:
        row = session.get(Notification, notification_id)
        if row is not None:
            row.attempts += 1
            row.claimed_at = None
            row.claim_token = None
            row.last_error = error[:500]
            row.due_at = now + dtm.timedelta(seconds=min(3600, 15 * 2 ** min(row.attempts, 8)))
            session.add(row)


def is_stale(session: Session, row: Notification, now: dtm.datetime) -> bool:
    """A notice that lost its use while the bot was down (a later one supersedes it)."""
    if row.task_id is None:
        return False
    task = session.get(Task, row.task_id)
    if task is None or task.status in (TaskStatus.DONE, TaskStatus.WAITING):
        return True
    if row.kind in ("before_due", "due_today") and task.due_at is not None and task.due_at <= now:
        return True
    later = session.exec(select(Notification.id).where(
        Notification.task_id == row.task_id, Notification.officer_id == row.officer_id,
        Notification.kind == row.kind, col(Notification.sent_at).is_(None),
        col(Notification.cancelled).is_(False), col(Notification.due_at) > row.due_at,
        col(Notification.due_at) <= now)).first()
    return later is not None


def ensure_digests(engine: Engine, now: dtm.datetime, calendar: WorkingCalendar,
                   digest_time: dtm.time = dtm.time(7, 30)) -> int:
    """One digest row per linked officer with something to say, once per working day."""
    local = calendar.local(now)
    if not calendar.is_working_day(local.date()) or local.time() < digest_time:
        return 0
    day = local.date().isoformat()
    soon = now + dtm.timedelta(days=7)
    added = 0
    with session_scope(engine) as session:
        rows = session.exec(
            select(Assignment.officer_id, Officer.org_id).distinct()
            .join(Task, col(Task.id) == Assignment.task_id)
            .join(Officer, col(Officer.id) == Assignment.officer_id)
            .where(col(Officer.telegram_user_id).is_not(None), col(Officer.active).is_(True),
                   col(Officer.unreachable).is_(False),
                   col(Task.status).in_(TaskStatus.OPEN_STATES),
                   col(Task.due_at).is_not(None), col(Task.due_at) < soon))
        candidates = sorted(rows)
        keys = [f"digest:{oid}:{day}" for oid, _ in candidates]
        existing = set(session.exec(select(Notification.key).where(
            col(Notification.key).in_(keys)))) if keys else set()
        added = _insert_new(session, [
            _new_row(org_id=org_id, task_id=None, officer_id=officer_id, kind="digest", seq=0,
                     role="lead", key=key, due_at=now)
            for (officer_id, org_id), key in zip(candidates, keys, strict=True)
            if key not in existing])
    return added
