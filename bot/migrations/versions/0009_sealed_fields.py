"""sealed personal text and its blind index

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10

Complaint text, notes, replies, places, inbound messages and push texts are
sealed (AES-GCM) by the column types in bot/models/base.py; their columns stay
TEXT and JSON, so this migration only adds the search index. Rows written
before stay readable as plaintext until `liaison db reseal` seals them (the
keys are not the database's to know, so a migration cannot).
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_terms',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_terms_ticket_id_tickets'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'term', name=op.f('pk_ticket_terms'))
    )
    with op.batch_alter_table('ticket_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_terms_term'), ['term'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_terms_term'))
    op.drop_table('ticket_terms')
