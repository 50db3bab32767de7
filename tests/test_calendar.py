"""Working-day calendar: Vietnamese holidays, announced swaps, working-day arithmetic."""

from __future__ import annotations

import datetime as dtm
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.calendar import (
    DEFAULT_SWAPS_PATH,
    WorkingCalendar,
    load_swaps,
    package_makeup_days,
)

D = dtm.date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture
def empty_swaps(tmp_path: Path) -> Path:
    path = tmp_path / "none.toml"
    path.write_text("# no swaps\n")
    return path


# -- facts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 1, 1),
        # Tết Ất Tỵ 2025: Mon 27/1 – Fri 31/1 (Sat 1/2, mùng 4, moved to "29 Tết" Mon 27/1).
        D(2025, 1, 27),
        D(2025, 1, 28),
        D(2025, 1, 29),
        D(2025, 1, 30),
        D(2025, 1, 31),
        D(2025, 4, 7),  # Giỗ Tổ Hùng Vương 10/3 âm lịch
        D(2025, 4, 30),
        D(2025, 5, 1),
        D(2025, 5, 2),  # swapped for Sat 26/4
        D(2025, 9, 1),
        D(2025, 9, 2),
        D(2026, 1, 1),
        # Tết Bính Ngọ 2026: Mon 16/2 – Fri 20/2.
        D(2026, 2, 16),
        D(2026, 2, 17),
        D(2026, 2, 18),
        D(2026, 2, 19),
        D(2026, 2, 20),
        D(2026, 4, 27),  # nghỉ bù for Giỗ Tổ on Sun 26/4
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 8, 31),  # swapped for Sat 22/8
        D(2026, 9, 1),
        D(2026, 9, 2),
        D(2026, 11, 24),  # Ngày Văn hóa Việt Nam, a day off from 2026
        D(2025, 11, 29),  # Saturday
        D(2025, 11, 30),  # Sunday
    ],
)
def test_days_off(cal: WorkingCalendar, day: dtm.date) -> None:
    assert not cal.is_working_day(day)
    assert cal.day_off_reason(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 1, 24),  # Friday before Tết
        D(2025, 2, 3),  # back after Tết
        D(2025, 4, 26),  # Saturday worked (làm bù for 2/5)
        D(2025, 11, 24),  # 24/11 is not yet a holiday in 2025
        D(2026, 1, 2),
        D(2026, 2, 13),
        D(2026, 2, 23),
        D(2026, 4, 28),
        D(2026, 8, 22),  # Saturday worked (làm bù for 31/8)
        D(2026, 9, 3),
    ],
)
def test_working_days(cal: WorkingCalendar, day: dtm.date) -> None:
    assert cal.is_working_day(day)
    assert cal.day_off_reason(day) is None


def test_day_off_reasons_are_vietnamese(cal: WorkingCalendar) -> None:
    assert cal.day_off_reason(D(2026, 2, 17)) == "Tết Nguyên Đán"
    assert cal.day_off_reason(D(2026, 1, 1)) == "Tết Dương lịch"
    assert cal.day_off_reason(D(2025, 11, 30)) == "Chủ nhật"
    assert "22/8/2026" in (cal.day_off_reason(D(2026, 8, 31)) or "")


def test_package_swaps_match_the_bundled_file() -> None:
    swaps = load_swaps(DEFAULT_SWAPS_PATH)
    for year in (2025, 2026):
        assert package_makeup_days(year) <= swaps.working_days
    assert package_makeup_days(2025) == {D(2025, 4, 26)}
    assert package_makeup_days(2026) == {D(2026, 8, 22)}
    assert {D(2025, 5, 2), D(2026, 8, 31)} <= swaps.days_off


def test_package_makeup_days_can_be_ignored(empty_swaps: Path) -> None:
    derived = WorkingCalendar(swaps_path=empty_swaps)
    assert derived.is_working_day(D(2025, 4, 26))
    bare = WorkingCalendar(swaps_path=empty_swaps, derive_package_swaps=False)
    assert not bare.is_working_day(D(2025, 4, 26))
    # The day-off side comes from the package's holidays either way.
    assert not bare.is_working_day(D(2025, 5, 2))


# -- the swaps file ------------------------------------------------------------------------


def test_swap_file_entries_are_honoured(tmp_path: Path) -> None:
    path = tmp_path / "swaps.toml"
    path.write_text(
        '[[day_off]]\ndate = 2026-01-02\nnote = "Nghỉ thay cho thứ Bảy 10/01/2026"\n\n'
        "[[working_day]]\ndate = 2026-01-10\n"
    )
    base = WorkingCalendar()
    assert base.is_working_day(D(2026, 1, 2)) and not base.is_working_day(D(2026, 1, 10))
    cal = WorkingCalendar(swaps_path=path)
    assert not cal.is_working_day(D(2026, 1, 2))
    assert cal.is_working_day(D(2026, 1, 10))
    assert cal.day_off_reason(D(2026, 1, 2)) == "Nghỉ thay cho thứ Bảy 10/01/2026"
    # Arithmetic sees the swap: 1/1 holiday, 2/1 swapped, then the weekend.
    assert cal.previous_working_day(D(2026, 1, 4)) == D(2025, 12, 31)
    assert cal.next_working_day(D(2026, 1, 9)) == D(2026, 1, 10)


def test_swap_file_json(tmp_path: Path) -> None:
    path = tmp_path / "swaps.json"
    path.write_text(json.dumps({"working_day": [{"date": "2027-02-13", "note": "làm bù"}]}))
    cal = WorkingCalendar(swaps_path=path)
    assert cal.is_working_day(D(2027, 2, 13))


@pytest.mark.parametrize(
    "text",
    [
        "[[days_off]]\ndate = 2026-01-02\n",  # typo in the section
        "[[day_off]]\nday = 2026-01-02\n",  # no date
        "[[day_off]]\ndate = 2026-01-02\ncomment = 'x'\n",  # unknown key
        "[[day_off]]\ndate = '02/01/2026'\n",  # not ISO
        "[[day_off]]\ndate = 2026-01-02\n[[working_day]]\ndate = 2026-01-02\n",  # both
    ],
)
def test_bad_swap_files_are_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ValueError):
        WorkingCalendar(swaps_path=path)


def test_missing_explicit_swap_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        WorkingCalendar(swaps_path=tmp_path / "nope.toml")


def test_extra_days_override_the_file(empty_swaps: Path) -> None:
    cal = WorkingCalendar(
        swaps_path=empty_swaps,
        extra_days_off=[D(2025, 12, 31)],
        extra_working_days=[D(2026, 2, 20), D(2025, 12, 27)],
    )
    assert not cal.is_working_day(D(2025, 12, 31))
    assert cal.is_working_day(D(2026, 2, 20))
    assert cal.is_working_day(D(2025, 12, 27))
    with pytest.raises(ValueError):
        WorkingCalendar(extra_days_off=[D(2026, 1, 5)], extra_working_days=[D(2026, 1, 5)])


# -- arithmetic ----------------------------------------------------------------------------


def test_previous_and_next(cal: WorkingCalendar) -> None:
    assert cal.previous_working_day(D(2025, 12, 1)) == D(2025, 12, 1)  # Monday, itself
    assert cal.previous_working_day(D(2025, 11, 30)) == D(2025, 11, 28)  # Sunday → Friday
    assert cal.previous_working_day(D(2026, 2, 22)) == D(2026, 2, 13)  # end of Tết → before it
    assert cal.previous_working_day(D(2026, 1, 1)) == D(2025, 12, 31)  # across the year
    assert cal.next_working_day(D(2026, 2, 13)) == D(2026, 2, 23)
    assert cal.next_working_day(D(2026, 2, 13), include=True) == D(2026, 2, 13)
    assert cal.next_working_day(D(2026, 2, 15), include=True) == D(2026, 2, 23)
    assert cal.next_working_day(D(2025, 12, 31)) == D(2026, 1, 2)


def test_add_working_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(D(2025, 12, 1), -1) == D(2025, 11, 28)  # Monday → Friday
    assert cal.add_working_days(D(2025, 11, 30), -1) == D(2025, 11, 28)  # from a Sunday
    assert cal.add_working_days(D(2025, 11, 30), 1) == D(2025, 12, 1)
    assert cal.add_working_days(D(2025, 12, 3), 0) == D(2025, 12, 3)
    # 7 working days before Wed 6/5/2026 skip 27/4, 30/4 and 1/5.
    assert cal.add_working_days(D(2026, 5, 6), -7) == D(2026, 4, 22)
    assert cal.add_working_days(D(2026, 2, 12), 2) == D(2026, 2, 23)
    # Far jumps extend the cached range as needed.
    far = cal.add_working_days(D(2025, 1, 2), 1000)
    assert far.year == 2029 and cal.is_working_day(far)
    assert cal.add_working_days(far, -1000) == D(2025, 1, 2)


def test_working_days_between(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(D(2025, 12, 1), D(2025, 12, 8)) == 5
    assert cal.working_days_between(D(2025, 12, 8), D(2025, 12, 1)) == -5
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    assert cal.working_days_between(D(2026, 2, 14), D(2026, 2, 14)) == 0
    assert list(cal.working_days(D(2026, 2, 12), D(2026, 2, 23))) == [
        D(2026, 2, 12),
        D(2026, 2, 13),
        D(2026, 2, 23),
    ]


def test_working_days_per_year_are_plausible(cal: WorkingCalendar) -> None:
    for year in (2025, 2026, 2027):
        n = cal.working_days_between(D(year, 1, 1), D(year + 1, 1, 1))
        assert 240 <= n <= 252, (year, n)


_CAL: list[WorkingCalendar] = []


def _shared_calendar() -> WorkingCalendar:
    if not _CAL:
        _CAL.append(WorkingCalendar())
    return _CAL[0]


days_2024_2028 = st.dates(min_value=D(2024, 6, 1), max_value=D(2028, 6, 30))


@settings(max_examples=300, deadline=None)
@given(a=days_2024_2028, b=days_2024_2028, n=st.integers(-400, 400))
def test_arithmetic_properties(a: dtm.date, b: dtm.date, n: int) -> None:
    cal = _shared_calendar()
    prev = cal.previous_working_day(a)
    assert prev <= a and cal.is_working_day(prev)
    assert cal.working_days_between(prev, a) == (0 if prev == a else 1)
    nxt = cal.next_working_day(a)
    assert nxt > a and cal.is_working_day(nxt)
    gap_before = (prev + dtm.timedelta(days=i) for i in range(1, (a - prev).days + 1))
    assert not any(cal.is_working_day(d) for d in gap_before)
    gap_after = (a + dtm.timedelta(days=i) for i in range(1, (nxt - a).days))
    assert not any(cal.is_working_day(d) for d in gap_after)

    moved = cal.add_working_days(a, n)
    if n:
        assert cal.is_working_day(moved)
        assert (moved > a) if n > 0 else (moved < a)
    wa, wb = cal.previous_working_day(a), cal.previous_working_day(b)
    assert cal.add_working_days(wa, cal.working_days_between(wa, wb)) == wb
    assert cal.add_working_days(cal.add_working_days(wa, n), -n) == wa
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)


def test_local_helpers(cal: WorkingCalendar) -> None:
    at = cal.at_local(D(2026, 5, 6), dtm.time(15, 0))
    assert at == dtm.datetime(2026, 5, 6, 8, 0, tzinfo=dtm.UTC)
    assert cal.local_date(dtm.datetime(2026, 5, 5, 18, 0, tzinfo=dtm.UTC)) == D(2026, 5, 6)
    with pytest.raises(ValueError):
        cal.local(dtm.datetime(2026, 5, 5, 18, 0))  # noqa: DTZ001 - naive on purpose
