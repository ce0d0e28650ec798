"""the duty record (履职档案)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

One row per thing a deputy did (the "十个一" kinds and other work), with its
source and the evidence it came from; unique evidence per deputy keeps a
retried task or a repeated check-in from counting twice.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'duty_activities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('people', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('photos', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('entered_by', sa.String(length=64), nullable=True),
        sa.Column('evidence', sa.String(length=80), nullable=True),
        sa.Column('counts', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_duty_activities_deputy_id_deputies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_activities')),
        sa.UniqueConstraint('deputy_id', 'evidence', name='uq_duty_activities_evidence'),
    )
    with op.batch_alter_table('duty_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_activities_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_activities_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_activities_day'), ['day'], unique=False)


def downgrade() -> None:
    op.drop_table('duty_activities')
