"""`nhacviec demo`: the whole story offline — commune, plan, invites, reminders, replies, summary."""

from __future__ import annotations

import asyncio
import datetime as dtm
import tempfile
import zoneinfo
from pathlib import Path

from bot.emulator import TelegramEmulator
from bot.settings import Settings
from messages.render import render_plain

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DATA = Path(__file__).parent / "data"
PLAN_FILE = DATA / "an-thanh_kh-so-ket-2026.txt"
ORG_NAME = "UBND xã An Thành"  # the demo commune's name: data, not a message
# The simulated clock runs from 24/04/2026 07:00 and stops at this moment.
CLOCK_STOP = dtm.datetime(2026, 5, 5, 9, 0, tzinfo=LOCAL)

# (name, unit, role, telegram id)
PEOPLE = [
    ("Nguyễn Quý Phong", None, "leader", 9001),
    ("Trần Thị Hoa", "Phòng Văn hóa – Xã hội", "monitor", 9002),
    ("Lê Văn Nam", "Phòng Kinh tế", "officer", 9003),
    ("Phạm Thu Trang", "Văn phòng HĐND và UBND", "officer", 9004),
    ("Đỗ Minh Tuấn", "Trung tâm Phục vụ hành chính công", "officer", 9005),
]


def run_demo(settings: Settings) -> int:
    return asyncio.run(_demo(settings))


async def _demo(settings: Settings) -> int:
    from bot.app import build_application
    from db.engine import make_engine, session_scope
    from db.migrate import upgrade
    from db.officers import add_officer, invite_link, issue_invite
    from db.orgs import get_or_create_org, get_or_create_unit
    from db.tasks import assign_by_units
    from handlers.context import Services
    from handlers.importing import commit_preview, load_plan_file
    from scheduler.calendar import WorkingCalendar
    from scheduler.clock import FakeClock
    from scheduler.delivery import Ticker
    from scheduler.outbox import sync_tasks

    tmp = tempfile.TemporaryDirectory(prefix="nhacviec-demo-")
    engine = make_engine(f"sqlite:///{tmp.name}/demo.sqlite3")
    upgrade(engine)
    clock = FakeClock(dtm.datetime(2026, 4, 24, 7, 0, tzinfo=LOCAL).astimezone(dtm.UTC))
    calendar = WorkingCalendar(settings.timezone)
    emu = TelegramEmulator(bot_username=settings.bot_username)
    await emu.start()
    names = {}
    try:
        _say("step_setup", org_name=ORG_NAME)
        with session_scope(engine) as session:
            org_id = get_or_create_org(session, "an-thanh", ORG_NAME).id or 0
        preview = load_plan_file(PLAN_FILE)
        result = commit_preview(engine, org_id, preview, now=clock.now())
        _note("imported", count=len(result.created))
        links = {}
        with session_scope(engine) as session:
            for name, unit_name, role, tg in PEOPLE:
                unit = get_or_create_unit(session, org_id, unit_name) if unit_name else None
                officer = add_officer(session, org_id, name, unit_id=unit.id if unit else None,
                                      role=role)
                links[tg] = issue_invite(session, officer, now=clock.now())
                names[tg] = name
                _note("invite", name=name, link=invite_link(settings.bot_username, links[tg]))
            assign_by_units(session, org_id)
        sync_tasks(engine, calendar, clock.now(), org_id=org_id)
        services = Services(engine=engine, clock=clock, calendar=calendar,
                            bot_username=settings.bot_username)
        ticker = Ticker(engine, calendar, clock)
        app = build_application(emu.token, services, base_url=emu.base_url,
                                base_file_url=emu.base_file_url)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            for _, _, _, tg in PEOPLE:
                emu.add_user(tg, names[tg].split()[-1])
            _say("step_invites")
            for _, _, _, tg in PEOPLE:
                await _user(emu, tg, f"/start {links[tg]}", names)
            _say("step_clock", start=clock.now(), end=CLOCK_STOP)
            mark = len(emu.sent_messages())
            while clock.now() < CLOCK_STOP:
                clock.advance(dtm.timedelta(hours=1))
                await ticker.tick(app.bot)
            await asyncio.sleep(0.2)
            _print_bot_messages(emu, mark, names, limit=8)
            _say("step_replies")
            await _reply_last(emu, 9003, "xong rồi", names)
            await _reply_last(emu, 9004, "dang lam 60%", names)
            await _reply_last(emu, 9005, "vướng: chưa có hướng dẫn của Sở", names)
            await asyncio.sleep(0.5)  # let the forwarded blocker reach the leader first
            _say("step_summary")
            await _user(emu, 9001, "/summary", names)
            await app.updater.stop()
            await app.stop()
    finally:
        await emu.stop()
        engine.dispose()
        tmp.cleanup()
    print("\n" + render_plain("demo", kind="end"))
    return 0


def _say(step: str, **ctx: object) -> None:
    """A step's title, framed: the text is messages/templates/demo.j2."""
    print(f"\n=== {render_plain('demo', kind=step, **ctx)} ===")


def _note(kind: str, **ctx: object) -> None:
    print("  " + render_plain("demo", kind=kind, **ctx))


def _show(entry: object, names: dict[int, str], chat_id: int) -> None:
    text = getattr(entry, "text", None) or getattr(entry, "caption", None) or ""
    who = names.get(chat_id, str(chat_id))
    print(f"[Bot → {who}]\n{_plain(text or '')}\n")


def _plain(text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?[a-z-]+[^>]*>", "", text))


async def _user(emu: TelegramEmulator, tg: int, text: str, names: dict[int, str]) -> None:
    before = len(emu.sent_messages(tg))
    shown = render_plain("demo", kind="start_hidden") if text.startswith("/start ") else text
    print(render_plain("demo", kind="user", name=names[tg], text=shown))
    emu.inject_text(tg, text)
    await emu.wait_for(before + 1, chat_id=tg, timeout=10)
    for entry in emu.sent_messages(tg)[before:]:
        _show(entry, names, tg)


async def _reply_last(emu: TelegramEmulator, tg: int, text: str, names: dict[int, str]) -> None:
    with_buttons = [e for e in emu.sent_messages(tg) if e.reply_markup]
    last = with_buttons[-1] if with_buttons else emu.last_bot_message(tg)
    before = len(emu.sent_messages(tg))
    print(render_plain("demo", kind="reply", name=names[tg], text=text))
    emu.inject_text(tg, text, reply_to_message_id=_mid(last))
    await emu.wait_for(before + 1, chat_id=tg, timeout=10)
    for entry in emu.sent_messages(tg)[before:]:
        _show(entry, names, tg)


def _mid(entry: object) -> int | None:
    if entry is None:
        return None
    return getattr(entry, "message_id", None)


def _print_bot_messages(emu: TelegramEmulator, start: int, names: dict[int, str], limit: int) -> None:
    msgs = emu.sent_messages()[start:]
    _note("sent", count=len(msgs))
    print()
    for entry in msgs[:limit]:
        chat_id = getattr(entry, "chat_id", None) or 0
        _show(entry, names, chat_id)
