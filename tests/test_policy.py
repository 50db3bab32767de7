"""Reminder policy: planned notices, missed-notice collapsing, quiet hours, digest time, clocks."""

from __future__ import annotations

import dataclasses
import datetime as dtm
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, FakeClock, SystemClock
from scheduler.policy import (
    DEFAULT_POLICY,
    PlannedNotice,
    ReminderPolicy,
    TaskTiming,
    clamp_out_of_quiet,
    collapse_missed,
    is_quiet,
    next_digest_time,
    notice_key,
    plan_notices,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()
EPOCH = dtm.datetime(2025, 1, 1, tzinfo=VN)
FAR = dtm.datetime(2028, 12, 31, tzinfo=VN)


def vn(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dtm.datetime:
    return dtm.datetime(y, mo, d, h, mi, tzinfo=VN)


def dated(
    due: dtm.datetime,
    *,
    kind: str = "date",
    time_of_day: bool = False,
    task_id: int = 1,
    status: str = "open",
    created: dtm.datetime = EPOCH,
) -> TaskTiming:
    return TaskTiming(task_id, due, kind, time_of_day, None, status, created)


def plan(
    task: TaskTiming,
    *,
    now: dtm.datetime = EPOCH,
    horizon: dtm.datetime = FAR,
    policy: ReminderPolicy = DEFAULT_POLICY,
) -> list[PlannedNotice]:
    return plan_notices(task, CAL, policy, now=now, horizon_end=horizon)


def local_moments(notices: list[PlannedNotice], kind: str | None = None) -> list[dtm.datetime]:
    return [n.at.astimezone(VN) for n in notices if kind is None or n.kind == kind]


def pre_due(notices: list[PlannedNotice]) -> list[tuple[str, int, dtm.datetime]]:
    return [
        (n.kind, n.seq, n.at.astimezone(VN))
        for n in notices
        if n.kind in ("before_due", "due_today")
    ]


# -- before the due moment -----------------------------------------------------------------


def test_datetime_deadline_gets_two_hours_before() -> None:
    notices = plan(dated(vn(2026, 5, 6, 15), kind="datetime", time_of_day=True))
    assert pre_due(notices) == [
        ("before_due", 7, vn(2026, 4, 22, 8)),  # skips 27/4, 30/4, 1/5 and the weekends
        ("before_due", 3, vn(2026, 4, 29, 8)),
        ("before_due", 1, vn(2026, 5, 5, 8)),
        ("due_today", 0, vn(2026, 5, 6, 8)),
        ("before_due", 0, vn(2026, 5, 6, 13)),
    ]
    assert all(n.at.tzinfo is dtm.UTC for n in notices)
    assert all(n.due_at == vn(2026, 5, 6, 15) for n in notices)


def test_date_deadline_has_no_hours_before() -> None:
    notices = plan(dated(vn(2025, 12, 5, 17)))
    assert [m for m in local_moments(notices) if m.date() == dtm.date(2025, 12, 5)] == [
        vn(2025, 12, 5, 8)
    ]
    # A datetime deadline at the end of the working day is treated the same.
    same = plan(dated(vn(2025, 12, 5, 17), kind="datetime", time_of_day=True))
    assert pre_due(same) == pre_due(notices)


def test_monday_deadline_reminded_on_friday() -> None:
    notices = plan(dated(vn(2025, 12, 8, 17)))
    one_day = [n for n in notices if n.kind == "before_due" and n.seq == 1]
    assert [n.at.astimezone(VN) for n in one_day] == [vn(2025, 12, 5, 8)]


def test_deadline_after_tet() -> None:
    notices = plan(dated(vn(2026, 2, 23, 17)))
    assert pre_due(notices) == [
        ("before_due", 7, vn(2026, 2, 5, 8)),
        ("before_due", 3, vn(2026, 2, 11, 8)),
        ("before_due", 1, vn(2026, 2, 13, 8)),
        ("due_today", 0, vn(2026, 2, 23, 8)),
    ]


def test_deadline_on_a_sunday_collapses_onto_friday() -> None:
    # "Tháng 11/2025" → Sunday 30/11 17:00: the morning-of-the-day notice moves to Friday 28/11
    # 08:00, where the 1-working-day-before one already is; one notice remains.
    notices = plan(dated(vn(2025, 11, 30, 17), kind="month"))
    assert pre_due(notices) == [
        ("before_due", 7, vn(2025, 11, 20, 8)),
        ("before_due", 3, vn(2025, 11, 26, 8)),
        ("before_due", 1, vn(2025, 11, 28, 8)),
    ]
    assert local_moments(notices, "overdue")[0] == vn(2025, 12, 1, 8)


def test_saturday_datetime_deadline_moves_hours_before_to_friday() -> None:
    notices = plan(dated(vn(2025, 12, 6, 15), kind="datetime", time_of_day=True))
    fri = [(k, s, m) for k, s, m in pre_due(notices) if m.date() == dtm.date(2025, 12, 5)]
    assert fri == [("before_due", 1, vn(2025, 12, 5, 8)), ("before_due", 0, vn(2025, 12, 5, 13))]


def test_early_morning_deadline() -> None:
    # Due 07:30: 08:00 that day is too late, 05:30 is quiet → 07:00.
    notices = plan(dated(vn(2025, 12, 10, 7, 30), kind="datetime", time_of_day=True))
    same_day = [(k, s, m) for k, s, m in pre_due(notices) if m.date() == dtm.date(2025, 12, 10)]
    assert same_day == [("before_due", 0, vn(2025, 12, 10, 7))]
    # Due 09:00: 07:00 would come before the 08:00 one, so only the 08:00 one stays.
    notices = plan(dated(vn(2025, 12, 10, 9), kind="datetime", time_of_day=True))
    same_day = [(k, s, m) for k, s, m in pre_due(notices) if m.date() == dtm.date(2025, 12, 10)]
    assert same_day == [("due_today", 0, vn(2025, 12, 10, 8))]


def test_late_evening_deadline_stays_out_of_quiet_hours() -> None:
    notices = plan(dated(vn(2025, 12, 10, 23, 30), kind="datetime", time_of_day=True))
    assert ("before_due", 0, vn(2025, 12, 10, 20)) in pre_due(notices)


def test_nothing_before_creation_or_now() -> None:
    due = vn(2025, 12, 10, 17)
    full = plan(dated(due))
    created = vn(2025, 12, 5, 10)  # after the 3-days-before notice (Fri 5/12 08:00)
    later = plan(dated(due, created=created))
    assert all(n.at >= created for n in later)
    assert [n.key for n in later] == [n.key for n in full if n.at >= created]
    mid = vn(2025, 12, 9, 12)
    partial = plan(dated(due), now=mid)
    assert [n.key for n in partial] == [n.key for n in full if n.at >= mid]


def test_horizon_limits_the_overdue_series() -> None:
    due = vn(2025, 12, 10, 17)
    notices = plan(dated(due), horizon=vn(2025, 12, 31, 23))
    assert max(n.at for n in notices) <= vn(2025, 12, 31, 23)
    longer = plan(dated(due), horizon=vn(2026, 1, 31, 23))
    assert {n.key for n in notices} < {n.key for n in longer}


# -- overdue and escalation ----------------------------------------------------------------


def test_overdue_series_and_escalation_order() -> None:
    notices = plan(dated(vn(2025, 12, 10, 17), task_id=7), horizon=vn(2026, 1, 10))
    overdue = [(n.seq, n.at.astimezone(VN)) for n in notices if n.kind == "overdue"]
    assert overdue[:6] == [
        (1, vn(2025, 12, 11, 8)),
        (2, vn(2025, 12, 15, 8)),
        (3, vn(2025, 12, 17, 8)),
        (4, vn(2025, 12, 19, 8)),
        (5, vn(2025, 12, 23, 8)),
        (6, vn(2025, 12, 25, 8)),
    ]
    # Over New Year: 29/12 → 31/12 → 5/1 (1/1 is off, Fri 2/1 is the one working day between).
    assert [m for _, m in overdue[6:9]] == [
        vn(2025, 12, 29, 8),
        vn(2025, 12, 31, 8),
        vn(2026, 1, 5, 8),
    ]
    esc = [
        (n.kind, n.audience, n.seq, n.at.astimezone(VN)) for n in notices if "escalation" in n.kind
    ]
    assert esc == [
        ("escalation_unit_head", "unit_head", 1, vn(2025, 12, 15, 8)),  # with overdue 2
        ("escalation_leader", "leader", 3, vn(2025, 12, 19, 8)),  # with overdue 4
    ]
    assert all(n.audience == "assignees" for n in notices if "escalation" not in n.kind)


def test_overdue_numbering_is_stable_whatever_now_is() -> None:
    task = dated(vn(2025, 12, 10, 17))
    full = plan(task, horizon=vn(2026, 3, 1))
    for now in (vn(2025, 12, 12, 9), vn(2026, 1, 20, 8), vn(2026, 1, 20, 8, 1)):
        part = plan(task, now=now, horizon=vn(2026, 3, 1))
        assert part == [n for n in full if n.at >= now]


def test_policy_settings() -> None:
    policy = ReminderPolicy(
        before_offsets=(5, 2),
        overdue_every=1,
        max_overdue=3,
        escalate_unit_head_after=None,
        escalate_leader_after=2,
        hours_before=dtm.timedelta(hours=1),
        due_day_time=None,
    )
    notices = plan(dated(vn(2025, 12, 10, 15), kind="datetime", time_of_day=True), policy=policy)
    assert [(n.kind, n.seq) for n in notices] == [
        ("before_due", 5),
        ("before_due", 2),
        ("before_due", 0),
        ("overdue", 1),
        ("overdue", 2),
        ("overdue", 3),
        ("escalation_leader", 2),
    ]
    assert local_moments(notices, "before_due")[-1] == vn(2025, 12, 10, 14)
    with pytest.raises(ValueError):
        ReminderPolicy(before_time=dtm.time(6, 30))
    with pytest.raises(ValueError):
        ReminderPolicy(before_offsets=(0,))


# -- task states and kinds -----------------------------------------------------------------


def test_done_task_gets_nothing() -> None:
    assert plan(dated(vn(2025, 12, 10, 17), status="done")) == []


@pytest.mark.parametrize("kind", ["conditional", "on_request", "none"])
def test_unactivated_tasks_get_nothing(kind: str) -> None:
    assert plan(TaskTiming(3, None, kind, created_at=EPOCH)) == []


def test_activated_conditional_task_is_reminded() -> None:
    assert plan(TaskTiming(3, vn(2026, 3, 31, 17), "conditional", status="waiting")) == []
    notices = plan(TaskTiming(3, vn(2026, 3, 31, 17), "conditional", created_at=EPOCH))
    assert [n.kind for n in notices][:4] == ["before_due", "before_due", "before_due", "due_today"]


def test_monthly_checkin_on_the_25th() -> None:
    task = TaskTiming(9, None, "recurring", created_at=vn(2025, 10, 1))
    notices = plan(task, now=vn(2025, 10, 1), horizon=vn(2026, 3, 31))
    assert {n.kind for n in notices} == {"checkin"}
    assert local_moments(notices) == [
        vn(2025, 10, 24, 8),  # Sat 25/10 → Fri 24/10
        vn(2025, 11, 25, 8),
        vn(2025, 12, 25, 8),
        vn(2026, 1, 23, 8),  # Sun 25/1 → Fri 23/1
        vn(2026, 2, 25, 8),
        vn(2026, 3, 25, 8),
    ]
    assert [n.seq for n in notices] == [202510, 202511, 202512, 202601, 202602, 202603]
    assert notices[0].expires_at == notices[1].at
    custom = ReminderPolicy(checkin_day=31)
    feb = plan(task, now=vn(2026, 2, 1), horizon=vn(2026, 2, 28, 23), policy=custom)
    assert local_moments(feb) == [vn(2026, 2, 27, 8)]  # 28/2 is a Saturday


def test_monthly_checkin_before_a_named_day() -> None:
    # "trước ngày 20 hằng tháng": 3 working days before the 20th.
    task = TaskTiming(9, None, "recurring", recurring_day=20, created_at=vn(2025, 12, 1))
    notices = plan(task, now=vn(2025, 12, 1), horizon=vn(2026, 2, 28))
    assert local_moments(notices) == [
        vn(2025, 12, 17, 8),
        vn(2026, 1, 15, 8),
        vn(2026, 2, 11, 8),  # 20/2 is Tết: 3 working days before are 13, 12, 11/2
    ]


def test_recurring_task_with_period_end_stops_there() -> None:
    task = TaskTiming(9, vn(2026, 1, 31, 17), "recurring", created_at=vn(2025, 10, 1))
    notices = plan(task, now=vn(2025, 10, 1), horizon=vn(2026, 6, 1))
    assert [n.seq for n in notices] == [202510, 202511, 202512, 202601]


# -- the property: never on a day off, never at night --------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    due_day=st.dates(min_value=dtm.date(2025, 1, 1), max_value=dtm.date(2027, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    time_of_day=st.booleans(),
    kind=st.sampled_from(["datetime", "date", "month", "quarter", "year", "recurring"]),
    recurring_day=st.one_of(st.none(), st.integers(1, 31)),
    created_days_before=st.integers(0, 60),
    now_shift_days=st.integers(-30, 30),
)
def test_notices_only_on_working_days_outside_quiet_hours(
    due_day: dtm.date,
    hour: int,
    minute: int,
    time_of_day: bool,
    kind: str,
    recurring_day: int | None,
    created_days_before: int,
    now_shift_days: int,
) -> None:
    due = dtm.datetime.combine(due_day, dtm.time(hour, minute), tzinfo=VN)
    created = due - dtm.timedelta(days=created_days_before)
    now = max(created, due + dtm.timedelta(days=now_shift_days))
    task = TaskTiming(5, due, kind, time_of_day, recurring_day, "open", created)
    horizon = now + dtm.timedelta(days=75)
    notices = plan_notices(task, CAL, DEFAULT_POLICY, now=now, horizon_end=horizon)
    keys = [n.key for n in notices]
    assert len(keys) == len(set(keys))
    assert notices == sorted(notices, key=PlannedNotice.sort_key)
    for n in notices:
        local = n.at.astimezone(VN)
        assert CAL.is_working_day(local.date()), n
        assert not is_quiet(n.at), n
        assert now <= n.at <= horizon and n.at >= created
        if n.kind in ("before_due", "due_today"):
            assert n.at < due
        elif n.kind != "checkin":
            assert local.date() > due.astimezone(VN).date()


# -- collapse_missed -----------------------------------------------------------------------


def test_collapse_missed_keeps_the_latest_overdue() -> None:
    task = dated(vn(2025, 12, 10, 17))
    notices = plan(task, horizon=vn(2026, 1, 31))
    now = vn(2025, 12, 22, 10)  # back after an outage from 11/12
    kept = collapse_missed(notices, now, grace=dtm.timedelta(minutes=10))
    passed = [n for n in kept if n.at <= now]
    assert [(n.kind, n.seq) for n in passed] == [
        ("escalation_unit_head", 1),
        ("overdue", 4),
        ("escalation_leader", 3),
    ]
    assert [n for n in kept if n.at > now] == [n for n in notices if n.at > now]


def test_collapse_missed_drops_useless_before_due() -> None:
    task = dated(vn(2025, 12, 10, 17))
    notices = [n for n in plan(task) if n.kind in ("before_due", "due_today")]
    # Down from 1/12 to 9/12 10:00: 7 and 3 days before missed, 1 day before (9/12 08:00) too;
    # the latest, still before the due moment, is kept.
    kept = collapse_missed(notices, vn(2025, 12, 9, 10), grace=dtm.timedelta(minutes=10))
    assert [(n.kind, n.seq) for n in kept] == [("before_due", 1), ("due_today", 0)]
    # Back only after the due moment: none of them is worth sending.
    assert collapse_missed(notices, vn(2025, 12, 10, 18), grace=dtm.timedelta(minutes=10)) == []


def test_collapse_missed_grace_keeps_tick_lag() -> None:
    task = dated(vn(2025, 12, 10, 17))
    notices = plan(task)
    due_today = next(n for n in notices if n.kind == "due_today")
    lagging = due_today.at + dtm.timedelta(seconds=40)
    kept = collapse_missed([due_today], lagging, grace=dtm.timedelta(minutes=1))
    assert kept == [due_today]


def test_collapse_missed_checkins() -> None:
    task = TaskTiming(9, None, "recurring", created_at=vn(2025, 10, 1))
    notices = plan(task, now=vn(2025, 10, 1), horizon=vn(2026, 3, 31))
    kept = collapse_missed(notices, vn(2026, 1, 5, 9), grace=dtm.timedelta(minutes=10))
    assert [n.seq for n in kept] == [202512, 202601, 202602, 202603]
    # A check-in is no longer useful once the next one is due.
    few = [n for n in notices if n.seq <= 202511]
    assert collapse_missed(few, vn(2026, 1, 5, 9), grace=dtm.timedelta(minutes=10)) == []


# -- quiet hours, digest, keys -------------------------------------------------------------


def test_quiet_hours() -> None:
    assert is_quiet(vn(2025, 12, 10, 21))
    assert is_quiet(vn(2025, 12, 10, 6, 59))
    assert not is_quiet(vn(2025, 12, 10, 7))
    assert not is_quiet(vn(2025, 12, 10, 20, 59))
    assert clamp_out_of_quiet(vn(2025, 12, 10, 22, 15)) == vn(2025, 12, 11, 7)
    assert clamp_out_of_quiet(vn(2025, 12, 10, 5)) == vn(2025, 12, 10, 7)
    assert clamp_out_of_quiet(vn(2025, 12, 10, 10)) == vn(2025, 12, 10, 10)
    # With a calendar, a late send on a Saturday night waits for Monday morning.
    assert clamp_out_of_quiet(vn(2025, 12, 13, 23), calendar=CAL) == vn(2025, 12, 15, 7)
    assert clamp_out_of_quiet(vn(2026, 2, 13, 22), calendar=CAL) == vn(2026, 2, 23, 7)
    assert clamp_out_of_quiet(vn(2025, 12, 10, 22)).tzinfo is dtm.UTC


def test_next_digest_time() -> None:
    assert next_digest_time(vn(2025, 12, 10, 6), CAL) == vn(2025, 12, 10, 7, 30)
    assert next_digest_time(vn(2025, 12, 10, 7, 30), CAL) == vn(2025, 12, 11, 7, 30)
    assert next_digest_time(vn(2025, 12, 12, 8), CAL) == vn(2025, 12, 15, 7, 30)  # Fri → Mon
    assert next_digest_time(vn(2026, 2, 13, 9), CAL) == vn(2026, 2, 23, 7, 30)  # over Tết
    assert next_digest_time(vn(2025, 12, 10, 6), CAL, dtm.time(8)) == vn(2025, 12, 10, 8)
    assert next_digest_time(vn(2025, 12, 10, 6), CAL).tzinfo is dtm.UTC


def test_keys_are_local_and_stable() -> None:
    at = vn(2025, 12, 11, 8)
    assert notice_key(42, "overdue", at) == "42:overdue:20251211T0800"
    n = PlannedNotice(42, "overdue", at, "assignees", 1)
    assert n.key == "42:overdue:20251211T0800" and n.at.tzinfo is dtm.UTC
    again = dataclasses.replace(n)
    assert again == n and hash(again) == hash(n)


def test_naive_datetimes_are_rejected() -> None:
    naive = dtm.datetime(2025, 12, 10, 17)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError):
        TaskTiming(1, naive, "date")
    with pytest.raises(ValueError):
        plan_notices(dated(vn(2025, 12, 10, 17)), CAL, now=naive, horizon_end=FAR)


# -- clocks --------------------------------------------------------------------------------


def test_clocks() -> None:
    start = vn(2025, 10, 1, 8)
    clock = FakeClock(start)
    assert isinstance(clock, Clock) and isinstance(SystemClock(), Clock)
    assert clock.now() == start and clock.now().tzinfo is dtm.UTC
    assert clock.advance(dtm.timedelta(hours=2)) == vn(2025, 10, 1, 10)
    assert clock.set(vn(2026, 1, 1)) == vn(2026, 1, 1)
    with pytest.raises(ValueError):
        clock.advance(dtm.timedelta(seconds=-1))
    with pytest.raises(ValueError):
        FakeClock(dtm.datetime(2025, 10, 1))  # noqa: DTZ001 - naive on purpose
    assert SystemClock().now().tzinfo is dtm.UTC
