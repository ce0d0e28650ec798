"""confidential tickets

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10

A ticket that complains about its own deputy, concerns discipline or the law,
or whose voter asked not to be named stays with the station staff: flagged,
with why (codes of bot/nlp/confidential.py, comma-separated).
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('confidential_reason', sa.String(length=64), server_default='',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_tickets_confidential'), ['confidential'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_confidential'))
        batch_op.drop_column('confidential_reason')
        batch_op.drop_column('confidential')
