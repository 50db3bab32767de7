"""The officers' list sent in chat by a monitor: preview, import, invite links that work."""

from __future__ import annotations

import datetime as dtm
import re

from sqlmodel import select

from bot.app import build_application
from bot.emulator import TelegramEmulator
from db.engine import session_scope
from db.models import Assignment, Officer
from db.officers import add_officer, issue_invite
from db.orgs import get_or_create_org, get_or_create_unit
from handlers.context import Services
from handlers.importing import commit_preview, load_plan_file
from handlers.roster_upload import read_if_roster
from plans.template import write_template
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock

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
    emu = TelegramEmulator()
    await emu.start()
    for tg in (MONITOR, NEWCOMER, OFFICER):
        emu.add_user(tg, f"u{tg}")
    svc = Services(engine=engine, clock=FakeClock(T0), calendar=WorkingCalendar(),
                   bot_username="nhacviec_bot")
    app = build_application(emu.token, svc, base_url=emu.base_url,
                            base_file_url=emu.base_file_url)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)

        async def last_after(tg: int, n: int, count: int = 1):
            await emu.wait_for(n + count, chat_id=tg, timeout=10)
            return emu.sent_messages(tg)[-1]

        for tg in (MONITOR, OFFICER):
            n = len(emu.sent_messages(tg))
            emu.inject_text(tg, f"/start {codes[tg]}")
            await last_after(tg, n)
        n = len(emu.sent_messages(OFFICER))
        emu.upload_document(OFFICER, "ds.csv", ROSTER, "text/csv")
        assert "không có quyền" in (await last_after(OFFICER, n)).text
        n = len(emu.sent_messages(MONITOR))
        emu.upload_document(MONITOR, "danh-sach.csv", ROSTER, "text/csv")
        preview = await last_after(MONITOR, n)
        assert "Danh sách cán bộ: 3 người" in preview.text and "Dòng 5" in preview.text
        ok = next(b["callback_data"] for row in preview.reply_markup["inline_keyboard"]
                  for b in row if b["text"] == "Nhập danh sách")
        n = len(emu.sent_messages(MONITOR))
        emu.press_button(MONITOR, preview.message_id, ok)
        links = await last_after(MONITOR, n, count=2)
        result = emu.sent_messages(MONITOR)[-2]
        assert "Đã thêm 2" in result.text and "Ban Không Có Thật" in result.text
        assert "Lê Thị Hành (Trung tâm Phục vụ hành chính công)" in links.text
        link = re.search(r"Lê Thị Hành[^\n]*start=(\S+)", links.text)
        assert link is not None
        n = len(emu.sent_messages(NEWCOMER))
        emu.inject_text(NEWCOMER, f"/start {link.group(1)}")
        assert "Lê Thị Hành" in (await last_after(NEWCOMER, n)).text
        await app.updater.stop()
        await app.stop()
    await emu.stop()
    with session_scope(engine) as s:
        hanh = s.exec(select(Officer).where(Officer.name == "Lê Thị Hành")).one()
        assert hanh.telegram_user_id == NEWCOMER and hanh.phone == "0912345678"
        assert s.exec(select(Assignment).where(Assignment.officer_id == hanh.id)).all()
        head = s.exec(select(Officer).where(Officer.name == "Ngô Văn Phòng")).one()
        assert head.role == "unit_head"
        assert not s.exec(select(Officer).where(Officer.name == "Phạm Thị Lạ")).all()
