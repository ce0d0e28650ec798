"""attendance at receptions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Staff mark in the console which deputies on duty came to a reception (the
duty record counts 接待选民 from it): one mark per duty row, with who made it
and when. None until marked.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reception_duties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('marked_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reception_duties', schema=None) as batch_op:
        batch_op.drop_column('marked_at')
        batch_op.drop_column('marked_by')
        batch_op.drop_column('attended')
