"""Every template renders, and user-facing Vietnamese lives in messages/templates/, not in code.

Templates are rendered with representative context under StrictUndefined: a misspelt
variable fails here, not in a commune's chat. Templates that switch on ``kind``, ``outcome``,
``action``, ``command`` or ``item`` are rendered once per value they compare against, so each
branch is exercised.
"""

from __future__ import annotations

import ast
import datetime as dtm
import re
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from messages import render, template_names
from messages.render import TEMPLATES, render_plain

ROOT = Path(__file__).resolve().parent.parent
NOW = dtm.datetime(2026, 5, 6, 2, 0, tzinfo=dtm.UTC)  # 09:00 in Hà Nội
DUE = dtm.datetime(2026, 5, 20, 10, 0, tzinfo=dtm.UTC)  # 17:00 ngày 20/05/2026


def _task(ref: str = "VI.3", **kw: object) -> NS:
    base = dict(ref=ref, title="Rà soát, chuẩn hóa thủ tục hành chính thuộc thẩm quyền của xã",
                due_at=DUE, deadline_kind="datetime", deadline_text="Trước 17:00 ngày 20/05/2026",
                lead_text="Văn phòng HĐND và UBND", cooperate_text=["Phòng Kinh tế"],
                leader_text="Đồng chí Phó Chủ tịch UBND xã", condition="Sau khi có hướng dẫn",
                status="in_progress", percent=60)
    return NS(**{**base, **kw})


OFFICER = NS(name="Lê Văn Nam", role="monitor")
TASK = _task()
MONTHLY = _task("II.1", deadline_kind="month", deadline_text="Tháng 5/2026", status="open",
                percent=0)
UNIT_ROW = NS(unit="Phòng Văn hóa – Xã hội", done_on_time=2, done_late=1, open_on_time=3,
              open_overdue=1, waiting=1, recurring=2)
TOTAL = NS(total=10, done_on_time=2, done_late=1, open_on_time=3, open_overdue=1, waiting=1,
           recurring=2)
IMPORTED = NS(already_imported=False, created=["I.1", "I.2"], updated=["II.1"], unchanged=3,
              removed=["III.4"])
LINE_ERROR = NS(line=4, message="Dòng 4: thiếu họ tên.")
PREVIEW = NS(plan=NS(title="Kế hoạch sơ kết 6 tháng đầu năm 2026", number="15/KH-UBND",
                     tasks=[TASK, MONTHLY], unknown_units=["Tổ công tác 868", "Hội CCB"]),
             file_name="kh15.docx", per_unit={"Văn phòng HĐND và UBND": 2},
             per_kind={"datetime": 1, "month": 1}, mapping={"Hội CCB": "Hội Cựu chiến binh"},
             without_deadline=["II.3"], default_due=DUE)

CONTEXTS: dict[str, dict[str, object]] = {
    "activated": dict(ref="IV.1", due_at=DUE),
    "ask_detail": dict(action="block"),
    "ask_status": dict(text="mai em gửi"),
    "blocker_forward": dict(task=TASK, officer=OFFICER, note="chưa có hướng dẫn của Sở"),
    "cli_error": dict(kind="failed", message="Không tìm thấy dòng tiêu đề.", nothing_written=True,
                      value="sớm", example="31/12/2026", ref="XX.9", name="Không Có Ai",
                      path="/tmp/ds.csv", reason="Input/output error", prog="nhacviec run",
                      names="name, --org", choices="all, updates, sender"),
    "cli_help": dict(item="description"),
    "cli_result": dict(kind="import_done", path="mau.xlsx", r=IMPORTED, count=3, ref="IV.1",
                       due_at=DUE),
    "cooperate_forward": dict(task=TASK, officer=OFFICER, unit_name="Phòng Kinh tế",
                              status="in_progress", percent=40, note="đã gửi số liệu"),
    "demo": dict(kind="step_setup", org_name="UBND xã An Thành", start=NOW, end=DUE, count=13,
                 name="Lê Văn Nam", link="https://t.me/nhacviec_bot?start=abc",
                 text="xong rồi"),
    "digest": dict(now=NOW, officer=OFFICER, overdue=[MONTHLY], upcoming=[TASK]),
    "error": {},
    "export_label": dict(item="headers", others="Các đơn vị khác", count=76,
                         org_name="UBND phường Trần Liễu", at=NOW),
    "extension_decided": dict(outcome="approved", for_requester=True, task=TASK,
                              request=NS(requested_due=DUE)),
    "extension_request": dict(officer=OFFICER, task=TASK, new_due=DUE, reason="chờ số liệu"),
    "extension_sent": dict(ref="VI.3", due=DUE),
    "help": dict(officer=OFFICER),
    "import_already": {},
    "import_cancelled": {},
    "import_done": dict(r=IMPORTED),
    "import_error": dict(message_vi="Tệp vượt quá dung lượng cho phép."),
    "import_expired": {},
    "import_howto": {},
    "import_map_ask": dict(name="Tổ công tác 868"),
    "import_preview_cli": dict(p=PREVIEW),
    "label": dict(item="done", name="Ban Quản lý chợ xã", day=DUE, ref="I.1", title="Rà soát",
                  now=DUE, org="UBND xã Hoà Bình"),
    "link_result": dict(outcome="linked", officer=OFFICER, open_count=3, first_due=DUE),
    "no_open_tasks": dict(officer=OFFICER),
    "officer_unreachable": dict(officer=OFFICER, unit=NS(name="Phòng Kinh tế")),
    "plan_tasks": dict(plan=PREVIEW.plan, officer=OFFICER, created=[TASK] * 16,
                       updated=[MONTHLY]),
    "refused": {},
    "reminder": dict(kind="before_due", role="cooperate", task=TASK, days_late=2,
                     officer=OFFICER),
    "report_ok": dict(ref="VI.3", status="in_progress", percent=60, note="đang tổng hợp",
                      governs=False, role="cooperate", forwarded=True),
    "roster_error": dict(kind="too_big", size_mb="7,5", limit_mb="5", limit=5000),
    "roster_line": dict(kind="duplicate", line=5, limit=200, name="Trần Thị Hoa", other=3,
                        value="Hội Người cao tuổi", suggest=["Hội Cựu chiến binh"]),
    "roster_links": dict(links=[("Lê Văn Nam", "Phòng Kinh tế", "https://t.me/x?start=a"),
                                ("Nguyễn Quý Phong", None, "https://t.me/x?start=b")]),
    "roster_preview": dict(roster=NS(rows=[1, 2, 3], errors=[LINE_ERROR] * 21),
                           roles={"officer": 2, "monitor": 1}),
    "roster_result": dict(r=NS(added=2, updated=1, created_units=[], errors=[LINE_ERROR],
                               unknown_units=["Hội Người cao tuổi"]), cli=True),
    "settings_error": dict(field="TIMEZONE", reason="múi giờ không tồn tại: «Mars/Olympus»"),
    "settings_invalid": dict(kind="timezone", value="Mars/Olympus"),
    "summary": dict(now=NOW, s=NS(
        unit_filter="Phòng Kinh tế", total=TOTAL, extended=1, rows=[UNIT_ROW],
        overdue=[NS(ref="II.1", title=MONTHLY.title, unit="Phòng Kinh tế", days_late=3,
                    responsible=["Lê Văn Nam"])],
        due_soon=[NS(ref="VI.3", title=TASK.title, due_at=DUE)],
        unlinked=["Phạm Thu Trang"], silent=["Đỗ Minh Tuấn"])),
    "task_detail": dict(task=TASK, reports=[NS(created_at=NOW, raw_text="đang làm 60%")]),
    "task_not_found": dict(ref="XX.9"),
    "tasks": dict(rows=[(TASK, "lead"), (MONTHLY, "cooperate")], officer=OFFICER),
    "unit_not_found": dict(name="Phòng Không Có"),
    "unlinked": dict(names=["Phạm Thu Trang", "Đỗ Minh Tuấn"]),
    "usage": dict(command="task"),
    "welcome_linked": dict(officer=OFFICER),
    "welcome_unlinked": {},
    "which_task": {},
}
SWITCHES = ("kind", "outcome", "action", "command", "item")
PLAIN = {"label", "cli_error", "cli_help", "cli_result", "demo", "export_label", "settings_error", "settings_invalid"}
ONE_LINE = {"label", "cli_error", "cli_help", "settings_error", "settings_invalid", "demo"}
# Words written without their diacritics ("khong" for "không"): never in a message.
BARE_WORDS = re.compile(r"\b(khong|duoc|nhiem vu|chua|xong roi|dang lam|vuong|gia han|don vi|"
                        r"can bo|thoi han|bao cao|dong chi|ngay)\b", re.IGNORECASE)


def _variants(name: str) -> list[dict[str, object]]:
    """The base context, then one per value a switch variable is compared with."""
    base = CONTEXTS[name]
    source = (TEMPLATES / f"{name}.j2").read_text(encoding="utf-8")
    out = [base]
    for var, value in re.findall(r"\b(\w+) == \"([^\"]+)\"", source):
        if var in SWITCHES and var in base:
            out.append({**base, var: value})
    for var in SWITCHES:  # the {% else %} branch, where there is one
        if var in base and "{% else %}" in source:
            out.append({**base, var: "__other__"})
    return out


def test_every_template_has_a_context():
    assert sorted(CONTEXTS) == template_names()


@pytest.mark.parametrize("name", template_names())
def test_template_renders_every_branch(name):
    for ctx in _variants(name):
        text = (render_plain if name in PLAIN else render)(name, **ctx)
        assert text.strip(), (name, ctx)
        assert "None" not in text and "namespace(" not in text, (name, text)
        assert not re.search(r"\d{4}-\d\d-\d\d", text), (name, text)  # dates are dd/mm/yyyy
        if name in ONE_LINE:
            assert len(text.splitlines()) <= 1, (name, text)


def test_dates_and_times_use_the_filters():
    assert "17:00 ngày 20/05/2026" in render("task_detail", task=TASK, reports=[])
    assert "06/05/2026" in render("digest", now=NOW, officer=OFFICER, overdue=[], upcoming=[TASK])
    text = render_plain("cli_result", kind="activated", ref="IV.1", due_at=DUE)
    assert text == "Đã kích hoạt nhiệm vụ IV.1, thời hạn 17:00 ngày 20/05/2026."


def test_plain_rendering_gives_back_the_users_text():
    text = render_plain("cli_error", kind="failed", message="tệp <b>A & B</b>.xlsx")
    assert text == "Lỗi: tệp <b>A & B</b>.xlsx"
    assert render_plain("demo", kind="start_hidden") == "/start <mã mời>"


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.j2")), ids=lambda p: p.stem)
def test_templates_keep_their_diacritics(path):
    text = re.sub(r"\{[{%#].*?[}%#]\}", " ", path.read_text(encoding="utf-8"), flags=re.S)
    assert not BARE_WORDS.search(text), BARE_WORDS.search(text)


def test_command_line_errors_and_help_are_vietnamese(capsys):
    from bot.cli import main

    for argv in (["demo", "--x"], ["run", "--role", "x"], ["officer", "add", "A"],
                 ["bench", "--scale", "x"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        err = capsys.readouterr().err
        assert stop.value.code == 2 and "lỗi:" in err and "tham số" in err and "error" not in err, err
        assert err.startswith("cách dùng: nhacviec")
    with pytest.raises(SystemExit):
        main(["officer", "import", "-h"])
    out = capsys.readouterr().out
    assert "tùy chọn:" in out and "xem hướng dẫn này rồi thoát" in out and "help message" not in out


# ------------------------------------------------------------ no Vietnamese in code

SCANNED = ("bot", "handlers", "scheduler")
# Calls whose string arguments reach a user: the terminal, a chat, a file Telegram shows.
SINKS = {"print", "input", "_say", "_note", "reply_text", "reply_html", "reply_photo",
         "reply_document", "send_message", "send_photo", "send_document", "edit_message_text",
         "edit_text", "answer", "_reply", "ArgumentTypeError"}
VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữ"
                        "ỳýỵỷỹđ]", re.IGNORECASE)
# (file, start of the literal): why it may stay. Each entry must still match (no stale ones).
ALLOWED: dict[tuple[str, str], str] = {}  # every user-facing text now comes from a template


def _call_name(node: ast.Call) -> str:
    fn = node.func
    return fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")


def vietnamese_literals(path: Path) -> list[tuple[int, str]]:
    """String constants with Vietnamese letters passed to a sink call or raised in an error.

    Log calls (``log.info(...)``), comments and docstrings are not sinks and are not reported.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _call_name(node) in SINKS:
            target: ast.AST = node
        elif isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc
        else:
            continue
        for sub in ast.walk(target):
            if (isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                    and VIETNAMESE.search(sub.value)):
                found.append((sub.lineno, sub.value))
    return sorted(set(found))


def test_scanner_finds_what_it_should(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text('import logging\nlog = logging.getLogger()\n'
                      'def f(update, n):\n'
                      '    """Gửi tin."""  # docstring: not a message\n'
                      '    log.info("Đã gửi %s", n)  # a log line\n'
                      '    print(f"Đã nhập: {n} mới")\n'
                      '    raise ValueError("không hợp lệ")\n', encoding="utf-8")
    found = {v for _, v in vietnamese_literals(sample)}
    assert found == {"Đã nhập: ", " mới", "không hợp lệ"}


def test_no_user_facing_vietnamese_in_code():
    seen: set[tuple[str, str]] = set()
    offenders: list[str] = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for line, value in vietnamese_literals(path):
                allowed = [key for key in ALLOWED if key[0] == rel and value.startswith(key[1])]
                seen.update(allowed)
                if not allowed:
                    offenders.append(f"{rel}:{line}: {value!r}")
    assert not offenders, "move these to messages/templates/:\n" + "\n".join(offenders)
    assert seen == set(ALLOWED), f"stale allow-list entries: {set(ALLOWED) - seen}"
