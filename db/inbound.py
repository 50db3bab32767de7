"""Every inbound update is stored raw before it is processed."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.models import InboundMessage, utcnow


def store_inbound(
    session: Session,
    *,
    update_id: int,
    telegram_user_id: int | None,
    chat_id: int | None,
    kind: str,
    text: str | None,
    raw: dict[str, Any],
    now: dtm.datetime | None = None,
) -> tuple[InboundMessage, bool]:
    """Return (row, is_new). A redelivered update (after a crash) is found, not doubled."""
    found = session.exec(select(InboundMessage).where(InboundMessage.update_id == update_id)).first()
    if found is not None:
        return found, False
    row = InboundMessage(update_id=update_id, telegram_user_id=telegram_user_id, chat_id=chat_id,
                         kind=kind, text=text, raw=raw, received_at=now or utcnow())
    session.add(row)
    try:
        session.commit()  # committed on its own: processing may fail, the message must stay
    except IntegrityError:
        session.rollback()
        again = session.exec(
            select(InboundMessage).where(InboundMessage.update_id == update_id)).one()
        return again, False
    return row, True


def mark_processed(session: Session, inbound_id: int, outcome: str,
                   *, now: dtm.datetime | None = None) -> None:
    row = session.get(InboundMessage, inbound_id)
    if row is not None:
        row.processed_at = now or utcnow()
        row.outcome = outcome[:64]
        session.add(row)
