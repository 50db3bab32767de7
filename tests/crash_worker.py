"""A delivery worker the crash test kills with SIGKILL: claim → send → mark, one at a time."""

from __future__ import annotations

import asyncio
import datetime as dtm
import sys

from telegram.ext import ApplicationBuilder

from db.engine import make_engine, session_scope
from db.models import Notification, Officer
from scheduler.clock import SystemClock
from scheduler.delivery import Outgoing, send_one
from scheduler.outbox import claim_due


async def main(db_url: str, base_url: str, token: str, offset_s: float) -> None:
    engine = make_engine(db_url)
    clock = SystemClock()
    app = ApplicationBuilder().token(token).base_url(base_url).job_queue(None).build()
    async with app:
        while True:
            now = clock.now() + dtm.timedelta(seconds=offset_s)
            ids = claim_due(engine, now, limit=20)
            if not ids:
                break
            for nid in ids:
                with session_scope(engine) as s:
                    row = s.get(Notification, nid)
                    officer = s.get(Officer, row.officer_id)
                    chat = officer.telegram_user_id
                await send_one(app.bot, engine, Outgoing(nid, chat, f"Bản tin {nid}", None), clock)
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
