"""Webhook mode and process roles: the real `nhacviec start` behind a secret, a sender-only app."""

from __future__ import annotations

import asyncio
import copy
import datetime as dtm
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.emulator import TelegramEmulator
from bot.settings import SettingsError, load_settings
from bot.webhook import build_for_role, run_sender, transport, webhook_kwargs
from db.engine import make_engine, session_scope
from db.models import Assignment, InboundMessage, Notification, Officer, Plan, Task
from db.orgs import get_or_create_org
from scheduler.clock import FakeClock

SECRET = "s3cr3t_Webhook-token"
USER = 8801


def _settings(**kw):
    return load_settings(_env_file=None, **kw)


# ------------------------------------------------------------------ settings


@pytest.mark.parametrize("url", ["https://bot.example.gov.vn/tg/abc", "http://127.0.0.1:8443/x",
                                 "http://localhost:9000/hook"])
def test_webhook_url_accepted(url):
    s = _settings(webhook_url=url, webhook_secret=SECRET)
    assert s.webhook_url == url and transport(s) == "webhook"


@pytest.mark.parametrize(("kw", "field", "words"), [
    ({"webhook_url": "http://bot.example.gov.vn/tg", "webhook_secret": SECRET}, "WEBHOOK_URL",
     "https"),
    ({"webhook_url": "ftp://bot.example.gov.vn/tg", "webhook_secret": SECRET}, "WEBHOOK_URL",
     "không hợp lệ"),
    ({"webhook_url": "https://bot.example.gov.vn/tg?a=1", "webhook_secret": SECRET},
     "WEBHOOK_URL", "?"),
    ({"webhook_url": "https://bot.example.gov.vn/tg"}, "WEBHOOK_SECRET", "phải đặt"),
    ({"webhook_url": "https://bot.example.gov.vn/tg", "webhook_secret": "có dấu"},
     "WEBHOOK_SECRET", "A-Z"),
    ({"webhook_url": "https://bot.example.gov.vn/tg", "webhook_secret": "x" * 257},
     "WEBHOOK_SECRET", "256"),
    ({"webhook_port": "80a"}, "WEBHOOK_PORT", "65535"),
    ({"webhook_port": 0}, "WEBHOOK_PORT", "65535"),
    ({"role": "worker"}, "ROLE", "sender"),
])
def test_bad_webhook_settings_are_one_vietnamese_line(kw, field, words):
    with pytest.raises(SettingsError) as err:
        _settings(**kw)
    msg = str(err.value)
    assert msg.startswith(f"Lỗi cấu hình {field}:") and words in msg and "\n" not in msg


def test_role_from_env_and_transport(monkeypatch):
    monkeypatch.setenv("NHACVIEC_ROLE", "Sender")
    assert _settings().role == "sender"
    assert transport(_settings(webhook_url="https://a.vn/x", webhook_secret=SECRET)) == "none"
    monkeypatch.setenv("NHACVIEC_ROLE", "updates")
    assert transport(_settings()) == "polling"
    monkeypatch.delenv("NHACVIEC_ROLE")
    assert _settings().role == "all"


def test_webhook_kwargs_listen_on_the_public_path():
    s = _settings(webhook_url="https://bot.example.gov.vn/tg/abc/", webhook_secret=SECRET,
                  webhook_listen="0.0.0.0", webhook_port=9443)
    kw = webhook_kwargs(s)
    assert kw["url_path"] == "/tg/abc" and kw["secret_token"] == SECRET
    assert (kw["listen"], kw["port"], kw["webhook_url"]) == ("0.0.0.0", 9443,
                                                            "https://bot.example.gov.vn/tg/abc/")


def test_cli_rejects_bad_webhook_url_in_one_line(tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST",
           "WEBHOOK_URL": "http://bot.example.gov.vn/tg", "WEBHOOK_SECRET": SECRET}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "start"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Lỗi cấu hình WEBHOOK_URL:")
    assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ the real process


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(proc: subprocess.Popen, emu: TelegramEmulator, url: str, port: int) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.communicate()[1].decode()[-3000:])
        if emu.webhook_url == url:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                pass
        time.sleep(0.05)
    raise AssertionError("the webhook server did not come up")


def _inbound(engine) -> list[InboundMessage]:
    with session_scope(engine) as s:
        return list(s.exec(select(InboundMessage)))


@pytest.mark.parametrize("role", ["updates", "all"])
def test_webhook_needs_the_secret(tmp_path, role):
    port = _free_port()
    path = "/tg/k9XqZ"
    url = f"http://127.0.0.1:{port}{path}"
    db_url = f"sqlite:///{tmp_path}/wh.sqlite3"
    emu = TelegramEmulator().start_in_thread()
    emu.add_user(USER, "Lan")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": emu.token, "TELEGRAM_BASE_URL": emu.base_url,
           "TELEGRAM_BASE_FILE_URL": emu.base_file_url, "DATABASE_URL": db_url,
           "WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1",
           "WEBHOOK_PORT": str(port), "NHACVIEC_ROLE": role, "TICK_SECONDS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "start"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    engine = None
    try:
        _wait_listening(proc, emu, url, port)
        # Telegram was told the secret, and the bot never polls while it has a webhook.
        assert emu._webhook.get("secret_token") == SECRET
        engine = make_engine(db_url)
        update = emu.inject_text(USER, "/help")
        forged = copy.deepcopy(update)
        forged["update_id"] += 1000
        headers = {"Content-Type": "application/json"}
        with httpx.Client(timeout=10) as http:
            assert http.post(url, json=forged, headers=headers).status_code == 403
            wrong = {**headers, "X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}
            assert http.post(url, json=forged, headers=wrong).status_code == 403
            right = {**headers, "X-Telegram-Bot-Api-Secret-Token": SECRET}
            other = f"http://127.0.0.1:{port}/tg/other"
            assert http.post(other, json=forged, headers=right).status_code == 404
            time.sleep(0.5)
            assert _inbound(engine) == []
            assert http.post(url, json=update, headers=right).status_code == 200
        reply = emu.wait_for_sync(1, chat_id=USER, timeout=20)[0]
        assert reply.text
        stored = _inbound(engine)
        assert [m.update_id for m in stored] == [update["update_id"]]
        assert stored[0].text == "/help" and stored[0].chat_id == USER
        assert emu.stats.requests["getUpdates"] == 0
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        assert proc.returncode == 0, proc.communicate()[1].decode()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if engine is not None:
            engine.dispose()
        emu.stop_thread()


# ------------------------------------------------------------------ a sender-only process

T0 = dtm.datetime(2025, 11, 25, 3, 0, tzinfo=dtm.UTC)  # Tuesday 10:00 in Hà Nội


async def test_sender_role_sends_and_never_receives(tmp_path):
    emu = TelegramEmulator()
    await emu.start()
    try:
        s = _settings(telegram_bot_token=emu.token, telegram_base_url=emu.base_url,
                      database_url=f"sqlite:///{tmp_path}/sender.sqlite3", role="sender",
                      tick_seconds=0.2, webhook_url="https://bot.example.gov.vn/tg",
                      webhook_secret=SECRET)
        app = build_for_role(s, clock=FakeClock(T0))
        engine = app.bot_data["services"].engine
        with session_scope(engine) as db:
            org_id = get_or_create_org(db, "sender").id
            plan = Plan(org_id=org_id, title="KH", file_hash="snd")
            officer = Officer(org_id=org_id, name="Trần Văn Gửi", telegram_user_id=USER)
            db.add_all([plan, officer])
            db.flush()
            task = Task(org_id=org_id, plan_id=plan.id, ref="I.1", title="Báo cáo quý",
                        deadline_kind="date", due_at=T0 + dtm.timedelta(days=90),
                        created_at=T0 - dtm.timedelta(days=1))
            db.add(task)
            db.flush()
            db.add(Assignment(task_id=task.id, officer_id=officer.id))
            db.add(Notification(org_id=org_id, task_id=task.id, officer_id=officer.id,
                                kind="before_due", key="snd:1", due_at=T0))
        stop = asyncio.Event()
        runner = asyncio.create_task(run_sender(app, stop))
        msg = (await emu.wait_for(1, chat_id=USER, timeout=20))[0]
        assert "Báo cáo quý" in msg.text
        stop.set()
        await asyncio.wait_for(runner, 20)
        with session_scope(engine) as db:
            row = db.exec(select(Notification).where(Notification.key == "snd:1")).one()
            assert row.sent_at is not None and row.telegram_message_id == msg.message_id
        for method in ("getUpdates", "setWebhook", "deleteWebhook"):
            assert emu.stats.requests[method] == 0, method
        engine.dispose()
    finally:
        await emu.stop()


def test_sender_process_stops_on_sigterm(tmp_path):
    emu = TelegramEmulator().start_in_thread()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": emu.token, "TELEGRAM_BASE_URL": emu.base_url,
           "DATABASE_URL": f"sqlite:///{tmp_path}/snd.sqlite3", "TICK_SECONDS": "0.5",
           "WEBHOOK_URL": "https://bot.example.gov.vn/tg", "WEBHOOK_SECRET": SECRET}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "start", "--role", "sender"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 40
        while emu.stats.requests["getMe"] == 0 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[1].decode()[-3000:]
            time.sleep(0.05)
        time.sleep(1.5)  # a few ticks
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err.decode()[-3000:]
        assert "vai trò sender, không nhận cập nhật" in err.decode()
        for method in ("getUpdates", "setWebhook", "deleteWebhook", "setMyCommands"):
            assert emu.stats.requests[method] == 0, method
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        emu.stop_thread()


def test_env_example_loads_as_is():
    # `cp .env.example .env` is the documented first step: every value there must parse.
    s = load_settings(_env_file=Path(__file__).resolve().parent.parent / ".env.example")
    assert (s.role, s.webhook_url, s.webhook_secret, s.webhook_port) == ("all", None, None, 8443)
    assert s.reminder_offsets == [7, 3, 1] and s.day_swaps_file is None
