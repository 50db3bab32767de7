"""parse_reply: officers' answers with and without diacritics, negations, extension requests,
and properties on arbitrary text. Fixed clock throughout."""

from __future__ import annotations

import datetime as dtm
import random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.replies import STATUSES, ReplyParse, parse_reply

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dtm.datetime(2025, 12, 3, 10, 0, tzinfo=VN)  # a Wednesday
TODAY = NOW.date()


def parse(text: str) -> ReplyParse:
    return parse_reply(text, ref_date=TODAY, now=NOW)


@pytest.mark.parametrize(
    "text, status, percent",
    [
        # done
        ("xong", "done", 100),
        ("xong rồi", "done", 100),
        ("Xong rồi ạ", "done", 100),
        ("đã xong", "done", 100),
        ("da xong", "done", 100),
        ("em làm xong rồi", "done", 100),
        ("hoàn thành", "done", 100),
        ("đã hoàn thành", "done", 100),
        ("da hoan thanh", "done", 100),
        ("HT", "done", 100),
        ("đã HT", "done", 100),
        ("done", "done", 100),
        ("Done!", "done", 100),
        ("100%", "done", 100),
        ("đạt 100%", "done", 100),
        ("đã báo cáo", "done", 100),
        ("đã gửi báo cáo", "done", 100),
        ("da gui bao cao", "done", 100),
        ("đã nộp", "done", 100),
        ("hoàn tất", "done", 100),
        # in progress
        ("đang làm", "in_progress", None),
        ("đang thực hiện", "in_progress", None),
        ("dang thuc hien", "in_progress", None),
        ("đang triển khai", "in_progress", None),
        ("đang làm 60%", "in_progress", 60),
        ("dang lam 60%", "in_progress", 60),
        ("được 60%", "in_progress", 60),
        ("60%", "in_progress", 60),
        ("60 %", "in_progress", 60),
        ("khoảng 60 phần trăm", "in_progress", 60),
        ("khoang 60 phan tram", "in_progress", 60),
        ("từ 40% lên 70%", "in_progress", 70),
        ("62,5%", "in_progress", 62),
        ("được một nửa", "in_progress", 50),
        ("đã hoàn thành 80%", "in_progress", 80),
        ("hoàn thành 80% khối lượng", "in_progress", 80),
        ("tiếp tục thực hiện", "in_progress", None),
        # negated done
        ("chưa xong", "in_progress", None),
        ("chua xong", "in_progress", None),
        ("chưa hoàn thành", "in_progress", None),
        ("chưa làm xong", "in_progress", None),
        ("sắp xong", "in_progress", None),
        ("gần xong rồi", "in_progress", None),
        ("dự kiến hoàn thành tuần sau", "in_progress", None),
        ("xong một phần", "in_progress", None),
        # not started
        ("chưa làm", "not_started", 0),
        ("chưa bắt đầu", "not_started", 0),
        ("chua thuc hien", "not_started", 0),
        ("chưa triển khai", "not_started", 0),
        ("0%", "not_started", 0),
        # unknown: never guess
        ("ok", "unknown", None),
        ("OK", "unknown", None),
        ("vâng", "unknown", None),
        ("dạ", "unknown", None),
        ("?", "unknown", None),
        ("để em xem", "unknown", None),
        ("de em xem", "unknown", None),
        ("", "unknown", None),
        ("   ", "unknown", None),
        ("xong chưa?", "unknown", None),
        ("hoàn thành chưa", "unknown", None),
        ("không vướng gì", "unknown", None),
        ("150%", "unknown", None),
        ("cảm ơn anh", "unknown", None),
    ],
)
def test_status_and_percent(text: str, status: str, percent: int | None) -> None:
    r = parse(text)
    assert (r.status, r.percent) == (status, percent)
    assert r.new_due is None


@pytest.mark.parametrize(
    "text, note",
    [
        ("vướng: chưa có hướng dẫn", "chưa có hướng dẫn"),
        ("vuong: chua co huong dan", "chua co huong dan"),
        ("vướng mắc về kinh phí", "kinh phí"),
        ("Vướng mắc: chưa được bố trí kinh phí", "chưa được bố trí kinh phí"),
        ("khó khăn do thiếu người", "thiếu người"),
        ("gặp khó khăn trong việc thu thập số liệu", "trong việc thu thập số liệu"),
        ("bị vướng", None),
        ("gặp khó khăn", None),
        ("chưa có kinh phí", "chưa có kinh phí"),
        ("chua co kinh phi", "chua co kinh phi"),
        ("đang chờ hướng dẫn của Sở", "chờ hướng dẫn của Sở"),
        ("không thể thực hiện vì chưa có phần mềm", "không thể thực hiện vì chưa có phần mềm"),
    ],
)
def test_blocked_with_reason(text: str, note: str | None) -> None:
    r = parse(text)
    assert r.status == "blocked"
    assert r.note == note


def test_blocked_keeps_percent() -> None:
    r = parse("đang làm 60%, vướng kinh phí")
    assert (r.status, r.percent, r.note) == ("blocked", 60, "kinh phí")


@pytest.mark.parametrize(
    "text, status",
    [
        ("không vướng gì", "unknown"),
        ("đang làm, không vướng gì", "in_progress"),
        ("đã xong, không có khó khăn gì", "done"),
        ("ko vướng mắc, đang làm 70%", "in_progress"),
        ("không gặp khó khăn", "unknown"),
        ("hết vướng rồi, đang làm tiếp", "in_progress"),
    ],
)
def test_negated_blocker_is_not_blocked(text: str, status: str) -> None:
    assert parse(text).status == status


@pytest.mark.parametrize(
    "text, new_due, note",
    [
        ("xin gia hạn đến 20/12", dtm.date(2025, 12, 20), None),
        ("xin gia han den 20/12", dtm.date(2025, 12, 20), None),
        ("Xin gia hạn đến ngày 20/12/2025", dtm.date(2025, 12, 20), None),
        ("xin lùi đến thứ sáu tuần sau", dtm.date(2025, 12, 12), None),
        ("xin lui den thu sau tuan sau", dtm.date(2025, 12, 12), None),
        ("gia hạn 1 tuần", dtm.date(2025, 12, 10), None),
        ("xin thêm 3 ngày", dtm.date(2025, 12, 6), None),
        ("cho em thêm 2 ngày nữa", dtm.date(2025, 12, 5), None),
        ("gia hạn thêm 1 tuần", dtm.date(2025, 12, 10), None),
        ("xin gia hạn đến cuối tháng", dtm.date(2025, 12, 31), None),
        (
            "xin gia hạn đến 20/12 vì chờ hướng dẫn của Sở",
            dtm.date(2025, 12, 20),
            "chờ hướng dẫn của Sở",
        ),
        ("xin gia hạn đến 20/12, lý do: thiếu số liệu", dtm.date(2025, 12, 20), "thiếu số liệu"),
        ("lùi sang tuần sau: chờ Sở", dtm.date(2025, 12, 12), "chờ Sở"),
        ("xin gia hạn do chưa có kinh phí", None, "chưa có kinh phí"),
        ("em xin gia hạn đến 20/12 được không ạ?", dtm.date(2025, 12, 20), None),
        ("xin gia hạn", None, None),
    ],
)
def test_extension(text: str, new_due: dtm.date | None, note: str | None) -> None:
    r = parse(text)
    assert r.status == "extension"
    assert r.new_due == new_due
    assert r.note == note


def test_negated_extension_is_not_extension() -> None:
    r = parse("không cần gia hạn, đang làm 80%")
    assert (r.status, r.percent) == ("in_progress", 80)


def test_default_now_from_ref_date() -> None:
    r = parse_reply("gia hạn 1 tuần", ref_date=dtm.date(2025, 12, 1))
    assert r.new_due == dtm.date(2025, 12, 8)


def test_to_json_shape() -> None:
    assert parse("xin gia hạn đến 20/12 vì chờ Sở").to_json() == {
        "status": "extension",
        "percent": None,
        "new_due": "2025-12-20",
        "note": "chờ Sở",
    }
    assert parse("ok").to_json() == {
        "status": "unknown",
        "percent": None,
        "new_due": None,
        "note": None,
    }


def test_long_random_text_is_unknown() -> None:
    rng = random.Random(42)
    text = "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyz ăâđêôơư0123456789") for _ in range(10_000)
    )
    assert parse(text).status == "unknown"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_parse_reply_never_raises(text: str) -> None:
    r = parse(text)
    assert r.status in STATUSES
    assert r.percent is None or 0 <= r.percent <= 100
    assert r.new_due is None or r.status == "extension"
    r.to_json()


_WORDS = st.sampled_from(
    [
        "xong",
        "chưa",
        "đang",
        "làm",
        "vướng",
        "không",
        "gia hạn",
        "xin",
        "đến",
        "20/12",
        "thứ sáu",
        "tuần sau",
        "60%",
        "150%",
        "vì",
        ":",
        "?",
        "ok",
        "thêm",
        "3 ngày",
        "hoàn thành",
        "khó khăn",
        "lùi",
        "sang",
        " ",
        ",",
        "mai",
        "8h",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_WORDS, max_size=10).map(" ".join))
def test_word_soup_never_raises(text: str) -> None:
    r = parse(text)
    assert r.status in STATUSES
    assert r.percent is None or 0 <= r.percent <= 100
