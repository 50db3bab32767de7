"""`nhacviec bench [NAME…] --json`: figures the issues name, measured, never hard-coded.

Sizes scale with `--scale` (or NHACVIEC_BENCH_SCALE): 1.0 is the issue's size, the smoke test
runs at a tiny fraction. `tick` and `summary` can run on PostgreSQL with `--database-url`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dtm
import gc
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
SEED_DIRS = (ROOT / "tests" / "fixtures", Path(__file__).parent / "data")
CHUNK = 20_000
TOKEN = "123456:BENCH"


@dataclasses.dataclass
class Options:
    scale: float = 1.0
    database_url: str | None = None
    progress: Progress | None = None

    def size(self, full: int, minimum: int = 1) -> int:
        return max(minimum, int(full * self.scale))

    def note(self, label: str) -> None:
        if self.progress is not None:
            self.progress.note(label)


class Progress:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool | None = None) -> None:
        self.total, self.done, self.name = total, 0, ""
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def start(self, name: str) -> None:
        self.name = name
        self.note("")

    def advance(self) -> None:
        self.done += 1
        self.note("")

    def note(self, label: str) -> None:
        if not self.enabled:
            return
        width = 24
        filled = width * self.done // max(1, self.total)
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {self.done}/{self.total} {self.name} {label}"
        sys.stderr.write("\r" + line[:100].ljust(100))
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


# ------------------------------------------------------------------------------------ parse

def seed_plans() -> list[Path]:
    """All seed plans: tests/fixtures when present (a source checkout), else bot/data."""
    for folder in SEED_DIRS:
        found = sorted(folder.glob("*.txt"))
        if found:
            return found
    return []


def bench_parse(opts: Options) -> dict[str, Any]:
    from plans import parse_plan, read_document
    from plans.deadlines import parse_deadline
    from plans.replies import parse_reply

    seeds = seed_plans()
    slowest, slowest_name = 0.0, ""
    for path in seeds:
        opts.note(path.name)
        doc = read_document(path.read_bytes(), path.name)
        best = _best_of(lambda d=doc: parse_plan(d), runs=5)  # type: ignore[misc]
        if best > slowest:
            slowest, slowest_name = best, path.name
    samples = ["Quý IV/2025", "chậm nhất 15 giờ, ngày 06/5/2026", "Tháng 11/2025",
               "Thường xuyên", "Sau khi có hướng dẫn của Bộ Nội vụ", "trước ngày 10/12"]
    replies = ["xong rồi", "dang lam 60%", "vướng: chưa có hướng dẫn", "ok"]
    rounds = opts.size(200, 5)
    deadline = _mean_us(lambda: [parse_deadline(s, plan_year=2025) for s in samples], rounds)
    reply = _mean_us(lambda: [parse_reply(s) for s in replies], rounds)
    return {"seeds": len(seeds), "seed_ms_max": round(slowest * 1000, 2), "slowest": slowest_name,
            "deadline_us": round(deadline / len(samples), 2),
            "reply_us": round(reply / len(replies), 2), "database": "none"}


def _best_of(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _mean_us(fn: Callable[[], object], n: int = 200) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


# ------------------------------------------------------------------------------- databases

@contextlib.contextmanager
def bench_engine(opts: Options, name: str, *, allow_pg: bool = True) -> Iterator[Engine]:
    """A fresh, migrated database: a temporary SQLite file, or a new PostgreSQL schema."""
    from db.engine import make_engine
    from db.migrate import upgrade

    if allow_pg and opts.database_url:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(opts.database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(opts.database_url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/{name}.sqlite3")
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


def database_name(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


def _bulk(engine: Engine, model: type, rows: Iterator[dict[str, Any]]) -> int:
    """Insert generated rows with Core `insert()` in chunks; returns how many."""
    table = model.__table__  # type: ignore[attr-defined]
    count, chunk = 0, []
    with engine.begin() as conn:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                conn.execute(insert(table), chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            conn.execute(insert(table), chunk)
            count += len(chunk)
    return count


@dataclasses.dataclass
class World:
    """The shape of a generated city: ids are assigned here, 1-based, per table."""

    orgs: int
    tasks_per_org: int
    officers_per_org: int = 20
    units_per_org: int = 5
    now: dtm.datetime = dataclasses.field(
        default_factory=lambda: dtm.datetime.now(dtm.UTC).replace(microsecond=0))

    @property
    def tasks(self) -> int:
        return self.orgs * self.tasks_per_org

    def officer_id(self, org: int, k: int) -> int:
        return (org - 1) * self.officers_per_org + 1 + k % self.officers_per_org

    def telegram_id(self, officer_id: int) -> int:
        return 50_000_000 + officer_id

    def leader_id(self, org: int) -> int:
        return self.officer_id(org, 0)


def populate(engine: Engine, world: World, opts: Options, *, assignments: bool = True,
             reports: bool = True) -> None:
    """Organizations, units, officers, one plan each, tasks, and their reminder rows."""
    from db.models import (
        Assignment,
        Notification,
        Officer,
        Organization,
        Plan,
        ProgressReport,
        Task,
        Unit,
    )

    now = world.now
    _bulk(engine, Organization, ({"id": o, "slug": f"xa-{o}", "name": f"UBND xã {o}",
                                  "created_at": now} for o in range(1, world.orgs + 1)))
    _bulk(engine, Unit, ({"id": (o - 1) * world.units_per_org + u + 1, "org_id": o,
                          "name": f"Phòng {u + 1}", "aliases": [], "kind": "unit"}
                         for o in range(1, world.orgs + 1) for u in range(world.units_per_org)))
    _bulk(engine, Officer, (_officer_row(world, o, k) for o in range(1, world.orgs + 1)
                            for k in range(world.officers_per_org)))
    _bulk(engine, Plan, ({"id": o, "org_id": o, "number": f"{o}/KH-UBND", "title": "Kế hoạch",
                          "issuer": None, "issued_on": None, "year": now.year,
                          "file_hash": f"h{o}", "file_name": None, "created_at": now}
                         for o in range(1, world.orgs + 1)))
    opts.note(f"{world.tasks:,} tasks")
    _bulk(engine, Task, _task_rows(world))
    if assignments:
        opts.note("assignments")
        _bulk(engine, Assignment, ({"id": t, "task_id": t, "officer_id": world.officer_id(o, k),
                                    "role": "lead"} for t, o, k in _task_ids(world)))
    opts.note("notifications")
    _bulk(engine, Notification, _notification_rows(world))
    if reports:
        _bulk(engine, ProgressReport, (
            {"org_id": o, "task_id": t, "officer_id": world.officer_id(o, k), "inbound_id": None,
             "raw_text": "đang làm 50%", "status": "in_progress", "percent": 50, "note": None,
             "role": "lead", "source": "reply", "created_at": now - dtm.timedelta(days=k % 20)}
            for t, o, k in _task_ids(world) if k % 20 == 0))


def _officer_row(world: World, org: int, k: int) -> dict[str, Any]:
    oid = world.officer_id(org, k)
    role = "leader" if k == 0 else "monitor" if k == 1 else "officer"
    linked = k % 4 != 3  # a quarter of the roster has not pressed Start yet
    return {"id": oid, "org_id": org, "name": f"Cán bộ {org}-{k}",
            "unit_id": (org - 1) * world.units_per_org + 1 + k % world.units_per_org,
            "role": role, "title": None, "phone": None,
            "telegram_user_id": world.telegram_id(oid) if linked else None,
            "active": True, "unreachable": False, "linked_at": world.now if linked else None,
            "created_at": world.now}


def _task_ids(world: World) -> Iterator[tuple[int, int, int]]:
    """(task id, org, index in org) for every task."""
    for o in range(1, world.orgs + 1):
        for k in range(world.tasks_per_org):
            yield (o - 1) * world.tasks_per_org + k + 1, o, k


def _task_shape(world: World, k: int) -> dict[str, Any]:
    """A plausible mix: open dated, done on time or late, recurring, waiting, extended."""
    now, r = world.now, (k * 37) % 100
    due = now + dtm.timedelta(days=(k * 13) % 150 - 60)
    shape: dict[str, Any] = {"deadline_kind": "date", "due_at": due, "status": "open",
                             "percent": 0, "completed_at": None, "original_due_at": None,
                             "recurring_day": None, "condition": None}
    if r < 30:
        late = dtm.timedelta(days=2 if r % 3 == 0 else -1)
        shape.update(due_at=min(due, now - dtm.timedelta(days=3)), status="done", percent=100)
        shape["completed_at"] = min(now, shape["due_at"] + late)
    elif r < 45:
        shape.update(status="in_progress", percent=10 * (r % 10))
    elif r < 52:
        shape.update(status="blocked")
    elif r < 60:
        shape.update(deadline_kind="recurring", due_at=None, recurring_day=20)
    elif r < 66:
        shape.update(deadline_kind="conditional", due_at=None, status="waiting",
                     condition="Sau khi có hướng dẫn")
    elif r < 70:
        shape.update(deadline_kind="month", original_due_at=due - dtm.timedelta(days=10))
    return shape


def _task_rows(world: World) -> Iterator[dict[str, Any]]:
    for t, o, k in _task_ids(world):
        unit = (o - 1) * world.units_per_org + 1 + k % world.units_per_org
        shape = _task_shape(world, k)
        yield {"id": t, "org_id": o, "plan_id": o, "ref": f"{k // 10 + 1}.{k % 10 + 1}",
               "title": f"Nhiệm vụ {k} của xã {o}", "text": "", "section": None,
               "lead_unit_id": unit, "lead_text": f"Phòng {k % world.units_per_org + 1}",
               "cooperate_text": [], "cooperate_unit_ids": [], "leader_text": None,
               "leader_officer_id": None, "deadline_text": "", "has_time_of_day": False,
               "last_report_at": None, "created_at": world.now - dtm.timedelta(days=90),
               "updated_at": world.now, **shape}


def _notification_rows(world: World) -> Iterator[dict[str, Any]]:
    """One reminder per task: sent if its moment has passed; 1 % are due now and pending."""
    now = world.now
    for t, o, k in _task_ids(world):
        shape = _task_shape(world, k)
        due = shape["due_at"] or now + dtm.timedelta(days=k % 30)
        at = due - dtm.timedelta(days=1)
        backlog = k % 100 == 1  # in progress (see _task_shape)
        if backlog:
            at = now - dtm.timedelta(seconds=k % 600 + 1)
        sent = at <= now and not backlog
        oid = world.officer_id(o, k)
        yield {"id": t, "org_id": o, "task_id": t, "officer_id": oid, "kind": "before_due",
               "seq": 0, "role": "lead", "key": f"b:{t}", "due_at": at, "claimed_at": None,
               "claim_token": None, "sent_at": at if sent else None, "cancelled": False,
               "attempts": 1 if sent else 0, "last_error": None,
               "chat_id": world.telegram_id(oid) if sent else None,
               "telegram_message_id": t if sent else None, "payload": {}, "created_at": now}


# ------------------------------------------------------------------------------- tick

def bench_tick(opts: Options) -> dict[str, Any]:
    from scheduler.outbox import claim_due

    world = World(orgs=opts.size(500), tasks_per_org=2000 if opts.scale >= 0.01 else 20)
    with bench_engine(opts, "tick") as engine:
        populate(engine, world, opts, assignments=False, reports=False)
        _analyze(engine)
        gc.collect()
        opts.note("claiming")
        times, claimed = [], 0
        for i in range(20):
            now = world.now + dtm.timedelta(seconds=i)
            t = time.perf_counter()
            claimed += len(claim_due(engine, now, limit=50))
            times.append(time.perf_counter() - t)
        return {"tasks": world.tasks, "notifications": world.tasks, "claimed": claimed,
                "query_ms": round(statistics.median(times) * 1000, 2),
                "query_ms_max": round(max(times) * 1000, 2), "database": database_name(engine)}


def _analyze(engine: Engine) -> None:
    """What a long-running database has: planner statistics."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


# ------------------------------------------------------------------------------- summary

def summary_world(opts: Options) -> World:
    return World(orgs=opts.size(100, 2), tasks_per_org=opts.size(2000, 20))


def bench_summary(opts: Options) -> dict[str, Any]:
    from db.engine import session_scope
    from db.summary import build_summary

    world = summary_world(opts)
    with bench_engine(opts, "summary") as engine:
        populate(engine, world, opts)
        _analyze(engine)
        opts.note("build_summary")
        org_id = world.orgs // 2 + 1
        times = []
        for _ in range(6):
            with session_scope(engine) as session:
                t = time.perf_counter()
                summary = build_summary(session, org_id, world.now)
                times.append(time.perf_counter() - t)
        return {"organizations": world.orgs, "tasks": world.tasks,
                "org_tasks": summary.total.total,
                "ms": round(statistics.median(times[1:]) * 1000, 2),
                "cold_ms": round(times[0] * 1000, 2), "database": database_name(engine)}


# ------------------------------------------------------------------------------- delivery

def bench_delivery(opts: Options) -> dict[str, Any]:
    return asyncio.run(_delivery(opts.size(3000, 30), opts))


async def _delivery(n: int, opts: Options) -> dict[str, Any]:
    from sqlmodel import select
    from telegram.ext import AIORateLimiter, ApplicationBuilder

    from bot.emulator import TelegramEmulator
    from db.engine import session_scope
    from db.models import Notification, Officer
    from db.orgs import get_or_create_org
    from scheduler.clock import SystemClock
    from scheduler.delivery import Outgoing, send_one
    from scheduler.outbox import claim_due

    with bench_engine(opts, "delivery", allow_pg=False) as engine:
        now = dtm.datetime.now(dtm.UTC)
        with session_scope(engine) as s:
            org = get_or_create_org(s, "bench")
            for i in range(n):
                s.add(Officer(org_id=org.id or 0, name=f"CB {i}", telegram_user_id=10_000 + i))
            s.flush()
            for o in s.exec(select(Officer)):
                s.add(Notification(org_id=org.id or 0, officer_id=o.id or 0, kind="digest",
                                   key=f"bench:{o.id}", due_at=now))
        emu = TelegramEmulator()
        await emu.start()
        app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url).job_queue(None)
               .rate_limiter(AIORateLimiter(overall_max_rate=29.5, overall_time_period=1,
                                            max_retries=5)).build())
        clock = SystemClock()
        opts.note(f"{n:,} messages at 30/s")
        async with app:
            ids = claim_due(engine, dtm.datetime.now(dtm.UTC), limit=n)
            with session_scope(engine) as s:
                rows = {r.id: r for r in s.exec(select(Notification))}
                tg = {o.id: o.telegram_user_id for o in s.exec(select(Officer))}
            start = time.perf_counter()
            sem = asyncio.Semaphore(8)

            async def one(nid: int) -> None:
                async with sem:
                    row = rows[nid]
                    await send_one(app.bot, engine, Outgoing(nid, tg[row.officer_id] or 0,
                                                             "Bản tin sáng", None), clock)

            await asyncio.gather(*(one(i) for i in ids))
            elapsed = time.perf_counter() - start
        sent = emu.sent_messages()
        per_chat: dict[int, int] = {}
        for e in sent:
            per_chat[e.chat_id] = per_chat.get(e.chat_id, 0) + 1
        await emu.stop()
        with session_scope(engine) as s:
            unsent = len(s.exec(select(Notification.id).where(
                Notification.sent_at == None)).all())  # noqa: E711
    rate = len(sent) / elapsed if elapsed else 0.0
    return {"officers": n, "msgs_per_s": round(rate, 2), "limit_per_s": 30,
            "ratio": round(rate / 30, 3), "http_429": emu.stats.http_429,
            "lost": unsent + (n - len(per_chat)),
            "duplicates": sum(c - 1 for c in per_chat.values() if c > 1), "database": "sqlite"}


# ------------------------------------------------------------------ the bot in a subprocess

def bot_child(db_url: str, base_url: str, file_url: str, with_ticker: str, limiter: str) -> None:
    """Entry of the bot subprocess: the real Application, polling the parent's emulator."""
    from bot.app import build_application
    from db.engine import make_engine
    from handlers.context import Services
    from scheduler.calendar import WorkingCalendar
    from scheduler.clock import SystemClock
    from scheduler.delivery import Ticker

    engine = make_engine(db_url)
    clock, calendar = SystemClock(), WorkingCalendar()
    svc = Services(engine=engine, clock=clock, calendar=calendar, bot_username="nhacviec_bot")
    ticker = Ticker(engine, calendar, clock) if with_ticker == "1" else None
    app = build_application(TOKEN, svc, base_url=base_url, base_file_url=file_url,
                            ticker=ticker, tick_seconds=20.0)
    if limiter == "0":
        # Telegram's 30/s cap is the limiter's job (measured by `delivery`); `updates`
        # measures what the bot itself can handle.
        app.bot._rate_limiter = None  # type: ignore[attr-defined]
    app.run_polling(poll_interval=0.0, timeout=1, close_loop=True)


@contextlib.asynccontextmanager
async def running_bot(db_url: str, *, ticker: bool, limiter: bool,
                      enforce_limits: bool) -> Any:
    """The emulator here, the bot in a subprocess (its own core and its own memory)."""
    from bot.emulator import TelegramEmulator

    emu = TelegramEmulator(token=TOKEN, enforce_limits=enforce_limits)
    await emu.start()
    code = "import sys; from bot.bench import bot_child; bot_child(*sys.argv[1:])"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, db_url, emu.base_url, emu.base_file_url,
             "1" if ticker else "0", "1" if limiter else "0"],
            cwd=ROOT, stdout=log, stderr=log)
        try:
            yield emu, proc
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
            raise
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(proc.wait, 20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            await emu.stop()


async def _await_ready(emu: Any, tg: int, proc: subprocess.Popen[bytes],
                       timeout: float = 600.0) -> float:
    """Send /help and wait for the answer; returns the seconds it took."""
    t = time.perf_counter()
    emu.inject_text(tg, "/help")
    deadline = time.monotonic() + timeout
    while not emu.sent_messages(tg):
        if proc.poll() is not None:
            raise RuntimeError(f"the bot exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not answer /help")
        await asyncio.sleep(0.02)
    return time.perf_counter() - t


# ------------------------------------------------------------------------------- updates

REPLIES = ("đang làm 20%", "dang lam 60%", "vướng: chờ số liệu của phòng Tài chính",
           "đang làm 90%", "xong rồi")
UPDATES_GOAL_PER_S = 200
IDLE_OFFICERS = 10


def bench_updates(opts: Options) -> dict[str, Any]:
    return asyncio.run(_updates(opts))


def _updates_world(opts: Options) -> World:
    # One open task per officer, so a plain reply finds its task; two waves of officers.
    officers = IDLE_OFFICERS + 2 * opts.size(200, 4)
    return World(orgs=1, tasks_per_org=officers, officers_per_org=officers)


async def _updates(opts: Options) -> dict[str, Any]:
    world = _updates_world(opts)
    with bench_engine(opts, "updates", allow_pg=False) as engine:
        _populate_officers(engine, world)
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        async with running_bot(url, ticker=False, limiter=False, enforce_limits=False) as (
                emu, proc):
            users = [world.telegram_id(world.officer_id(1, k))
                     for k in range(world.officers_per_org)]
            for tg in users:
                emu.add_user(tg, f"CB {tg}")
            opts.note("starting the bot")
            await _await_ready(emu, users[0], proc)
            idle, users = users[:IDLE_OFFICERS], users[IDLE_OFFICERS:]
            opts.note("one at a time")
            alone = [await _one_update(emu, tg) for tg in idle]
            half = len(users) // 2
            opts.note("burst")
            burst = await _send_wave(emu, users[:half], rate=None)
            opts.note(f"paced at {UPDATES_GOAL_PER_S}/s")
            paced = await _send_wave(emu, users[half:], rate=UPDATES_GOAL_PER_S)
    latencies = sorted(paced["latencies"])
    return {"updates": len(alone) + burst["count"] + paced["count"],
            "officers": world.officers_per_org,
            "per_s": round(burst["count"] / burst["elapsed"], 1),
            "offered_per_s": UPDATES_GOAL_PER_S,
            "p50_ms": round(_quantile(latencies, 0.50) * 1000, 2),
            "p99_ms": round(_quantile(latencies, 0.99) * 1000, 2),
            "alone_ms": round(statistics.median(alone) * 1000, 2),
            "database": "sqlite"}


async def _one_update(emu: Any, tg: int) -> float:
    """One progress reply with nothing else going on: inject → confirmation."""
    before, sent = len(emu.transcript(tg)), len(emu.sent_messages(tg))
    emu.inject_text(tg, REPLIES[0])
    await emu.wait_for(sent + 1, chat_id=tg, timeout=60)
    entries = emu.transcript(tg)[before:]
    return float(entries[-1].timestamp - entries[0].timestamp)


def _populate_officers(engine: Engine, world: World) -> None:
    """Every officer linked and lead of exactly one open task due in two weeks."""
    from db.models import Assignment, Officer, Organization, Plan, Task, Unit
    from scheduler.calendar import WorkingCalendar
    from scheduler.outbox import sync_tasks

    now = world.now
    n = world.officers_per_org
    _bulk(engine, Organization, iter([{"id": 1, "slug": "xa-1", "name": "UBND xã 1",
                                       "created_at": now}]))
    _bulk(engine, Unit, iter([{"id": 1, "org_id": 1, "name": "Văn phòng", "aliases": [],
                               "kind": "unit"}]))
    _bulk(engine, Officer, ({"id": k + 1, "org_id": 1, "name": f"Cán bộ {k}", "unit_id": 1,
                             "role": "officer", "title": None, "phone": None,
                             "telegram_user_id": world.telegram_id(k + 1), "active": True,
                             "unreachable": False, "linked_at": now, "created_at": now}
                            for k in range(n)))
    _bulk(engine, Plan, iter([{"id": 1, "org_id": 1, "number": "1/KH", "title": "Kế hoạch",
                               "issuer": None, "issued_on": None, "year": now.year,
                               "file_hash": "h", "file_name": None, "created_at": now}]))
    _bulk(engine, Task, ({"id": k + 1, "org_id": 1, "plan_id": 1, "ref": f"T.{k + 1}",
                          "title": f"Nhiệm vụ {k}", "text": "", "section": None,
                          "lead_unit_id": 1, "lead_text": "Văn phòng", "cooperate_text": [],
                          "cooperate_unit_ids": [], "leader_text": None,
                          "leader_officer_id": None, "deadline_text": "", "deadline_kind": "date",
                          "due_at": now + dtm.timedelta(days=14), "original_due_at": None,
                          "has_time_of_day": False, "condition": None, "recurring_day": None,
                          "status": "open", "percent": 0, "completed_at": None,
                          "last_report_at": None, "created_at": now, "updated_at": now}
                         for k in range(n)))
    _bulk(engine, Assignment, ({"id": k + 1, "task_id": k + 1, "officer_id": k + 1,
                                "role": "lead"} for k in range(n)))
    sync_tasks(engine, WorkingCalendar(), now)  # reminders planned, as after an import


async def _send_wave(emu: Any, users: list[int], rate: float | None) -> dict[str, Any]:
    """Each officer sends the REPLIES in turn; round-robin over officers, paced or at once."""
    order = [(tg, reply) for reply in REPLIES for tg in users]
    before = {tg: len(emu.sent_messages(tg)) for tg in users}
    marks = {tg: len(emu.transcript(tg)) for tg in users}
    start = time.time()
    for i, (tg, reply) in enumerate(order):
        if rate is not None:
            delay = start + i / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
        emu.inject_text(tg, reply)
    expected = sum(before.values()) + len(order)
    deadline = time.monotonic() + 60 + len(order) / 20
    while sum(len(emu.sent_messages(tg)) for tg in users) < expected:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not confirm every update")
        await asyncio.sleep(0.01)
    latencies: list[float] = []
    last = start
    for tg in users:
        entries = emu.transcript(tg)[marks[tg]:]
        ins = [e.timestamp for e in entries if e.direction == "in"]
        outs = [e.timestamp for e in entries if e.direction == "out"]
        latencies += [o - i for i, o in zip(ins, outs, strict=False)]
        last = max([last, *outs])
    return {"count": len(order), "elapsed": max(last - start, 1e-6), "latencies": latencies}


def _quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


# ------------------------------------------------------------------------------- memory

def bench_memory(opts: Options) -> dict[str, Any]:
    return asyncio.run(_memory(opts))


async def _memory(opts: Options) -> dict[str, Any]:
    world = summary_world(opts)
    with bench_engine(opts, "memory", allow_pg=False) as engine:
        populate(engine, world, opts)
        _analyze(engine)
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        opts.note("bot running")
        async with running_bot(url, ticker=True, limiter=True, enforce_limits=True) as (
                emu, proc):
            leader = world.telegram_id(world.leader_id(1))
            officer = world.telegram_id(world.officer_id(1, 2))
            ready_s = await _await_ready(emu, leader, proc)
            await asyncio.sleep(2.0)  # the first tick (after 1 s) syncs every open task
            t = time.perf_counter()
            for reply in REPLIES[:3]:
                await _say(emu, officer, f"/report 1.3 {reply}")
            await _say(emu, leader, "/summary")
            answers_s = time.perf_counter() - t
            await asyncio.sleep(1.0)
            rss, peak = _vm_kb(proc.pid, "VmRSS"), _vm_kb(proc.pid, "VmHWM")
    return {"rss_mb": round(rss / 1024, 1), "peak_mb": round(peak / 1024, 1),
            "tasks": world.tasks, "organizations": world.orgs,
            "first_answer_s": round(ready_s, 2), "answers_s": round(answers_s, 2),
            "database": "sqlite"}


async def _say(emu: Any, tg: int, message: str, timeout: float = 1800.0) -> None:
    before = len(emu.sent_messages(tg))
    emu.inject_text(tg, message)
    await emu.wait_for(before + 1, chat_id=tg, timeout=timeout)


def _vm_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


# ------------------------------------------------------------------------------- runner

BENCHES: dict[str, Callable[[Options], dict[str, Any]]] = {
    "parse": bench_parse, "delivery": bench_delivery, "updates": bench_updates,
    "tick": bench_tick, "summary": bench_summary, "memory": bench_memory,
}


def default_scale() -> float:
    return float(os.environ.get("NHACVIEC_BENCH_SCALE", "1") or 1)


def run_benchmarks(names: list[str] | None = None, *, scale: float | None = None,
                   database_url: str | None = None,
                   progress: bool | None = None) -> dict[str, Any]:
    """Run the named benchmarks (all by default); one dict of figures per name."""
    chosen = names or list(BENCHES)
    bar = Progress(len(chosen), progress)
    opts = Options(scale=default_scale() if scale is None else scale,
                   database_url=database_url, progress=bar)
    out: dict[str, Any] = {}
    try:
        for name in chosen:
            bar.start(name)
            if name not in BENCHES:
                out[name] = {"error": "chưa có benchmark này"}
            else:
                out[name] = BENCHES[name](opts)
            bar.advance()
    finally:
        bar.close()
    return out
