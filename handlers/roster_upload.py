"""A monitor sends the officers' list (.xlsx/.csv) → preview → import, with invite links back.

The administrator of a commune often has only a phone: the roster import of the command line
must also work in chat. Links are sent to the monitor, who passes each one to its officer.
"""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from db.engine import session_scope
from db.models import Officer, Unit
from db.officers import invite_link, issue_invite
from db.tasks import assign_by_units
from handlers.context import services
from handlers.importing import remember
from handlers.roster import MAX_ROSTER_BYTES, Roster, RosterError, import_roster, read_roster
from messages import render, split_message
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
    remember(context.bot_data.setdefault("rosters", {}), token, (org_id, user.id, roster))
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton("Nhập danh sách", callback_data=f"ros:{token}:ok"),
        InlineKeyboardButton("Huỷ", callback_data=f"ros:{token}:no")]])
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
    pending: dict[str, tuple[int, int, Roster]] = context.bot_data.get("rosters", {})
    entry = pending.get(token)
    if entry is None or query.from_user.id != entry[1]:
        await message.reply_text(render("import_expired"))  # type: ignore[attr-defined]
        return
    org_id, _, roster = pending.pop(token)
    if choice != "ok":
        await message.reply_text(render("import_cancelled"))  # type: ignore[attr-defined]
        return
    svc = services(context)
    result_text, links = import_with_links(svc.engine, org_id, roster, svc.bot_username)
    sync_tasks(svc.engine, svc.calendar, svc.clock.now(), org_id=org_id)
    await message.reply_text(result_text)  # type: ignore[attr-defined]
    if links:
        for part in split_message(render("roster_links", links=links)):
            await message.reply_text(part)  # type: ignore[attr-defined]


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
