"""The delivery process the SIGKILL test kills: the real app's bot and the real Ticker.

Run in a forkserver child (modules preloaded, so a restart costs milliseconds, not an import).
Its clock starts at the city's Monday morning plus `offset_s`, then runs in real time.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

from bot.app import build_application
from db.engine import make_engine
from handlers.context import Services
from scheduler.calendar import WorkingCalendar
from scheduler.delivery import Ticker
from tests.city import T0


class OffsetClock:
    def __init__(self, start: dtm.datetime) -> None:
        self._start, self._t = start, time.monotonic()

    def now(self) -> dtm.datetime:
        return self._start + dtm.timedelta(seconds=time.monotonic() - self._t)


async def _main(db_url: str, base_url: str, token: str, offset_s: float, resync: bool) -> None:
    engine = make_engine(db_url)
    clock = OffsetClock(T0 + dtm.timedelta(seconds=offset_s))
    cal = WorkingCalendar()
    svc = Services(engine=engine, clock=clock, calendar=cal, bot_username="nhacviec_bot")
    app = build_application(token, svc, base_url=base_url)
    ticker = Ticker(engine, cal, clock, batch=20)
    if not resync:  # the daily horizon sync is slow at city scale; most restarts skip it
        ticker._synced_on = cal.local_date(clock.now())
    async with app:
        while True:
            counts = await ticker.tick(app.bot)
            if not any(counts.values()):
                break


def run(db_url: str, base_url: str, token: str, offset_s: float, resync: bool = True) -> None:
    asyncio.run(_main(db_url, base_url, token, offset_s, resync))
