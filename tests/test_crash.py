"""SIGKILL in the middle of a large digest: nothing lost, at most the in-flight one repeated."""

from __future__ import annotations

import collections
import datetime as dtm
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlmodel import col, select

from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import Notification, Officer
from db.orgs import get_or_create_org

OFFICERS = 150


def _seed(engine) -> None:
    now = dtm.datetime.now(dtm.UTC) - dtm.timedelta(seconds=5)
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "crash").id
        for i in range(OFFICERS):
            o = Officer(org_id=org_id, name=f"CB {i}", telegram_user_id=20_000 + i)
            s.add(o)
            s.flush()
            s.add(Notification(org_id=org_id, officer_id=o.id, kind="digest", key=f"d:{o.id}",
                               due_at=now))


def _worker(url, emu, offset) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.crash_worker", url, emu.base_url,
                             emu.token, str(offset)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ})


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [40, 75, 110])
def test_sigkill_mid_digest(tmp_path, kill_after):
    from db.engine import make_engine
    from db.migrate import upgrade

    url = f"sqlite:///{tmp_path}/crash.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine)
    emu = TelegramEmulator(enforce_limits=False, latency=0.01).start_in_thread()
    try:
        proc = _worker(url, emu, 0)
        deadline = time.time() + 60
        while len(emu.sent_messages()) < kill_after and time.time() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        at_kill = len(emu.sent_messages())
        assert at_kill < OFFICERS, "the worker finished before it could be killed"
        # After the restart the crashed claims are past their lease (simulated by an offset).
        again = _worker(url, emu, 600)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err.decode()[-2000:]
        per_chat = collections.Counter(e.chat_id for e in emu.sent_messages())
    finally:
        emu.stop_thread()
    assert set(per_chat) == {20_000 + i for i in range(OFFICERS)}  # none lost
    doubled = [c for c, n in per_chat.items() if n > 1]
    assert len(doubled) <= 1 and all(per_chat[c] == 2 for c in doubled)  # only the in-flight one
    with session_scope(engine) as s:
        assert not s.exec(select(Notification).where(col(Notification.sent_at).is_(None))).all()
    engine.dispose()
