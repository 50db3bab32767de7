"""Roster import from CSV and Excel."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlmodel import select

from db.engine import session_scope
from db.models import Officer
from db.orgs import get_or_create_org
from handlers.roster import RosterError, import_roster, read_roster


def test_csv_semicolon_with_bom(sqlite_engine):
    data = ("\ufeffHọ và tên;Đơn vị;Chức vụ;Số điện thoại\n"
            "Nguyễn Quý Phong;;Phó Chủ tịch UBND xã;0912\n"
            "Lê Văn Nam;Phòng Kinh tế;Chuyên viên;\n"
            "Trần Thị Hoa;Phòng Văn hóa – Xã hội;Theo dõi, đôn đốc;\n").encode()
    rows = read_roster(data, "ds.csv")
    assert [r.role for r in rows] == ["leader", "officer", "monitor"]
    with session_scope(sqlite_engine) as s:
        org = get_or_create_org(s, "x")
        result = import_roster(s, org.id, rows)
        assert result.added == 3
        again = import_roster(s, org.id, rows)
        assert again.updated == 3 and again.added == 0
        assert len(s.exec(select(Officer)).all()) == 3


def test_xlsx_and_bad_header():
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁN BỘ"])
    ws.append(["STT", "Ho ten", "Co quan", "Vai tro"])
    ws.append([1, "Đỗ Minh Tuấn", "TT PV HCC", "Trưởng phòng"])
    buf = io.BytesIO()
    wb.save(buf)
    rows = read_roster(buf.getvalue(), "ds.xlsx")
    assert rows[0].name == "Đỗ Minh Tuấn" and rows[0].role == "unit_head" and rows[0].line == 3
    with pytest.raises(RosterError):
        read_roster(b"a,b\n1,2\n", "x.csv")
