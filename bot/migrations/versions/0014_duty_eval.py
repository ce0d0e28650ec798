"""the yearly evaluation: self and organisation assessments, the voters' poll

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Receipts (who voted for which deputy) and ballots (what was voted) are two
tables with no column, time or sequence joining them: the ballot's key is
random and, on SQLite, the table has no rowid (see bot/models/evaluation.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'duty_evaluations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('self_score', sa.Integer(), nullable=True),
        sa.Column('self_grade', sa.String(length=8), nullable=True),
        sa.Column('self_text', sa.Text(), nullable=False),
        sa.Column('self_by', sa.String(length=64), nullable=True),
        sa.Column('self_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('org_score', sa.Integer(), nullable=True),
        sa.Column('org_grade', sa.String(length=8), nullable=True),
        sa.Column('org_text', sa.Text(), nullable=False),
        sa.Column('org_by', sa.String(length=64), nullable=True),
        sa.Column('org_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_duty_evaluations_deputy_id_deputies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_evaluations')),
        sa.UniqueConstraint('deputy_id', 'year', name='uq_duty_evaluations_deputy_year'),
    )
    with op.batch_alter_table('duty_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_evaluations_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_evaluations_year'), ['year'], unique=False)
    op.create_table(
        'duty_polls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('opened_by', sa.String(length=64), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_by', sa.String(length=64), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_polls')),
        sa.UniqueConstraint('year', name=op.f('uq_duty_polls_year')),
    )
    op.create_table(
        'duty_poll_receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('voter_id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_duty_poll_receipts_deputy_id_deputies')),
        sa.ForeignKeyConstraint(['poll_id'], ['duty_polls.id'], name=op.f('fk_duty_poll_receipts_poll_id_duty_polls')),
        sa.ForeignKeyConstraint(['voter_id'], ['voters.id'], name=op.f('fk_duty_poll_receipts_voter_id_voters')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_poll_receipts')),
        sa.UniqueConstraint('poll_id', 'voter_id', 'deputy_id', name='uq_duty_poll_receipts_once'),
    )
    with op.batch_alter_table('duty_poll_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_poll_receipts_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_poll_receipts_voter_id'), ['voter_id'], unique=False)
    op.create_table(
        'duty_poll_ballots',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.String(length=8), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_duty_poll_ballots_deputy_id_deputies')),
        sa.ForeignKeyConstraint(['poll_id'], ['duty_polls.id'], name=op.f('fk_duty_poll_ballots_poll_id_duty_polls')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_poll_ballots')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('duty_poll_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_poll_ballots_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_poll_ballots_deputy_id'), ['deputy_id'], unique=False)


def downgrade() -> None:
    op.drop_table('duty_poll_ballots')
    op.drop_table('duty_poll_receipts')
    op.drop_table('duty_polls')
    op.drop_table('duty_evaluations')
