"""Vietnamese working-day calendar for public offices.

A day is a working day when it is Monday–Friday and not a public holiday, with announced day
swaps applied on top. Layers, later ones winning:

1. Monday–Friday minus the `holidays` package's public holidays for country "VN". With
   holidays 0.108 these are: Tết Dương lịch (1/1); Tết Nguyên Đán (5 days: the eve and the
   first four days of the lunar year, with the Saturday/Sunday ones moved to the nearest
   weekday, e.g. "29 Tết", "Mùng năm"); Giỗ Tổ Hùng Vương (10/3 lunar); 30/4; 1/5; Quốc khánh
   (2/9 plus one adjacent day since 2021); Ngày Văn hóa Việt Nam (24/11, from 2026); the nghỉ
   bù (observed) day when one of those falls on a weekend (e.g. Mon 2026-04-27 for Giỗ Tổ on
   Sun 2026-04-26); and the day-off side of swaps the government announced (e.g. Fri
   2025-05-02, Mon 2026-08-31).
2. The make-up Saturdays of those package swaps (2025-04-26, 2026-08-22, …), which the package
   does not list because it only knows days off; read from its swap table.
3. The editable swaps file (`scheduler/data/day_swaps.toml` by default): `[[day_off]]` and
   `[[working_day]]` entries.
4. `extra_days_off` / `extra_working_days` given in code (e.g. an organisation's own settings).

Years are computed lazily and cached; lookups after the first touch of a year are a set
membership or a bisect over the sorted working days.
"""

from __future__ import annotations

import bisect
import datetime as dtm
import functools
import json
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_SWAPS_PATH",
    "DEFAULT_TZ",
    "DaySwaps",
    "WorkingCalendar",
    "load_swaps",
    "package_makeup_days",
]

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
DEFAULT_SWAPS_PATH = Path(__file__).resolve().parent / "data" / "day_swaps.toml"

# Beyond these the `holidays` rules (and our reason to care) stop making sense; the bound
# also stops a runaway add_working_days from looping over millennia.
_MIN_YEAR = 1990
_MAX_YEAR = 2200
_WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class DaySwaps:
    """Announced swaps: days off that are normally working days, and worked days off."""

    days_off: frozenset[dtm.date] = frozenset()
    working_days: frozenset[dtm.date] = frozenset()
    notes: dict[dtm.date, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        both = self.days_off & self.working_days
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"dates listed both as day off and as working day: {listed}")


def _parse_date(value: Any, where: str) -> dtm.date:
    if isinstance(value, dtm.datetime):
        raise ValueError(f"{where}: expected a date, got a date-time {value!r}")
    if isinstance(value, dtm.date):
        return value
    if isinstance(value, str):
        try:
            return dtm.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{where}: {value!r} is not a YYYY-MM-DD date") from exc
    raise ValueError(f"{where}: expected a date, got {value!r}")


def load_swaps(path: str | Path) -> DaySwaps:
    """Read a swaps file (.toml, or .json with the same shape) and validate it.

    Shape: `day_off` and `working_day`, each a list of `{date, note?}` tables. Unknown keys are
    an error, so that a typo (`days_off`) does not silently drop the admin's entries.
    """
    path = Path(path)
    raw = path.read_bytes()
    data: Any = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw.decode())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a table at the top level")
    unknown = set(data) - {"day_off", "working_day"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; use day_off / working_day")
    sets: dict[str, set[dtm.date]] = {"day_off": set(), "working_day": set()}
    notes: dict[dtm.date, str] = {}
    for section, dates in sets.items():
        entries = data.get(section, [])
        if not isinstance(entries, list):
            raise ValueError(f"{path}: {section} must be a list of tables ([[{section}]])")
        for i, entry in enumerate(entries):
            where = f"{path}: {section}[{i}]"
            if not isinstance(entry, dict) or "date" not in entry:
                raise ValueError(f"{where}: each entry needs a date")
            extra = set(entry) - {"date", "note"}
            if extra:
                raise ValueError(f"{where}: unknown keys {sorted(extra)}")
            day = _parse_date(entry["date"], where)
            dates.add(day)
            if entry.get("note"):
                notes[day] = str(entry["note"])
    return DaySwaps(frozenset(sets["day_off"]), frozenset(sets["working_day"]), notes)


@functools.cache
def _package_swap_table() -> tuple[tuple[dtm.date, dtm.date], ...]:
    """(day off, make-up day) pairs from the holidays package's Vietnam swap table."""
    try:
        from holidays.countries.vietnam import VietnamStaticHolidays

        table = VietnamStaticHolidays.special_public_holidays
    except (ImportError, AttributeError):  # pragma: no cover - a future package layout
        return ()
    pairs: list[tuple[dtm.date, dtm.date]] = []
    for year, value in table.items():
        entries = value if value and isinstance(value[0], tuple) else (value,)
        for entry in entries:
            # (month, day, from_month, from_day[, from_year]); anything else is not a swap.
            if not (isinstance(entry, tuple) and len(entry) in (4, 5)):
                continue
            try:
                off = dtm.date(year, entry[0], entry[1])
                worked = dtm.date(entry[4] if len(entry) == 5 else year, entry[2], entry[3])
            except (TypeError, ValueError):  # pragma: no cover - unexpected shape
                continue
            pairs.append((off, worked))
    return tuple(pairs)


def package_makeup_days(year: int | None = None) -> frozenset[dtm.date]:
    """Make-up working days (làm bù) implied by the package's swaps, optionally for one year."""
    days = (worked for _, worked in _package_swap_table())
    return frozenset(d for d in days if year is None or d.year == year)


class WorkingCalendar:
    """Working days of a Vietnamese public office, and local-time helpers.

    `swaps_path=None` reads the bundled `scheduler/data/day_swaps.toml` (if present); pass a
    path to use another file. `derive_package_swaps=False` ignores the make-up Saturdays
    derived from the holidays package (layer 2 above).
    """

    def __init__(
        self,
        tz: str | ZoneInfo = DEFAULT_TZ,
        swaps_path: str | Path | None = None,
        extra_days_off: Iterable[dtm.date] = (),
        extra_working_days: Iterable[dtm.date] = (),
        *,
        derive_package_swaps: bool = True,
    ) -> None:
        self.tz: ZoneInfo = ZoneInfo(tz) if isinstance(tz, str) else tz
        # The bundled file may be absent from an installed wheel; an explicit path must exist.
        if swaps_path is None:
            found = DEFAULT_SWAPS_PATH.exists()
            self.swaps_path: Path | None = DEFAULT_SWAPS_PATH if found else None
        else:
            self.swaps_path = Path(swaps_path)
        self.swaps = load_swaps(self.swaps_path) if self.swaps_path is not None else DaySwaps()
        self.extra = DaySwaps(frozenset(extra_days_off), frozenset(extra_working_days))
        self.derive_package_swaps = derive_package_swaps
        self._year_cache: dict[int, frozenset[int]] = {}
        self._holiday_names: dict[int, dict[dtm.date, str]] = {}
        # Sorted ordinals of the working days of the contiguous year range [_lo, _hi].
        self._ords: list[int] = []
        self._lo = 0
        self._hi = -1

    def __repr__(self) -> str:
        return f"WorkingCalendar(tz={self.tz.key!r}, swaps_path={self.swaps_path!r})"

    # -- per-year computation --------------------------------------------------------------

    def _holidays_of(self, year: int) -> dict[dtm.date, str]:
        names = self._holiday_names.get(year)
        if names is None:
            # Vietnamese names for messages and logs; without `language` the package follows
            # the process locale (English under C.UTF-8).
            names = dict(holidays.country_holidays("VN", years=year, language="vi").items())
            self._holiday_names[year] = names
        return names

    def _working_ordinals(self, year: int) -> frozenset[int]:
        cached = self._year_cache.get(year)
        if cached is not None:
            return cached
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise ValueError(f"year {year} is outside the calendar's range {_MIN_YEAR}–{_MAX_YEAR}")
        off = self._holidays_of(year)
        first = dtm.date(year, 1, 1).toordinal()
        last = dtm.date(year, 12, 31).toordinal()
        days = {
            o
            for o in range(first, last + 1)
            if (d := dtm.date.fromordinal(o)).weekday() < 5 and d not in off
        }
        if self.derive_package_swaps:
            days |= {d.toordinal() for d in package_makeup_days(year)}
        for layer in (self.swaps, self.extra):
            days -= {d.toordinal() for d in layer.days_off if d.year == year}
            days |= {d.toordinal() for d in layer.working_days if d.year == year}
        result = frozenset(days)
        self._year_cache[year] = result
        return result

    def _ensure(self, lo: int, hi: int) -> None:
        """Make `_ords` cover at least the years lo..hi."""
        if self._lo <= lo and hi <= self._hi:
            return
        if self._hi >= self._lo:
            lo, hi = min(lo, self._lo), max(hi, self._hi)
        lo, hi = max(lo, _MIN_YEAR), min(hi, _MAX_YEAR)
        if lo > hi or (self._lo <= lo and hi <= self._hi):
            raise ValueError(f"date outside the calendar's range {_MIN_YEAR}–{_MAX_YEAR}")
        ords: list[int] = []
        for year in range(lo, hi + 1):
            ords.extend(sorted(self._working_ordinals(year)))
        self._ords, self._lo, self._hi = ords, lo, hi

    # -- queries ---------------------------------------------------------------------------

    def is_working_day(self, day: dtm.date) -> bool:
        return day.toordinal() in self._working_ordinals(day.year)

    def previous_working_day(self, day: dtm.date) -> dtm.date:
        """The latest working day on or before `day` (the day itself when it is working)."""
        if self.is_working_day(day):
            return day
        self._ensure(day.year - 1, day.year)
        o = day.toordinal()
        while True:
            i = bisect.bisect_right(self._ords, o) - 1
            if i >= 0:
                return dtm.date.fromordinal(self._ords[i])
            self._ensure(self._lo - 1, self._hi)

    def next_working_day(self, day: dtm.date, include: bool = False) -> dtm.date:
        """The first working day after `day` (or on it, with `include=True`)."""
        if include and self.is_working_day(day):
            return day
        self._ensure(day.year, day.year + 1)
        o = day.toordinal()
        while True:
            i = bisect.bisect_right(self._ords, o)
            if i < len(self._ords):
                return dtm.date.fromordinal(self._ords[i])
            self._ensure(self._lo, self._hi + 1)

    def add_working_days(self, day: dtm.date, n: int) -> dtm.date:
        """The n-th working day after `day` (n > 0) or before it (n < 0); `day` when n == 0.

        `day` itself need not be a working day: 1 working day before a Sunday is the Friday,
        1 working day after it the Monday.
        """
        if n == 0:
            return day
        span = abs(n) // 240 + 1  # a Vietnamese year has ~245–250 working days
        if n > 0:
            self._ensure(day.year, day.year + span)
        else:
            self._ensure(day.year - span, day.year)
        o = day.toordinal()
        while True:
            if n > 0:
                i = bisect.bisect_right(self._ords, o) - 1 + n
                if i < len(self._ords):
                    return dtm.date.fromordinal(self._ords[i])
                self._ensure(self._lo, self._hi + span)
            else:
                i = bisect.bisect_left(self._ords, o) + n
                if i >= 0:
                    return dtm.date.fromordinal(self._ords[i])
                self._ensure(self._lo - span, self._hi)

    def working_days_between(self, a: dtm.date, b: dtm.date) -> int:
        """Working days d with a <= d < b; negative (those in [b, a)) when b < a.

        For working days a and b, `add_working_days(a, working_days_between(a, b)) == b`.
        """
        self._ensure(min(a, b).year, max(a, b).year)
        left = bisect.bisect_left(self._ords, a.toordinal())
        right = bisect.bisect_left(self._ords, b.toordinal())
        return right - left

    def working_days(self, start: dtm.date, end: dtm.date) -> Iterator[dtm.date]:
        """The working days d with start <= d <= end, in order."""
        if end < start:
            return iter(())
        self._ensure(start.year, end.year)
        i = bisect.bisect_left(self._ords, start.toordinal())
        j = bisect.bisect_right(self._ords, end.toordinal())
        return (dtm.date.fromordinal(o) for o in self._ords[i:j])

    def day_off_reason(self, day: dtm.date) -> str | None:
        """Why `day` is off, in Vietnamese (holiday name, swap note, weekday); None if working."""
        if self.is_working_day(day):
            return None
        for layer in (self.extra, self.swaps):
            if day in layer.days_off:
                return layer.notes.get(day, "Ngày nghỉ bù")
        name = self._holidays_of(day.year).get(day)
        return name if name else _WEEKDAY_NAMES[day.weekday()]

    # -- local time helpers ----------------------------------------------------------------

    def local(self, at: dtm.datetime) -> dtm.datetime:
        """`at` (aware) in the calendar's time zone."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"expected an aware datetime, got naive {at!r}")
        return at.astimezone(self.tz)

    def local_date(self, at: dtm.datetime) -> dtm.date:
        return self.local(at).date()

    def at_local(self, day: dtm.date, time: dtm.time) -> dtm.datetime:
        """The aware UTC moment of `time` on `day` in the calendar's time zone."""
        return dtm.datetime.combine(day, time, tzinfo=self.tz).astimezone(dtm.UTC)
