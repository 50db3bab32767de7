"""`nhacviec task activate` and `nhacviec plan import` against a real SQLite file."""

from __future__ import annotations

import datetime as dtm
import os

from sqlmodel import select

from db.engine import make_engine, session_scope
from db.models import Notification, Officer, Task, TaskStatus, Unit
from plans.text import fold
from tests.test_cli import run_cli

PLAN = os.path.abspath("tests/fixtures/tran-lieu_kh73-nq268.txt")


def _import(tmp_path) -> dict[str, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    done = run_cli("plan", "import", PLAN, "--org", "tran-lieu", "--yes", env=env, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    return env


def test_activate_conditional_task_from_cli(tmp_path):
    env = _import(tmp_path)
    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as s:
        lead = s.get(Unit, s.exec(select(Task).where(Task.ref == "IV.1")).one().lead_unit_id)
    # Typed the way an administrator would: no diacritics, abbreviated.
    typed = {"Văn phòng HĐND và UBND": "VP HDND va UBND"}.get(lead.name, fold(lead.name))
    added = run_cli("officer", "add", "Lê Văn Cán", "--org", "tran-lieu", "--unit", typed,
                    env=env, cwd=str(tmp_path))
    assert added.returncode == 0 and "nhiệm vụ hiện có" in added.stdout, added
    due = dtm.datetime.now(dtm.UTC).date() + dtm.timedelta(days=20)  # within the planning horizon
    out = run_cli("task", "activate", "IV.1", f"{due:%d/%m/%Y}", "--org", "tran-lieu", env=env,
                  cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "Đã kích hoạt nhiệm vụ IV.1" in out.stdout and f"{due:%d/%m/%Y}" in out.stdout
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == "IV.1")).one()
        assert task.status == TaskStatus.OPEN and task.due_at is not None
        planned = s.exec(select(Notification).where(Notification.task_id == task.id)).all()
        assert s.exec(select(Officer)).one().unit_id == lead.id
    engine.dispose()
    assert planned
    assert {n.kind for n in planned} >= {"before_due", "due_today"}


def test_activate_errors_are_one_line(tmp_path):
    env = _import(tmp_path)
    cases = [("IV.1", "không phải ngày", "tran-lieu", "không hiểu thời hạn"),
             ("XX.9", "20/12/2030", "tran-lieu", "không tìm thấy"),
             ("IV.1", "20/12/2030", "khong-co", "Không tìm thấy đơn vị")]
    for ref, date, org, needle in cases:
        out = run_cli("task", "activate", ref, date, "--org", org, env=env, cwd=str(tmp_path))
        assert out.returncode == 2, out
        assert needle in out.stderr and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


def test_plan_import_with_a_common_due_for_undated_tasks(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    plan = os.path.abspath("tests/fixtures/revision/hoa-binh_kh15_undated.txt")
    out = run_cli("plan", "import", plan, "--org", "hoa-binh", "--yes", "--default-due",
                  "31/12/2030", env=env, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "II.3 → hạn chung 31/12/2030" in out.stdout
    engine = make_engine(env["DATABASE_URL"])
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == "II.3")).one()
    engine.dispose()
    assert task.deadline_kind == "date" and task.due_at.year == 2030
    bad = run_cli("plan", "import", plan, "--org", "hoa-binh", "--yes", "--default-due", "sớm",
                  env=env, cwd=str(tmp_path))
    assert bad.returncode == 2 and "không hiểu thời hạn" in bad.stderr
