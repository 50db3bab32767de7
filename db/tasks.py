"""Plans, tasks, progress reports, extensions: the state changes behind the chat."""

from __future__ import annotations

import dataclasses
import datetime as dtm

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from db.models import (
    Assignment,
    AuditLog,
    ExtensionRequest,
    Officer,
    Plan,
    ProgressReport,
    Task,
    TaskStatus,
    utcnow,
)

# Fields a revised plan may change on a task with the same ref.
_REVISABLE = (
    "title", "text", "section", "lead_unit_id", "lead_text", "cooperate_text",
    "cooperate_unit_ids", "leader_text", "leader_officer_id", "deadline_text",
    "deadline_kind", "due_at", "has_time_of_day", "condition", "recurring_day",
)


@dataclasses.dataclass
class TaskInput:
    ref: str
    title: str
    text: str = ""
    section: str | None = None
    lead_unit_id: int | None = None
    lead_text: str = ""
    cooperate_text: list[str] = dataclasses.field(default_factory=list)
    cooperate_unit_ids: list[int] = dataclasses.field(default_factory=list)
    leader_text: str | None = None
    leader_officer_id: int | None = None
    deadline_text: str = ""
    deadline_kind: str = "none"
    due_at: dtm.datetime | None = None
    has_time_of_day: bool = False
    condition: str | None = None
    recurring_day: int | None = None


@dataclasses.dataclass
class PlanInput:
    title: str
    number: str | None
    issuer: str | None
    issued_on: dtm.date | None
    year: int | None
    file_hash: str
    file_name: str | None
    tasks: list[TaskInput]


@dataclasses.dataclass
class ImportResult:
    plan_id: int
    created: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    already_imported: bool = False
    changed_task_ids: list[int] = dataclasses.field(default_factory=list)


def import_plan(
    session: Session, org_id: int, data: PlanInput, *, now: dtm.datetime | None = None
) -> ImportResult:
    """Write a plan in the caller's transaction; same file → nothing; same number → revision."""
    now = now or utcnow()
    same_file = session.exec(
        select(Plan).where(Plan.org_id == org_id, Plan.file_hash == data.file_hash)
    ).first()
    if same_file is not None:
        assert same_file.id is not None
        count = len(list(session.exec(select(Task.id).where(Task.plan_id == same_file.id))))
        return ImportResult(same_file.id, [], [], [], count, already_imported=True)
    plan = _revision_target(session, org_id, data)
    if plan is None:
        plan = Plan(org_id=org_id, file_hash=data.file_hash)
    plan.title, plan.number, plan.issuer = data.title, data.number, data.issuer
    plan.issued_on, plan.year, plan.file_name = data.issued_on, data.year, data.file_name
    plan.file_hash = data.file_hash
    session.add(plan)
    session.flush()
    assert plan.id is not None
    existing = {t.ref: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    result = ImportResult(plan.id, [], [], [], 0)
    for item in data.tasks:
        task = existing.pop(item.ref, None)
        if task is None:
            task = _new_task(org_id, plan.id, item, now)
            session.add(task)
            session.flush()
            result.created.append(item.ref)
        elif _revise(task, item, now):
            session.add(task)
            result.updated.append(item.ref)
        else:
            result.unchanged += 1
            continue
        assert task.id is not None
        result.changed_task_ids.append(task.id)
    result.removed = sorted(existing)  # kept in the database: reports on them stay valid
    session.add(
        AuditLog(
            org_id=org_id,
            action="plan.imported",
            detail={"plan_id": plan.id, "created": len(result.created),
                    "updated": len(result.updated), "removed": result.removed},
        )
    )
    session.flush()
    return result


def _revision_target(session: Session, org_id: int, data: PlanInput) -> Plan | None:
    if not data.number:
        return None
    stmt = select(Plan).where(Plan.org_id == org_id, Plan.number == data.number)
    if data.year is not None:
        stmt = stmt.where(Plan.year == data.year)
    return session.exec(stmt).first()


def _new_task(org_id: int, plan_id: int, item: TaskInput, now: dtm.datetime) -> Task:
    fields = dataclasses.asdict(item)
    status = TaskStatus.WAITING if item.deadline_kind == "conditional" and not item.due_at else TaskStatus.OPEN
    return Task(org_id=org_id, plan_id=plan_id, status=status, original_due_at=item.due_at,
                created_at=now, updated_at=now, **fields)


def _revise(task: Task, item: TaskInput, now: dtm.datetime) -> bool:
    changed = False
    for name in _REVISABLE:
        new = getattr(item, name)
        if getattr(task, name) != new:
            setattr(task, name, new)
            changed = True
    if changed:
        task.updated_at = now
        if task.original_due_at is None:
            task.original_due_at = task.due_at
    return changed


def assign(session: Session, task_id: int, officer_id: int, role: str = "lead") -> bool:
    found = session.exec(
        select(Assignment).where(Assignment.task_id == task_id, Assignment.officer_id == officer_id)
    ).first()
    if found is not None:
        if found.role != role and role == "lead":
            found.role = role
            session.add(found)
        return False
    session.add(Assignment(task_id=task_id, officer_id=officer_id, role=role))
    session.flush()
    return True


def assign_by_units(session: Session, org_id: int, task_ids: list[int] | None = None) -> int:
    """Give each task to the officers of its lead unit (lead) and cooperating units."""
    tasks_stmt = select(Task).where(Task.org_id == org_id)
    if task_ids is not None:
        tasks_stmt = tasks_stmt.where(col(Task.id).in_(task_ids))
    officers = list(session.exec(
        select(Officer).where(Officer.org_id == org_id, col(Officer.active).is_(True),
                              col(Officer.unit_id).is_not(None))
    ))
    by_unit: dict[int, list[Officer]] = {}
    for officer in officers:
        assert officer.unit_id is not None
        by_unit.setdefault(officer.unit_id, []).append(officer)
    added = 0
    for task in session.exec(tasks_stmt):
        assert task.id is not None
        for officer in by_unit.get(task.lead_unit_id or -1, []):
            added += assign(session, task.id, officer.id or 0, "lead")
        for unit_id in task.cooperate_unit_ids:
            if unit_id == task.lead_unit_id:
                continue
            for officer in by_unit.get(unit_id, []):
                added += assign(session, task.id, officer.id or 0, "cooperate")
    return added


def assignment_role(session: Session, task_id: int, officer_id: int) -> str | None:
    found = session.exec(
        select(Assignment.role).where(Assignment.task_id == task_id,
                                      Assignment.officer_id == officer_id)
    ).first()
    return found


def lead_officers(session: Session, task: Task) -> list[Officer]:
    """Active officers of the task's lead unit, and those assigned to it as lead."""
    assert task.id is not None
    lead_ids = select(Assignment.officer_id).where(Assignment.task_id == task.id,
                                                   Assignment.role == "lead")
    found: ColumnElement[bool] = col(Officer.id).in_(lead_ids)
    if task.lead_unit_id is not None:
        found = or_(found, col(Officer.unit_id) == task.lead_unit_id)
    stmt = select(Officer).where(Officer.org_id == task.org_id, col(Officer.active).is_(True),
                                 found)
    return list(session.exec(stmt.order_by(col(Officer.id))))


def open_tasks_for_officer(session: Session, officer_id: int) -> list[tuple[Task, str]]:
    stmt = (
        select(Task, Assignment.role)
        .join(Assignment, col(Assignment.task_id) == Task.id)
        .where(Assignment.officer_id == officer_id,
               col(Task.status).in_((*TaskStatus.OPEN_STATES, TaskStatus.WAITING)))
    )
    rows = [(task, role) for task, role in session.exec(stmt)]
    far = dtm.datetime.max.replace(tzinfo=dtm.UTC)
    rows.sort(key=lambda r: (r[0].due_at or far, r[0].ref))
    return rows


def task_by_ref(session: Session, org_id: int, ref: str) -> list[Task]:
    """Refs are unique per plan; a commune with several plans may share one ('I.1')."""
    # The ref is typed by a user: % and _ are letters here, not LIKE wildcards.
    literal = ref.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = select(Task).where(Task.org_id == org_id,
                              col(Task.ref).ilike(literal, escape="\\"))
    return list(session.exec(stmt.order_by(col(Task.plan_id).desc())))


def task_in_org(session: Session, org_id: int, task_id: int) -> Task | None:
    task = session.get(Task, task_id)
    return task if task is not None and task.org_id == org_id else None


def reports_for_task(session: Session, task_id: int, limit: int = 10) -> list[ProgressReport]:
    stmt = (select(ProgressReport).where(ProgressReport.task_id == task_id)
            .order_by(col(ProgressReport.created_at).desc(), col(ProgressReport.id).desc())
            .limit(limit))
    return list(session.exec(stmt))


@dataclasses.dataclass
class ReportOutcome:
    report_id: int
    task_status: str
    percent: int
    governs: bool  # False for a cooperating unit's report: recorded, shown to the lead
    role: str = "lead"  # the reporter's assignment on the task: lead / cooperate / watch


def record_report(
    session: Session,
    task: Task,
    officer: Officer,
    *,
    raw_text: str,
    status: str,
    percent: int | None,
    note: str | None,
    source: str,
    inbound_id: int | None = None,
    now: dtm.datetime | None = None,
) -> ReportOutcome:
    now = now or utcnow()
    assert task.id is not None and officer.id is not None
    role = assignment_role(session, task.id, officer.id) or "watch"
    governs = role == "lead" or officer.role in ("monitor", "leader", "admin")
    report = ProgressReport(
        org_id=task.org_id, task_id=task.id, officer_id=officer.id, inbound_id=inbound_id,
        raw_text=raw_text, status=status, percent=percent, note=note, role=role,
        source=source, created_at=now,
    )
    session.add(report)
    if governs:
        _apply_status(task, status, percent, now)
    task.last_report_at = now
    session.add(task)
    session.flush()
    assert report.id is not None
    return ReportOutcome(report.id, task.status, task.percent, governs, role)


def _apply_status(task: Task, status: str, percent: int | None, now: dtm.datetime) -> None:
    if status == "done":
        task.status, task.percent = TaskStatus.DONE, 100
        task.completed_at = task.completed_at or now
        return
    if task.status == TaskStatus.DONE and status in ("in_progress", "not_started", "blocked"):
        task.completed_at = None  # reopened by the lead unit
    if status == "in_progress":
        task.status = TaskStatus.IN_PROGRESS
        if percent is not None:
            task.percent = max(0, min(99, percent))
    elif status == "not_started":
        task.status, task.percent = TaskStatus.OPEN, 0
    elif status == "blocked":
        task.status = TaskStatus.BLOCKED
    task.updated_at = now


def create_extension(
    session: Session, task: Task, officer: Officer, requested_due: dtm.datetime,
    reason: str | None, *, now: dtm.datetime | None = None,
) -> ExtensionRequest:
    assert task.id is not None and officer.id is not None
    req = ExtensionRequest(org_id=task.org_id, task_id=task.id, officer_id=officer.id,
                           requested_due=requested_due, reason=reason,
                           created_at=now or utcnow())
    session.add(req)
    session.flush()
    return req


@dataclasses.dataclass
class Decision:
    outcome: str  # approved / rejected / already / forbidden / missing
    request: ExtensionRequest | None = None
    task: Task | None = None


def decide_extension(
    session: Session, request_id: int, decider: Officer, approve: bool,
    *, now: dtm.datetime | None = None,
) -> Decision:
    now = now or utcnow()
    req = session.get(ExtensionRequest, request_id)
    if req is None or req.org_id != decider.org_id:
        return Decision("missing")
    if decider.role not in ("leader", "monitor", "admin"):
        return Decision("forbidden", req)
    task = session.get(Task, req.task_id)
    if req.decision != "pending":
        return Decision("already", req, task)
    assert task is not None
    req.decision = "approved" if approve else "rejected"
    req.decided_by, req.decided_at = decider.id, now
    if approve:
        if task.original_due_at is None:
            task.original_due_at = task.due_at
        task.due_at = req.requested_due
        task.updated_at = now
        session.add(task)
    session.add(req)
    session.add(AuditLog(org_id=task.org_id, actor_officer_id=decider.id,
                         action=f"extension.{req.decision}",
                         detail={"task_id": task.id, "request_id": req.id}))
    session.flush()
    return Decision(req.decision, req, task)


def activate_task(session: Session, task: Task, due_at: dtm.datetime,
                  *, now: dtm.datetime | None = None) -> Task:
    """A conditional task's condition is met: it gets a due date and reminders start."""
    task.due_at = due_at
    if task.original_due_at is None:
        task.original_due_at = due_at
    if task.status == TaskStatus.WAITING:
        task.status = TaskStatus.OPEN
    task.updated_at = now or utcnow()
    session.add(task)
    session.flush()
    return task


def set_due(session: Session, task: Task, due_at: dtm.datetime | None,
            *, now: dtm.datetime | None = None) -> Task:
    task.due_at = due_at
    task.updated_at = now or utcnow()
    session.add(task)
    session.flush()
    return task
