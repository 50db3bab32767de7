"""ARCHITECTURE §5 deadline semantics, table by table, and the parsers never raise."""

from __future__ import annotations

import datetime as dtm

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.deadlines import parse_colloquial, parse_deadline
from plans.replies import parse_reply

NOW = dtm.datetime(2025, 12, 3, 9, 0, tzinfo=dtm.timezone(dtm.timedelta(hours=7)))


@pytest.mark.parametrize("text, kind, due", [
    ("15 giờ, ngày 06/5/2026", "datetime", "2026-05-06T15:00:00+07:00"),
    ("chậm nhất 15h00 ngày 06/5/2026", "datetime", "2026-05-06T15:00:00+07:00"),
    ("05/12/2025", "date", "2025-12-05T17:00:00+07:00"),
    ("ngày 5 tháng 12 năm 2025", "date", "2025-12-05T17:00:00+07:00"),
    ("trước ngày 10/12", "date", "2025-12-10T17:00:00+07:00"),
    ("Tháng 11/2025", "month", "2025-11-30T17:00:00+07:00"),
    ("trong tháng 11/2025", "month", "2025-11-30T17:00:00+07:00"),
    ("Thang 9/2025", "month", "2025-09-30T17:00:00+07:00"),
    ("Quý IV/2025", "quarter", "2025-12-31T17:00:00+07:00"),
    ("Quý III, IV/2026", "quarter", "2026-12-31T17:00:00+07:00"),
    ("Năm 2026", "year", "2026-12-31T17:00:00+07:00"),
    ("2026 - 2030", "year", "2030-12-31T17:00:00+07:00"),
    ("Thường xuyên", "recurring", None),
    ("Thuong xuyen", "recurring", None),
    ("Hằng tháng", "recurring", None),
    ("Sau khi có hướng dẫn của Bộ Nội vụ", "conditional", None),
    ("Sau khi co huong dan", "conditional", None),
    ("Theo yêu cầu", "on_request", None),
    ("", "none", None),
])
def test_formal_forms(text, kind, due):
    result = parse_deadline(text, plan_year=2025).to_json()
    assert result["kind"] == kind
    assert result["due"] == due


def test_month_with_condition_keeps_both():
    result = parse_deadline("Tháng 10/2025 (sau khi Chính phủ ban hành Nghị định)", plan_year=2025)
    assert result.kind == "month" and result.due is not None and result.condition


@pytest.mark.parametrize("text, expected", [
    ("20/12", dtm.date(2025, 12, 20)),
    ("thứ sáu tuần sau", dtm.date(2025, 12, 12)),
    ("3 ngày nữa", dtm.date(2025, 12, 6)),
    ("cuối tháng", dtm.date(2025, 12, 31)),
])
def test_colloquial(text, expected):
    moment = parse_colloquial(text, now=NOW)
    assert moment is not None and moment.astimezone(NOW.tzinfo).date() == expected


@pytest.mark.parametrize("text, status, percent", [
    ("xong rồi", "done", 100), ("da xong", "done", 100), ("đã hoàn thành", "done", 100),
    ("đang làm 60%", "in_progress", 60), ("dang lam 60%", "in_progress", 60),
    ("dang thuc hien", "in_progress", None), ("chưa làm", "not_started", 0),
    ("vướng: chưa có hướng dẫn", "blocked", None), ("ok", "unknown", None),
    ("vâng", "unknown", None), ("", "unknown", None),
])
def test_replies(text, status, percent):
    result = parse_reply(text, ref_date=NOW.date(), now=NOW)
    assert result.status == status and result.percent == percent


def test_extension_reply_has_date_and_reason():
    result = parse_reply("xin gia hạn đến 20/12 vì chờ hướng dẫn của Sở", ref_date=NOW.date(),
                         now=NOW)
    assert result.status == "extension" and result.new_due == dtm.date(2025, 12, 20)
    assert result.note and "hướng dẫn" in result.note


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raise(text):
    d = parse_deadline(text, plan_year=2025)
    assert d.due is None or d.due.tzinfo is not None
    parse_reply(text, ref_date=NOW.date(), now=NOW)
    moment = parse_colloquial(text[:60], now=NOW)
    assert moment is None or moment.tzinfo is not None
