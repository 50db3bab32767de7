"""Import previews waiting for their buttons (see models.PendingImport)."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from db.models import PendingImport

PENDING_TTL = dtm.timedelta(days=2)  # a preview nobody confirmed in two days has expired


def save_pending(session: Session, *, token: str, org_id: int, telegram_user_id: int, kind: str,
                 file_id: str, file_name: str, now: dtm.datetime) -> PendingImport:
    row = PendingImport(token=token, org_id=org_id, telegram_user_id=telegram_user_id, kind=kind,
                        file_id=file_id, file_name=file_name[:300], created_at=now)
    session.add(row)
    session.flush()
    return row


def open_pending(session: Session, token: str, telegram_user_id: int,
                 now: dtm.datetime) -> PendingImport | None:
    """The undecided, unexpired preview ``token`` of this user (another user's is None)."""
    row = session.exec(select(PendingImport).where(PendingImport.token == token)).first()
    if row is None or row.decided_at is not None or row.telegram_user_id != telegram_user_id:
        return None
    if row.created_at + PENDING_TTL < now:
        return None
    return row


def was_decided(session: Session, token: str, telegram_user_id: int) -> bool:
    row = session.exec(select(PendingImport).where(PendingImport.token == token)).first()
    return (row is not None and row.telegram_user_id == telegram_user_id
            and row.decided_at is not None)


def update_state(session: Session, token: str, state: dict[str, Any]) -> None:
    row = session.exec(select(PendingImport).where(PendingImport.token == token)).first()
    if row is not None:
        row.state = dict(state)
        session.add(row)


def decide_pending(session: Session, token: str, now: dtm.datetime) -> bool:
    """Mark the preview decided, atomically; False if it already was (a double tap, another
    process answering the same button)."""
    table = PendingImport.__table__  # type: ignore[attr-defined]
    done = session.connection().execute(
        update(table).where(table.c.token == token, table.c.decided_at.is_(None))
        .values(decided_at=now))
    return bool(done.rowcount)
