"""parse_deadline (ARCHITECTURE §5) and parse_colloquial: every kind and form, OCR and
no-diacritics variants, and properties on arbitrary text. Fixed clock throughout."""

from __future__ import annotations

import datetime as dtm
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.deadlines import KINDS, Deadline, parse_colloquial, parse_deadline
from plans.text import fold, fold_aligned, normalize_spaces, roman_to_int, strip_diacritics

VN = ZoneInfo("Asia/Ho_Chi_Minh")
REF = dtm.date(2025, 10, 17)  # the Đại Sơn plan's issue date
NOW = dtm.datetime(2025, 12, 3, 10, 0, tzinfo=VN)  # a Wednesday
FIXTURES = Path(__file__).parent / "fixtures"


def at(y: int, m: int, d: int, h: int = 17, mi: int = 0) -> str:
    return dtm.datetime(y, m, d, h, mi, tzinfo=VN).isoformat()


# ---------------------------------------------------------------------------------------------
# text helpers


@pytest.mark.parametrize(
    "raw, folded",
    [
        ("Thường xuyên", "thuong xuyen"),
        ("  THƯỜNG   XUYÊN \n", "thuong xuyen"),
        ("Đường Đặng", "duong dang"),
        ("Thuong xuyén", "thuong xuyen"),
        ("Quý IV/2025", "quy iv/2025"),
        ("Tho\u0302ng tin", "thong tin"),  # decomposed input (NFD)
        ("", ""),
        ("nghi¢p", "nghiep"),
        ("a\u00a0b", "a b"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_aligned_keeps_offsets() -> None:
    orig, f = fold_aligned("Tháng 10/2025 (sau khi Chính phủ ban hành)")
    assert len(orig) == len(f)
    i = f.index("sau khi")
    assert orig[i : i + 7] == "sau khi"


def test_small_helpers() -> None:
    assert normalize_spaces("  a \t b\n c ") == "a b c"
    assert strip_diacritics("Thường Xuyên Đ") == "Thuong Xuyen D"
    assert [roman_to_int(s) for s in ("I", "iv", "IX", "xii", "abc", "")] == [
        1,
        4,
        9,
        12,
        None,
        None,
    ]


# ---------------------------------------------------------------------------------------------
# parse_deadline: dated kinds

DATED = [
    # datetime
    ("15 giờ, ngày 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("chậm nhất 15 giờ, ngày 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("chậm nhất 15h00 ngày 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("15h00' ngày 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("15h ngày 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("15:00 ngày 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("8 giờ 30 phút ngày 05/12/2025", "datetime", at(2025, 12, 5, 8, 30)),
    ("ngày 05/12/2025 lúc 9h30", "datetime", at(2025, 12, 5, 9, 30)),
    ("cham nhat 15 gio, ngay 06/5/2026", "datetime", at(2026, 5, 6, 15)),
    ("2 giờ chiều ngày 05/12/2025", "datetime", at(2025, 12, 5, 14)),
    ("trước 17h00 thứ Sáu, ngày 05/12/2025", "datetime", at(2025, 12, 5, 17)),
    ("17h ngày 5/12", "datetime", at(2025, 12, 5, 17)),
    ("Hằng tháng, lần đầu trước 15/12/2025", "date", at(2025, 12, 15)),
    # date
    ("05/12/2025", "date", at(2025, 12, 5)),
    ("5/12/2025", "date", at(2025, 12, 5)),
    ("05-12-2025", "date", at(2025, 12, 5)),
    ("05.12.2025", "date", at(2025, 12, 5)),
    ("05/12/25", "date", at(2025, 12, 5)),
    ("ngày 5 tháng 12 năm 2025", "date", at(2025, 12, 5)),
    ("ngay 5 thang 12 nam 2025", "date", at(2025, 12, 5)),
    ("chậm nhất ngày 05/12/2025", "date", at(2025, 12, 5)),
    ("trước ngày 10/12", "date", at(2025, 12, 10)),
    ("truoc ngay 10/12", "date", at(2025, 12, 10)),
    ("Trước 30/11/2025", "date", at(2025, 11, 30)),
    ("từ 01/10 đến 30/11/2025", "date", at(2025, 11, 30)),
    ("Từ ngày 01/10/2025 đến ngày 30/11/2025", "date", at(2025, 11, 30)),
    ("05 / 12 / 2025", "date", at(2025, 12, 5)),
    ("| 05/12/2025 |", "date", at(2025, 12, 5)),
    ("Hoàn thành trước ngày 15 tháng 11 năm 2025", "date", at(2025, 11, 15)),
    ("15-20/12/2025", "date", at(2025, 12, 20)),
    # month
    ("Tháng 11/2025", "month", at(2025, 11, 30)),
    ("trong tháng 11/2025", "month", at(2025, 11, 30)),
    ("T11/2025", "month", at(2025, 11, 30)),
    ("tháng 11 năm 2025", "month", at(2025, 11, 30)),
    ("Tháng 12 năm 2025", "month", at(2025, 12, 31)),
    ("Tháng 10, 11/2025", "month", at(2025, 11, 30)),
    ("Tháng 10 - tháng 12/2025", "month", at(2025, 12, 31)),
    ("Tháng 2/2026", "month", at(2026, 2, 28)),
    ("Thang 9/2025", "month", at(2025, 9, 30)),
    ("Thang 12/2026", "month", at(2026, 12, 31)),
    ("Thang 12 / 2025 |", "month", at(2025, 12, 31)),
    ("11/2025", "month", at(2025, 11, 30)),
    ("Tháng 12", "month", at(2025, 12, 31)),
    ("6 tháng đầu năm 2026", "month", at(2026, 6, 30)),
    # quarter
    ("Quý IV/2025", "quarter", at(2025, 12, 31)),
    ("Quý III, IV/2026", "quarter", at(2026, 12, 31)),
    ("Quý 4/2025", "quarter", at(2025, 12, 31)),
    ("quý I năm 2026", "quarter", at(2026, 3, 31)),
    ("Hoàn thành trong Quý I/2026", "quarter", at(2026, 3, 31)),
    ("Quy IV/2025", "quarter", at(2025, 12, 31)),
    ("Quy lV/2025", "quarter", at(2025, 12, 31)),  # OCR: l for I
    ("Quý II và Quý III/2026", "quarter", at(2026, 9, 30)),
    ("Quý IV", "quarter", at(2025, 12, 31)),
    # year
    ("Năm 2026", "year", at(2026, 12, 31)),
    ("Nam 2026", "year", at(2026, 12, 31)),
    ("trong năm 2026", "year", at(2026, 12, 31)),
    ("2026 - 2030", "year", at(2030, 12, 31)),
    ("giai đoạn 2026-2030", "year", at(2030, 12, 31)),
    ("Giai đoạn 2026 – 2030", "year", at(2030, 12, 31)),
    ("Năm 2025 và các năm tiếp theo", "year", at(2025, 12, 31)),
]


@pytest.mark.parametrize("text, kind, due", DATED)
def test_dated_kinds(text: str, kind: str, due: str) -> None:
    d = parse_deadline(text, plan_year=2025)
    assert (d.kind, d.to_json()["due"]) == (kind, due)
    assert d.text == text.strip()


UNDATED = [
    ("Thường xuyên", "recurring"),
    ("Thuong xuyen", "recurring"),
    ("Thuong xuyén", "recurring"),
    ("THƯỜNG XUYÊN", "recurring"),
    ("Hằng tháng", "recurring"),
    ("Hàng tháng", "recurring"),
    ("hang quy", "recurring"),
    ("Hằng năm", "recurring"),
    ("Định kỳ", "recurring"),
    ("Liên tục", "recurring"),
    ("Hằng tháng, năm 2026", "recurring"),
    ("Tháng 12 hằng năm", "recurring"),
    ("trước 15/12 hằng năm", "recurring"),
    ("Sau khi có hướng dẫn của Bộ Nông nghiệp và Môi trường", "conditional"),
    ("Sau khi co huong dan", "conditional"),
    ("Sau khi c6 huéng dan cua B Nong nghiép va Moi truong", "conditional"),
    ("Sau khi c6 quy dinh cta Chinh phu", "conditional"),
    ("sau khi Chính phủ ban hành Nghị định", "conditional"),
    ("Khi có văn bản hướng dẫn", "conditional"),
    ("Nếu có phát sinh", "conditional"),
    ("Theo hướng dẫn của Sở Nội vụ", "conditional"),
    ("Theo yêu cầu", "on_request"),
    ("Theo yéu cau", "on_request"),
    ("Khi có yêu cầu", "on_request"),
    ("theo chỉ đạo của UBND thành phố", "on_request"),
    ("Đột xuất", "on_request"),
    ("", "none"),
    ("   ", "none"),
    ("Phòng Kinh tế", "none"),
    ("xyz", "none"),
]


@pytest.mark.parametrize("text, kind", UNDATED)
def test_undated_kinds(text: str, kind: str) -> None:
    d = parse_deadline(text, plan_year=2025)
    assert d.kind == kind
    assert d.due is None
    if kind == "conditional":
        assert d.condition and fold(d.condition).split()[0] in {"sau", "khi", "neu", "theo"}
    if kind in ("recurring", "on_request", "none"):
        assert d.condition is None


def test_recurring_named_day() -> None:
    d = parse_deadline("trước ngày 20 hằng tháng", plan_year=2025)
    assert (d.kind, d.recurring_day, d.before, d.due) == ("recurring", 20, True, None)
    assert parse_deadline("Báo cáo trước 25 hàng tháng").recurring_day == 25
    assert parse_deadline("Thường xuyên").recurring_day is None


@pytest.mark.parametrize(
    "text, kind, due, condition",
    [
        (
            "Tháng 10/2025 (sau khi Chính phủ ban hành Nghị định)",
            "month",
            at(2025, 10, 31),
            "sau khi Chính phủ ban hành Nghị định",
        ),
        (
            "Quý IV/2025 (sau khi có hướng dẫn của Bộ)",
            "quarter",
            at(2025, 12, 31),
            "sau khi có hướng dẫn của Bộ",
        ),
        (
            "Sau khi Chính phủ ban hành Nghị định, hoàn thành trong Quý I/2026",
            "quarter",
            at(2026, 3, 31),
            "Sau khi Chính phủ ban hành Nghị định",
        ),
        (
            "Thang 10/2025 (sau khi Chinh phu ban hanh)",
            "month",
            at(2025, 10, 31),
            "sau khi Chinh phu ban hanh",
        ),
        ("Sau khi có hướng dẫn", "conditional", None, "Sau khi có hướng dẫn"),
    ],
)
def test_condition_kept(text: str, kind: str, due: str | None, condition: str) -> None:
    d = parse_deadline(text, plan_year=2025)
    assert d.to_json() == {"kind": kind, "due": due, "text": text, "condition": condition}


def test_before_flag() -> None:
    assert parse_deadline("trước ngày 10/12", plan_year=2025).before
    assert parse_deadline("Trước 30/11/2025").before
    assert not parse_deadline("30/11/2025").before


def test_year_from_plan_ref_date_and_rolling() -> None:
    assert parse_deadline("trước ngày 10/12", plan_year=2026).due == dtm.datetime(
        2026, 12, 10, 17, tzinfo=VN
    )
    assert parse_deadline("trước ngày 10/12", ref_date=REF).due == dtm.datetime(
        2025, 12, 10, 17, tzinfo=VN
    )
    # a plan issued in October 2025 that says "Tháng 3" means March 2026
    d = parse_deadline("Tháng 3", plan_year=2025, ref_date=REF)
    assert d.due == dtm.datetime(2026, 3, 31, 17, tzinfo=VN)
    # a range's year carries to its year-less end, rolling past the new year
    d = parse_deadline("từ 15/11/2025 đến 15/01")
    assert d.due == dtm.datetime(2026, 1, 15, 17, tzinfo=VN)


def test_end_of_day_and_tz_settings() -> None:
    d = parse_deadline("05/12/2025", end_of_day=dtm.time(16, 30), tz="Asia/Bangkok")
    assert d.due == dtm.datetime(2025, 12, 5, 16, 30, tzinfo=ZoneInfo("Asia/Bangkok"))


def test_relative_to_issue_date() -> None:
    d = parse_deadline("Trong 10 ngày kể từ ngày ký", ref_date=REF)
    assert d.kind == "date" and d.due == dtm.datetime(2025, 10, 27, 17, tzinfo=VN)
    d = parse_deadline("Trong 10 ngày làm việc kể từ ngày ký", ref_date=REF)
    assert d.due == dtm.datetime(2025, 10, 31, 17, tzinfo=VN)


@pytest.mark.parametrize("text", ["31/02/2025", "30/02/2026"])
def test_invalid_day_is_clamped(text: str) -> None:
    d = parse_deadline(text)
    assert d.kind == "date" and d.due is not None and d.due.day in (28, 29)


@pytest.mark.parametrize("text", ["45/13/2025", "Quý V/2025", "Tháng 13/2025", "99/99"])
def test_nonsense_dates_do_not_raise(text: str) -> None:
    d = parse_deadline(text, plan_year=2025)
    assert d.kind in KINDS


def test_document_references_are_not_deadlines() -> None:
    d = parse_deadline("Theo Nghị quyết số 268/NQ-CP ngày 31/8/2025 của Chính phủ")
    assert d.kind == "none"
    d = parse_deadline("Tháng 12/2025 (thực hiện Nghị định 123/2025/NĐ-CP ngày 01/7/2025)")
    assert d.kind == "month" and d.due == dtm.datetime(2025, 12, 31, 17, tzinfo=VN)


def test_to_json_shape() -> None:
    d = parse_deadline("  15 giờ, ngày 06/5/2026  ")
    assert d.to_json() == {
        "kind": "datetime",
        "due": "2026-05-06T15:00:00+07:00",
        "text": "15 giờ, ngày 06/5/2026",
        "condition": None,
    }
    assert isinstance(d, Deadline)
    with pytest.raises(AttributeError):
        d.kind = "none"  # type: ignore[misc]


@pytest.mark.parametrize(
    "cell, kind",
    [
        ("Thuong xuyén", "recurring"),
        ("Thang 9/2025", "month"),
        ("Thang 3/2026", "month"),
        ("Thang 12/2026", "month"),
        ("Nam 2026", "year"),
        ("Sau khi c6", "conditional"),
        ("Sau khi c6 quy", "conditional"),
        ("Theo yéu cau", "on_request"),
    ],
)
def test_seed_ocr_table_cells(cell: str, kind: str) -> None:
    """Cells of the OCR'd Đại Sơn table, as they appear in the fixture."""
    text = (FIXTURES / "dai-son_kh92-nq268_ocr.txt").read_text(encoding="utf-8")
    assert cell in text
    assert parse_deadline(cell, plan_year=2025).kind == kind


# ---------------------------------------------------------------------------------------------
# parse_colloquial

COLLOQUIAL = [
    ("20/12", dtm.datetime(2025, 12, 20, 17)),
    ("20/12/2026", dtm.datetime(2026, 12, 20, 17)),
    ("ngày 20 tháng 12", dtm.datetime(2025, 12, 20, 17)),
    ("ngay 20 thang 12", dtm.datetime(2025, 12, 20, 17)),
    ("15 tháng 1", dtm.datetime(2026, 1, 15, 17)),
    ("05/01", dtm.datetime(2026, 1, 5, 17)),  # past this year: next year
    ("01/12", dtm.datetime(2026, 12, 1, 17)),
    ("ngày 25", dtm.datetime(2025, 12, 25, 17)),
    ("thứ sáu tuần sau", dtm.datetime(2025, 12, 12, 17)),
    ("thu sau tuan sau", dtm.datetime(2025, 12, 12, 17)),
    ("thứ 6", dtm.datetime(2025, 12, 5, 17)),
    ("t6", dtm.datetime(2025, 12, 5, 17)),
    ("17h30 thứ 6", dtm.datetime(2025, 12, 5, 17, 30)),
    ("thứ hai", dtm.datetime(2025, 12, 8, 17)),
    ("thứ 4", dtm.datetime(2025, 12, 3, 17)),  # today is Wednesday, not yet end of day
    ("chủ nhật tuần này", dtm.datetime(2025, 12, 7, 17)),
    ("9h sáng thứ hai tuần sau", dtm.datetime(2025, 12, 8, 9)),
    ("cuối tháng", dtm.datetime(2025, 12, 31, 17)),
    ("cuoi thang", dtm.datetime(2025, 12, 31, 17)),
    ("cuối tháng sau", dtm.datetime(2026, 1, 31, 17)),
    ("cuối tuần", dtm.datetime(2025, 12, 5, 17)),
    ("cuối tuần sau", dtm.datetime(2025, 12, 12, 17)),
    ("cuối năm", dtm.datetime(2025, 12, 31, 17)),
    ("3 ngày nữa", dtm.datetime(2025, 12, 6, 17)),
    ("3 ngay nua", dtm.datetime(2025, 12, 6, 17)),
    ("ba ngày nữa", dtm.datetime(2025, 12, 6, 17)),
    ("sau 5 ngày", dtm.datetime(2025, 12, 8, 17)),
    ("10 ngày tới", dtm.datetime(2025, 12, 13, 17)),
    ("2 tuần nữa", dtm.datetime(2025, 12, 17, 17)),
    ("1 tháng nữa", dtm.datetime(2026, 1, 3, 17)),
    ("tuần sau", dtm.datetime(2025, 12, 12, 17)),
    ("tháng sau", dtm.datetime(2026, 1, 31, 17)),
    ("sáng mai 8h", dtm.datetime(2025, 12, 4, 8)),
    ("sang mai 8h", dtm.datetime(2025, 12, 4, 8)),
    ("sáng mai", dtm.datetime(2025, 12, 4, 11, 30)),
    ("8h tối mai", dtm.datetime(2025, 12, 4, 20)),
    ("2 giờ chiều mai", dtm.datetime(2025, 12, 4, 14)),
    ("mai", dtm.datetime(2025, 12, 4, 17)),
    ("ngày mai", dtm.datetime(2025, 12, 4, 17)),
    ("ngày kia", dtm.datetime(2025, 12, 5, 17)),
    ("hôm nay", dtm.datetime(2025, 12, 3, 17)),
    ("chiều nay", dtm.datetime(2025, 12, 3, 17)),
    ("8h", dtm.datetime(2025, 12, 4, 8)),  # already past today: tomorrow
    ("16h", dtm.datetime(2025, 12, 3, 16)),
    ("lùi sang tuần sau", dtm.datetime(2025, 12, 12, 17)),
    ("tháng 1", dtm.datetime(2026, 1, 31, 17)),
    ("đầu tháng 1", dtm.datetime(2026, 1, 5, 17)),
    ("giữa tháng 12", dtm.datetime(2025, 12, 15, 17)),
    ("hết tháng 2/2026", dtm.datetime(2026, 2, 28, 17)),
    ("hết tuần này", dtm.datetime(2025, 12, 5, 17)),
    ("hết tháng", dtm.datetime(2025, 12, 31, 17)),
    ("sang năm", dtm.datetime(2026, 12, 31, 17)),
    ("năm 2026", dtm.datetime(2026, 12, 31, 17)),
]


@pytest.mark.parametrize("text, expected", COLLOQUIAL)
def test_colloquial(text: str, expected: dtm.datetime) -> None:
    got = parse_colloquial(text, now=NOW)
    assert got == expected.replace(tzinfo=VN)
    assert got is not None and got.tzinfo is not None


def test_colloquial_naive_now_is_local() -> None:
    got = parse_colloquial("mai", now=dtm.datetime(2025, 12, 3, 10))  # noqa: DTZ001
    assert got == dtm.datetime(2025, 12, 4, 17, tzinfo=VN)


def test_colloquial_end_of_day_setting() -> None:
    got = parse_colloquial("20/12", now=NOW, end_of_day=dtm.time(16, 30))
    assert got == dtm.datetime(2025, 12, 20, 16, 30, tzinfo=VN)


@pytest.mark.parametrize("text", ["", "   ", "lung tung", "ok", "?"])
def test_colloquial_nothing(text: str) -> None:
    assert parse_colloquial(text, now=NOW) is None


def test_import_is_cheap() -> None:
    """dateparser is imported only by the colloquial fallback."""
    import subprocess
    import sys

    code = "import sys, plans.deadlines; print('dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# properties


@settings(max_examples=400, deadline=None)
@given(
    st.text(max_size=200),
    st.one_of(st.none(), st.integers(1900, 2200)),
    st.one_of(st.none(), st.dates(dtm.date(1950, 1, 1), dtm.date(2150, 12, 31))),
)
def test_parse_deadline_never_raises(
    text: str, plan_year: int | None, ref_date: dtm.date | None
) -> None:
    d = parse_deadline(text, plan_year=plan_year, ref_date=ref_date)
    assert d.kind in KINDS
    assert d.due is None or d.due.tzinfo is not None
    assert (d.due is None) == (d.kind in ("recurring", "conditional", "on_request", "none"))
    d.to_json()


_PIECES = st.sampled_from(
    [
        "ngày",
        "tháng",
        "năm",
        "quý",
        "giờ",
        "h",
        "/",
        "-",
        ",",
        " ",
        "(",
        ")",
        "sau khi",
        "trước",
        "thường xuyên",
        "hằng tháng",
        "IV",
        "III",
        "lV",
        "31",
        "12",
        "2025",
        "99",
        "0",
        "15",
        "đến",
        "từ",
        "thứ",
        "tuần sau",
        "mai",
        "cuối",
        "|",
        ":",
        "'",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_date_like_soup_never_raises(text: str) -> None:
    d = parse_deadline(text, plan_year=2025, ref_date=REF)
    assert d.due is None or d.due.tzinfo is not None
    got = parse_colloquial(text, now=NOW)
    assert got is None or got.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parse_colloquial_never_raises(text: str) -> None:
    got = parse_colloquial(text, now=NOW)
    assert got is None or got.tzinfo is not None


def test_long_text_does_not_raise() -> None:
    text = "Tháng 12/2025 " * 2000 + "x" * 10000
    assert parse_deadline(text).kind == "month"
