"""`nhacviec bench [NAME…] --json`: figures the issues name, measured, never hard-coded."""

from __future__ import annotations

import asyncio
import datetime as dtm
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "data"


def bench_parse() -> dict[str, Any]:
    from plans import parse_plan, read_document
    from plans.deadlines import parse_deadline
    from plans.replies import parse_reply

    slowest = 0.0
    for path in sorted(FIXTURES.glob("*.txt")):
        doc = read_document(path.read_bytes(), path.name)
        parse_plan(doc)  # warm
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            parse_plan(doc)
            runs.append(time.perf_counter() - t)
        slowest = max(slowest, min(runs))
    samples = ["Quý IV/2025", "chậm nhất 15 giờ, ngày 06/5/2026", "Tháng 11/2025",
               "Thường xuyên", "Sau khi có hướng dẫn của Bộ Nội vụ", "trước ngày 10/12"]
    replies = ["xong rồi", "dang lam 60%", "vướng: chưa có hướng dẫn", "ok"]
    return {"seed_ms_max": round(slowest * 1000, 2),
            "deadline_us": round(_mean_us(lambda: [parse_deadline(s, plan_year=2025) for s in samples]) / len(samples), 2),
            "reply_us": round(_mean_us(lambda: [parse_reply(s) for s in replies]) / len(replies), 2),
            "database": "none"}


def _mean_us(fn: Callable[[], object], n: int = 200) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


def bench_delivery(officers: int = 3000) -> dict[str, Any]:
    return asyncio.run(_delivery(officers))


async def _delivery(n: int) -> dict[str, Any]:
    from telegram.ext import AIORateLimiter, ApplicationBuilder

    from bot.emulator import TelegramEmulator
    from db.engine import make_engine, session_scope
    from db.migrate import upgrade
    from db.models import Notification, Officer
    from db.orgs import get_or_create_org
    from scheduler.delivery import Outgoing, send_one
    from scheduler.outbox import claim_due

    tmp = tempfile.TemporaryDirectory()
    engine = make_engine(f"sqlite:///{tmp.name}/b.sqlite3")
    upgrade(engine)
    now = dtm.datetime.now(dtm.UTC)
    with session_scope(engine) as s:
        org = get_or_create_org(s, "bench")
        for i in range(n):
            s.add(Officer(org_id=org.id or 0, name=f"CB {i}", telegram_user_id=10_000 + i))
        s.flush()
        for o in s.exec(__import__("sqlmodel").select(Officer)):
            s.add(Notification(org_id=org.id or 0, officer_id=o.id or 0, kind="digest",
                               key=f"bench:{o.id}", due_at=now))
    emu = TelegramEmulator()
    await emu.start()
    app = (ApplicationBuilder().token(emu.token).base_url(emu.base_url).job_queue(None)
           .rate_limiter(AIORateLimiter(overall_max_rate=29.5, overall_time_period=1,
                                        max_retries=5)).build())
    from scheduler.clock import SystemClock

    clock = SystemClock()
    async with app:
        ids = claim_due(engine, dtm.datetime.now(dtm.UTC), limit=n)
        with session_scope(engine) as s:
            chats = {r.id: r for r in s.exec(__import__("sqlmodel").select(Notification))}
            tg = {o.id: o.telegram_user_id for o in s.exec(__import__("sqlmodel").select(Officer))}
        start = time.perf_counter()
        sem = asyncio.Semaphore(8)

        async def one(nid: int) -> None:
            async with sem:
                row = chats[nid]
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
        unsent = len(s.exec(__import__("sqlmodel").select(Notification.id).where(
            Notification.sent_at == None)).all())  # noqa: E711
    engine.dispose()
    tmp.cleanup()
    rate = len(sent) / elapsed if elapsed else 0.0
    return {"officers": n, "msgs_per_s": round(rate, 2), "limit_per_s": 30,
            "ratio": round(rate / 30, 3), "http_429": emu.stats.http_429,
            "lost": unsent + (n - len(per_chat)), "duplicates": sum(c - 1 for c in per_chat.values() if c > 1),
            "database": "sqlite"}


def bench_tick(tasks: int = 100_000) -> dict[str, Any]:
    from sqlalchemy import insert

    from db.engine import make_engine, session_scope
    from db.migrate import upgrade
    from db.models import Notification, Officer
    from db.orgs import get_or_create_org
    from scheduler.outbox import claim_due

    tmp = tempfile.TemporaryDirectory()
    engine = make_engine(f"sqlite:///{tmp.name}/t.sqlite3")
    upgrade(engine)
    base = dtm.datetime(2026, 1, 1, tzinfo=dtm.UTC)
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "bench").id or 0
        officer = Officer(org_id=org_id, name="x", telegram_user_id=1)
        s.add(officer)
        s.flush()
        officer_id = officer.id or 0
    table = Notification.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        rows = [{"org_id": org_id, "officer_id": officer_id, "kind": "before_due", "seq": 0,
                 "role": "lead", "key": f"k{i}", "due_at": base + dtm.timedelta(minutes=i),
                 "cancelled": False, "attempts": 0, "payload": {}, "created_at": base}
                for i in range(tasks)]
        conn.execute(insert(table), rows)
    gc.collect()
    times = []
    for i in range(20):
        now = base + dtm.timedelta(minutes=tasks // 2 + i * 3)
        t = time.perf_counter()
        claim_due(engine, now, limit=50)
        times.append(time.perf_counter() - t)
    engine.dispose()
    tmp.cleanup()
    return {"tasks": tasks, "notifications": tasks, "query_ms": round(statistics.median(times) * 1000, 2),
            "database": "sqlite"}


BENCHES: dict[str, Callable[[], dict[str, Any]]] = {
    "parse": bench_parse, "delivery": bench_delivery, "tick": bench_tick,
}


def run_benchmarks(names: list[str] | None = None) -> dict[str, Any]:
    chosen = names or list(BENCHES)
    out: dict[str, Any] = {}
    for name in chosen:
        if name not in BENCHES:
            out[name] = {"error": "chưa có benchmark này"}
            continue
        out[name] = BENCHES[name]()
    return out
