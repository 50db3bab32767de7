"""A monitor sends a plan document → preview with Xác nhận / Huỷ → one-transaction import.

An officers' list (.xlsx/.csv with a "Họ và tên" column) goes to handlers.roster_upload."""

from __future__ import annotations

import datetime as dtm
import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from db.engine import session_scope
from db.officers import officer_for_telegram
from db.pending import decide_pending, open_pending, save_pending, update_state, was_decided
from handlers import roster_upload
from handlers.context import IMPORT_ROLES, services
from handlers.importing import (
    Preview,
    commit_preview,
    default_due_choices,
    load_plan_for_org,
    remember,
)
from handlers.roster_upload import read_if_roster
from messages import label, render
from plans import PlanReadError
from scheduler.outbox import sync_tasks

MAX_MAP_BUTTONS = 8  # unknown units offered for mapping in one preview


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document from a monitor is read as a plan; anyone else is refused politely."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.document is not None and user is not None
    svc = services(context)
    with session_scope(svc.engine) as session:
        officer = officer_for_telegram(session, user.id)
    if officer is None or officer.role not in IMPORT_ROLES:
        await message.reply_text(render("refused"))
        return
    doc = message.document
    if doc.file_size and doc.file_size > svc.max_upload_bytes:
        await message.reply_text(render("import_error", message_vi=PlanReadError(
            "too_large", label("too_large")).message_vi))
        return
    data = bytes(await (await doc.get_file()).download_as_bytearray())
    roster = read_if_roster(data, doc.file_name or "", svc.max_upload_bytes)
    if roster is not None:
        await roster_upload.offer(update, context, officer.org_id, roster)
        return
    try:
        preview = load_plan_for_org(svc.engine, officer.org_id, data,
                                    doc.file_name or "ke-hoach.txt",
                                    max_bytes=svc.max_upload_bytes)
    except PlanReadError as exc:
        await message.reply_text(render("import_error", message_vi=exc.message_vi))
        return
    if not preview.plan.tasks:
        await message.reply_text(render("import_error",
                                        message_vi=label("no_tasks")))
        return
    token = secrets.token_hex(6)
    with session_scope(svc.engine) as session:
        save_pending(session, token=token, org_id=officer.org_id, telegram_user_id=user.id,
                     kind="plan", file_id=doc.file_id, file_name=doc.file_name or "ke-hoach.txt",
                     now=svc.clock.now())
    remember(context.bot_data.setdefault("previews", {}), token, (officer.org_id, user.id, preview))
    await message.reply_text(render("import_preview_cli", p=preview),
                             reply_markup=_preview_buttons(token, preview, svc.clock.now()),
                             parse_mode=ParseMode.HTML)


def _preview_buttons(token: str, preview: Preview, now: dtm.datetime) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(label("map_unit", name=_short(name)), callback_data=f"imp:{token}:u{i}")]
            for i, name in enumerate(preview.plan.unknown_units[:MAX_MAP_BUTTONS])
            if preview.choices]
    if preview.without_deadline:
        rows.append([InlineKeyboardButton(label("common_due", day=day),
                                          callback_data=f"imp:{token}:d{i}")
                     for i, day in enumerate(default_due_choices(now))])
    rows.append([InlineKeyboardButton(label("confirm"), callback_data=f"imp:{token}:ok"),
                 InlineKeyboardButton(label("cancel"), callback_data=f"imp:{token}:no")])
    return InlineKeyboardMarkup(rows)


def _choice_buttons(token: str, preview: Preview, index: int) -> InlineKeyboardMarkup:
    unknown = preview.plan.unknown_units[index]
    rows = [[InlineKeyboardButton(_short(name, 40),
                                  callback_data=f"imp:{token}:m{index}.{preview.choices.index(name)}")]
            for name in preview.choices_for(unknown)]
    rows.append([InlineKeyboardButton(label("new_unit"), callback_data=f"imp:{token}:n{index}")])
    return InlineKeyboardMarkup(rows)


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Xác nhận / Huỷ on a preview; only the monitor who sent the file may decide."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _, token, choice = (query.data.split(":") + ["", ""])[:3]
    entry = await _open_preview(context, token, query.from_user.id)
    if entry is None:
        await query.message.reply_text(  # type: ignore[union-attr]
            render(_gone(context, token, query.from_user.id)))
        return
    org_id, preview = entry
    svc = services(context)
    if choice[:1] in ("u", "m", "n", "d"):
        step = _default_due_step if choice[0] == "d" else _map_step
        await step(query, token, preview, choice, svc.clock.now())
        with session_scope(svc.engine) as session:
            update_state(session, token, _state_of(preview))
        return
    context.bot_data.get("previews", {}).pop(token, None)
    with session_scope(svc.engine) as session:
        first = decide_pending(session, token, svc.clock.now())
    if not first:  # a double tap, or another process answered the same button
        await query.message.reply_text(render("import_already"))  # type: ignore[union-attr]
        return
    if choice != "ok":
        await query.message.reply_text(render("import_cancelled"))  # type: ignore[union-attr]
        return
    result = commit_preview(svc.engine, org_id, preview, now=svc.clock.now())
    if result.changed_task_ids:
        sync_tasks(svc.engine, svc.calendar, svc.clock.now(), result.changed_task_ids)
    await query.message.reply_text(render("import_done", r=result))  # type: ignore[union-attr]


def _gone(context: ContextTypes.DEFAULT_TYPE, token: str, user_id: int) -> str:
    """Why a preview's button does nothing: already decided, or expired/unknown."""
    with session_scope(services(context).engine) as session:
        return "import_already" if was_decided(session, token, user_id) else "import_expired"


def _state_of(preview: Preview) -> dict[str, object]:
    due = preview.default_due.isoformat() if preview.default_due else None
    return {"mapping": dict(preview.mapping), "default_due": due}


def _apply_state(preview: Preview, state: dict[str, object]) -> None:
    mapping = state.get("mapping") or {}
    for name, target in dict(mapping).items():  # type: ignore[call-overload]
        if name in preview.plan.unknown_units:
            preview.map_unit(str(name), str(target))
    due = state.get("default_due")
    preview.default_due = dtm.datetime.fromisoformat(str(due)) if due else None


async def _open_preview(context: ContextTypes.DEFAULT_TYPE, token: str,
                        user_id: int) -> tuple[int, Preview] | None:
    """The undecided preview ``token`` of this user: from memory, or rebuilt from the file
    Telegram still holds (after a restart, or when another process showed the preview)."""
    svc = services(context)
    with session_scope(svc.engine) as session:
        row = open_pending(session, token, user_id, svc.clock.now())
        if row is None:
            return None
        org_id, file_id, file_name, state = row.org_id, row.file_id, row.file_name, dict(row.state)
    cache = context.bot_data.setdefault("previews", {})
    if token in cache:
        return org_id, cache[token][2]
    try:
        data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        preview = load_plan_for_org(svc.engine, org_id, data, file_name,
                                    max_bytes=svc.max_upload_bytes)
    except (TelegramError, PlanReadError):
        return None
    _apply_state(preview, state)
    remember(cache, token, (org_id, user_id, preview))
    return org_id, preview


async def _map_step(query: object, token: str, preview: Preview, choice: str,
                    now: dtm.datetime) -> None:
    """u<i>: offer existing units for unknown name i; m<i>.<j>: map it; n<i>: create new."""
    message = query.message  # type: ignore[attr-defined]
    unknown = preview.plan.unknown_units
    try:
        index, _, target = choice[1:].partition(".")
        i = int(index)
        name = unknown[i]
        target_name = preview.choices[int(target)] if choice[0] == "m" else None
    except (ValueError, IndexError):
        await message.reply_text(render("import_expired"))
        return
    if choice[0] == "u":
        await message.reply_text(render("import_map_ask", name=name),
                                 reply_markup=_choice_buttons(token, preview, i))
        return
    preview.map_unit(name, target_name)
    await message.reply_text(render("import_preview_cli", p=preview),
                             reply_markup=_preview_buttons(token, preview, now))


async def _default_due_step(query: object, token: str, preview: Preview, choice: str,
                            now: dtm.datetime) -> None:
    """d<i>: the i-th of default_due_choices becomes the due of the undated tasks."""
    message = query.message  # type: ignore[attr-defined]
    choices = default_due_choices(now)
    try:
        preview.default_due = choices[int(choice[1:])]
    except (ValueError, IndexError):
        await message.reply_text(render("import_expired"))
        return
    await message.reply_text(render("import_preview_cli", p=preview),
                             reply_markup=_preview_buttons(token, preview, now))
