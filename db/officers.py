"""Officers, roster import and one-time invite links."""

from __future__ import annotations

import dataclasses
import datetime as dtm
import hashlib
import secrets

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from db.models import AuditLog, Invite, Officer, Role, utcnow

INVITE_TTL = dtm.timedelta(days=7)
# Wrong codes allowed per Telegram user per window before /start is refused for a while.
MAX_BAD_CODES = 5
BAD_CODE_WINDOW = dtm.timedelta(minutes=15)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def add_officer(
    session: Session,
    org_id: int,
    name: str,
    *,
    unit_id: int | None = None,
    role: str = Role.OFFICER,
    title: str | None = None,
    phone: str | None = None,
) -> Officer:
    if role not in Role.ALL:
        raise ValueError(f"Vai trò không hợp lệ: {role!r}")
    officer = session.exec(
        select(Officer).where(Officer.org_id == org_id, Officer.name == name)
    ).first()
    if officer is None:
        officer = Officer(org_id=org_id, name=name)
    officer.unit_id = unit_id
    officer.role = role
    officer.title = title
    officer.phone = phone
    officer.active = True
    session.add(officer)
    session.flush()
    return officer


def issue_invite(session: Session, officer: Officer, *, now: dtm.datetime | None = None) -> str:
    """A fresh 128+-bit code; earlier unused codes of this officer stop working."""
    now = now or utcnow()
    for old in session.exec(
        select(Invite).where(Invite.officer_id == officer.id, col(Invite.used_at).is_(None))
    ):
        old.expires_at = min(old.expires_at, now)
        session.add(old)
    code = secrets.token_urlsafe(18)  # 144 bits; fits Telegram's 64-char start parameter
    assert officer.id is not None
    session.add(
        Invite(
            org_id=officer.org_id,
            officer_id=officer.id,
            code_hash=hash_code(code),
            expires_at=now + INVITE_TTL,
        )
    )
    session.flush()
    return code


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


@dataclasses.dataclass(frozen=True)
class RedeemResult:
    outcome: str  # linked / already / invalid / expired / used / throttled
    officer_id: int | None = None


def redeem_invite(
    session: Session, code: str, telegram_user_id: int, *, now: dtm.datetime | None = None
) -> RedeemResult:
    now = now or utcnow()
    if _recent_bad_codes(session, telegram_user_id, now) >= MAX_BAD_CODES:
        return RedeemResult("throttled")
    invite = session.exec(select(Invite).where(Invite.code_hash == hash_code(code))).first()
    if invite is None:
        return _bad_code(session, telegram_user_id, "invalid", now)
    if invite.used_at is not None:
        return _bad_code(session, telegram_user_id, "used", now)
    if invite.expires_at <= now:
        return _bad_code(session, telegram_user_id, "expired", now)
    officer = session.get(Officer, invite.officer_id)
    if officer is None or not officer.active:
        return _bad_code(session, telegram_user_id, "invalid", now)
    clash = session.exec(
        select(Officer).where(
            Officer.org_id == officer.org_id,
            Officer.telegram_user_id == telegram_user_id,
            Officer.id != officer.id,
        )
    ).first()
    if clash is not None:
        clash.telegram_user_id = None  # one Telegram account speaks for one officer per commune
        session.add(clash)
        session.flush()
    invite.used_at = now
    invite.used_by_telegram_id = telegram_user_id
    officer.telegram_user_id = telegram_user_id
    officer.linked_at = now
    officer.unreachable = False
    session.add_all([invite, officer])
    session.add(
        AuditLog(
            org_id=officer.org_id,
            actor_officer_id=officer.id,
            telegram_user_id=telegram_user_id,
            action="officer.linked",
        )
    )
    session.flush()
    return RedeemResult("linked", officer.id)


def _bad_code(session: Session, telegram_user_id: int, outcome: str,
              now: dtm.datetime) -> RedeemResult:
    # Stamped with the caller's clock: the throttle window is measured on that clock.
    session.add(
        AuditLog(telegram_user_id=telegram_user_id, action="invite.bad", detail={"outcome": outcome},
                 created_at=now)
    )
    session.flush()
    return RedeemResult(outcome)


def _recent_bad_codes(session: Session, telegram_user_id: int, now: dtm.datetime) -> int:
    since = now - BAD_CODE_WINDOW
    stmt = select(func.count()).where(
        AuditLog.action == "invite.bad",
        AuditLog.telegram_user_id == telegram_user_id,
        AuditLog.created_at >= since,
    )
    return int(session.exec(stmt).one())


def officers_for_telegram(session: Session, telegram_user_id: int) -> list[Officer]:
    stmt = select(Officer).where(
        Officer.telegram_user_id == telegram_user_id, col(Officer.active).is_(True)
    )
    return list(session.exec(stmt.order_by(col(Officer.linked_at).desc())))


def officer_for_telegram(session: Session, telegram_user_id: int) -> Officer | None:
    found = officers_for_telegram(session, telegram_user_id)
    return found[0] if found else None


def find_officer(session: Session, org_id: int, name: str) -> Officer | None:
    return session.exec(
        select(Officer).where(Officer.org_id == org_id, Officer.name == name)
    ).first()


def officers_of_units(session: Session, org_id: int, unit_ids: list[int]) -> list[Officer]:
    if not unit_ids:
        return []
    stmt = select(Officer).where(
        Officer.org_id == org_id, col(Officer.unit_id).in_(unit_ids), col(Officer.active).is_(True)
    )
    return list(session.exec(stmt))


def officers_with_roles(session: Session, org_id: int, roles: tuple[str, ...]) -> list[Officer]:
    stmt = select(Officer).where(
        Officer.org_id == org_id, col(Officer.role).in_(roles), col(Officer.active).is_(True)
    )
    return list(session.exec(stmt))


def unlinked_officers(session: Session, org_id: int) -> list[Officer]:
    stmt = select(Officer).where(
        Officer.org_id == org_id,
        col(Officer.telegram_user_id).is_(None),
        col(Officer.active).is_(True),
    )
    return list(session.exec(stmt.order_by(Officer.name)))


def mark_reachable(session: Session, telegram_user_id: int) -> int:
    """An officer who writes to the bot has unblocked it: reminders may reach him again.
    (One UPDATE that usually touches nothing: it runs for every inbound message.)"""
    table = Officer.__table__  # type: ignore[attr-defined]
    done = session.connection().execute(
        update(table).where(table.c.telegram_user_id == telegram_user_id,
                            table.c.unreachable.is_(True)).values(unreachable=False))
    return int(done.rowcount or 0)
