"""Hard faults through the emulator with the real app and its tick job.

A morning digest goes to a city-sized commune while Telegram answers 429 with retry_after,
5xx, slow answers (client time-outs) and dropped connections, while PostgreSQL connections are
killed, and while the delivery process is SIGKILLed again and again. After the fault clears:
every notice is delivered exactly once (a notice may repeat only when the client cannot know
whether Telegram got it: a time-out after the server accepted it, a kill between send and
mark), every inbound message is stored, progress reports are kept, and the bot answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import multiprocessing
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import func, select

import bot.app
from bot.app import build_application
from bot.emulator import TelegramEmulator, _ApiError
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import InboundMessage, Notification, ProgressReport
from handlers.context import Services
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock
from scheduler.delivery import Ticker
from tests.city import T0, audit, seed_city
from tests.conftest import PG_URL

OFFICERS = 40  # per single-fault test; the mixed one sends to 100


class StormEmulator(TelegramEmulator):
    """Adds a 429 storm: the next `storm` sends answer Too Many Requests with retry_after."""

    storm = 0
    retry_after = 1

    async def _m_sendMessage(self, params, files):  # noqa: ANN001, ANN202 - emulator signature
        with self._lock:
            if self.storm > 0:
                self.storm -= 1
                raise _ApiError(429, f"Too Many Requests: retry after {self.retry_after}",
                                {"retry_after": self.retry_after})
        return await super()._m_sendMessage(params, files)


class World:
    def __init__(self, engine, emu, app, clock, chats):
        self.engine, self.emu, self.app, self.clock, self.chats = engine, emu, app, clock, chats

    def due_left(self) -> int:
        with session_scope(self.engine) as s:
            return int(s.exec(select(func.count()).select_from(Notification).where(
                Notification.sent_at.is_(None), Notification.cancelled.is_(False),  # type: ignore[union-attr]
                Notification.due_at <= self.clock.now())).one())

    def digests_sent(self) -> int:
        with session_scope(self.engine) as s:
            return int(s.exec(select(func.count()).select_from(Notification).where(
                Notification.kind == "digest",
                Notification.sent_at.is_not(None))).one())  # type: ignore[union-attr]

    async def drive(self, timeout: float = 60.0, step: dtm.timedelta = dtm.timedelta(minutes=2),
                    until=None) -> None:
        """Let the tick job run while the clock moves on, until every due notice is out."""
        deadline = time.monotonic() + timeout
        until = until or (lambda: self.digests_sent() == len(self.chats) and not self.due_left())
        while not until():
            assert time.monotonic() < deadline, (self.due_left(), self.digests_sent())
            await asyncio.sleep(0.15)
            self.clock.advance(step)


class ShortTimeouts(bot.app.ApplicationBuilder):
    """The app as built by bot.app, but the bot gives up on an answer after one second."""

    def __init__(self) -> None:
        super().__init__()
        self.read_timeout(1.0)


@contextlib.asynccontextmanager
async def city(engine, *, officers: int = OFFICERS, emu: TelegramEmulator | None = None):
    clock = FakeClock(T0)
    cal = WorkingCalendar()
    chats = seed_city(engine, officers)
    emu = emu or StormEmulator(enforce_limits=False)
    await emu.start()
    svc = Services(engine=engine, clock=clock, calendar=cal, bot_username="nhacviec_bot")
    app = build_application(emu.token, svc, base_url=emu.base_url,
                            base_file_url=emu.base_file_url, ticker=Ticker(engine, cal, clock),
                            tick_seconds=0.2)
    try:
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield World(engine, emu, app, clock, chats)
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        await emu.stop()


async def when_sent(emu: TelegramEmulator, n: int, timeout: float = 30.0) -> None:
    await emu.wait_for(n, timeout=timeout)


async def officers_write(w: World, chats: list[int], text_: str = "đang làm 50%") -> None:
    for chat in chats:
        w.emu.inject_text(chat, text_)


async def assert_answers_again(w: World) -> None:
    chat = w.chats[-1]
    mark = w.emu.mark()
    w.emu.inject_text(chat, "/tasks")
    found = await w.emu.wait_for(lambda e: "I.1" in (e.text or ""), chat_id=chat, since=mark,
                                 timeout=15)
    assert found


def assert_inbound_kept(w: World, writers: list[int], text_: str = "đang làm 50%") -> None:
    with session_scope(w.engine) as s:
        stored = list(s.exec(select(InboundMessage).where(InboundMessage.text == text_)))
        reports = list(s.exec(select(ProgressReport)))
    assert sorted(r.chat_id for r in stored) == sorted(writers)
    assert len(reports) == len(writers)
    assert {r.status for r in reports} == {"in_progress"} and {r.percent for r in reports} == {50}


async def wait_reports(w: World, n: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with session_scope(w.engine) as s:
            got = int(s.exec(select(func.count()).select_from(ProgressReport)).one())
        if got >= n or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.05)


def timed_out_chats(w: World) -> list[int]:
    with session_scope(w.engine) as s:
        rows = s.exec(select(Notification).where(
            Notification.last_error.like("%imed out%"))).all()  # type: ignore[union-attr]
    return [r.chat_id or 0 for r in rows]


def check(w: World, max_dupes: int = 0) -> None:
    """Exactly once, except that a notice whose send timed out may have arrived twice."""
    result = audit(w.engine, w.emu, w.clock.now())
    assert result.digests == set(w.chats)
    timed_out = timed_out_chats(w)
    assert len(result.duplicates) <= min(max_dupes, len(timed_out)), result.duplicates
    assert {c for c, _ in result.duplicates} <= set(timed_out)


# ------------------------------------------------------------------ Telegram-side faults


async def test_429_storm_with_retry_after(sqlite_engine):
    """The rate limiter waits out retry_after three times, then the outbox retries later."""
    emu = StormEmulator(enforce_limits=False)
    async with city(sqlite_engine, emu=emu) as w:
        writers = w.chats[:5]
        await officers_write(w, writers)
        await wait_reports(w, len(writers))
        await when_sent(emu, 10)
        emu.storm = 4  # exhausts the limiter's three retries (each waits retry_after) on one notice
        await w.drive()
        assert emu.stats.http_429 == 4
        check(w, max_dupes=0)  # a 429 is a clear "not sent"
        assert_inbound_kept(w, writers)
        await assert_answers_again(w)
        with session_scope(w.engine) as s:
            retried = s.exec(select(Notification).where(
                Notification.last_error.like("retry_after%"))).all()  # type: ignore[union-attr]
        assert len(retried) == 1 and retried[0].sent_at is not None


async def test_5xx_burst(sqlite_engine):
    async with city(sqlite_engine) as w:
        await when_sent(w.emu, 5)
        w.emu.fail_next(15, 500)
        w.emu.fail_next(10, 502)
        w.emu.fail_next(2, 503, method="getUpdates")
        writers = w.chats[5:15]
        await officers_write(w, writers)
        await w.drive()
        await wait_reports(w, len(writers))
        assert w.emu.stats.http_5xx >= 25
        check(w, max_dupes=0)
        assert_inbound_kept(w, writers)
        await assert_answers_again(w)
        # Next working morning, no fault: one more digest each, nothing doubled.
        before = len(w.emu.sent_messages())
        w.clock.set(dtm.datetime(2025, 11, 25, 1, 0, tzinfo=dtm.UTC))
        await w.drive(until=lambda: w.digests_sent() == 2 * len(w.chats) and not w.due_left())
        check(w, max_dupes=0)
        assert len(w.emu.sent_messages()) >= before + len(w.chats)


async def test_timeouts_repeat_only_the_in_flight_notice(sqlite_engine, monkeypatch):
    """A slow answer past the client's time-out: Telegram may have it; the outbox resends."""
    monkeypatch.setattr(bot.app, "ApplicationBuilder", ShortTimeouts)
    async with city(sqlite_engine) as w:
        await when_sent(w.emu, 10)
        w.emu.slow_next(3, seconds=1.3, method="sendMessage")
        await w.drive()
        assert len(timed_out_chats(w)) >= 1
        check(w, max_dupes=3)
        await assert_answers_again(w)


async def test_dropped_connections(sqlite_engine):
    async with city(sqlite_engine) as w:
        await when_sent(w.emu, 15)
        w.emu.drop_next(10, method="sendMessage")
        w.emu.drop_next(2, method="getUpdates")
        writers = w.chats[15:20]
        await officers_write(w, writers)
        await w.drive()
        await wait_reports(w, len(writers))
        assert w.emu.stats.dropped >= 10
        check(w, max_dupes=0)  # dropped before the server handled it: never delivered
        assert_inbound_kept(w, writers)
        await assert_answers_again(w)


async def test_everything_at_once(sqlite_engine, monkeypatch):
    """429s, 5xx, slow answers and drops interleaved in one digest to 100 officers."""
    monkeypatch.setattr(bot.app, "ApplicationBuilder", ShortTimeouts)
    emu = StormEmulator(enforce_limits=False)
    async with city(sqlite_engine, emu=emu, officers=100) as w:
        await when_sent(emu, 5)
        emu.storm = 2
        emu.fail_next(5, 502)
        emu.drop_next(5, method="sendMessage")
        emu.slow_next(2, seconds=1.3, method="sendMessage")
        emu.fail_next(3, 500)
        writers = w.chats[50:53]
        await officers_write(w, writers)
        await w.drive()
        await wait_reports(w, len(writers))
        check(w, max_dupes=2)
        assert_inbound_kept(w, writers)
        await assert_answers_again(w)


# ------------------------------------------------------------------ PostgreSQL connections killed


@pytest.fixture
def pg_app_engine():
    """A fresh schema, and connections tagged with an application_name we can terminate."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    tag = f"nhacviec-faults-{schema}"
    admin = make_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        pytest.fail("PostgreSQL at 127.0.0.1:5432 is not running (.ci/run starts it)")
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}",
                                               "application_name": tag})
    upgrade(engine)
    yield engine, admin, tag
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def terminate(admin, tag: str) -> int:
    with admin.begin() as conn:
        return len(conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = :tag AND pid <> pg_backend_pid()"), {"tag": tag}).all())


@pytest.mark.postgres
async def test_postgres_connections_killed_mid_digest(pg_app_engine):
    """The app's backends are terminated again and again; ticks fail, the next one recovers."""
    engine, admin, tag = pg_app_engine
    kills: list[int] = []

    def killer() -> None:
        rnd = random.Random(7)
        for _ in range(8):  # like a database restart every few hundred milliseconds
            time.sleep(rnd.uniform(0.1, 0.4))
            kills.append(terminate(admin, tag))

    async with city(engine, officers=40) as w:
        await when_sent(w.emu, 5)
        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        while thread.is_alive():
            await asyncio.sleep(0.05)
        assert sum(kills) >= 3, kills
        writers = w.chats[30:35]
        await officers_write(w, writers)
        await w.drive()
        await wait_reports(w, len(writers))
        result = audit(w.engine, w.emu, w.clock.now())
        assert result.digests == set(w.chats)
        # A kill between "Telegram accepted" and "row marked sent" is the only way to repeat.
        assert len(result.duplicates) <= sum(1 for k in kills if k), result.duplicates
        assert_inbound_kept(w, writers)
        await assert_answers_again(w)


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temp dir, so a test may stop and start it."""

    def __init__(self, root: Path) -> None:
        self.root, self.data = root, root / "data"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       capture_output=True, timeout=60)

    def init(self) -> None:
        shutil.chown(self.root, "postgres")
        self._pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                 str(self.root / "log"), "-o",
                 f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off",
                 "start")

    def stop(self) -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def private_pg():
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip("no PostgreSQL 15 binaries to run a private cluster")
    root = Path(tempfile.mkdtemp(prefix="nhacviec-pg-"))
    pg = PrivatePostgres(root)
    try:
        pg.init()
        pg.start()
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"cannot run a private PostgreSQL here: {exc}")
    engine = make_engine(pg.url)
    upgrade(engine)
    yield pg, engine
    engine.dispose()
    with contextlib.suppress(subprocess.SubprocessError):
        pg.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.postgres
async def test_postgres_restarted_mid_digest(private_pg):
    """The database server stops mid-digest and comes back: nothing lost, nothing doubled
    except a notice sent just before the server went away, and messages written while it
    was down are stored once it is back."""
    pg, engine = private_pg
    async with city(engine, officers=40) as w:
        await when_sent(w.emu, 10)
        await asyncio.to_thread(pg.stop)
        writers = w.chats[30:35]
        await officers_write(w, writers)
        await asyncio.sleep(1.0)  # ticks and handlers meet a dead database
        sent_while_down = len(w.emu.sent_messages())
        await asyncio.to_thread(pg.start)
        await w.drive()
        await wait_reports(w, len(writers))
        result = audit(w.engine, w.emu, w.clock.now())
        assert result.digests == set(w.chats)
        assert len(result.duplicates) <= 1, result.duplicates
        assert_inbound_kept(w, writers)
        await assert_answers_again(w)
        assert sent_while_down < len(w.chats) + len(writers)


# ------------------------------------------------------------------ SIGKILL, again and again

KILLS = 20
CRASH_OFFICERS = 50


@pytest.mark.slow
def test_sigkill_at_random_points_repeatedly(tmp_path):
    """A delivery process (the real Ticker) is SIGKILLed at random moments, 20 times."""
    url = f"sqlite:///{tmp_path}/kill.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    chats = seed_city(engine, CRASH_OFFICERS)
    emu = TelegramEmulator(enforce_limits=False, latency=0.003).start_in_thread()
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.fault_worker"])
    from tests.fault_worker import run

    rnd = random.Random(20251124)
    kills = 0
    try:
        run_no = 0
        while kills < KILLS:
            assert run_no < 2 * KILLS, "the worker kept finishing before it could be killed"
            # Each run's clock is ten minutes past the last one's: earlier claims have expired.
            proc = ctx.Process(target=run, args=(url, emu.base_url, emu.token, run_no * 600,
                                                 run_no % 5 == 0))
            want = len(emu.sent_messages()) + rnd.randint(0, 2)
            proc.start()
            # Kill at a random moment: while syncing, claiming, sending, marking…
            deadline = time.monotonic() + 20
            while len(emu.sent_messages()) < want and proc.is_alive():
                assert time.monotonic() < deadline
                time.sleep(0.001)
            time.sleep(rnd.uniform(0, 0.01))
            if proc.is_alive():
                proc.kill()
                kills += 1
            proc.join(10)
            run_no += 1
        # Restarted for good: it runs until nothing is due.
        proc = ctx.Process(target=run, args=(url, emu.base_url, emu.token, run_no * 600, False))
        proc.start()
        proc.join(60)
        assert proc.exitcode == 0
        result = audit(engine, emu, T0 + dtm.timedelta(seconds=run_no * 600))
    finally:
        emu.stop_thread()
        engine.dispose()
    assert kills == KILLS
    assert result.digests == set(chats)
    assert len(result.duplicates) <= kills, result.duplicates
    # The same notice may repeat twice only if two consecutive runs died right after sending it.
    assert sum(1 for e in emu.sent_messages()) == result.sent + len(result.duplicates)
