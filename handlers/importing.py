"""Plan import service (no Telegram): document → preview → one transaction."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dtm
import hashlib
from pathlib import Path

from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.orgs import get_or_create_unit
from db.tasks import ImportResult, PlanInput, TaskInput, assign_by_units, import_plan
from plans import ParsedPlan, parse_plan, read_document
from plans.units import is_group


@dataclasses.dataclass
class Preview:
    plan: ParsedPlan
    file_hash: str
    file_name: str
    per_unit: dict[str, int]
    per_kind: dict[str, int]
    without_deadline: list[str]


def load_plan(content: bytes, file_name: str, *, max_bytes: int = 20 * 1024 * 1024) -> Preview:
    """Read and parse; raises plans.PlanReadError with a Vietnamese message on bad input."""
    doc = read_document(content, file_name, max_bytes=max_bytes)
    plan = parse_plan(doc)
    per_unit = collections.Counter(t.lead[0] if t.lead else "Chưa xác định" for t in plan.tasks)
    per_kind = collections.Counter(t.deadline_kind for t in plan.tasks)
    return Preview(
        plan=plan,
        file_hash=hashlib.sha256(content).hexdigest(),
        file_name=Path(file_name).name,
        per_unit=dict(per_unit.most_common()),
        per_kind=dict(per_kind.most_common()),
        without_deadline=[t.ref for t in plan.tasks if t.deadline_kind == "none"],
    )


def load_plan_file(path: str | Path, *, max_bytes: int = 20 * 1024 * 1024) -> Preview:
    p = Path(path)
    return load_plan(p.read_bytes(), p.name, max_bytes=max_bytes)


def commit_preview(
    engine: Engine, org_id: int, preview: Preview, *, now: dtm.datetime | None = None
) -> ImportResult:
    """Write Plan, Tasks and Assignments in one transaction."""
    plan = preview.plan
    with session_scope(engine) as session:
        unit_ids: dict[str, int] = {}

        def unit_id(name: str) -> int | None:
            if not name or is_group(name):
                return None
            if name not in unit_ids:
                unit_ids[name] = get_or_create_unit(session, org_id, name).id or 0
            return unit_ids[name]

        tasks = [
            TaskInput(
                ref=t.ref, title=t.title, text=t.text, section=t.section or None,
                lead_unit_id=unit_id(t.lead[0]) if t.lead else None,
                lead_text=", ".join(t.lead),
                cooperate_text=list(t.cooperate),
                cooperate_unit_ids=[u for u in (unit_id(n) for n in t.cooperate) if u],
                leader_text=t.leader, deadline_text=t.deadline_text,
                deadline_kind=t.deadline_kind, due_at=t.due,
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
        return result
