"""the voters' poll: votes wait sealed in duty_poll_pending and move to ballots in shuffled batches

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

On PostgreSQL a receipt and a ballot written in the voter's one transaction
share their xmin, which ties the voter to the choice. The voter's transaction
now writes the receipt and a pending row (no voter; deputy, choice and comment
sealed together); a later batch moves pending rows into ballots (see
bot/models/evaluation.py).
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'duty_poll_pending',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['duty_polls.id'], name=op.f('fk_duty_poll_pending_poll_id_duty_polls')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_poll_pending')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('duty_poll_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_poll_pending_poll_id'), ['poll_id'], unique=False)


def downgrade() -> None:
    op.drop_table('duty_poll_pending')
