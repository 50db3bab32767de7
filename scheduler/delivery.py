"""The tick: claim due notices, render, send through PTB, record the Telegram message id."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dtm
import logging

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from db.engine import session_scope
from db.models import Assignment, Notification, Officer, Task, TaskStatus, Unit
from messages import label, render
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock
from scheduler.outbox import (
    claim_due,
    ensure_digests,
    is_stale,
    mark_cancelled,
    mark_sent,
    release_for_retry,
    sync_daily,
)
from scheduler.policy import is_quiet

log = logging.getLogger(__name__)


def task_buttons(task_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(label("done"), callback_data=f"r:{task_id}:done"),
         InlineKeyboardButton(label("progress"), callback_data=f"r:{task_id}:prog")],
        [InlineKeyboardButton(label("blocked"), callback_data=f"r:{task_id}:block"),
         InlineKeyboardButton(label("extension"), callback_data=f"r:{task_id}:ext")],
    ])


@dataclasses.dataclass
class Outgoing:
    notification_id: int
    chat_id: int
    text: str
    task_id: int | None


def _compose(engine: Engine, nid: int, now: dtm.datetime) -> Outgoing | None:
    with session_scope(engine) as session:
        row = session.get(Notification, nid)
        if row is None or row.sent_at is not None or row.cancelled:
            return None
        officer = session.get(Officer, row.officer_id)
        if officer is None or officer.telegram_user_id is None or officer.unreachable:
            row.cancelled, row.last_error = True, "unlinked"
            session.add(row)
            return None
        if is_stale(session, row, now):
            row.cancelled, row.last_error = True, "stale"
            session.add(row)
            return None
        if row.kind == "digest":
            text = _digest_text(session, officer, now)
            if text is None:
                row.cancelled, row.last_error = True, "nothing to say"
                session.add(row)
                return None
            return Outgoing(nid, officer.telegram_user_id, text, None)
        if row.kind == "unreachable":
            subject = session.get(Officer, row.payload.get("officer_id"))
            if subject is None or not subject.unreachable:
                row.cancelled, row.last_error = True, "reachable again"
                session.add(row)
                return None
            return Outgoing(nid, officer.telegram_user_id,
                            render("officer_unreachable", officer=subject,
                                   unit=session.get(Unit, subject.unit_id)), None)
        if row.kind == "plan_tasks":
            return Outgoing(nid, officer.telegram_user_id,
                            _plan_tasks_text(session, officer, row.payload), None)
        task = session.get(Task, row.task_id)
        assert task is not None
        days_late = (now - task.due_at).days if task.due_at and task.due_at < now else 0
        text = render("reminder", kind=row.kind, task=task, officer=officer, role=row.role,
                      seq=row.seq, days_late=days_late)
        return Outgoing(nid, officer.telegram_user_id, text, task.id)


def _digest_text(session: object, officer: Officer, now: dtm.datetime) -> str | None:
    from sqlmodel import Session

    assert isinstance(session, Session)
    soon = now + dtm.timedelta(days=7)
    tasks = list(session.exec(
        select(Task).join(Assignment, col(Assignment.task_id) == Task.id)
        .where(Assignment.officer_id == officer.id, col(Task.status).in_(TaskStatus.OPEN_STATES),
               col(Task.due_at).is_not(None), col(Task.due_at) < soon)
        .order_by(col(Task.due_at))))
    if not tasks:
        return None
    overdue = [t for t in tasks if t.due_at and t.due_at < now]
    upcoming = [t for t in tasks if t.due_at and t.due_at >= now]
    return render("digest", officer=officer, overdue=overdue, upcoming=upcoming, now=now)


def _plan_tasks_text(session: object, officer: Officer, payload: dict[str, object]) -> str:
    """The "new tasks" notice after an import: what was assigned or changed, by due date."""
    from sqlmodel import Session

    from db.models import Plan

    assert isinstance(session, Session)

    def load(key: str) -> list[Task]:
        ids = [int(i) for i in payload.get(key, []) or []]  # type: ignore[attr-defined]
        if not ids:
            return []
        rows = session.exec(select(Task).where(col(Task.id).in_(ids)))
        far = dtm.datetime.max.replace(tzinfo=dtm.UTC)
        return sorted(rows, key=lambda t: (t.due_at or far, t.ref))

    plan = session.get(Plan, payload.get("plan_id"))
    return render("plan_tasks", officer=officer, plan=plan, created=load("created"),
                  updated=load("updated"))


async def send_one(bot: object, engine: Engine, out: Outgoing, clock: Clock) -> str:
    markup = task_buttons(out.task_id) if out.task_id else None
    try:
        msg = await bot.send_message(out.chat_id, out.text, reply_markup=markup)  # type: ignore[attr-defined]
    except Forbidden:
        _mark_unreachable(engine, out, clock.now())
        return "forbidden"
    except RetryAfter as exc:
        release_for_retry(engine, out.notification_id, f"retry_after {exc.retry_after}", clock.now())
        return "retry"
    except (TimedOut, NetworkError) as exc:
        release_for_retry(engine, out.notification_id, str(exc), clock.now())
        return "retry"
    await _record_sent(engine, out, msg.message_id, clock)
    return "sent"


MARK_SENT_PATIENCE = 60.0  # seconds of database trouble we wait out before giving up


async def _record_sent(engine: Engine, out: Outgoing, message_id: int, clock: Clock) -> None:
    """Telegram has the message: record it even through a short database outage, because an
    unrecorded send is repeated once its claim lapses."""
    from sqlalchemy.exc import OperationalError

    delay, waited = 0.2, 0.0
    while True:
        try:
            mark_sent(engine, out.notification_id, out.chat_id, message_id, clock.now())
            return
        except OperationalError:
            if waited >= MARK_SENT_PATIENCE:
                raise
            log.warning("database unavailable while recording notice %s; retrying",
                        out.notification_id)
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)


def _mark_unreachable(engine: Engine, out: Outgoing, now: dtm.datetime) -> None:
    """403: the officer blocked the bot (or never started it). Stop sending to him and tell
    the monitors once a day, so that someone calls him."""
    mark_cancelled(engine, out.notification_id, "forbidden")
    with session_scope(engine) as session:
        row = session.get(Notification, out.notification_id)
        officer = session.get(Officer, row.officer_id) if row else None
        if officer is None or officer.id is None:
            return
        officer.unreachable = True
        session.add(officer)
        day = (now + dtm.timedelta(hours=7)).date().isoformat()
        monitors = session.exec(select(Officer).where(
            Officer.org_id == officer.org_id, col(Officer.role).in_(("monitor", "admin")),
            col(Officer.active).is_(True), col(Officer.telegram_user_id).is_not(None),
            col(Officer.unreachable).is_(False), Officer.id != officer.id))
        for monitor in monitors:
            key = f"unreachable:{officer.id}:{day}:{monitor.id}"
            if session.exec(select(Notification.id).where(Notification.key == key)).first():
                continue
            session.add(Notification(org_id=officer.org_id, officer_id=monitor.id or 0,
                                     kind="unreachable", key=key, due_at=now,
                                     payload={"officer_id": officer.id}))


@dataclasses.dataclass
class Ticker:
    """State kept across ticks; everything that matters lives in the database."""

    engine: Engine
    calendar: WorkingCalendar
    clock: Clock
    digest_time: dtm.time = dtm.time(7, 30)
    batch: int = 200
    _synced_on: dtm.date | None = None

    async def tick(self, bot: object) -> dict[str, int]:
        now = self.clock.now()
        counts = {"sent": 0, "retry": 0, "forbidden": 0, "skipped": 0}
        today = self.calendar.local_date(now)
        if self._synced_on != today:
            # Once a day: extend the planning horizon of the tasks whose notices can reach it.
            # In a worker thread: a city's re-plan takes minutes, and the bot must keep
            # answering officers meanwhile (the database work is blocking).
            await asyncio.to_thread(sync_daily, self.engine, self.calendar, now)
            self._synced_on = today
        if is_quiet(now):
            return counts
        ensure_digests(self.engine, now, self.calendar, self.digest_time)
        while True:
            # Stamp each batch's claim with the time it is taken: a long tick stamping its
            # start time would hand its current batch to another sender once past LEASE.
            ids = claim_due(self.engine, self.clock.now(), self.batch)
            if not ids:
                break
            for nid in ids:
                out = _compose(self.engine, nid, now)
                if out is None:
                    counts["skipped"] += 1
                    continue
                counts[await send_one(bot, self.engine, out, self.clock)] += 1
            if len(ids) < self.batch:
                break
        return counts
