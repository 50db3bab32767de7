"""SQLModel tables. Every row belongs to one Organization; times are aware UTC."""

from __future__ import annotations

import datetime as dtm
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> dtm.datetime:
    return dtm.datetime.now(dtm.UTC)


class Role:
    OFFICER = "officer"
    UNIT_HEAD = "unit_head"
    MONITOR = "monitor"
    LEADER = "leader"
    ADMIN = "admin"
    ALL = (OFFICER, UNIT_HEAD, MONITOR, LEADER, ADMIN)


class TaskStatus:
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    WAITING = "waiting"  # conditional task not yet activated
    OPEN_STATES = (OPEN, IN_PROGRESS, BLOCKED)


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    created_at: dtm.datetime = Field(default_factory=utcnow)


class Unit(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_unit_org_name"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=200)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    kind: str = Field(default="unit", max_length=32)


class Officer(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("org_id", "telegram_user_id", name="uq_officer_org_tg"),
        Index("ix_officer_tg", "telegram_user_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=200)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: str = Field(default=Role.OFFICER, max_length=16)
    title: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    active: bool = True
    unreachable: bool = False
    linked_at: dtm.datetime | None = None
    created_at: dtm.datetime = Field(default_factory=utcnow)


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    # Only a hash is stored: a leaked database must not let anyone link as an officer.
    code_hash: str = Field(unique=True, max_length=64)
    expires_at: dtm.datetime
    used_at: dtm.datetime | None = None
    used_by_telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    created_at: dtm.datetime = Field(default_factory=utcnow)


class Plan(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "file_hash", name="uq_plan_org_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    number: str | None = Field(default=None, max_length=64)
    title: str = Field(default="", max_length=1000)
    issuer: str | None = Field(default=None, max_length=300)
    issued_on: dtm.date | None = None
    year: int | None = None
    file_hash: str = Field(max_length=64)
    file_name: str | None = Field(default=None, max_length=300)
    created_at: dtm.datetime = Field(default_factory=utcnow)


class Task(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("plan_id", "ref", name="uq_task_plan_ref"),
        Index("ix_task_org_status", "org_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    ref: str = Field(max_length=32)
    title: str = Field(max_length=2000)
    text: str = ""
    section: str | None = Field(default=None, max_length=500)
    lead_unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    lead_text: str = ""
    cooperate_text: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cooperate_unit_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    leader_text: str | None = Field(default=None, max_length=300)
    leader_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    deadline_text: str = ""
    deadline_kind: str = Field(default="none", max_length=16)
    due_at: dtm.datetime | None = None
    original_due_at: dtm.datetime | None = None
    has_time_of_day: bool = False
    condition: str | None = None
    recurring_day: int | None = None
    status: str = Field(default=TaskStatus.OPEN, max_length=16)
    percent: int = 0
    completed_at: dtm.datetime | None = None
    last_report_at: dtm.datetime | None = None
    created_at: dtm.datetime = Field(default_factory=utcnow)
    updated_at: dtm.datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("task_id", "officer_id", name="uq_assignment"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    role: str = Field(default="lead", max_length=16)  # lead / cooperate / watch


class InboundMessage(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("update_id", name="uq_inbound_update"),)
    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    kind: str = Field(default="message", max_length=16)
    text: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: dtm.datetime = Field(default_factory=utcnow)
    processed_at: dtm.datetime | None = None
    outcome: str | None = Field(default=None, max_length=64)


class ProgressReport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id")
    raw_text: str
    status: str = Field(max_length=16)
    percent: int | None = None
    note: str | None = None
    role: str = Field(default="lead", max_length=16)
    source: str = Field(default="reply", max_length=16)  # reply / button / command
    created_at: dtm.datetime = Field(default_factory=utcnow)


class ExtensionRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    officer_id: int = Field(foreign_key="officer.id")
    requested_due: dtm.datetime
    reason: str | None = None
    decision: str = Field(default="pending", max_length=16)  # pending / approved / rejected
    decided_by: int | None = Field(default=None, foreign_key="officer.id")
    decided_at: dtm.datetime | None = None
    created_at: dtm.datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("key", name="uq_notification_key"),
        # The tick's claim query: pending rows by moment.
        Index("ix_notification_pending", "sent_at", "cancelled", "due_at"),
        Index("ix_notification_tg_msg", "chat_id", "telegram_message_id"),
        # The claim reads its rows back by token; partial, so statistics (ANALYZE) over
        # a million never-claimed NULLs cannot talk the planner out of it.
        Index("ix_notification_claim_token", "claim_token",
              sqlite_where=text("claim_token IS NOT NULL"),
              postgresql_where=text("claim_token IS NOT NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    kind: str = Field(max_length=32)
    seq: int = 0
    role: str = Field(default="lead", max_length=16)
    key: str = Field(max_length=200)
    due_at: dtm.datetime
    claimed_at: dtm.datetime | None = None
    claim_token: str | None = Field(default=None, max_length=40)
    sent_at: dtm.datetime | None = None
    cancelled: bool = False
    attempts: int = 0
    last_error: str | None = None
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    telegram_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dtm.datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    actor_officer_id: int | None = Field(default=None, foreign_key="officer.id")
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    action: str = Field(max_length=64, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dtm.datetime = Field(default_factory=utcnow)


class PendingImport(SQLModel, table=True):
    """A document preview waiting for the monitor's buttons. Kept in the database so that a
    restart, or another process answering the button, can rebuild it (from the Telegram file
    id) instead of asking the monitor to send the file again."""

    __table_args__ = (UniqueConstraint("token", name="uq_pendingimport_token"),)
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=32)
    org_id: int = Field(foreign_key="organization.id", index=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(default="plan", max_length=16)  # plan | roster
    file_id: str = Field(max_length=300)
    file_name: str = Field(max_length=300)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dtm.datetime = Field(default_factory=utcnow)
    decided_at: dtm.datetime | None = None
