"""indexes that keep the webhook flat with a million tickets

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

EXPLAIN of every statement the webhook issues (tests/integration/webhook/test_query_plans.py)
found reads that grow with the history: a deputy's open tickets and the open duplicates of a
village were found through indexes that also hold every closed ticket (or through
`confidential` / `duplicate_of_id IS NULL`, which hold nearly all of them); a deputy's recent
pushes through every push they ever got; a person's broadcast deliveries by a full scan. The
composite indexes end with the status (or kind and time), so only the rows asked for are read;
they replace the single-column indexes they start with. The index on `confidential` goes: every
query asks for the non-confidential side, nearly every row, and SQLite (which has no statistics
to know that) chose it over the right index; for the same reason the index on `duplicate_of_id`
now holds the duplicates only, so `duplicate_of_id IS NULL` cannot pick it.
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_deputy_id')
        batch_op.drop_index('ix_tickets_escalated_to_id')
        batch_op.drop_index('ix_tickets_confidential')
        batch_op.drop_index('ix_tickets_duplicate_of_id')
        batch_op.create_index('ix_tickets_duplicate_of_id', ['duplicate_of_id'], unique=False,
                              sqlite_where=sa.text('duplicate_of_id IS NOT NULL'),
                              postgresql_where=sa.text('duplicate_of_id IS NOT NULL'))
        batch_op.create_index('ix_tickets_deputy_id_status', ['deputy_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_escalated_to_id_status', ['escalated_to_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_village_category_status', ['village_id', 'category', 'status'],
                              unique=False)
    with op.batch_alter_table('outbound_pushes', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_pushes_recipient_openid')
        batch_op.create_index('ix_outbound_pushes_recipient_kind_created', ['recipient_openid', 'kind', 'created_at'],
                              unique=False)
    with op.batch_alter_table('broadcast_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_broadcast_deliveries_openid', ['openid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('broadcast_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcast_deliveries_openid')
    with op.batch_alter_table('outbound_pushes', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_pushes_recipient_kind_created')
        batch_op.create_index('ix_outbound_pushes_recipient_openid', ['recipient_openid'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_village_category_status')
        batch_op.drop_index('ix_tickets_escalated_to_id_status')
        batch_op.drop_index('ix_tickets_deputy_id_status')
        batch_op.create_index('ix_tickets_confidential', ['confidential'], unique=False)
        batch_op.drop_index('ix_tickets_duplicate_of_id')
        batch_op.create_index('ix_tickets_duplicate_of_id', ['duplicate_of_id'], unique=False)
        batch_op.create_index('ix_tickets_escalated_to_id', ['escalated_to_id'], unique=False)
        batch_op.create_index('ix_tickets_deputy_id', ['deputy_id'], unique=False)
