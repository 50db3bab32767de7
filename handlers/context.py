"""What every handler needs: the engine, the clock, the calendar (set once in bot_data)."""

from __future__ import annotations

import dataclasses
import datetime as dtm

from sqlalchemy.engine import Engine

from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock


@dataclasses.dataclass
class Services:
    engine: Engine
    clock: Clock
    calendar: WorkingCalendar
    bot_username: str
    end_of_workday: dtm.time = dtm.time(17, 0)
    max_upload_bytes: int = 20 * 1024 * 1024


def services(context: object) -> Services:
    svc = context.bot_data["services"]  # type: ignore[attr-defined]
    assert isinstance(svc, Services)
    return svc


IMPORT_ROLES = ("monitor", "admin")  # who may send plans and officers' lists
