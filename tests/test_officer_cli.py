"""`nhacviec officer add | invite | import` through bot.cli.main, on a temporary SQLite file."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import select

from bot.cli import main
from db.engine import make_engine, session_scope
from db.models import Assignment, Officer, Unit
from db.officers import redeem_invite
from handlers.roster import MAX_UNCOMPRESSED

BOT = "nhacviec_test_bot"
LINK = re.compile(rf"^(?P<name>.+): https://t\.me/{BOT}\?start=(?P<code>[A-Za-z0-9_-]+)$", re.M)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BOT_USERNAME", BOT)
    engine = None

    def open_engine():
        nonlocal engine
        engine = engine or make_engine(url)
        return engine

    yield open_engine
    if engine is not None:
        engine.dispose()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _codes(out: str) -> dict[str, str]:
    return {m["name"]: m["code"] for m in LINK.finditer(out)}


def _redeem(engine, code: str, tg: int) -> str:
    with session_scope(engine) as s:
        return redeem_invite(s, code, tg).outcome


def test_add_prints_a_strong_one_time_link(db, capsys):
    code, out, err = run(capsys, "officer", "add", "Nguyễn Văn An", "--org", "tran-lieu",
                         "--unit", "Phòng Kinh tế", "--role", "lãnh đạo", "--phone", "0912")
    assert code == 0, err
    invite = _codes(out)["Nguyễn Văn An"]
    assert 22 <= len(invite) <= 64 and len(invite) * 6 >= 128  # base64url, ≥128 bits
    with session_scope(db()) as s:
        officer = s.exec(select(Officer)).one()
        assert (officer.role, officer.phone) == ("leader", "0912")
        assert s.get(Unit, officer.unit_id).name == "Phòng Kinh tế"
    assert _redeem(db(), invite, 555) == "linked"
    assert _redeem(db(), invite, 556) == "used"


def test_add_with_unknown_role_is_refused_in_vietnamese(db, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["officer", "add", "Lê Văn Bình", "--org", "x", "--role", "thủ lĩnh"])
    assert stop.value.code == 2
    assert "vai trò" in capsys.readouterr().err


def test_invite_reissues_and_the_old_code_stops_working(db, capsys):
    code, out, _ = run(capsys, "officer", "add", "Trần Thị Hoa", "--org", "x")
    first = _codes(out)["Trần Thị Hoa"]
    code, out, err = run(capsys, "officer", "invite", "Trần Thị Hoa", "--org", "x")
    assert code == 0, err
    second = _codes(out)["Trần Thị Hoa"]
    assert second != first
    assert _redeem(db(), first, 777) != "linked"  # refused: replaced by the new code
    assert _redeem(db(), second, 777) == "linked"
    with session_scope(db()) as s:
        assert s.exec(select(Officer)).one().telegram_user_id == 777
    # A lost phone: a fresh link again, the officer moves to the new account.
    code, out, _ = run(capsys, "officer", "invite", "Trần Thị Hoa", "--org", "x")
    assert _redeem(db(), _codes(out)["Trần Thị Hoa"], 888) == "linked"


def test_invite_unknown_officer(db, capsys):
    run(capsys, "officer", "add", "Trần Thị Hoa", "--org", "x")
    code, out, err = run(capsys, "officer", "invite", "Không Có Ai", "--org", "x")
    assert code == 2 and "Không tìm thấy cán bộ" in err and out == ""


def _csv(tmp_path, text: str, name: str = "ds.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_csv_with_invites_and_assignments(db, capsys, tmp_path):
    path = _csv(tmp_path, "Họ và tên;Đơn vị;Chức vụ\n"
                          "Nguyễn Quý Phong;;Phó Chủ tịch UBND xã\n"
                          "Lê Văn Nam;Phòng Kinh tế;Chuyên viên\n"
                          "Trần Thị Hoa;Phòng Văn hóa – Xã hội;Theo dõi, đôn đốc\n")
    code, out, err = run(capsys, "officer", "import", path, "--org", "x", "--invite")
    assert code == 0, err
    assert "Đã thêm 3, cập nhật 0 cán bộ." in out
    codes = _codes(out)
    assert set(codes) == {"Nguyễn Quý Phong", "Lê Văn Nam", "Trần Thị Hoa"}
    assert _redeem(db(), codes["Lê Văn Nam"], 901) == "linked"
    code, out, _ = run(capsys, "officer", "import", path, "--org", "x", "--invite")
    assert code == 0 and "Đã thêm 0, cập nhật 3 cán bộ." in out
    assert "Lê Văn Nam" not in _codes(out)  # already linked: no new link
    with session_scope(db()) as s:
        roles = {o.name: o.role for o in s.exec(select(Officer))}
        assert roles == {"Nguyễn Quý Phong": "leader", "Lê Văn Nam": "officer",
                         "Trần Thị Hoa": "monitor"}


def test_import_xlsx(db, capsys, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC"])
    ws.append(["STT", "Họ và tên", "Đơn vị", "Vai trò", "Số điện thoại"])
    ws.append([1, "Đỗ Minh Tuấn", "TT PV HCC", "Trưởng đơn vị", 912345678])
    ws.append([2, "Vũ Thị Lan", "Trung tâm Phục vụ hành chính công", "cán bộ", None])
    path = tmp_path / "ds.xlsx"
    wb.save(path)
    code, out, err = run(capsys, "officer", "import", str(path), "--org", "x")
    assert code == 0, err
    assert "Đã thêm 2" in out
    with session_scope(db()) as s:
        people = {o.name: o for o in s.exec(select(Officer))}
        assert people["Đỗ Minh Tuấn"].role == "unit_head"
        assert people["Đỗ Minh Tuấn"].phone == "0912345678"
        assert people["Đỗ Minh Tuấn"].unit_id == people["Vũ Thị Lan"].unit_id
        assert [u.name for u in s.exec(select(Unit))] == ["Trung tâm Phục vụ hành chính công"]


def test_import_reports_bad_lines_and_keeps_good_ones(db, capsys, tmp_path):
    path = _csv(tmp_path, "Họ và tên,Đơn vị,Vai trò\n"
                          "Nguyễn Văn An,Phòng Kinh tế,cán bộ\n"
                          ",Phòng Kinh tế,cán bộ\n"
                          "Lê Thị Bình,Phòng Kinh tế,thủ lĩnh\n"
                          "Trần Văn Cường,Hội Người cao tuổi,cán bộ\n")
    code, out, err = run(capsys, "officer", "import", path, "--org", "x")
    assert code == 1, (out, err)
    assert "Đã thêm 1" in out and "Có 3 dòng chưa nhập" in out
    assert "Dòng 3: thiếu họ tên." in out
    assert "Dòng 4: vai trò «thủ lĩnh» không hợp lệ" in out
    assert "Dòng 5: đơn vị «Hội Người cao tuổi» chưa có trong danh mục đơn vị" in out
    assert "--create-units" in out and "Traceback" not in out + err
    code, out, err = run(capsys, "officer", "import", path, "--org", "x", "--create-units")
    assert code == 1 and "Hội Người cao tuổi" in out and "đã tạo mới" in out
    with session_scope(db()) as s:
        assert {o.name for o in s.exec(select(Officer))} == {"Nguyễn Văn An", "Trần Văn Cường"}


def test_import_nothing_valid_exits_2(db, capsys, tmp_path):
    path = _csv(tmp_path, "Họ và tên,Vai trò\nNguyễn Văn An,thủ lĩnh\n")
    code, out, _ = run(capsys, "officer", "import", path, "--org", "x")
    assert code == 2 and "Đã thêm 0" in out and "Dòng 2" in out


def _one_line_error(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and needle in err, err
    assert "Traceback" not in err and out == ""


def test_import_unreadable_files_are_one_line(db, capsys, tmp_path):
    org = ("--org", "x")
    _one_line_error(capsys, ["officer", "import", _csv(tmp_path, "a,b\n1,2\n"), *org],
                    "Lỗi: Không tìm thấy dòng tiêu đề")
    _one_line_error(capsys, ["officer", "import", str(tmp_path / "khong-co.csv"), *org],
                    "không tìm thấy tệp")
    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNCOMPRESSED + 1))
    _one_line_error(capsys, ["officer", "import", str(bomb), *org], "giải nén")
    garbage = tmp_path / "hong.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + b"\x01" * 500)
    _one_line_error(capsys, ["officer", "import", str(garbage), *org], "bị hỏng")
    buf = io.BytesIO()
    Workbook().save(buf)
    empty = tmp_path / "trong.xlsx"
    empty.write_bytes(buf.getvalue())
    _one_line_error(capsys, ["officer", "import", str(empty), *org], "dòng tiêu đề")


def test_import_file_over_the_size_limit(db, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MAX_UPLOAD_MB", "1")
    path = _csv(tmp_path, "Họ và tên\n" + "Nguyễn Văn An\n" * 100_000)
    _one_line_error(capsys, ["officer", "import", path, "--org", "x"], "quá lớn")


def test_imported_officers_get_the_tasks_of_their_unit(db, capsys, tmp_path):
    code, _, err = run(capsys, "plan", "import", str(_fixture()), "--org", "x", "--yes")
    assert code == 0, err
    path = _csv(tmp_path, "Họ và tên,Đơn vị\nLê Văn Cán,Văn phòng HĐND và UBND\n")
    assert run(capsys, "officer", "import", path, "--org", "x")[0] == 0
    with session_scope(db()) as s:
        officer = s.exec(select(Officer)).one()
        roles = [a.role for a in s.exec(select(Assignment).where(
            Assignment.officer_id == officer.id))]
        assert "lead" in roles and "cooperate" in roles


def _fixture():
    from pathlib import Path

    return Path(__file__).parent / "fixtures" / "tran-lieu_kh73-nq268.txt"
