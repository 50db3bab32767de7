"""Security: the token stays out of logs, invites are single-use, expiring and throttled, every
command and button checks the caller's role and organization, uploads are limited, and the
webhook refuses requests without its secret token.

Every refusal is a polite Vietnamese message and writes nothing (tests.two_orgs.snapshot).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import logging
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select

from db.engine import session_scope
from db.models import ExtensionRequest, InboundMessage, Officer, ProgressReport, Task
from db.officers import (
    BAD_CODE_WINDOW,
    INVITE_TTL,
    MAX_BAD_CODES,
    add_officer,
    issue_invite,
    redeem_invite,
)
from tests.two_orgs import (
    ADMIN_A,
    LEADER,
    MONITOR,
    OFFICER,
    OTHER_ADMIN,
    ROLES,
    T0,
    TOKEN,
    answer_text,
    diff,
    press,
    say,
    settle,
    snapshot,
    two_orgs,
    upload,
)

PLAN = Path("tests/fixtures/thai-tan_kh-cchc-2025.txt")
ERROR = "bot gặp lỗi"


def confirm_button(preview) -> str:
    data = dict(preview.buttons)["Xác nhận"]
    assert data and data.startswith("imp:") and data.endswith(":ok")
    return data


def kind_of(text: str) -> str:
    """What sort of answer: the unlinked welcome, a refusal, not found, expired, or content."""
    if ERROR in text:
        return "ERROR"
    if "Để nhận nhiệm vụ" in text and "đường dẫn mời" in text:
        return "U"
    if "không có quyền" in text:
        return "R"
    if "Không tìm thấy nhiệm vụ" in text:
        return "N"
    if "hết hiệu lực" in text:
        return "E"
    return "OK"


# ------------------------------------------------------------------ the token and the logs


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # includes a formatted traceback, if any


async def test_token_never_logged_at_debug(sqlite_engine):
    """A whole session at DEBUG, with failures and tracebacks, never prints the token."""
    from bot.app import configure_logging
    from bot.settings import Settings

    configure_logging("DEBUG")
    root = logging.getLogger()
    handler, old_level = Collect(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        async with two_orgs(sqlite_engine) as w:
            await say(w, OFFICER, "/start")
            await say(w, OFFICER, "/tasks")
            await say(w, OFFICER, "/report I.1 đang làm 50%")
            await say(w, LEADER, "/summary")
            await press(w, OFFICER, f"r:{w.task_a}:done")
            await upload(w, MONITOR, "kh.txt", PLAN.read_bytes(), "text/plain")
            w.emu.fail_next(2, 500)  # the handler fails; the error path logs a traceback
            mark = w.emu.mark()
            w.emu.inject_text(OFFICER, "/tasks")
            await asyncio.sleep(0.5)
            w.emu.drop_next(1, method="getUpdates")
            w.emu.inject_text(OFFICER, "/help")
            await w.emu.wait_for(1, chat_id=OFFICER, since=mark, timeout=15)
            from db.officers import invite_link

            logging.getLogger("test").debug("settings: %r", Settings(
                telegram_bot_token=TOKEN, _env_file=None))  # type: ignore[call-arg]
            assert invite_link("nhacviec_bot", "x")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    text = "\n".join(handler.lines)
    assert len(handler.lines) > 20 and "update failed" in text  # the session was really logged
    secret = TOKEN.split(":", 1)[1]
    assert TOKEN not in text
    assert secret not in text
    assert secret[:12] not in text


# ------------------------------------------------------------------ invites


def test_invite_single_use_expiring_throttled(sqlite_engine):
    engine = sqlite_engine
    with session_scope(engine) as s:
        from db.orgs import get_or_create_org

        org = get_or_create_org(s, "x").id or 0
        a = add_officer(s, org, "A")
        b = add_officer(s, org, "B")
        code_a = issue_invite(s, a, now=T0)
        code_b = issue_invite(s, b, now=T0)
    with session_scope(engine) as s:
        assert redeem_invite(s, code_a, 1, now=T0).outcome == "linked"
    with session_scope(engine) as s:  # single use, even for the same person
        assert redeem_invite(s, code_a, 2, now=T0).outcome == "used"
        assert redeem_invite(s, code_a, 1, now=T0).outcome == "used"
        assert s.get(Officer, a.id).telegram_user_id == 1
    with session_scope(engine) as s:  # 7 days: valid a second before, expired at the mark
        assert dtm.timedelta(days=7) == INVITE_TTL
        late = T0 + INVITE_TTL
        assert redeem_invite(s, code_b, 3, now=late).outcome == "expired"
        assert s.get(Officer, b.id).telegram_user_id is None
    with session_scope(engine) as s:
        assert redeem_invite(s, code_b, 4, now=late - dtm.timedelta(seconds=1)).outcome == "linked"
    with session_scope(engine) as s:  # a new code replaces the old one
        old = issue_invite(s, b, now=T0)
        new = issue_invite(s, b, now=T0)
    with session_scope(engine) as s:
        assert redeem_invite(s, old, 5, now=T0).outcome == "expired"
        assert redeem_invite(s, new, 5, now=T0).outcome == "linked"
    # Throttle: after MAX_BAD_CODES wrong codes even a good code is refused, for the window.
    with session_scope(engine) as s:
        c = add_officer(s, org, "C")
        good = issue_invite(s, c, now=T0)
    now = T0 + dtm.timedelta(hours=1)
    with session_scope(engine) as s:
        for i in range(MAX_BAD_CODES):
            assert redeem_invite(s, f"guess-{i}", 9, now=now).outcome == "invalid"
        assert redeem_invite(s, good, 9, now=now).outcome == "throttled"
        assert redeem_invite(s, good, 10, now=now).outcome == "linked"  # per Telegram user
    with session_scope(engine) as s:
        d = add_officer(s, org, "D")
        good_d = issue_invite(s, d, now=now)
    with session_scope(engine) as s:
        later = now + BAD_CODE_WINDOW - dtm.timedelta(seconds=1)
        assert redeem_invite(s, good_d, 9, now=later).outcome == "throttled"
        # Measured on the caller's clock (the bot's injected clock), not the wall clock.
        after = now + BAD_CODE_WINDOW + dtm.timedelta(seconds=1)
        assert redeem_invite(s, good_d, 9, now=after).outcome == "linked"


async def test_invite_through_the_bot(sqlite_engine):
    async with two_orgs(sqlite_engine) as w:
        with session_scope(w.engine) as s:
            who = s.exec(select(Officer).where(Officer.name == "Đỗ Văn Chưa Liên Kết")).one()
            code = issue_invite(s, who, now=T0)
        w.emu.add_user(9100, "Mới")
        w.emu.add_user(9101, "Kẻ khác")
        assert "Đã liên kết" in answer_text(await say(w, 9100, f"/start {code}"))
        assert "đã được sử dụng" in answer_text(await say(w, 9101, f"/start {code}"))
        for i in range(MAX_BAD_CODES - 1):
            assert "không hợp lệ" in answer_text(await say(w, 9101, f"/start sai{i}"))
        assert "sai mã nhiều lần" in answer_text(await say(w, 9101, "/start sai-nua"))
        assert "sai mã nhiều lần" in answer_text(await say(w, 9101, "/start " + "x" * 5000))
        w.clock.advance(BAD_CODE_WINDOW + dtm.timedelta(minutes=1))
        assert "không hợp lệ" in answer_text(await say(w, 9101, "/start sai-lan-nua"))
        with session_scope(w.engine) as s:
            assert s.exec(select(Officer).where(Officer.telegram_user_id == 9101)).first() is None
        # Expired through the bot: the clock moves past the 7 days.
        with session_scope(w.engine) as s:
            code2 = issue_invite(s, who, now=w.clock.now())
        w.clock.advance(dtm.timedelta(days=7, seconds=1))
        w.emu.add_user(9102, "Trễ")
        assert "hết hạn" in answer_text(await say(w, 9102, f"/start {code2}"))


# ------------------------------------------------------------------ another organization


async def test_forged_callbacks_for_another_org_write_nothing(sqlite_engine):
    async with two_orgs(sqlite_engine) as w:
        # A real preview of org A's monitor, waiting for its confirm button.
        first = await upload(w, MONITOR, "kh.txt", PLAN.read_bytes(), "text/plain")
        imp_ok = confirm_button(first)
        forged = [f"r:{w.task_a}:done", f"r:{w.task_a}:prog", f"r:{w.waiting_a}:block",
                  f"x:{w.request_a}:a", f"x:{w.request_a}:r", f"pick:{w.inbound_a}:{w.task_a}",
                  f"pick:{w.inbound_a}:{w.task_b}", f"s:chart:{w.unit_a}", f"s:xlsx:{w.unit_a}",
                  imp_ok, imp_ok.replace(":ok", ":no")]
        before = snapshot(w.engine)
        for data in forged:
            got = answer_text(await press(w, OTHER_ADMIN, data))
            assert kind_of(got) in ("R", "E"), (data, got)
            assert not diff(before, snapshot(w.engine)), data
        # A's own pages were never shown to B.
        for e in w.emu.sent_messages(OTHER_ADMIN):
            assert "Rà soát thủ tục" not in (e.text or "") and e.document is None
        # The preview still belongs to A's monitor, who can still confirm it.
        got = answer_text(await press(w, MONITOR, imp_ok))
        assert "nhiệm vụ mới" in got
        # And B's own commands see only B.
        got = answer_text(await say(w, OTHER_ADMIN, "/task I.1"))
        assert kind_of(got) == "N"
        assert "II.9" in answer_text(await say(w, OTHER_ADMIN, "/tasks"))


async def test_wildcard_refs_and_huge_ids_are_refused(sqlite_engine):
    """A ref is matched literally (no LIKE wildcards); ids beyond a database id are forgeries."""
    async with two_orgs(sqlite_engine) as w:
        before = snapshot(w.engine)
        for command in ("/report % xong rồi", "/report _.1 xong", "/extend %% 20/12/2025 x",
                        "/task %", "/activate % 30/01/2026"):
            who = MONITOR if command.startswith("/activate") else OFFICER
            got = answer_text(await say(w, who, command))
            assert kind_of(got) == "N", (command, got)
        for data in ("r:9223372036854775808:done", f"r:{2**31}:done", "r:-1:done", "r:0:done",
                     f"x:{2**70}:a", f"pick:{2**64}:1", f"s:chart:{2**63}"):
            got = answer_text(await press(w, LEADER, data))
            assert kind_of(got) == "R", (data, got)
        assert not diff(before, snapshot(w.engine))
        assert "Rà soát" in answer_text(await say(w, OFFICER, "/task i.1"))  # case still folds


# ------------------------------------------------------------------ every command, every role

# Expected answer per role: U unlinked welcome, R refusal, N not found (another org's ref),
# E preview expired (someone else's), OK a real answer.
ROLE_ORDER = ("unlinked", "officer", "unit_head", "monitor", "leader", "other_admin")
MATRIX = {
    "/start": "U OK OK OK OK OK",
    "/help": "U OK OK OK OK OK",
    "/tasks": "U OK OK OK OK OK",
    "/task I.1": "U OK OK OK OK N",
    "/report I.1 đang làm 50%": "U OK OK OK OK N",
    "/extend I.1 20/12/2025 chờ hướng dẫn": "U OK OK OK OK N",
    "/summary": "U R OK OK OK OK",
    "/unlinked": "U R R OK OK OK",
    "/import": "U R R OK R OK",
    "/activate IV.1 30/01/2026": "U R R OK OK N",
    "upload": "R R R OK R OK",
    "imp:ok": "E E E OK E E",
    "r:done": "U OK OK OK OK R",
    "r:block": "U OK OK OK OK R",
    "x:approve": "U R R OK OK R",
    "s:xlsx": "U R OK OK OK OK",
    "s:chart:unit": "U R OK OK OK R",
    "pick": "U OK R R R R",
}
MUTATES = {"/report I.1 đang làm 50%", "/extend I.1 20/12/2025 chờ hướng dẫn",
           "/activate IV.1 30/01/2026", "imp:ok", "r:done", "x:approve", "pick"}


@pytest.mark.parametrize("role", ROLE_ORDER)
async def test_every_command_checks_the_role(sqlite_engine, role):
    tg = ROLES[role]
    async with two_orgs(sqlite_engine) as w:
        # A preview made by A's monitor (the monitor's own upload runs in its own row).
        preview = await upload(w, MONITOR, "kh.txt", PLAN.read_bytes(), "text/plain")
        imp_ok = confirm_button(preview)
        buttons = {"imp:ok": imp_ok, "r:done": f"r:{w.task_a}:done",
                   "r:block": f"r:{w.task_a}:block", "x:approve": f"x:{w.request_a}:a",
                   "s:xlsx": "s:xlsx:", "s:chart:unit": f"s:chart:{w.unit_a}",
                   "pick": f"pick:{w.inbound_a}:{w.task_a}"}
        wrong = []
        for action, row in MATRIX.items():
            expected = row.split()[ROLE_ORDER.index(role)]
            before = snapshot(w.engine)
            if action == "upload":
                entry = await upload(w, tg, "ke-hoach.txt", PLAN.read_bytes(), "text/plain")
            elif action in buttons:
                entry = await press(w, tg, buttons[action])
            else:
                entry = await say(w, tg, action)
            got = answer_text(entry)
            if kind_of(got) != expected:
                wrong.append((action, expected, kind_of(got), got[:120]))
            if expected == "OK":
                await settle(w)
                if action in MUTATES and kind_of(got) == "OK":
                    assert diff(before, snapshot(w.engine)), f"{action} by {role} wrote nothing"
            else:
                assert not diff(before, snapshot(w.engine)), (action, role, got[:100])
        assert not wrong, wrong
        if role == "other_admin":  # nothing of org A leaked into B's answers
            for e in w.emu.sent_messages(OTHER_ADMIN):
                text = answer_text(e)
                assert "Rà soát thủ tục" not in text and "Đỗ Văn Chưa" not in text, text
        if role in ("monitor", "leader"):
            with session_scope(w.engine) as s:
                assert s.get(ExtensionRequest, w.request_a).decision == "approved"
        if role == "officer":
            with session_scope(w.engine) as s:
                reports = s.exec(select(ProgressReport)).all()
                assert {r.source for r in reports} >= {"command", "button", "reply"}
                task = s.get(Task, w.task_a)  # done by the button, then the picked "40%"
                assert (task.status, task.percent) == ("in_progress", 40)


# ------------------------------------------------------------------ uploads


async def test_uploads_limited_in_size_and_type(sqlite_engine):
    async with two_orgs(sqlite_engine, max_upload_bytes=64 * 1024) as w:
        big = PLAN.read_bytes() * (64 * 1024 // len(PLAN.read_bytes()) + 2)
        cases = [("ke-hoach.txt", big, "text/plain", "dung lượng"),
                 ("setup.exe", b"MZ\x90\x00" + b"\x00" * 400, "application/x-msdownload", None),
                 ("ke-hoach.exe", PLAN.read_bytes(), "application/octet-stream", None),
                 ("virus.pdf", b"MZ\x90\x00" * 50, "application/pdf", None),
                 ("kh.docx", b"PK\x03\x04garbage", "application/vnd.openxmlformats", None),
                 ("rong.txt", b"", "text/plain", None)]
        for who in (MONITOR, ADMIN_A):
            for name, content, mime, words in cases:
                before = snapshot(w.engine)
                got = answer_text(await upload(w, who, name, content, mime))
                assert got.startswith("Không nhập được tài liệu"), (name, got)
                if words:
                    assert words in got
                assert not diff(before, snapshot(w.engine))
        # Within the limit and of a known type it is read.
        got = answer_text(await upload(w, MONITOR, "ke-hoach.txt", PLAN.read_bytes(), "text/plain"))
        assert "Số nhiệm vụ" in got


# ------------------------------------------------------------------ webhook secret


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def test_webhook_rejects_requests_without_the_secret(sqlite_engine):
    webhook = pytest.importorskip("bot.webhook")
    from bot.settings import Settings

    port = _free_port()
    secret = "s3cret-Token_for-webhook"
    settings = Settings(telegram_bot_token=TOKEN, webhook_url=f"http://127.0.0.1:{port}/tg/hook",
                        webhook_secret=secret, webhook_port=port,
                        _env_file=None)  # type: ignore[call-arg]
    kwargs = webhook.webhook_kwargs(settings)
    assert kwargs["secret_token"] == secret
    async with two_orgs(sqlite_engine) as w:
        await w.app.updater.stop()  # from polling to the webhook
        await w.app.updater.start_webhook(**kwargs)
        try:
            assert w.emu.webhook_url == settings.webhook_url
            url = f"http://127.0.0.1:{port}/{kwargs['url_path'].lstrip('/')}"

            def update(uid: int, text: str) -> bytes:
                return json.dumps({"update_id": uid, "message": {
                    "message_id": uid, "date": 1_760_000_000, "text": text,
                    "chat": {"id": OFFICER, "type": "private"},
                    "from": {"id": OFFICER, "is_bot": False, "first_name": "X"},
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}).encode()

            loop = asyncio.get_running_loop()
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                            {"X-Telegram-Bot-Api-Secret-Token": secret[:-1]}):
                status = await loop.run_in_executor(None, _post, url, update(900, "/tasks"),
                                                    headers)
                assert status == 403, headers
            await asyncio.sleep(0.3)
            with session_scope(w.engine) as s:
                assert not s.exec(select(InboundMessage).where(
                    InboundMessage.update_id == 900)).all()
            assert not w.emu.sent_messages(OFFICER)
            status = await loop.run_in_executor(
                None, _post, url, update(901, "/tasks"),
                {"X-Telegram-Bot-Api-Secret-Token": secret})
            assert status == 200
            await w.emu.wait_for(1, chat_id=OFFICER, timeout=10)
        finally:
            await w.app.updater.stop()
            await w.app.updater.start_polling(poll_interval=0.0, timeout=1)  # for the teardown
