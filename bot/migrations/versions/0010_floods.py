"""floods: throttled inbound messages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10

A message over its sender's rate limit is stored but not dispatched; the flag
lets staff find it. Held and digested pushes need no schema change (status is text).
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('throttled', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('throttled')
