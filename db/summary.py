"""The leader's status matrix, aggregated in SQL."""

from __future__ import annotations

import dataclasses
import datetime as dtm

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from db.models import Assignment, Notification, Officer, ProgressReport, Task, TaskStatus, Unit

NO_UNIT = "Chưa xác định đơn vị"
UNDATED_KINDS = ("recurring", "conditional", "on_request")


@dataclasses.dataclass
class UnitRow:
    unit: str
    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    open_overdue: int = 0
    waiting: int = 0
    recurring: int = 0

    @property
    def total(self) -> int:
        return (self.done_on_time + self.done_late + self.open_on_time + self.open_overdue
                + self.waiting + self.recurring)


@dataclasses.dataclass
class TaskLine:
    task_id: int
    ref: str
    title: str
    unit: str
    due_at: dtm.datetime | None
    deadline_kind: str
    deadline_text: str
    status: str
    percent: int
    days_late: int = 0
    responsible: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Summary:
    rows: list[UnitRow]
    total: UnitRow
    overdue: list[TaskLine]
    due_soon: list[TaskLine]
    unlinked: list[str]
    silent: list[str]
    extended: int
    unit_filter: str | None = None


def _matrix_columns(now: dtm.datetime) -> list:
    done = col(Task.status) == TaskStatus.DONE
    undated = col(Task.due_at).is_(None)
    late_done = and_(done, col(Task.due_at).is_not(None), col(Task.completed_at) > Task.due_at)
    def n(cond: object) -> object:
        return func.sum(case((cond, 1), else_=0))  # type: ignore[arg-type]
    return [
        n(and_(done, ~late_done)),
        n(late_done),
        n(and_(~done, or_(col(Task.due_at) >= now,
                          and_(undated, col(Task.deadline_kind).not_in(UNDATED_KINDS))))),
        n(and_(~done, col(Task.due_at) < now)),
        n(and_(~done, undated, col(Task.deadline_kind).in_(("conditional", "on_request")))),
        n(and_(~done, undated, col(Task.deadline_kind) == "recurring")),
    ]


def build_summary(
    session: Session, org_id: int, now: dtm.datetime, *, unit_id: int | None = None,
    soon_days: int = 7, list_limit: int = 30,
) -> Summary:
    base = [Task.org_id == org_id]
    if unit_id is not None:
        base.append(Task.lead_unit_id == unit_id)
    stmt = (select(Task.lead_unit_id, func.min(Task.lead_text), *_matrix_columns(now))
            .where(*base).group_by(col(Task.lead_unit_id)))
    names = {u.id: u.name for u in session.exec(select(Unit).where(Unit.org_id == org_id))}
    rows: list[UnitRow] = []
    for unit, lead_text, *counts in session.exec(stmt):  # type: ignore[call-overload]
        label = names.get(unit) or (lead_text or NO_UNIT)
        rows.append(UnitRow(label, *[int(c or 0) for c in counts]))
    rows.sort(key=lambda r: (-r.open_overdue, r.unit))
    total = UnitRow("Tổng cộng")
    for r in rows:
        for f in ("done_on_time", "done_late", "open_on_time", "open_overdue", "waiting",
                  "recurring"):
            setattr(total, f, getattr(total, f) + getattr(r, f))
    open_states = col(Task.status) != TaskStatus.DONE
    overdue = _task_lines(session, names, select(Task).where(
        *base, open_states, col(Task.due_at) < now).order_by(col(Task.due_at)).limit(list_limit), now)
    soon = _task_lines(session, names, select(Task).where(
        *base, open_states, col(Task.due_at) >= now,
        col(Task.due_at) < now + dtm.timedelta(days=soon_days)).order_by(col(Task.due_at))
        .limit(list_limit), now)
    extended = session.exec(select(func.count()).where(
        *base, col(Task.original_due_at).is_not(None),
        col(Task.original_due_at) != Task.due_at)).one()
    return Summary(rows, total, overdue, soon, _unlinked(session, org_id, unit_id),
                   _silent(session, org_id, unit_id), int(extended),
                   names.get(unit_id) if unit_id else None)


def _task_lines(session: Session, names: dict, stmt: object, now: dtm.datetime) -> list[TaskLine]:
    tasks = list(session.exec(stmt))  # type: ignore[call-overload]
    ids = [t.id for t in tasks]
    people: dict[int, list[str]] = {}
    if ids:
        for task_id, name in session.exec(
            select(Assignment.task_id, Officer.name).join(Officer, col(Officer.id) == Assignment.officer_id)
            .where(col(Assignment.task_id).in_(ids), Assignment.role == "lead")
        ):
            people.setdefault(task_id, []).append(name)
    lines = []
    for t in tasks:
        late = max(0, (now - t.due_at).days + (1 if (now - t.due_at).seconds else 0)) if t.due_at and t.due_at < now else 0
        lines.append(TaskLine(t.id, t.ref, t.title, names.get(t.lead_unit_id) or t.lead_text or NO_UNIT,
                              t.due_at, t.deadline_kind, t.deadline_text, t.status, t.percent,
                              late, people.get(t.id, [])))
    return lines


def _unlinked(session: Session, org_id: int, unit_id: int | None) -> list[str]:
    stmt = select(Officer.name).where(Officer.org_id == org_id, col(Officer.active).is_(True),
                                      col(Officer.telegram_user_id).is_(None))
    if unit_id is not None:
        stmt = stmt.where(Officer.unit_id == unit_id)
    return list(session.exec(stmt.order_by(Officer.name)))


def _silent(session: Session, org_id: int, unit_id: int | None) -> list[str]:
    """Officers whose latest sent reminder got no report from them afterwards."""
    last_sent = (select(Notification.officer_id, func.max(Notification.sent_at).label("at"))
                 .where(Notification.org_id == org_id, col(Notification.sent_at).is_not(None),
                        col(Notification.task_id).is_not(None))
                 .group_by(col(Notification.officer_id)).subquery())
    last_report = (select(ProgressReport.officer_id, func.max(ProgressReport.created_at).label("at"))
                   .where(ProgressReport.org_id == org_id)
                   .group_by(col(ProgressReport.officer_id)).subquery())
    stmt = (select(Officer.name)
            .join(last_sent, last_sent.c.officer_id == Officer.id)
            .outerjoin(last_report, last_report.c.officer_id == Officer.id)
            .where(or_(last_report.c.at.is_(None), last_report.c.at < last_sent.c.at)))
    if unit_id is not None:
        stmt = stmt.where(Officer.unit_id == unit_id)
    return list(session.exec(stmt.order_by(Officer.name)))


def export_rows(session: Session, org_id: int, unit_id: int | None = None) -> list[dict]:
    """Plan-table rows plus status, for the Excel export."""
    stmt = select(Task).where(Task.org_id == org_id)
    if unit_id is not None:
        stmt = stmt.where(Task.lead_unit_id == unit_id)
    tasks = list(session.exec(stmt.order_by(col(Task.plan_id), col(Task.id))))
    last: dict[int, ProgressReport] = {}
    for rep in session.exec(select(ProgressReport).where(ProgressReport.org_id == org_id)
                            .order_by(col(ProgressReport.created_at))):
        last[rep.task_id] = rep
    names = {u.id: u.name for u in session.exec(select(Unit).where(Unit.org_id == org_id))}
    return [
        {"ref": t.ref, "title": t.title, "lead": names.get(t.lead_unit_id) or t.lead_text,
         "cooperate": ", ".join(t.cooperate_text), "deadline_text": t.deadline_text,
         "due_at": t.due_at, "deadline_kind": t.deadline_kind, "status": t.status,
         "percent": t.percent,
         "last_report": last[t.id].raw_text if t.id in last else "",
         "last_report_at": last[t.id].created_at if t.id in last else None}
        for t in tasks
    ]
