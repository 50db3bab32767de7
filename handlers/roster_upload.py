"""A monitor sends the officers' list (.xlsx/.csv) → preview → import, with invite links back.

The administrator of a commune often has only a phone: the roster import of the command line
must also work in chat. Links are sent to the monitor, who passes each one to its officer.
"""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from db.engine import session_scope
from db.models import Officer, Unit
from db.officers import invite_link, issue_invite
from db.pending import decide_pending, open_pending, save_pending, was_decided
from db.tasks import assign_by_units
from handlers.context import services
from handlers.importing import remember
from handlers.roster import MAX_ROSTER_BYTES, Roster, RosterError, import_roster, read_roster
from messages import label, render, split_message
from scheduler.outbox import sync_tasks

ROSTER_SUFFIXES = (".xlsx", ".csv")


def read_if_roster(data: bytes, file_name: str, max_bytes: int) -> Roster | None:
    """The file as a roster if it has a "Họ và tên" header; None lets it be read as a plan."""
    if not file_name.lower().endswith(ROSTER_SUFFIXES):
        return None
    try:
        return read_roster(data, file_name, max_bytes=min(max_bytes, MAX_ROSTER_BYTES))
    except RosterError:
        return None


async def offer(update: Update, context: ContextTypes.DEFAULT_TYPE, org_id: int,
                roster: Roster) -> None:
    """Show what would be imported, with Nhập / Huỷ."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    token = secrets.token_hex(6)
    doc = message.document
    assert doc is not None
    svc = services(context)
    with session_scope(svc.engine) as session:
        save_pending(session, token=token, org_id=org_id, telegram_user_id=user.id, kind="roster",
                     file_id=doc.file_id, file_name=doc.file_name or "danh-sach.xlsx",
                     now=svc.clock.now())
    remember(context.bot_data.setdefault("rosters", {}), token, (org_id, user.id, roster))
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(label("import_roster"), callback_data=f"ros:{token}:ok"),
        InlineKeyboardButton(label("cancel"), callback_data=f"ros:{token}:no")]])
    roles: dict[str, int] = {}
    for row in roster.rows:
        roles[row.role] = roles.get(row.role, 0) + 1
    await message.reply_text(render("roster_preview", roster=roster, roles=roles),
                             reply_markup=buttons)


async def decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Nhập / Huỷ on a roster preview; only the monitor who sent the file may decide."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    message = query.message
    assert message is not None
    _, token, choice = (query.data.split(":") + ["", ""])[:3]
    svc = services(context)
    entry = await _open_roster(context, token, query.from_user.id)
    with session_scope(svc.engine) as session:
        first = entry is not None and decide_pending(session, token, svc.clock.now())
    context.bot_data.get("rosters", {}).pop(token, None)
    if entry is None:
        with session_scope(svc.engine) as session:
            gone = was_decided(session, token, query.from_user.id)
        await message.reply_text(  # type: ignore[attr-defined]
            render("import_already" if gone else "import_expired"))
        return
    if not first:  # a double tap, or another process answered the same button
        await message.reply_text(render("import_already"))  # type: ignore[attr-defined]
        return
    org_id, roster = entry
    if choice != "ok":
        await message.reply_text(render("import_cancelled"))  # type: ignore[attr-defined]
        return
    result_text, links = import_with_links(svc.engine, org_id, roster, svc.bot_username)
    sync_tasks(svc.engine, svc.calendar, svc.clock.now(), org_id=org_id)
    await message.reply_text(result_text)  # type: ignore[attr-defined]
    if links:
        for part in split_message(render("roster_links", links=links)):
            await message.reply_text(part)  # type: ignore[attr-defined]


async def _open_roster(context: ContextTypes.DEFAULT_TYPE, token: str,
                       user_id: int) -> tuple[int, Roster] | None:
    """The undecided roster preview of this user, from memory or re-read from Telegram."""
    svc = services(context)
    with session_scope(svc.engine) as session:
        row = open_pending(session, token, user_id, svc.clock.now())
        if row is None:
            return None
        org_id, file_id, file_name = row.org_id, row.file_id, row.file_name
    cached = context.bot_data.get("rosters", {}).get(token)
    if cached is not None:
        return org_id, cached[2]
    try:
        data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
    except TelegramError:
        return None
    roster = read_if_roster(data, file_name, svc.max_upload_bytes)
    return (org_id, roster) if roster is not None else None


def import_with_links(engine: object, org_id: int, roster: Roster,
                      bot_username: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Import in one transaction; (result text, [(name, unit, invite link)] for the unlinked)."""
    links: list[tuple[str, str, str]] = []
    with session_scope(engine) as session:  # type: ignore[arg-type]
        result = import_roster(session, org_id, roster)
        if result.imported:
            assign_by_units(session, org_id)
        for officer_id in result.officer_ids:
            officer = session.get(Officer, officer_id)
            if officer is None or officer.telegram_user_id is not None:
                continue
            unit = session.get(Unit, officer.unit_id) if officer.unit_id else None
            code = issue_invite(session, officer)
            links.append((officer.name, unit.name if unit else "",
                          invite_link(bot_username, code)))
        text = result.text(cli=False)
    return text, links
