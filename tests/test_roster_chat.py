"""The officers' list sent in chat by a monitor: preview, import, invite links that work."""

from __future__ import annotations

import datetime as dtm
import re

from sqlmodel import select

from db.engine import session_scope
from db.models import Assignment, Officer
from db.officers import add_officer, issue_invite
from db.orgs import get_or_create_org, get_or_create_unit
from handlers.importing import commit_preview, load_plan_file
from handlers.roster_upload import read_if_roster
from plans.template import write_template
from scheduler.clock import FakeClock
from tests.chat_harness import running_bot

T0 = dtm.datetime(2025, 11, 17, 2, 0, tzinfo=dtm.UTC)
MONITOR, NEWCOMER, OFFICER = 8301, 8302, 8303
ROSTER = ("STT,Họ và tên,Đơn vị,Vai trò,Số điện thoại\n"
          "1,Lê Thị Hành,TT PV HCC,Cán bộ,0912345678\n"
          "2,Ngô Văn Phòng,Van phong HDND va UBND,Trưởng đơn vị,\n"
          "3,Phạm Thị Lạ,Ban Không Có Thật,Cán bộ,\n"
          "4,,Văn phòng HĐND và UBND,Cán bộ,\n").encode()


def test_plan_template_is_not_taken_for_a_roster(tmp_path):
    path = write_template(tmp_path / "mau.xlsx")
    assert read_if_roster(path.read_bytes(), "mau.xlsx", 5_000_000) is None
    assert read_if_roster(ROSTER, "ds.csv", 5_000_000) is not None
    assert read_if_roster(ROSTER, "ds.txt", 5_000_000) is None  # a .txt is a plan


async def test_monitor_imports_roster_in_chat_and_links_work(sqlite_engine):
    engine = sqlite_engine
    with session_scope(engine) as s:
        org_id = get_or_create_org(s, "hoa-binh", "UBND xã Hoà Bình").id or 0
        get_or_create_unit(s, org_id, "Trung tâm Phục vụ hành chính công")
        get_or_create_unit(s, org_id, "Văn phòng HĐND và UBND")
        monitor = add_officer(s, org_id, "Trần Thị Theo", role="monitor")
        officer = add_officer(s, org_id, "Đỗ Văn Thường", role="officer")
        codes = {MONITOR: issue_invite(s, monitor, now=T0), OFFICER: issue_invite(s, officer, now=T0)}
    commit_preview(engine, org_id, load_plan_file("tests/fixtures/revision/hoa-binh_kh15_v1.txt"),
                   now=T0)
    async with running_bot(engine, FakeClock(T0), (MONITOR, NEWCOMER, OFFICER)) as chat:
        for tg in (MONITOR, OFFICER):
            await chat.say(tg, f"/start {codes[tg]}")
        refused = await chat.upload(OFFICER, "ds.csv", ROSTER, "text/csv")
        assert "không có quyền" in refused.text
        preview = await chat.upload(MONITOR, "danh-sach.csv", ROSTER, "text/csv")
        assert "Danh sách cán bộ: 3 người" in preview.text and "Dòng 5" in preview.text
        links = await chat.press(MONITOR, preview, "Nhập danh sách", answers=2)
        result = chat.emu.sent_messages(MONITOR)[-2]
        assert "Đã thêm 2" in result.text and "Ban Không Có Thật" in result.text
        assert "Lê Thị Hành (Trung tâm Phục vụ hành chính công)" in links.text
        link = re.search(r"Lê Thị Hành[^\n]*start=(\S+)", links.text)
        assert link is not None
        assert "Lê Thị Hành" in (await chat.say(NEWCOMER, f"/start {link.group(1)}")).text
    with session_scope(engine) as s:
        hanh = s.exec(select(Officer).where(Officer.name == "Lê Thị Hành")).one()
        assert hanh.telegram_user_id == NEWCOMER and hanh.phone == "0912345678"
        assert s.exec(select(Assignment).where(Assignment.officer_id == hanh.id)).all()
        head = s.exec(select(Officer).where(Officer.name == "Ngô Văn Phòng")).one()
        assert head.role == "unit_head"
        assert not s.exec(select(Officer).where(Officer.name == "Phạm Thị Lạ")).all()
