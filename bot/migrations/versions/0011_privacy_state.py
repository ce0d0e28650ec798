"""privacy state in plain columns

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10

Retention must find what is still to do without reading sealed text (each
seal has a fresh nonce, so SQL cannot compare it with a marker): a ticket
records when it was anonymised (erased or expired), an inbound message when
its raw payload was dropped. Tickets anonymised before sealing still hold the
plaintext markers and get their date here; sealed rows cannot be read by a
migration (it has no keys) and none were anonymised before this revision.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# bot/services/texts.py ERASED and EXPIRED as they were written before sealing.
_MARKERS = ("[已按本人要求删除]", "[超过保存期限，已删除]")


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_anonymised_at'), ['anonymised_at'], unique=False)
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('raw_dropped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_inbound_messages_raw_dropped_at'), ['raw_dropped_at'], unique=False)
    op.get_bind().execute(
        sa.text("UPDATE tickets SET anonymised_at = updated_at WHERE text IN (:erased, :expired)"),
        {"erased": _MARKERS[0], "expired": _MARKERS[1]})


def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_raw_dropped_at'))
        batch_op.drop_column('raw_dropped_at')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_anonymised_at'))
        batch_op.drop_column('anonymised_at')
