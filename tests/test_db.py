"""The data model on both databases: migrations, constraints, services."""

from __future__ import annotations

import datetime as dtm

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from db.engine import session_scope
from db.migrate import current_tables, downgrade, upgrade
from db.models import Notification, Officer, Task
from db.officers import add_officer, issue_invite, redeem_invite
from db.orgs import get_or_create_org, get_or_create_unit
from db.summary import build_summary
from db.tasks import create_extension, decide_extension, record_report
from handlers.importing import commit_preview, load_plan_file
from scheduler.calendar import WorkingCalendar
from scheduler.outbox import claim_due, sync_tasks

T0 = dtm.datetime(2025, 10, 1, 1, 0, tzinfo=dtm.UTC)
FIXTURE = "tests/fixtures/tran-lieu_kh73-nq268.txt"


def test_schema_round_trips(engine):
    assert {"task", "notification", "inboundmessage"} <= current_tables(engine)
    downgrade(engine, "base")
    assert "task" not in current_tables(engine)
    upgrade(engine)
    assert "task" in current_tables(engine)


def test_big_telegram_ids_and_aware_times(engine):
    with session_scope(engine) as s:
        org = get_or_create_org(s, "x")
        o = add_officer(s, org.id, "A")
        o.telegram_user_id = 8_000_000_000_123
        o.linked_at = T0
        s.add(o)
    with session_scope(engine) as s:
        got = s.exec(select(Officer)).one()
        assert got.telegram_user_id == 8_000_000_000_123
        assert got.linked_at == T0 and got.linked_at.tzinfo is not None


def test_invite_single_use_and_expiry(engine):
    with session_scope(engine) as s:
        org = get_or_create_org(s, "x")
        o = add_officer(s, org.id, "A")
        code = issue_invite(s, o, now=T0)
        old = issue_invite(s, add_officer(s, org.id, "B"), now=T0 - dtm.timedelta(days=8))
    with session_scope(engine) as s:
        assert redeem_invite(s, code, 111, now=T0).outcome == "linked"
        assert redeem_invite(s, code, 222, now=T0).outcome == "used"
        assert redeem_invite(s, old, 333, now=T0).outcome == "expired"
        for _ in range(6):
            redeem_invite(s, "wrong", 444, now=T0)
        assert redeem_invite(s, "wrong", 444, now=T0).outcome == "throttled"


def _import(engine):
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "tran-lieu").id
    preview = load_plan_file(FIXTURE)
    return org_id, preview, commit_preview(engine, org_id, preview, now=T0)


def test_import_is_idempotent(engine):
    org_id, preview, first = _import(engine)
    assert len(first.created) == 38
    again = commit_preview(engine, org_id, preview)
    assert again.already_imported and not again.created
    with session_scope(engine) as s:
        assert len(s.exec(select(Task)).all()) == 38


def test_notification_key_is_unique(engine):
    org_id, _, _ = _import(engine)
    with session_scope(engine) as s:
        task = s.exec(select(Task)).first()
        officer = add_officer(s, org_id, "A")
        s.add(Notification(org_id=org_id, task_id=task.id, officer_id=officer.id, kind="x",
                           key="k", due_at=T0))
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(Notification(org_id=org_id, task_id=task.id, officer_id=officer.id, kind="x",
                           key="k", due_at=T0))


def test_outbox_claims_once_and_summary_counts(engine):
    org_id, _, _ = _import(engine)
    with session_scope(engine) as s:
        unit = get_or_create_unit(s, org_id, "Văn phòng HĐND và UBND")
        officer = add_officer(s, org_id, "A", unit_id=unit.id)
        officer.telegram_user_id = 5
        from db.tasks import assign_by_units

        assign_by_units(s, org_id)
    cal = WorkingCalendar()
    assert sync_tasks(engine, cal, T0, org_id=org_id) > 0
    later = dtm.datetime(2025, 11, 30, 1, 0, tzinfo=dtm.UTC)
    first = claim_due(engine, later)
    assert first and claim_due(engine, later) == []
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == "I.1")).one()
        off = s.exec(select(Officer)).one()
        record_report(s, task, off, raw_text="xong", status="done", percent=100, note=None,
                      source="reply", now=later)
        req = create_extension(s, s.exec(select(Task).where(Task.ref == "X.1")).one(), off,
                               later + dtm.timedelta(days=30), "chờ", now=later)
        leader = add_officer(s, org_id, "L", role="leader")
        decision = decide_extension(s, req.id, leader, True, now=later)
        assert decision.outcome == "approved"
        assert decision.task.original_due_at != decision.task.due_at
    with session_scope(engine) as s:
        summary = build_summary(s, org_id, later)
    assert summary.total.total == 38
    assert summary.total.done_on_time == 1
    assert summary.extended == 1
