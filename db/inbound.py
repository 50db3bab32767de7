"""Every inbound update is stored raw before it is processed."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
    """Return (row, is_new). A redelivered update (after a crash) is found, not doubled.

    The insert comes first: redelivery is rare, and the unique update_id catches it.
    """
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
    # One UPDATE, no load: this runs once per update on the hot path.
    session.exec(update(InboundMessage).where(col(InboundMessage.id) == inbound_id)  # type: ignore[call-overload]
                 .values(processed_at=now or utcnow(), outcome=outcome[:64]))
