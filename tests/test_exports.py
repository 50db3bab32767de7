"""The Excel export keeps formula-looking text as text; the chart stays readable."""

from __future__ import annotations

import datetime as dtm
import io
import zipfile

import openpyxl
import pytest
from matplotlib.image import imread

from db.summary import Summary, UnitRow
from handlers.exports import CHART_MAX_UNITS, OTHERS, chart_rows, summary_chart_png, summary_xlsx

NOW = dtm.datetime(2025, 11, 24, 1, 0, tzinfo=dtm.UTC)


def _row(title: str, **kw: object) -> dict:
    base = {"ref": "I.1", "title": title, "lead": "Văn phòng HĐND và UBND", "cooperate": "",
            "deadline_text": "Tháng 11/2025", "due_at": NOW + dtm.timedelta(days=5),
            "deadline_kind": "month", "status": "open", "percent": 0, "last_report": "",
            "last_report_at": None}
    return {**base, **kw}


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"bấm\")", "+1+2", "-2+3",
                                  "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "\t=1+1"])
def test_formula_like_text_is_stored_as_text_with_quote_prefix(text):
    rows = [_row(text, lead=text, cooperate=text, deadline_text=text, last_report=text,
                 last_report_at=NOW)]
    data = summary_xlsx(rows, org_name="=ORG()", generated_at=NOW)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    for column in (2, 3, 4, 5, 9):
        cell = ws.cell(4, column)
        assert cell.value == text  # no visible apostrophe or other mark added
        assert cell.data_type == "s" and cell.quotePrefix
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # not one formula in the file
    assert ws.cell(1, 1).value.endswith("=ORG()")


def test_plain_text_and_numbers_untouched():
    data = summary_xlsx([_row("Rà soát thủ tục hành chính", percent=40, status="in_progress")],
                        org_name="UBND phường Trần Liễu", generated_at=NOW)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.cell(4, 2).value == "Rà soát thủ tục hành chính" and not ws.cell(4, 2).quotePrefix
    assert ws.cell(4, 8).value == 40 and ws.cell(4, 1).value == 1
    assert ws.cell(4, 6).number_format == "dd/mm/yyyy"
    assert ws.cell(4, 7).value == "đang thực hiện"


def test_control_characters_do_not_break_the_workbook():
    data = summary_xlsx([_row("Báo cáo\x00\x07 quý IV", last_report="xong\x1b rồi")],
                        org_name="X", generated_at=NOW)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.cell(4, 2).value == "Báo cáo quý IV" and ws.cell(4, 9).value == "xong rồi"


def _units(n: int) -> list[UnitRow]:
    return [UnitRow(f"Đơn vị {i:03d}", done_on_time=i % 3, open_on_time=1,
                    open_overdue=1 if i in (5, 77, 119) else 0) for i in range(n)]


def test_chart_rows_cap_and_group_the_rest():
    rows = _units(120)
    shown = chart_rows(rows)
    assert len(shown) == CHART_MAX_UNITS
    assert shown[-1].unit == f"{OTHERS} ({120 - CHART_MAX_UNITS + 1} đơn vị)"
    names = [r.unit for r in shown]
    for i in (5, 77, 119):  # units with overdue tasks are never hidden in the group
        assert f"Đơn vị {i:03d}" in names
    kept = names[:-1]
    assert kept == sorted(kept)  # the plan's own order is kept
    for field in ("done_on_time", "open_on_time", "open_overdue", "total"):
        assert sum(getattr(r, field) for r in shown) == sum(getattr(r, field) for r in rows)
    small = _units(10)
    assert chart_rows(small) == small


def test_chart_with_many_units_is_a_readable_png():
    rows = _units(200)
    total = UnitRow("Tổng")
    summary = Summary(rows=rows, total=total, overdue=[], due_soon=[], unlinked=[], silent=[],
                      extended=0)
    png = summary_chart_png(summary, title="Tình hình thực hiện nhiệm vụ")
    height, width = imread(io.BytesIO(png), format="png").shape[:2]
    assert width >= 800 and height + width <= 10_000 and height / width <= 20  # Telegram photo
