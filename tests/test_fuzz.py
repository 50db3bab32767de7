"""Fuzzing (10,065 cases): the parsers, the document readers and the handlers' dispatch never
crash, always answer in their contract's shape, and a refused input writes nothing.

Most cases call the service layer or the handler coroutines directly (fast); a few dozen go
through the real app and the emulator, and the bot must answer each and stay alive.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import random
import types
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine
from telegram import Update

from db.engine import make_engine
from db.migrate import upgrade
from db.officers import MAX_BAD_CODES
from handlers import chat, upload
from handlers.context import Services
from plans import PlanReadError, parse_plan, read_document
from plans.deadlines import KINDS, parse_colloquial, parse_deadline
from plans.replies import STATUSES, parse_reply
from scheduler.calendar import WorkingCalendar
from scheduler.clock import FakeClock
from tests.two_orgs import (
    MONITOR,
    OFFICER,
    OTHER_ADMIN,
    STRANGER,
    T0,
    answer_text,
    press,
    say,
    seed,
    two_orgs,
)

FIXTURES = Path("tests/fixtures")
TODAY = dtm.date(2025, 11, 24)
NOW = T0


def fast(n: int) -> settings:
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


VOCAB = ["xong", "rồi", "đang", "làm", "60%", "100 %", "vướng", "chưa", "có", "hướng dẫn",
         "xin", "gia hạn", "đến", "20/12", "20/12/2025", "31/02/2025", "thứ sáu", "tuần sau",
         "cuối tháng", "3 ngày nữa", "sáng mai", "8h", "17h30", "ngày", "tháng", "Quý IV/2025",
         "năm", "2026 - 2030", "trước", "chậm nhất", "15 giờ", "Thường xuyên", "hằng tháng",
         "Sau khi", "khi có", "theo yêu cầu", "không", "hoàn thành", "HT", "da xong", "dang lam",
         "ok", "?", "!", "…", "-1%", "999%", "0", "00/00/0000", "29/02/2024", "IV", "III,",
         "\u200b", "\n", "<b>", "&amp;", "😀", "١٢", "ｘｏｎｇ", "XONG", "x" * 50]
words = st.lists(st.sampled_from(VOCAB), max_size=12).map(" ".join)
noise = st.text(max_size=200)
mixed = st.one_of(words, noise, st.tuples(words, noise, words).map(" ".join))


# ------------------------------------------------------------------ parsers (≈6,800 cases)


def _check_reply(text: str) -> None:
    r = parse_reply(text, ref_date=TODAY, now=NOW)
    assert r.status in STATUSES
    assert r.percent is None or 0 <= r.percent <= 100
    assert r.new_due is None or isinstance(r.new_due, dtm.date)
    assert r.new_due is None or r.status == "extension"
    r.to_json()


@fast(1800)
@given(noise)
def test_fuzz_reply_noise(text):
    _check_reply(text)


@fast(1500)
@given(words)
def test_fuzz_reply_words(text):
    _check_reply(text)


def _check_deadline(text: str, year: int | None) -> None:
    d = parse_deadline(text, plan_year=year, ref_date=TODAY)
    assert d.kind in KINDS
    assert d.due is None or d.due.utcoffset() is not None
    if d.kind in ("recurring", "on_request", "none"):
        assert d.due is None
    d.to_json()


@fast(1800)
@given(mixed, st.one_of(st.none(), st.integers(1900, 2100)))
def test_fuzz_deadline(text, year):
    _check_deadline(text, year)


@fast(1000)
@given(st.builds(
    lambda a, d, m, y, tail: f"{a} {d}/{m}/{y} {tail}",
    st.sampled_from(["", "trước ngày", "chậm nhất", "15 giờ, ngày", "Tháng", "Quý", "ngày"]),
    st.integers(-5, 40), st.integers(-1, 14), st.integers(0, 99999), words))
def test_fuzz_deadline_numbers(text):
    _check_deadline(text, 2025)


@fast(800)
@given(mixed, st.integers(0, 3650))
def test_fuzz_colloquial(text, days):
    now = NOW + dtm.timedelta(days=days)
    got = parse_colloquial(text, now=now)
    assert got is None or got.utcoffset() is not None


# ------------------------------------------------------------------ documents (≈1,000 cases)

SEEDS = [FIXTURES / "tran-lieu_kh73-nq268.txt", FIXTURES / "thai-tan_kh-cchc-2025.txt"]


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:  # Word itself cannot hold control characters
        d.add_paragraph("".join(c for c in p if c in "\t\n" or ord(c) >= 32 and c != "\x7f"
                                and not 0xD800 <= ord(c) <= 0xDFFF and ord(c) not in (
                                    0xFFFE, 0xFFFF)))
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _read_and_parse(data: bytes, name: str) -> None:
    try:
        doc = read_document(data, name, max_bytes=256 * 1024)
    except PlanReadError as exc:
        assert exc.message_vi  # refused with a Vietnamese explanation
        return
    plan = parse_plan(doc, ref_date=TODAY)
    for t in plan.tasks:
        assert t.deadline_kind in KINDS
        assert t.due is None or t.due.utcoffset() is not None


NAMES = st.sampled_from(["kh.txt", "kh.docx", "kh.pdf", "kh.xlsx", "kh", "kh.exe", "KH.TXT",
                         "../../etc/passwd", "a" * 300 + ".txt", "kh.doc", ""])


@fast(500)
@given(st.binary(max_size=2000), NAMES)
def test_fuzz_random_bytes(data, name):
    _read_and_parse(data, name)


@fast(300)
@given(st.sampled_from([b"PK\x03\x04", b"%PDF-1.4\n", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf",
                        b"\xff\xfe", b"MZ", b""]), st.binary(max_size=600), NAMES)
def test_fuzz_magic_headers(head, tail, name):
    _read_and_parse(head + tail, name)


@fast(200)
@given(st.sampled_from(SEEDS), st.integers(0, 10**6), st.sampled_from(["cut", "shuffle",
                                                                        "flip", "dup", "fold"]))
def test_fuzz_mutated_plans(path, seed_, how):
    lines = path.read_text(encoding="utf-8").splitlines()
    rnd = random.Random(seed_)
    if how == "cut":
        a = rnd.randrange(len(lines))
        lines = lines[a:a + rnd.randrange(1, 80)]
    elif how == "shuffle":
        lines = rnd.sample(lines, min(len(lines), 60))
    elif how == "dup":
        lines = lines[:40] * 3
    elif how == "fold":
        from plans.text import fold

        lines = [fold(x) for x in lines[:120]]
    data = "\n".join(lines).encode("utf-8")
    if how == "flip" and data:
        buf = bytearray(data[:6000])
        for _ in range(rnd.randrange(1, 30)):
            buf[rnd.randrange(len(buf))] = rnd.randrange(256)
        data = bytes(buf)
    _read_and_parse(data, "kh.txt")


@fast(25)
@given(st.lists(mixed, max_size=15), st.booleans())
def test_fuzz_docx_and_broken_zip(paragraphs, corrupt):
    data = _docx(paragraphs)
    if corrupt:
        data = data[: len(data) // 2]
    _read_and_parse(data, "kh.docx")
    # A zip that is not a document, and a zip bomb-shaped entry.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<" * 10 + "".join(paragraphs))
    _read_and_parse(out.getvalue(), "kh.docx")


# ------------------------------------------------------------------ handlers, no HTTP (≈2,100)


class FakeBot:
    """Just enough of a Bot for handler coroutines: answers are recorded, never sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id=None, text="", **_kw):  # noqa: ANN001, ANN202
        self.sent.append((int(chat_id), str(text)))
        return types.SimpleNamespace(message_id=len(self.sent))

    async def send_photo(self, chat_id=None, **_kw):  # noqa: ANN001, ANN202
        self.sent.append((int(chat_id), "<photo>"))

    async def send_document(self, chat_id=None, **_kw):  # noqa: ANN001, ANN202
        self.sent.append((int(chat_id), "<document>"))

    async def answer_callback_query(self, *_a, **_kw):  # noqa: ANN002, ANN003, ANN202
        return True


class Harness:
    """Handlers over a seeded SQLite database, one event loop for all examples."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.ids = seed(engine)
        self.loop = asyncio.new_event_loop()
        self.svc = Services(engine=engine, clock=FakeClock(T0), calendar=WorkingCalendar(),
                            bot_username="nhacviec_bot")
        self.bot = FakeBot()
        self.bot_data = {"services": self.svc, "previews": {}}
        self.n = 0

    def _update(self, user: int, *, text: str | None = None, data: str | None = None) -> Update:
        self.n += 1
        frm = {"id": user, "is_bot": False, "first_name": "U"}
        chat = {"id": user, "type": "private"}
        msg = {"message_id": self.n, "date": 1_764_000_000, "chat": chat, "from": frm}
        if data is not None:
            bot_msg = {**msg, "from": {"id": 1, "is_bot": True, "first_name": "B"}, "text": "·"}
            raw = {"update_id": self.n, "callback_query": {
                "id": str(self.n), "from": frm, "chat_instance": "1", "data": data,
                "message": bot_msg}}
        else:
            raw = {"update_id": self.n, "message": {**msg, "text": text}}
            if text and text.startswith("/"):
                raw["message"]["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return Update.de_json(raw, self.bot)  # type: ignore[arg-type]

    def run(self, handler, update: Update, args: list[str] | None = None) -> list[str]:  # noqa: ANN001
        ctx = types.SimpleNamespace(bot=self.bot, bot_data=self.bot_data, chat_data={},
                                    args=args or [])
        before = len(self.bot.sent)
        self.loop.run_until_complete(handler(update, ctx))
        return [t for _, t in self.bot.sent[before:]]

    def fingerprint(self, org_id: int | None = None) -> tuple:
        """Row counts of every table but InboundMessage, and the mutable task fields (of one
        organization, if given)."""
        where = f"WHERE org_id = {int(org_id)}" if org_id is not None else ""
        tables = ["progressreport", "task", "extensionrequest", "notification", "officer",
                  "auditlog", "plan", "invite", "unit"]
        with self.engine.connect() as conn:
            counts = conn.execute(sql("SELECT " + ", ".join(
                f"(SELECT count(*) FROM {t} {where})" for t in tables)
                + ", (SELECT count(*) FROM assignment)")).one()
            tasks = conn.execute(sql(
                f"SELECT id, status, percent, due_at, last_report_at FROM task {where} "
                "ORDER BY id")).all()
            decisions = conn.execute(sql(
                f"SELECT id, decision FROM extensionrequest {where} ORDER BY id")).all()
            links = conn.execute(sql(
                f"SELECT id, telegram_user_id FROM officer {where} ORDER BY id")).all()
        return tuple(counts), tuple(tasks), tuple(decisions), tuple(links)

    def close(self) -> None:
        self.loop.close()
        self.engine.dispose()


@pytest.fixture
def harness(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/fuzz.sqlite3")
    upgrade(engine)
    h = Harness(engine)
    yield h
    h.close()


REFUSALS = ("không có quyền", "đường dẫn mời", "Không tìm thấy", "hết hiệu lực", "Cú pháp",
            "chưa hiểu")


def _refused(answers: list[str]) -> bool:
    return any(any(r in a for r in REFUSALS) for a in answers)


def _callback_data(ids: dict[str, int]) -> st.SearchStrategy[str]:
    own = [ids["task_a"], ids["waiting_a"], ids["request_a"], ids["inbound_a"], ids["unit_a"]]
    num = st.one_of(st.sampled_from(own), st.integers(-2**63, 2**63),
                    st.sampled_from(["", "0", "-1", "1e3", "0x10", " 1", "１", "NaN"]))
    part = st.one_of(num.map(str), st.sampled_from(["done", "prog", "block", "ext", "a", "r",
                                                    "chart", "xlsx", "ok", "no", "d0"]),
                     st.text(max_size=8))
    prefix = st.sampled_from(["r", "pick", "x", "s", "imp", "", "R", "r ", "zz"])
    structured = st.builds(lambda p, xs: ":".join([p, *xs]), prefix, st.lists(part, max_size=4))
    return st.one_of(structured, st.text(max_size=40)).filter(
        lambda d: 0 < len(d.encode("utf-8")) <= 64)


def _dispatch(data: str):  # noqa: ANN202 - as bot.app routes callbacks
    return upload.decide if data.startswith("imp:") else chat.callback


def test_fuzz_forged_callbacks_from_another_org_write_nothing(harness):
    h = harness
    start = h.fingerprint()

    @fast(800)
    @given(_callback_data(h.ids), st.sampled_from([OTHER_ADMIN, STRANGER]))
    def inner(data, user):
        answers = h.run(_dispatch(data), h._update(user, data=data))
        assert answers, data  # always an answer
        assert all("bot gặp lỗi" not in a for a in answers)
        assert h.fingerprint() == start, data
        assert all("Rà soát thủ tục" not in a for a in answers)

    inner()


def test_fuzz_callbacks_of_own_org(harness):
    """An officer's random buttons: refused ones write nothing; the rest act within org A."""
    h = harness

    @fast(700)
    @given(_callback_data(h.ids), st.sampled_from([OFFICER, MONITOR]))
    def inner(data, user):
        before = h.fingerprint()
        answers = h.run(_dispatch(data), h._update(user, data=data))
        assert answers, data
        assert all("bot gặp lỗi" not in a for a in answers)
        if _refused(answers):
            assert h.fingerprint() == before, (data, answers)

    inner()


COMMANDS = {"/report": chat.report_cmd, "/extend": chat.extend_cmd, "/task": chat.task_cmd,
            "/activate": chat.activate_cmd, "/summary": chat.summary_cmd,
            "/unlinked": chat.unlinked_cmd, "/tasks": chat.tasks_cmd}


def test_fuzz_commands_and_free_text(harness):
    h = harness

    @fast(500)
    @given(st.sampled_from([*COMMANDS, "text"]), st.lists(mixed, max_size=4),
           st.sampled_from([OFFICER, MONITOR, OTHER_ADMIN, STRANGER]))
    def inner(command, args, user):
        args = [a for arg in args for a in arg.split()]
        before, before_a = h.fingerprint(), h.fingerprint(h.ids["org_a"])
        if command == "text":
            body = " ".join(args) or "?"
            answers = h.run(chat.text_message, h._update(user, text=body))
        else:
            body = " ".join([command, *args])
            answers = h.run(COMMANDS[command], h._update(user, text=body), args)
        assert answers
        assert all("bot gặp lỗi" not in a for a in answers)
        if user == STRANGER or _refused(answers):
            assert h.fingerprint() == before, (body, answers)
        elif user == OTHER_ADMIN:  # B's admin may act on B, never on A
            assert h.fingerprint(h.ids["org_a"]) == before_a, (body, answers)

    inner()


def test_fuzz_invite_codes(harness):
    """Random /start codes never link anyone; each bad try leaves one audit row until the
    throttle, then none."""
    h = harness
    start = h.fingerprint()
    audits = start[0][5]
    tries = 0

    @fast(100)
    @given(st.text(max_size=120))
    def inner(code):
        nonlocal tries
        code = code.split()[0] if code.split() else ""
        answers = h.run(chat.start, h._update(9555, text=f"/start {code}"),
                        [code] if code else [])
        assert answers and all("bot gặp lỗi" not in a for a in answers)
        assert "Đã liên kết" not in answers[0]
        if code:
            tries += 1
        now = h.fingerprint()
        assert now[3] == start[3]  # nobody linked
        assert now[0][5] - audits == min(tries, MAX_BAD_CODES)

    inner()


# ------------------------------------------------------------------ through the app (40 cases)


def test_fuzz_through_the_app(sqlite_engine):
    """Random text and forged callback data through the real app: it answers every one."""
    loop = asyncio.new_event_loop()
    cm = two_orgs(sqlite_engine)
    w = loop.run_until_complete(cm.__aenter__())
    try:
        @fast(20)
        @given(st.text(min_size=1, max_size=300).filter(lambda s: s.strip()),
               st.sampled_from([OFFICER, OTHER_ADMIN, STRANGER]))
        def texts(body, user):
            got = loop.run_until_complete(say(w, user, body))
            assert "bot gặp lỗi" not in answer_text(got)

        @fast(20)
        @given(_callback_data({"task_a": 1, "waiting_a": 2, "request_a": 1, "inbound_a": 1,
                               "unit_a": 1}), st.sampled_from([OFFICER, OTHER_ADMIN]))
        def buttons(data, user):
            loop.run_until_complete(press(w, user, data))

        texts()
        buttons()
        got = loop.run_until_complete(say(w, OFFICER, "/help"))
        assert "Hướng dẫn" in answer_text(got)
    finally:
        loop.run_until_complete(cm.__aexit__(None, None, None))
        loop.close()
