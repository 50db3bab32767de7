"""The CLI contracts of ARCHITECTURE §6 and clear one-line errors for bad settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: str | None = None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True,
                          text=True, env=full_env, cwd=cwd, timeout=120)


def test_parse_deadline_json(capsys):
    assert main(["parse", "deadline", "Quý IV/2025", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "quarter" and out["due"].startswith("2025-12-31")


def test_parse_reply_json(capsys):
    assert main(["parse", "reply", "xin gia hạn đến 20/12", "--ref-date", "2025-12-01",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"status": "extension", "percent": None, "new_due": "2025-12-20", "note": None}


def test_plan_parse_json(capsys):
    assert main(["plan", "parse", "tests/fixtures/tran-lieu_kh73-nq268.txt", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["tasks"]) == 38 and out["plan"]["number"] == "73/KH-UBND"
    assert set(out["tasks"][0]) >= {"ref", "title", "lead", "cooperate", "leader",
                                     "deadline_text", "deadline_kind", "due", "condition"}


def test_plan_parse_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "virus.pdf"
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    result = run_cli("plan", "parse", str(bad), "--json")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_plan_import_twice_changes_nothing(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    args = ("plan", "import", os.path.abspath("tests/fixtures/tran-lieu_kh73-nq268.txt"),
            "--org", "tran-lieu", "--yes")
    first = run_cli(*args, env=env, cwd=str(tmp_path))
    assert first.returncode == 0 and "38 mới" in first.stdout
    second = run_cli(*args, env=env, cwd=str(tmp_path))
    assert second.returncode == 0 and "không có gì thay đổi" in second.stdout


@pytest.mark.parametrize("env, needle", [
    ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "1:x", "DATABASE_URL": "mysql://nope"}, "DATABASE_URL"),
    ({"TELEGRAM_BOT_TOKEN": "1:x", "TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
])
def test_bad_settings_exit_with_one_line(tmp_path, env, needle):
    result = run_cli("run", env=env, cwd=str(tmp_path))
    assert result.returncode != 0
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_settings_error_type():
    with pytest.raises(SettingsError):
        load_settings(timezone="Nowhere/Else")


def test_demo_runs_offline(tmp_path):
    result = run_cli("demo", env={"TELEGRAM_BOT_TOKEN": ""}, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Tổng hợp nhiệm vụ" in result.stdout and "Đã ghi nhận" in result.stdout
