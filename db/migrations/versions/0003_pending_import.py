"""pending import previews survive restarts and other processes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'pendingimport',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('file_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('state', sa.JSON(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token', name='uq_pendingimport_token'),
    )
    op.create_index('ix_pendingimport_org_id', 'pendingimport', ['org_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pendingimport_org_id', table_name='pendingimport')
    op.drop_table('pendingimport')
