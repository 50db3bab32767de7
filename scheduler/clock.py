"""Injected time, so the scheduler and the policy can be driven through months in a test.

Every clock returns aware UTC datetimes; local time is a presentation concern of the calendar.
"""

from __future__ import annotations

import datetime as dtm
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock"]


def _as_utc(value: dtm.datetime, what: str) -> dtm.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got naive {value!r}")
    return value.astimezone(dtm.UTC)


@runtime_checkable
class Clock(Protocol):
    """Anything with `now()` returning an aware UTC datetime."""

    def now(self) -> dtm.datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> dtm.datetime:
        return dtm.datetime.now(dtm.UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that only moves when told to; for simulations and tests.

    It may be set backwards (a test can replay a moment), but it never moves on its own.
    """

    def __init__(self, start: dtm.datetime) -> None:
        self._now = _as_utc(start, "start")

    def now(self) -> dtm.datetime:
        return self._now

    def advance(self, delta: dtm.timedelta) -> dtm.datetime:
        """Move forward by `delta` (must not be negative) and return the new now."""
        if delta < dtm.timedelta(0):
            raise ValueError(f"advance() takes a non-negative delta, got {delta!r}; use set()")
        self._now = self._now + delta
        return self._now

    def set(self, value: dtm.datetime) -> dtm.datetime:
        """Jump to `value` (aware; any direction) and return it in UTC."""
        self._now = _as_utc(value, "value")
        return self._now

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()})"
