"""Plan import service (no Telegram): document → preview → one transaction."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dtm
import hashlib
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.engine import session_scope
from db.models import Assignment, Notification, Officer, Task, utcnow
from db.orgs import get_or_create_unit, org_directory
from db.tasks import ImportResult, PlanInput, TaskInput, assign_by_units, import_plan
from plans import ParsedPlan, parse_plan, read_document
from plans.parser import ParsedTask
from plans.units import UnitDirectory, is_group

MAX_CHOICES = 12  # units offered as buttons when a monitor maps an unknown name
MAX_PENDING = 50  # previews kept in memory per process; the oldest abandoned ones go first


def remember(store: dict[str, object], token: str, entry: object) -> None:
    """Keep a preview until its buttons are pressed, without growing forever."""
    store[token] = entry
    while len(store) > MAX_PENDING:
        store.pop(next(iter(store)))


@dataclasses.dataclass
class Preview:
    plan: ParsedPlan
    file_hash: str
    file_name: str
    per_unit: dict[str, int]
    per_kind: dict[str, int]
    without_deadline: list[str]
    # Unknown unit name → the existing unit the monitor mapped it to; unmapped ones are
    # created as new units on confirmation (the preview says so).
    mapping: dict[str, str] = dataclasses.field(default_factory=dict)
    # Canonical units offered when mapping an unknown name.
    choices: list[str] = dataclasses.field(default_factory=list)
    # A due the monitor gives every task the plan left without one (kind "none").
    default_due: dtm.datetime | None = None

    @property
    def unmapped(self) -> list[str]:
        return [u for u in self.plan.unknown_units if u not in self.mapping]

    def map_unit(self, unknown: str, target: str | None) -> None:
        """Map an unknown name to an existing unit (None: create it as a new unit)."""
        if target is None:
            self.mapping.pop(unknown, None)
        else:
            self.mapping[unknown] = target
        self.per_unit = _per_unit(self.plan, self.mapping)

    def choices_for(self, unknown: str) -> list[str]:
        """Existing units, the most similar to ``unknown`` first."""
        from rapidfuzz import fuzz, process

        from plans.units import unit_key

        keyed = {unit_key(c): c for c in self.choices}
        ranked = process.extract(unit_key(unknown), list(keyed), scorer=fuzz.token_sort_ratio,
                                 limit=MAX_CHOICES)
        return [keyed[k] for k, _, _ in ranked]


def _per_unit(plan: ParsedPlan, mapping: dict[str, str]) -> dict[str, int]:
    counts = collections.Counter(
        mapping.get(t.lead[0], t.lead[0]) if t.lead else "Chưa xác định" for t in plan.tasks)
    return dict(counts.most_common())


def load_plan(content: bytes, file_name: str, *, max_bytes: int = 20 * 1024 * 1024,
              directory: UnitDirectory | None = None) -> Preview:
    """Read and parse; raises plans.PlanReadError with a Vietnamese message on bad input.

    ``directory`` is the organization's units (``org_directory``): names it knows are not
    reported as unknown."""
    doc = read_document(content, file_name, max_bytes=max_bytes)
    plan = parse_plan(doc, directory=directory)
    per_kind = collections.Counter(t.deadline_kind for t in plan.tasks)
    units = directory.units if directory is not None else []
    return Preview(
        plan=plan,
        file_hash=hashlib.sha256(content).hexdigest(),
        file_name=Path(file_name).name,
        per_unit=_per_unit(plan, {}),
        per_kind=dict(per_kind.most_common()),
        without_deadline=[t.ref for t in plan.tasks if t.deadline_kind == "none"],
        choices=sorted({u.name for u in units if u.kind == "unit"}),
    )


def load_plan_file(path: str | Path, *, max_bytes: int = 20 * 1024 * 1024,
                   directory: UnitDirectory | None = None) -> Preview:
    p = Path(path)
    return load_plan(p.read_bytes(), p.name, max_bytes=max_bytes, directory=directory)


def load_plan_for_org(engine: Engine, org_id: int, content: bytes, file_name: str, *,
                      max_bytes: int = 20 * 1024 * 1024) -> Preview:
    with session_scope(engine) as session:
        directory = org_directory(session, org_id)
    return load_plan(content, file_name, max_bytes=max_bytes, directory=directory)


def commit_preview(
    engine: Engine, org_id: int, preview: Preview, *, now: dtm.datetime | None = None
) -> ImportResult:
    """Write Plan, Tasks, Assignments and the officers' "new tasks" notices in one transaction."""
    plan = preview.plan
    with session_scope(engine) as session:
        unit_ids: dict[str, int] = {}

        def unit_id(name: str) -> int | None:
            if not name or is_group(name):
                return None
            if name not in unit_ids:
                target = preview.mapping.get(name)
                # A mapped name becomes an alias, so the next plan resolves it by itself.
                unit = (get_or_create_unit(session, org_id, target, aliases=[name]) if target
                        else get_or_create_unit(session, org_id, name))
                unit_ids[name] = unit.id or 0
            return unit_ids[name]

        def lead_text(names: list[str]) -> str:
            return ", ".join(preview.mapping.get(n, n) for n in names)

        tasks = [
            TaskInput(
                ref=t.ref, title=t.title, text=t.text, section=t.section or None,
                lead_unit_id=unit_id(t.lead[0]) if t.lead else None,
                lead_text=lead_text(list(t.lead)),
                cooperate_text=[preview.mapping.get(n, n) for n in t.cooperate],
                cooperate_unit_ids=[u for u in (unit_id(n) for n in t.cooperate) if u],
                leader_text=t.leader, deadline_text=t.deadline_text,
                deadline_kind="date" if _takes_default(t, preview) else t.deadline_kind,
                due_at=preview.default_due if _takes_default(t, preview) else t.due,
                has_time_of_day=t.deadline_kind == "datetime",
                condition=t.condition, recurring_day=t.deadline.recurring_day,
            )
            for t in plan.tasks
        ]
        data = PlanInput(
            title=plan.title or preview.file_name, number=plan.number, issuer=plan.issuer,
            issued_on=plan.issued_on, year=plan.year, file_hash=preview.file_hash,
            file_name=preview.file_name, tasks=tasks,
        )
        result = import_plan(session, org_id, data, now=now)
        if result.changed_task_ids:
            assign_by_units(session, org_id, result.changed_task_ids)
            _queue_task_notices(session, org_id, result, preview.file_hash, now)
        return result


def _takes_default(task: ParsedTask, preview: Preview) -> bool:
    """An undated task gets the monitor's common due (if he chose one)."""
    return task.deadline_kind == "none" and task.due is None and preview.default_due is not None


def default_due_choices(now: dtm.datetime, tz: str = "Asia/Ho_Chi_Minh") -> list[dtm.datetime]:
    """End of this month, of this quarter, of this year (17:00 local): what a monitor taps
    to give the plan's undated tasks a due date."""
    import zoneinfo

    local = now.astimezone(zoneinfo.ZoneInfo(tz)).date()

    def month_end(year: int, month: int) -> dtm.date:
        first_next = dtm.date(year + month // 12, month % 12 + 1, 1)
        return first_next - dtm.timedelta(days=1)

    quarter_month = (local.month - 1) // 3 * 3 + 3
    days = dict.fromkeys([month_end(local.year, local.month),
                          month_end(local.year, quarter_month), dtm.date(local.year, 12, 31)])
    return [dtm.datetime.combine(d, dtm.time(17, 0), tzinfo=zoneinfo.ZoneInfo(tz))
            .astimezone(dtm.UTC) for d in days]


def _queue_task_notices(session: Session, org_id: int, result: ImportResult, file_hash: str,
                        now: dtm.datetime | None) -> int:
    """One "new / changed tasks" notice per assigned officer, sent by the tick (exactly once:
    the key names the plan version)."""
    changed = session.exec(
        select(Assignment.officer_id, Assignment.task_id, Task.ref)
        .join(Task, col(Task.id) == Assignment.task_id)
        .join(Officer, col(Officer.id) == Assignment.officer_id)
        .where(col(Assignment.task_id).in_(result.changed_task_ids),
               col(Officer.active).is_(True)))
    created = set(result.created)
    per_officer: dict[int, dict[str, list[int]]] = {}
    for officer_id, task_id, ref in changed:
        bucket = per_officer.setdefault(officer_id, {"created": [], "updated": []})
        bucket["created" if ref in created else "updated"].append(task_id)
    at = now or utcnow()
    for officer_id, payload in per_officer.items():
        session.add(Notification(
            org_id=org_id, officer_id=officer_id, kind="plan_tasks", due_at=at,
            key=f"plan:{result.plan_id}:{file_hash[:16]}:{officer_id}",
            payload={"plan_id": result.plan_id, **payload}))
    session.flush()
    return len(per_officer)
