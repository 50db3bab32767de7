"""index the claim token: the tick reads its claimed rows back by token

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 13:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Without it `claim_due` scans the whole outbox to read its claim back (~100 ms at 1M
    # rows). Partial: never-claimed rows are not indexed, and ANALYZE cannot make it look bad.
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_claim_token', ['claim_token'], unique=False,
                              sqlite_where=sa.text('claim_token IS NOT NULL'),
                              postgresql_where=sa.text('claim_token IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_claim_token')
