"""Roster import from CSV and Excel: valid lines imported, invalid ones reported by number."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import select

from db.engine import session_scope
from db.models import Officer, Unit
from db.orgs import get_or_create_org
from handlers.roster import (
    MAX_UNCOMPRESSED,
    RosterError,
    import_roster,
    read_roster,
    role_from,
)


def _xlsx(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_csv_semicolon_with_bom(sqlite_engine):
    data = ("\ufeffHọ và tên;Đơn vị;Chức vụ;Số điện thoại\n"
            "Nguyễn Quý Phong;;Phó Chủ tịch UBND xã;0912\n"
            "Lê Văn Nam;Phòng Kinh tế;Chuyên viên;\n"
            "Trần Thị Hoa;Phòng Văn hóa – Xã hội;Theo dõi, đôn đốc;\n").encode()
    roster = read_roster(data, "ds.csv")
    assert [r.role for r in roster.rows] == ["leader", "officer", "monitor"]
    assert roster.errors == []
    with session_scope(sqlite_engine) as s:
        org = get_or_create_org(s, "x")
        result = import_roster(s, org.id, roster)
        assert result.added == 3 and result.errors == []
        again = import_roster(s, org.id, roster)
        assert again.updated == 3 and again.added == 0
        assert len(s.exec(select(Officer)).all()) == 3


def test_xlsx_and_bad_header():
    data = _xlsx(["DANH SÁCH CÁN BỘ"], ["STT", "Ho ten", "Co quan", "Vai tro", "SĐT"],
                 [1, "Đỗ Minh Tuấn", "TT PV HCC", "Trưởng phòng", 912345678])
    rows = read_roster(data, "ds.xlsx").rows
    assert rows[0].name == "Đỗ Minh Tuấn" and rows[0].role == "unit_head" and rows[0].line == 3
    assert rows[0].phone == "0912345678"  # Excel dropped the leading zero
    with pytest.raises(RosterError):
        read_roster(b"a,b\n1,2\n", "x.csv")


def test_invalid_lines_are_reported_and_the_rest_imported(sqlite_engine):
    data = ("STT,Họ và tên,Đơn vị,Vai trò\n"          # line 1
            "1,Nguyễn Văn An,Phòng Kinh tế,cán bộ\n"  # 2 ok
            "2,,Phòng Kinh tế,cán bộ\n"               # 3 no name
            "3,Lê Thị Bình,Văn phòng HĐND và UBND,thủ lĩnh\n"  # 4 unknown role
            "4,Trần Văn Cường,Phòng Tài nguyên vũ trụ,cán bộ\n"  # 5 unknown unit
            "5,Phạm Thị Dung,Các cơ quan liên quan,cán bộ\n"     # 6 a group, not a unit
            "6,Nguyễn Văn An,Phòng Văn hóa – Xã hội,cán bộ\n"    # 7 duplicate of line 2
            ",,,\n"                                                # 8 blank: no error
            "8,,,\n"                                               # 9 only numbered: no error
            "9,Hoàng Văn Em,Phong KT,lãnh đạo\n").encode()         # 10 ok (alias)
    roster = read_roster(data, "ds.csv")
    with session_scope(sqlite_engine) as s:
        org = get_or_create_org(s, "x", "UBND xã X")
        result = import_roster(s, org.id, roster)
        messages = [e.message for e in result.errors]
        assert messages[0] == "Dòng 3: thiếu họ tên."
        assert messages[1].startswith("Dòng 4: vai trò «thủ lĩnh» không hợp lệ")
        assert messages[2].startswith("Dòng 5: đơn vị «Phòng Tài nguyên vũ trụ» chưa có")
        assert messages[3].startswith("Dòng 6: «Các cơ quan liên quan» là một nhóm cơ quan")
        assert messages[4] == "Dòng 7: trùng họ tên «Nguyễn Văn An» với dòng 2."
        assert len(messages) == 5
        assert result.added == 2 and result.unknown_units == ["Phòng Tài nguyên vũ trụ"]
        people = {o.name: o for o in s.exec(select(Officer))}
        assert set(people) == {"Nguyễn Văn An", "Hoàng Văn Em"}
        assert people["Hoàng Văn Em"].role == "leader"
        units = {u.id: u.name for u in s.exec(select(Unit))}
        assert units[people["Hoàng Văn Em"].unit_id] == "Phòng Kinh tế"
        assert "Phòng Tài nguyên vũ trụ" not in units.values()  # never invented silently
    text = result.text()
    assert "Có 5 dòng chưa nhập" in text and "--create-units" in text


def test_create_units_on_request(sqlite_engine):
    data = "Họ và tên,Đơn vị\nTrần Văn Cường,Hội Người cao tuổi\nLê Văn Đức,Hội Người cao tuổi\n".encode()
    with session_scope(sqlite_engine) as s:
        org = get_or_create_org(s, "x")
        result = import_roster(s, org.id, read_roster(data, "ds.csv"), create_units=True)
        assert result.added == 2 and result.errors == [] and result.created_units == ["Hội Người cao tuổi"]
        assert [u.name for u in s.exec(select(Unit))] == ["Hội Người cao tuổi"]
    assert "đã tạo mới" in result.text()


def test_header_words_longest_match_wins():
    data = "Tên đơn vị,Họ và tên,Chức danh\nPhòng Kinh tế,Ngô Văn Phúc,Chuyên viên\n".encode()
    row = read_roster(data, "ds.csv").rows[0]
    assert (row.name, row.unit, row.title, row.role) == ("Ngô Văn Phúc", "Phòng Kinh tế",
                                                         "Chuyên viên", "officer")


def test_roles_in_vietnamese_and_english():
    assert role_from("Lãnh đạo") == "leader" and role_from("leader") == "leader"
    assert role_from("Phó Chủ tịch UBND xã") == "leader"
    assert role_from("unit_head") == "unit_head" and role_from("Trưởng phòng") == "unit_head"
    assert role_from("Theo dõi, đôn đốc") == "monitor" and role_from("quản trị") == "admin"
    assert role_from("Cán bộ") == "officer" and role_from("thủ lĩnh") is None


def test_zip_bomb_refused_before_openpyxl():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNCOMPRESSED + 1024))
    assert len(buf.getvalue()) < 200_000  # small on the wire
    with pytest.raises(RosterError, match="giải nén"):
        read_roster(buf.getvalue(), "ds.xlsx")


def test_unreadable_files_are_one_sentence():
    with pytest.raises(RosterError, match="quá lớn"):
        read_roster(b"x" * 2000, "ds.csv", max_bytes=1000)
    with pytest.raises(RosterError, match="bị hỏng"):
        read_roster(b"PK\x03\x04 not really a zip", "ds.xlsx")
    with pytest.raises(RosterError, match="xls"):
        read_roster(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "ds.xls")
    with pytest.raises(RosterError, match="UTF-8"):
        read_roster(b"Ho va t\xean\nAn\n", "ds.csv")  # Windows-1258
    with pytest.raises(RosterError, match="không có cán bộ"):
        read_roster("Họ và tên,Đơn vị\n,\n".encode(), "ds.csv")
    broken = _xlsx(["Họ và tên"], ["An"])
    with pytest.raises(RosterError, match="bị hỏng"):
        read_roster(broken[: len(broken) // 2], "ds.xlsx")


def test_entity_expansion_in_a_sheet_is_refused():
    import re

    src = zipfile.ZipFile(io.BytesIO(_xlsx(["Họ và tên"], ["An"])))
    lol = '<!DOCTYPE x [<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = re.sub(r"^<\?xml[^>]*\?>", "", data.decode())
                data = (lol + text.replace("<t>An</t>", "<t>&l9;</t>")).encode()
            zf.writestr(info.filename, data)
    with pytest.raises(RosterError, match="bị hỏng"):
        read_roster(out.getvalue(), "ds.xlsx")
