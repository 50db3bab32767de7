"""Telegram handlers: thin — read the update, call a service, render a message."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import logging
import zoneinfo

from sqlalchemy.exc import OperationalError
from sqlmodel import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from db.engine import session_scope
from db.inbound import mark_processed, store_inbound
from db.models import Notification, Officer, Task, TaskStatus, Unit
from db.officers import mark_reachable, officer_for_telegram, redeem_invite, unlinked_officers
from db.summary import build_summary, export_rows
from db.tasks import (
    create_extension,
    decide_extension,
    lead_officers,
    open_tasks_for_officer,
    record_report,
    reports_for_task,
    task_by_ref,
    task_in_org,
)
from handlers.context import IMPORT_ROLES, services
from messages import label, render, split_message
from plans.deadlines import parse_colloquial
from plans.replies import parse_reply
from scheduler.delivery import task_buttons
from scheduler.outbox import sync_tasks

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MAX_TEXT = 4000  # longer chat text is stored whole but parsed on its head only
UNPLANNED = (TaskStatus.DONE, TaskStatus.WAITING)  # statuses without reminders (outbox)
SUMMARY_ROLES = ("leader", "monitor", "admin", "unit_head")
STORE_PATIENCE = 300.0  # seconds an update waits for the database before it fails
MONITOR_ROLES = ("monitor", "admin", "leader")


async def store_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update is written to InboundMessage before any handler runs."""
    user = update.effective_user
    chat = update.effective_chat
    text = None
    kind = "message"
    if update.callback_query is not None:
        kind, text = "callback", update.callback_query.data
    elif update.effective_message is not None:
        msg = update.effective_message
        text = msg.text or msg.caption
        kind = "document" if msg.document else "message"
    svc = services(context)
    # Telegram will not send this update again: while the database is down (a restart, a
    # failover) wait for it rather than drop what the officer wrote.
    waited, pause = 0.0, 0.2
    while True:
        try:
            with session_scope(svc.engine) as session:
                row, _ = store_inbound(session, update_id=update.update_id,
                                       telegram_user_id=user.id if user else None,
                                       chat_id=chat.id if chat else None, kind=kind, text=text,
                                       raw=update.to_dict(), now=svc.clock.now())
                context.chat_data["inbound_id"] = row.id  # type: ignore[index]
                if user is not None:
                    # Who is writing, read in this transaction: every handler asks, and one
                    # session less per update matters on a busy morning.
                    writer = officer_for_telegram(session, user.id)
                    if writer is not None and writer.unreachable:
                        mark_reachable(session, user.id)  # he unblocked the bot
                        session.refresh(writer)
                    context.chat_data["officer"] = (update.update_id, writer)  # type: ignore[index]
            return
        except OperationalError:
            if waited >= STORE_PATIENCE:
                raise
            logging.getLogger(__name__).warning("database unavailable; update %s waits",
                                                update.update_id)
            await asyncio.sleep(pause)
            waited, pause = waited + pause, min(pause * 2, 5.0)


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    assert message is not None
    parts = split_message(text)
    for i, part in enumerate(parts):
        await message.reply_text(part, parse_mode=ParseMode.HTML,
                                 reply_markup=markup if i == len(parts) - 1 else None)


def _officer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Officer | None:
    user = update.effective_user
    if user is None:
        return None
    cached = context.chat_data.get("officer") if context.chat_data is not None else None
    if cached is not None and cached[0] == update.update_id:
        return cached[1]  # type: ignore[no-any-return]
    with session_scope(services(context).engine) as session:
        return officer_for_telegram(session, user.id)


def _finish(context: ContextTypes.DEFAULT_TYPE, outcome: str) -> None:
    inbound_id = context.chat_data.get("inbound_id") if context.chat_data else None
    if inbound_id:
        svc = services(context)
        with session_scope(svc.engine) as session:
            mark_processed(session, inbound_id, outcome, now=svc.clock.now())


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start <code>: link the Telegram user to an officer; plain /start explains linking."""
    user = update.effective_user
    assert user is not None
    svc = services(context)
    code = context.args[0] if context.args else ""
    if not code:
        officer = _officer(update, context)
        key = "welcome_linked" if officer else "welcome_unlinked"
        await _reply(update, render(key, officer=officer))
        _finish(context, "start")
        return
    with session_scope(svc.engine) as session:
        result = redeem_invite(session, code[:100], user.id, now=svc.clock.now())
        officer = session.get(Officer, result.officer_id) if result.officer_id else None
        # Tell a newly linked officer at once what waits for him (the plan's "new tasks"
        # notice could not reach him before he linked).
        rows = open_tasks_for_officer(session, officer.id or 0) if officer else []
        first_due = min((t.due_at for t, _ in rows if t.due_at), default=None)
    await _reply(update, render("link_result", outcome=result.outcome, officer=officer,
                                open_count=len(rows), first_due=first_due))
    _finish(context, f"link:{result.outcome}")


async def help_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: what the bot understands."""
    officer = _officer(update, context)
    await _reply(update, render("help" if officer else "welcome_unlinked", officer=officer))


async def refuse_unlinked(update: Update) -> None:
    await _reply(update, render("welcome_unlinked", officer=None))


async def _require(update: Update, context: ContextTypes.DEFAULT_TYPE,
                   roles: tuple[str, ...] | None = None) -> Officer | None:
    """The linked officer, if he may go on; otherwise the polite refusal is already sent."""
    officer = _officer(update, context)
    if officer is None:
        await refuse_unlinked(update)
        _finish(context, "unlinked")
        return None
    if roles is not None and officer.role not in roles:
        await _reply(update, render("refused"))
        _finish(context, "refused")
        return None
    return officer


async def tasks_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tasks: my open tasks sorted by due."""
    officer = await _require(update, context)
    if officer is None:
        return
    with session_scope(services(context).engine) as session:
        rows = open_tasks_for_officer(session, officer.id or 0)
    await _reply(update, render("tasks", officer=officer, rows=rows))


async def task_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/task <ref>: detail and history."""
    officer = await _require(update, context)
    if officer is None:
        return
    if not context.args:
        await _reply(update, render("usage", command="task"))
        return
    with session_scope(services(context).engine) as session:
        found = task_by_ref(session, officer.org_id, context.args[0])
        reports = reports_for_task(session, found[0].id or 0) if found else []
    if not found:
        await _reply(update, render("task_not_found", ref=context.args[0]))
        return
    await _reply(update, render("task_detail", task=found[0], reports=reports),
                 task_buttons(found[0].id or 0))


async def report_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/report <ref> <text>."""
    officer = await _require(update, context)
    if officer is None:
        return
    if len(context.args or []) < 2:
        await _reply(update, render("usage", command="report"))
        return
    with session_scope(services(context).engine) as session:
        found = task_by_ref(session, officer.org_id, context.args[0])  # type: ignore[index]
    if not found:
        await _reply(update, render("task_not_found", ref=context.args[0]))  # type: ignore[index]
        return
    await apply_text(update, context, officer, found[0].id or 0,
                     " ".join(context.args[1:]), "command")  # type: ignore[index]


async def extend_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/extend <ref> <date> <reason>."""
    officer = await _require(update, context)
    if officer is None:
        return
    args = context.args or []
    if len(args) < 2:
        await _reply(update, render("usage", command="extend"))
        return
    with session_scope(services(context).engine) as session:
        found = task_by_ref(session, officer.org_id, args[0])
    if not found:
        await _reply(update, render("task_not_found", ref=args[0]))
        return
    await apply_text(update, context, officer, found[0].id or 0,
                     "xin gia hạn đến " + " ".join(args[1:]), "command")


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: a reply to a reminder, or a report on the officer's only open task."""
    message = update.effective_message
    assert message is not None and message.text is not None
    officer = await _require(update, context)
    if officer is None:
        return
    svc = services(context)
    task_id: int | None = None
    if message.reply_to_message is not None:
        with session_scope(svc.engine) as session:
            task_id = session.exec(select(Notification.task_id).where(
                Notification.chat_id == message.chat_id,
                Notification.telegram_message_id == message.reply_to_message.message_id)).first()
    if task_id is None:
        with session_scope(svc.engine) as session:
            rows = open_tasks_for_officer(session, officer.id or 0)
        if len(rows) == 1:
            task_id = rows[0][0].id
        elif rows:
            inbound_id = context.chat_data.get("inbound_id") if context.chat_data else 0
            buttons = [[InlineKeyboardButton(label("pick_task", ref=t.ref, title=t.title[:40]),
                                             callback_data=f"pick:{inbound_id}:{t.id}")]
                       for t, _ in rows[:10]]
            await _reply(update, render("which_task"), InlineKeyboardMarkup(buttons))
            _finish(context, "asked_task")
            return
        else:
            await _reply(update, render("no_open_tasks", officer=officer))
            _finish(context, "no_tasks")
            return
    await apply_text(update, context, officer, task_id or 0, message.text, "reply")


async def apply_text(update: Update, context: ContextTypes.DEFAULT_TYPE, officer: Officer,
                     task_id: int, text: str, source: str) -> None:
    svc = services(context)
    now = svc.clock.now()
    parsed = parse_reply(text[:MAX_TEXT], ref_date=now.astimezone(LOCAL).date(), now=now)
    if parsed.status == "unknown":
        await _reply(update, render("ask_status", text=text[:200]), task_buttons(task_id))
        _finish(context, "unknown")
        return
    await _record(update, context, officer, task_id, text, parsed.status, parsed.percent,
                  parsed.note, source, parsed.new_due)


async def _record(update: Update, context: ContextTypes.DEFAULT_TYPE, officer: Officer,
                  task_id: int, raw: str, status: str, percent: int | None, note: str | None,
                  source: str, new_due: dtm.date | None = None) -> None:
    svc = services(context)
    now = svc.clock.now()
    inbound_id = context.chat_data.get("inbound_id") if context.chat_data else None
    forward_to: list[int] = []  # the lead unit, when a cooperating unit reports
    unit_name: str | None = None
    with session_scope(svc.engine) as session:
        task = task_in_org(session, officer.org_id, task_id)
        if task is None:
            await _reply(update, render("refused"))
            return
        if status == "extension":
            if new_due is None:
                await _reply(update, render("usage", command="extend"))
                return
            due = dtm.datetime.combine(new_due, svc.end_of_workday, tzinfo=LOCAL)
            req = create_extension(session, task, officer, due, note, now=now)
            deciders = _deciders(session, task)
            req_id, ref = req.id, task.ref
            outcome = None
        else:
            was_planned = task.status not in UNPLANNED
            outcome = record_report(session, task, officer, raw_text=raw[:10000], status=status,
                                    percent=percent, note=note, source=source,
                                    inbound_id=inbound_id, now=now)
            deciders = _deciders(session, task) if status == "blocked" else []
            ref = task.ref
            if inbound_id:  # processed = the report is recorded: in the same transaction
                mark_processed(session, inbound_id, f"report:{status}", now=now)
            if not outcome.governs and outcome.role == "cooperate":
                forward_to = sorted({o.telegram_user_id for o in lead_officers(session, task)
                                     if o.telegram_user_id and o.id != officer.id})
                unit = session.get(Unit, officer.unit_id) if officer.unit_id else None
                unit_name = unit.name if unit else None
        task_snapshot = Task.model_validate(task)
    if status == "extension":
        await _reply(update, render("extension_sent", ref=ref, due=due))
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton(label("approve"), callback_data=f"x:{req_id}:a"),
            InlineKeyboardButton(label("reject"), callback_data=f"x:{req_id}:r")]])
        for chat_id in deciders:
            await context.bot.send_message(chat_id, render(
                "extension_request", task=task_snapshot, officer=officer, new_due=due, reason=note),
                parse_mode=ParseMode.HTML, reply_markup=buttons)
        _finish(context, "extension")
        return
    assert outcome is not None
    if was_planned != (task_snapshot.status not in UNPLANNED):
        # Only closing (or reopening) a task changes its reminders; a percent does not, and
        # skipping the re-plan keeps a busy morning's replies cheap.
        sync_tasks(svc.engine, svc.calendar, now, [task_id])
    await _reply(update, render("report_ok", ref=ref, status=status, percent=percent, note=note,
                                governs=outcome.governs, role=outcome.role,
                                forwarded=len(forward_to)))
    for chat_id in forward_to:
        await context.bot.send_message(chat_id, render(
            "cooperate_forward", task=task_snapshot, officer=officer, unit_name=unit_name,
            status=status, percent=percent, note=note),
            parse_mode=ParseMode.HTML, reply_markup=task_buttons(task_id))
    for chat_id in deciders:
        await context.bot.send_message(chat_id, render("blocker_forward", task=task_snapshot,
                                                       officer=officer, note=note),
                                       parse_mode=ParseMode.HTML)


def _deciders(session: object, task: Task) -> list[int]:
    from sqlmodel import Session, col

    assert isinstance(session, Session)
    people = list(session.exec(select(Officer).where(
        Officer.org_id == task.org_id, col(Officer.role).in_(("leader", "monitor")),
        col(Officer.telegram_user_id).is_not(None))))
    named = [o for o in people if o.role == "leader" and task.leader_text
             and o.name in task.leader_text]
    leaders = named or [o for o in people if o.role == "leader"]
    chosen = leaders + [o for o in people if o.role == "monitor"]
    return sorted({o.telegram_user_id for o in chosen if o.telegram_user_id})


async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline buttons: r:<task>:<action>, pick:<inbound>:<task>, x:<request>:a|r, s:chart|xlsx."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    officer = await _require(update, context)
    if officer is None:
        return
    parts = (query.data or "").split(":")
    try:
        if parts[0] == "r" and len(parts) == 3:
            await _button_report(update, context, officer, _row_id(parts[1]), parts[2])
        elif parts[0] == "pick" and len(parts) == 3:
            await _button_pick(update, context, officer, _row_id(parts[1]), _row_id(parts[2]))
        elif parts[0] == "x" and len(parts) == 3:
            await _button_decide(update, context, officer, _row_id(parts[1]), parts[2] == "a")
        elif parts[0] == "s" and len(parts) >= 2:
            await _button_summary(update, context, officer, parts[1],
                                  _row_id(parts[2]) if len(parts) > 2 and parts[2] else None)
        else:
            raise ValueError(query.data)
    except ValueError:
        await _reply(update, render("refused"))
        _finish(context, "forged")


def _row_id(text: str) -> int:
    """A row id from callback data; anything a database id cannot be is a forgery."""
    value = int(text)
    if not 0 < value < 2**31:  # INTEGER primary keys; larger ids overflow the driver
        raise ValueError(text)
    return value


async def _button_report(update: Update, context: ContextTypes.DEFAULT_TYPE, officer: Officer,
                         task_id: int, action: str) -> None:
    svc = services(context)
    with session_scope(svc.engine) as session:
        if task_in_org(session, officer.org_id, task_id) is None:
            raise ValueError("task")
    if action == "done":
        await _record(update, context, officer, task_id, "Xong", "done", 100, None, "button")
    elif action == "prog":
        await _record(update, context, officer, task_id, "Đang làm", "in_progress", None, None,
                      "button")
    elif action in ("block", "ext"):
        await _reply(update, render("ask_detail", action=action))
    else:
        raise ValueError(action)


async def _button_pick(update: Update, context: ContextTypes.DEFAULT_TYPE, officer: Officer,
                       inbound_id: int, task_id: int) -> None:
    from db.models import InboundMessage

    svc = services(context)
    with session_scope(svc.engine) as session:
        inbound = session.get(InboundMessage, inbound_id)
        if inbound is None or inbound.telegram_user_id != officer.telegram_user_id:
            raise ValueError("inbound")
        text = inbound.text or ""
    await apply_text(update, context, officer, task_id, text, "reply")


async def _button_decide(update: Update, context: ContextTypes.DEFAULT_TYPE, officer: Officer,
                         request_id: int, approve: bool) -> None:
    svc = services(context)
    now = svc.clock.now()
    with session_scope(svc.engine) as session:
        decision = decide_extension(session, request_id, officer, approve, now=now)
        requester = (session.get(Officer, decision.request.officer_id)
                     if decision.request else None)
        task = Task.model_validate(decision.task) if decision.task else None
    if decision.outcome == "missing":
        raise ValueError("request")
    if decision.outcome == "forbidden":
        await _reply(update, render("refused"))
        return
    await _reply(update, render("extension_decided", outcome=decision.outcome, task=task,
                                request=decision.request, for_requester=False))
    if decision.outcome == "approved" and task is not None:
        sync_tasks(svc.engine, svc.calendar, now, [task.id or 0])
    if decision.outcome in ("approved", "rejected") and requester and requester.telegram_user_id:
        await context.bot.send_message(requester.telegram_user_id, render(
            "extension_decided", outcome=decision.outcome, task=task, request=decision.request,
            for_requester=True), parse_mode=ParseMode.HTML)


async def summary_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/summary [unit]: the status matrix for leaders and monitors; a unit head sees their unit."""
    officer = await _require(update, context, SUMMARY_ROLES)
    if officer is None:
        return
    svc = services(context)
    unit_id = officer.unit_id if officer.role == "unit_head" else None
    with session_scope(svc.engine) as session:
        if context.args and officer.role != "unit_head":
            unit_id = _find_unit(session, officer.org_id, " ".join(context.args))
            if unit_id is None:
                await _reply(update, render("unit_not_found", name=" ".join(context.args)))
                return
        summary = build_summary(session, officer.org_id, svc.clock.now(), unit_id=unit_id)
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(label("chart"), callback_data=f"s:chart:{unit_id or ''}"),
        InlineKeyboardButton(label("excel"), callback_data=f"s:xlsx:{unit_id or ''}")]])
    await _reply(update, render("summary", s=summary, now=svc.clock.now()), buttons)
    _finish(context, "summary")


def _find_unit(session: object, org_id: int, name: str) -> int | None:
    from sqlmodel import Session

    from plans.text import fold

    assert isinstance(session, Session)
    wanted = fold(name)
    for unit in session.exec(select(Unit).where(Unit.org_id == org_id)):
        if wanted in fold(unit.name) or any(wanted == fold(a) for a in unit.aliases):
            return unit.id
    return None


async def _button_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, officer: Officer,
                          what: str, unit_id: int | None) -> None:
    from handlers.exports import summary_chart_png, summary_xlsx

    if officer.role not in SUMMARY_ROLES:
        await _reply(update, render("refused"))
        return
    if officer.role == "unit_head":
        unit_id = officer.unit_id
    svc = services(context)
    now = svc.clock.now()
    chat_id = update.effective_chat.id if update.effective_chat else officer.telegram_user_id
    with session_scope(svc.engine) as session:
        if unit_id is not None and (u := session.get(Unit, unit_id)) and u.org_id != officer.org_id:
            raise ValueError("unit")
        summary = build_summary(session, officer.org_id, now, unit_id=unit_id)
        rows = export_rows(session, officer.org_id, unit_id)
        from db.models import Organization
        org = session.get(Organization, officer.org_id)
        org_name = org.name if org else ""
    stamp = now.astimezone(LOCAL).strftime("%Y%m%d")
    if what == "chart":
        png = summary_chart_png(summary, title=label("chart_title", org=org_name))
        await context.bot.send_photo(chat_id or 0, photo=io.BytesIO(png),  # type: ignore[arg-type]
                                     caption=label("chart_caption", now=now))
    elif what == "xlsx":
        data = summary_xlsx(rows, org_name=org_name, generated_at=now)
        await context.bot.send_document(chat_id or 0, document=io.BytesIO(data),  # type: ignore[arg-type]
                                        filename=f"tong-hop-nhiem-vu-{stamp}.xlsx",
                                        caption=label("xlsx_caption"))
    else:
        raise ValueError(what)


async def unlinked_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unlinked: officers who have not linked (monitors)."""
    officer = await _require(update, context, MONITOR_ROLES)
    if officer is None:
        return
    with session_scope(services(context).engine) as session:
        names = [o.name for o in unlinked_officers(session, officer.org_id)]
    await _reply(update, render("unlinked", names=names))


async def import_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/import: how a monitor imports a plan or the officers' list (by sending the file)."""
    officer = await _require(update, context, IMPORT_ROLES)
    if officer is None:
        return
    await _reply(update, render("import_howto"))
    _finish(context, "import_howto")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure; tell the user politely. The inbound message is already stored."""
    import logging

    logging.getLogger(__name__).error("update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, render("error"))
        except Exception:  # the error path must not raise again
            logging.getLogger(__name__).warning("could not report the error to the user")


async def activate_cmd(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/activate <ref> <date>: a conditional task's condition is met; reminders start (monitors)."""
    from db.tasks import activate_task

    officer = await _require(update, context, MONITOR_ROLES)
    if officer is None:
        return
    args = context.args or []
    svc = services(context)
    now = svc.clock.now()
    moment = parse_colloquial(" ".join(args[1:]), now=now) if len(args) >= 2 else None
    if moment is None:
        await _reply(update, render("usage", command="activate"))
        return
    with session_scope(svc.engine) as session:
        found = task_by_ref(session, officer.org_id, args[0])
        if not found:
            await _reply(update, render("task_not_found", ref=args[0]))
            return
        task = activate_task(session, found[0], moment, now=now)
        task_id, ref, due_at = task.id or 0, task.ref, task.due_at
    sync_tasks(svc.engine, svc.calendar, now, [task_id])
    await _reply(update, render("activated", ref=ref, due_at=due_at))
