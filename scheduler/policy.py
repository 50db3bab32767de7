"""Reminder policy: which notices a task gets, and when. Pure: no database, no Telegram.

The outbox stores what `plan_notices` returns (one row per notice × recipient, keyed by
`PlannedNotice.key`), rewrites pending rows when a task changes, and after downtime runs
`collapse_missed` over the pending rows whose moment passed.

All moments are computed in the calendar's local time (Asia/Ho_Chi_Minh) and returned as
aware UTC datetimes.

Rules (defaults of `ReminderPolicy`):

- Dated tasks (a `due_at`): `before_due` at 08:00, 7, 3 and 1 working days before the due
  date (seq = the offset); `due_today` at 08:00 on the due date; for a deadline with a time of
  day other than the end of the working day (17:00), one more `before_due` 2 hours before
  (seq = 0). Then `overdue` at 08:00 on the first working day after the due date and every
  2 working days after that (seq = 1, 2, …), up to `horizon_end`. `escalation_unit_head`
  when 1 overdue notice has gone unanswered — i.e. at the moment of overdue notice 2 — and
  `escalation_leader` after 3 — at the moment of overdue notice 4 (seq = the count).
- A pre-due notice whose moment falls on a day off moves to the previous working day at the
  same hour; one that falls in quiet hours moves to the end of quiet hours (07:00) that day,
  or, when quiet hours wrap past midnight and it is in the evening part, back to one hour
  before they start (20:00). It is dropped if it is then not before the due moment or before
  the task's creation. Several notices on one moment collapse into one (an unmoved notice
  wins over a moved one, then the one closest to the due moment).
- Recurring tasks ("Thường xuyên", "Hằng tháng"): one `checkin` a month at 08:00, on the
  25th moved to the previous working day, or, when the plan named a day ("trước ngày 20 hằng
  tháng"), 3 working days before that day (seq = yyyymm). If a recurring task has a `due_at`
  (the end of its period), check-ins stop there.
- Conditional / on-request / no-deadline tasks, and tasks in status "waiting": nothing while
  they have no `due_at`; once a monitor activates them with a date they are dated tasks.
- Done (or cancelled / closed) tasks: nothing.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from scheduler.calendar import DEFAULT_TZ, WorkingCalendar

__all__ = [
    "CLOSED_STATUSES",
    "DEFAULT_POLICY",
    "KIND_FAMILY",
    "Audience",
    "NoticeKind",
    "PlannedNotice",
    "ReminderPolicy",
    "TaskTiming",
    "clamp_out_of_quiet",
    "collapse_missed",
    "is_quiet",
    "next_digest_time",
    "notice_key",
    "plan_notices",
]

NoticeKind = Literal[
    "before_due",
    "due_today",
    "overdue",
    "escalation_unit_head",
    "escalation_leader",
    "checkin",
]
Audience = Literal["assignees", "unit_head", "leader"]

NOTICE_KINDS: tuple[str, ...] = get_args(NoticeKind)
AUDIENCE_OF: dict[str, Audience] = {
    "before_due": "assignees",
    "due_today": "assignees",
    "overdue": "assignees",
    "escalation_unit_head": "unit_head",
    "escalation_leader": "leader",
    "checkin": "assignees",
}
# Missed notices of one family supersede each other: only the latest is worth sending.
KIND_FAMILY: dict[str, str] = {
    "before_due": "before",
    "due_today": "before",
    "overdue": "overdue",
    "escalation_unit_head": "escalation_unit_head",
    "escalation_leader": "escalation_leader",
    "checkin": "checkin",
}
# Order of kinds at one moment in a sorted result (and ties in collapse_missed).
_KIND_RANK = {kind: i for i, kind in enumerate(NOTICE_KINDS)}

CLOSED_STATUSES = frozenset({"done", "cancelled", "canceled", "closed"})
# A conditional task that no monitor has activated yet (db.models.TaskStatus.WAITING).
WAITING_STATUSES = frozenset({"waiting"})
RECURRING_KINDS = frozenset({"recurring"})

_LOCAL_TZ = ZoneInfo(DEFAULT_TZ)


def _require_aware(value: dtm.datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got naive {value!r}")


def _in_window(t: dtm.time, start: dtm.time, end: dtm.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


@dataclass(frozen=True)
class ReminderPolicy:
    """Settings of the reminder policy (per organisation); see the module docstring."""

    before_offsets: tuple[int, ...] = (7, 3, 1)  # working days before the due date
    before_time: dtm.time = dtm.time(8, 0)
    due_day_time: dtm.time | None = dtm.time(8, 0)  # None: no due_today notice
    end_of_working_day: dtm.time = dtm.time(17, 0)  # a due at this time gets no hours_before
    hours_before: dtm.timedelta | None = dtm.timedelta(hours=2)  # for time-of-day deadlines
    overdue_time: dtm.time = dtm.time(8, 0)
    overdue_every: int = 2  # working days between overdue notices
    max_overdue: int | None = None  # None: while open, up to the horizon
    escalate_unit_head_after: int | None = 1  # overdue notices gone unanswered; None: never
    escalate_leader_after: int | None = 3
    quiet_start: dtm.time = dtm.time(21, 0)
    quiet_end: dtm.time = dtm.time(7, 0)
    checkin_day: int = 25  # day of month for recurring tasks without a named day
    checkin_time: dtm.time = dtm.time(8, 0)
    recurring_lead_days: int = 3  # working days before a named day ("trước ngày 20")
    digest_time: dtm.time = dtm.time(7, 30)

    def __post_init__(self) -> None:
        if any(not isinstance(k, int) or k <= 0 for k in self.before_offsets):
            raise ValueError(f"before_offsets must be positive ints, got {self.before_offsets}")
        if self.overdue_every < 1:
            raise ValueError("overdue_every must be at least 1")
        if self.max_overdue is not None and self.max_overdue < 0:
            raise ValueError("max_overdue must not be negative")
        for name in ("escalate_unit_head_after", "escalate_leader_after"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        if not 1 <= self.checkin_day <= 31:
            raise ValueError("checkin_day must be 1..31")
        if self.recurring_lead_days < 0:
            raise ValueError("recurring_lead_days must not be negative")
        if self.hours_before is not None and self.hours_before <= dtm.timedelta(0):
            raise ValueError("hours_before must be positive")
        for name in ("before_time", "due_day_time", "overdue_time", "checkin_time", "digest_time"):
            value = getattr(self, name)
            if value is not None and self.is_quiet_time(value):
                raise ValueError(f"{name} {value} falls in quiet hours")

    def is_quiet_time(self, t: dtm.time) -> bool:
        """Whether a local wall-clock time is inside quiet hours."""
        return _in_window(t.replace(tzinfo=None), self.quiet_start, self.quiet_end)


DEFAULT_POLICY = ReminderPolicy()


@dataclass(frozen=True)
class TaskTiming:
    """What the policy needs to know about a task."""

    task_id: int | str
    due_at: dtm.datetime | None  # aware; None: no single due moment
    deadline_kind: str = "date"  # the kinds of ARCHITECTURE §5
    has_time_of_day: bool = False  # the deadline named an hour ("15 giờ, ngày 06/5/2026")
    recurring_day: int | None = None  # "trước ngày 20 hằng tháng" → 20
    status: str = "open"
    created_at: dtm.datetime | None = None  # aware; nothing is planned before it

    def __post_init__(self) -> None:
        if self.due_at is not None:
            _require_aware(self.due_at, "due_at")
        if self.created_at is not None:
            _require_aware(self.created_at, "created_at")
        if self.recurring_day is not None and not 1 <= self.recurring_day <= 31:
            raise ValueError(f"recurring_day must be 1..31, got {self.recurring_day}")


def notice_key(task_id: int | str, kind: str, at: dtm.datetime, tz: dtm.tzinfo = _LOCAL_TZ) -> str:
    """Stable unique key of a notice: task, kind and local minute, e.g. '42:overdue:20251202T0800'."""
    return f"{task_id}:{kind}:{at.astimezone(tz):%Y%m%dT%H%M}"


@dataclass(frozen=True)
class PlannedNotice:
    """One notice the outbox should deliver (to every recipient of `audience`).

    `seq`: working days before the due for before_due (0 for the hours-before one), 0 for
    due_today, the overdue number for overdue, the unanswered overdue count for escalations,
    yyyymm for checkin. `due_at`: the due moment the notice is about (None for check-ins).
    `expires_at`: after it the notice is no longer worth sending (the due moment for pre-due
    notices, the next check-in for a check-in, None for overdue and escalations).
    `key` defaults to `notice_key(...)` in Asia/Ho_Chi_Minh.
    """

    task_id: int | str
    kind: NoticeKind
    at: dtm.datetime
    audience: Audience
    seq: int = 0
    due_at: dtm.datetime | None = None
    expires_at: dtm.datetime | None = None
    key: str = field(default="")

    def __post_init__(self) -> None:
        _require_aware(self.at, "at")
        if self.kind not in _KIND_RANK:
            raise ValueError(f"unknown notice kind {self.kind!r}")
        if self.at.tzinfo is not dtm.UTC:
            object.__setattr__(self, "at", self.at.astimezone(dtm.UTC))
        if not self.key:
            object.__setattr__(self, "key", notice_key(self.task_id, self.kind, self.at))

    @property
    def family(self) -> str:
        return KIND_FAMILY[self.kind]

    def is_useful(self, now: dtm.datetime) -> bool:
        """Whether sending it at `now` still makes sense."""
        limit = self.expires_at
        if limit is None and self.family == "before":
            limit = self.due_at
        return limit is None or now < limit

    def sort_key(self) -> tuple[dtm.datetime, str, int, int]:
        return (self.at, str(self.task_id), _KIND_RANK[self.kind], self.seq)


# -- quiet hours and digest ------------------------------------------------------------------


def is_quiet(
    at: dtm.datetime, policy: ReminderPolicy = DEFAULT_POLICY, tz: dtm.tzinfo = _LOCAL_TZ
) -> bool:
    """Whether the moment `at` (aware) is inside quiet hours, local time."""
    _require_aware(at, "at")
    return policy.is_quiet_time(at.astimezone(tz).time())


def clamp_out_of_quiet(
    at: dtm.datetime,
    policy: ReminderPolicy = DEFAULT_POLICY,
    *,
    calendar: WorkingCalendar | None = None,
    tz: dtm.tzinfo | None = None,
) -> dtm.datetime:
    """The first moment at or after `at` outside quiet hours (UTC); for late sends.

    A moment in quiet hours goes to the next end of quiet hours (07:00). With a `calendar`,
    a moment on a day off also goes to 07:00 of the next working day, so a notice missed
    during a weekend outage waits for Monday morning.
    """
    _require_aware(at, "at")
    zone: dtm.tzinfo = tz or (calendar.tz if calendar is not None else _LOCAL_TZ)
    local = at.astimezone(zone)
    for _ in range(4):
        moved = False
        if policy.is_quiet_time(local.time()):
            day = local.date()
            if local.time() >= policy.quiet_end:  # evening part: quiet ends tomorrow
                day += dtm.timedelta(days=1)
            local = dtm.datetime.combine(day, policy.quiet_end, tzinfo=zone)
            moved = True
        if calendar is not None and not calendar.is_working_day(local.date()):
            day = calendar.next_working_day(local.date())
            local = dtm.datetime.combine(day, policy.quiet_end, tzinfo=zone)
            moved = True
        if not moved:
            break
    return local.astimezone(dtm.UTC)


def next_digest_time(
    now: dtm.datetime,
    calendar: WorkingCalendar,
    digest_time: dtm.time = dtm.time(7, 30),
) -> dtm.datetime:
    """The first working-day `digest_time` (local) strictly after `now`, in UTC."""
    _require_aware(now, "now")
    local = calendar.local(now)
    day = local.date()
    candidate = dtm.datetime.combine(day, digest_time, tzinfo=calendar.tz)
    if not (calendar.is_working_day(day) and candidate > local):
        day = calendar.next_working_day(day)
        candidate = dtm.datetime.combine(day, digest_time, tzinfo=calendar.tz)
    return candidate.astimezone(dtm.UTC)


# -- planning --------------------------------------------------------------------------------


@dataclass
class _Candidate:
    notice: PlannedNotice
    original: dtm.datetime  # the moment before any move
    moved: bool


def _fit_pre_due(
    local: dtm.datetime,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
) -> tuple[dtm.datetime, bool]:
    """Move a pre-due local moment off days off and out of quiet hours (earlier if possible)."""
    tz = calendar.tz
    moved = False
    day = local.date()
    if not calendar.is_working_day(day):
        day = calendar.previous_working_day(day)
        local = dtm.datetime.combine(day, local.time(), tzinfo=tz)
        moved = True
    t = local.time()
    if policy.is_quiet_time(t):
        wraps = policy.quiet_start > policy.quiet_end
        if wraps and t >= policy.quiet_start:
            # Evening part: the end of quiet hours is tomorrow, too late; say it earlier.
            start = dtm.datetime.combine(day, policy.quiet_start, tzinfo=tz)
            local = start - dtm.timedelta(hours=1)
        else:
            local = dtm.datetime.combine(day, policy.quiet_end, tzinfo=tz)
        moved = True
    return local, moved


def _plan_dated(
    task: TaskTiming,
    due_utc: dtm.datetime,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
    *,
    now: dtm.datetime,
    horizon_end: dtm.datetime,
) -> list[PlannedNotice]:
    tz = calendar.tz
    due = due_utc.astimezone(tz)
    due_date = due.date()
    tid = task.task_id
    lower = max(now, task.created_at) if task.created_at is not None else now
    candidates: list[_Candidate] = []

    def add_pre(kind: NoticeKind, seq: int, local: dtm.datetime) -> _Candidate | None:
        fitted, moved = _fit_pre_due(local, calendar, policy)
        at = fitted.astimezone(dtm.UTC)
        if not at < due_utc:
            return None
        if task.created_at is not None and at < task.created_at:
            return None
        notice = PlannedNotice(
            tid, kind, at, "assignees", seq, due_utc, due_utc, notice_key(tid, kind, at, tz)
        )
        cand = _Candidate(notice, local, moved)
        candidates.append(cand)
        return cand

    for k in sorted(set(policy.before_offsets), reverse=True):
        day = calendar.add_working_days(due_date, -k)
        add_pre("before_due", k, dtm.datetime.combine(day, policy.before_time, tzinfo=tz))
    due_today: _Candidate | None = None
    if policy.due_day_time is not None:
        local = dtm.datetime.combine(due_date, policy.due_day_time, tzinfo=tz)
        due_today = add_pre("due_today", 0, local)
    if (
        policy.hours_before is not None
        and task.has_time_of_day
        and due.time().replace(tzinfo=None) != policy.end_of_working_day
    ):
        hb = add_pre("before_due", 0, due - policy.hours_before)
        # Not worth a second message when it would come no later than the morning one.
        if hb is not None and due_today is not None and hb.notice.at < due_today.notice.at:
            candidates.remove(hb)

    # Several pre-due notices on one moment: keep the unmoved one, then the closest to due.
    by_moment: dict[dtm.datetime, _Candidate] = {}
    for cand in candidates:
        best = by_moment.get(cand.notice.at)
        if best is None or (not cand.moved, cand.original) > (not best.moved, best.original):
            by_moment[cand.notice.at] = cand
    result = [c.notice for c in by_moment.values() if lower <= c.notice.at <= horizon_end]

    # Overdue series: first working day after the due date, then every `overdue_every`.
    first = calendar.next_working_day(due_date)
    every = policy.overdue_every

    def overdue_day(number: int) -> dtm.date:
        return calendar.add_working_days(first, (number - 1) * every)

    lower_date = calendar.local_date(lower)
    start = 1
    if lower_date > first:
        start = max(1, calendar.working_days_between(first, lower_date) // every)
    number = start
    while policy.max_overdue is None or number <= policy.max_overdue:
        at = calendar.at_local(overdue_day(number), policy.overdue_time)
        if at > horizon_end:
            break
        if at >= lower:
            key = notice_key(tid, "overdue", at, tz)
            result.append(
                PlannedNotice(tid, "overdue", at, "assignees", number, due_utc, None, key)
            )
        number += 1

    escalations: tuple[tuple[NoticeKind, int | None], ...] = (
        ("escalation_unit_head", policy.escalate_unit_head_after),
        ("escalation_leader", policy.escalate_leader_after),
    )
    for kind, after in escalations:
        if after is None:
            continue
        at = calendar.at_local(overdue_day(after + 1), policy.overdue_time)
        if lower <= at <= horizon_end:
            key = notice_key(tid, kind, at, tz)
            result.append(
                PlannedNotice(tid, kind, at, AUDIENCE_OF[kind], after, due_utc, None, key)
            )
    return result


def _checkin_moment(
    year: int,
    month: int,
    day_of_month: int,
    named: bool,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
) -> dtm.datetime:
    month_len = (dtm.date(year + month // 12, month % 12 + 1, 1) - dtm.timedelta(days=1)).day
    target = dtm.date(year, month, min(day_of_month, month_len))
    if named:
        day = calendar.add_working_days(target, -policy.recurring_lead_days)
    else:
        day = calendar.previous_working_day(target)
    return calendar.at_local(day, policy.checkin_time)


def _plan_checkins(
    task: TaskTiming,
    calendar: WorkingCalendar,
    policy: ReminderPolicy,
    *,
    now: dtm.datetime,
    horizon_end: dtm.datetime,
) -> list[PlannedNotice]:
    tz = calendar.tz
    lower = max(now, task.created_at) if task.created_at is not None else now
    named = task.recurring_day is not None
    dom = task.recurring_day if task.recurring_day is not None else policy.checkin_day
    first = calendar.local_date(lower)
    last = calendar.local_date(horizon_end)
    # A check-in can move into the previous month (working days before the 1st): start early.
    y, m = (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
    result: list[PlannedNotice] = []
    at = _checkin_moment(y, m, dom, named, calendar, policy)
    while (y, m) <= (last.year, last.month + 1):
        ny, nm = (y, m + 1) if m < 12 else (y + 1, 1)
        nxt = _checkin_moment(ny, nm, dom, named, calendar, policy)
        in_period = task.due_at is None or at < task.due_at
        if lower <= at <= horizon_end and in_period:
            key = notice_key(task.task_id, "checkin", at, tz)
            result.append(
                PlannedNotice(task.task_id, "checkin", at, "assignees", y * 100 + m, None, nxt, key)
            )
        y, m, at = ny, nm, nxt
    return result


def plan_notices(
    task: TaskTiming,
    calendar: WorkingCalendar,
    policy: ReminderPolicy = DEFAULT_POLICY,
    *,
    now: dtm.datetime,
    horizon_end: dtm.datetime,
) -> list[PlannedNotice]:
    """The notices of `task` with moments in [max(now, created_at), horizon_end], sorted.

    Keys are unique in the result. The same task, policy and calendar always give the same
    notices (same keys and seq) for the same moments, whatever `now` is, so the outbox can
    re-plan and upsert by key.
    """
    _require_aware(now, "now")
    _require_aware(horizon_end, "horizon_end")
    if task.status in CLOSED_STATUSES or task.status in WAITING_STATUSES:
        return []
    if task.deadline_kind in RECURRING_KINDS:
        notices = _plan_checkins(task, calendar, policy, now=now, horizon_end=horizon_end)
    elif task.due_at is None:
        return []
    else:
        due_utc = task.due_at.astimezone(dtm.UTC)
        notices = _plan_dated(task, due_utc, calendar, policy, now=now, horizon_end=horizon_end)
    unique = {n.key: n for n in notices}
    return sorted(unique.values(), key=PlannedNotice.sort_key)


def collapse_missed(
    notices: Iterable[PlannedNotice],
    now: dtm.datetime,
    *,
    grace: dtm.timedelta = dtm.timedelta(minutes=15),
) -> list[PlannedNotice]:
    """What is still worth sending of pending notices, after downtime (sorted).

    - Notices whose moment is after `now` are kept as they are.
    - A passed notice less than `grace` late is normal tick lag: kept as is.
    - Of the passed notices of one task, kind family (before_due + due_today; overdue; each
      escalation; checkin) and audience, only the latest is kept, and only if still useful
      (`PlannedNotice.is_useful`: a before-due notice for a due moment already passed is
      not; an overdue or an escalation always is). The older ones are superseded.

    The caller sends what is returned (using `clamp_out_of_quiet` for the passed ones) and
    cancels the rest.
    """
    _require_aware(now, "now")
    kept: list[PlannedNotice] = []
    groups: dict[tuple[str, str, str], list[PlannedNotice]] = {}
    for n in notices:
        if n.at > now:
            kept.append(n)
        else:
            groups.setdefault((str(n.task_id), n.family, n.audience), []).append(n)
    for group in groups.values():
        group.sort(key=PlannedNotice.sort_key)
        latest = group[-1]
        for n in group[:-1]:
            if now - n.at <= grace:
                kept.append(n)
        if now - latest.at <= grace or latest.is_useful(now):
            kept.append(latest)
    unique = {n.key: n for n in kept}
    return sorted(unique.values(), key=PlannedNotice.sort_key)
