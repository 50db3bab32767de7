"""One of several sender processes in tests/test_multiworker.py: the real Ticker.tick in a loop.

argv: db_url schema base_url token t0_iso start_at_epoch. Prints one JSON line with its counts.
The clock is frozen at t0 (a working morning) so quiet hours never stop the test; errors are
counted and the tick retried, as PTB's JobQueue would on its next run.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import os
import sys
import time
import traceback

from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from db.engine import make_engine
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock
from scheduler.delivery import Ticker


async def main(db_url: str, schema: str, base_url: str, token: str, t0: str, start_at: float) -> None:
    engine = make_engine(db_url, connect_args={"options": f"-csearch_path={schema}"})
    ticker = Ticker(engine, WorkingCalendar(), FakeClock(dtm.datetime.fromisoformat(t0)), batch=50)
    bot = ExtBot(token, base_url=base_url, defaults=Defaults(parse_mode=ParseMode.HTML))
    totals = {"sent": 0, "retry": 0, "forbidden": 0, "skipped": 0, "ticks": 0}
    errors: list[str] = []
    async with bot:
        time.sleep(max(0.0, start_at - time.time()))  # all workers start together
        idle = 0
        while idle < 2 and len(errors) < 20:
            try:
                counts = await ticker.tick(bot)
            except Exception:
                errors.append(traceback.format_exc(limit=3)[-600:])
                continue
            totals["ticks"] += 1
            for key, value in counts.items():
                totals[key] += value
            idle = idle + 1 if not any(counts.values()) else 0
    engine.dispose()
    print(json.dumps({"pid": os.getpid(), **totals, "errors": errors}), flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    asyncio.run(main(a[0], a[1], a[2], a[3], a[4], float(a[5])))
