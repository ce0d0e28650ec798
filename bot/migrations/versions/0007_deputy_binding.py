"""issued QR codes and confirmed deputy bindings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A QR scene binds only if staff issued it: sites and groups get random scene
keys (their old scenes, "group:G01" and "site:<code>", were guessable and stop
working: reprint those posters), deputies' cards keep only the SHA-256 of their
token. Each existing deputy token becomes one unused card, so a printed card
still works once, through staff confirmation; the plaintext column goes, and so
do cached WeChat tickets of deputy scenes (their scene held the token).
"""
import hashlib
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    issued = op.create_table('issued_qr_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('scene_key', sa.String(length=64), nullable=True),
    sa.Column('key_hash', sa.String(length=64), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_qr_codes')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_issued_qr_codes_key_hash')),
    sa.UniqueConstraint('scene_key', name=op.f('uq_issued_qr_codes_scene_key'))
    )
    with op.batch_alter_table('issued_qr_codes', schema=None) as batch_op:
        batch_op.create_index('ix_issued_qr_codes_kind_target', ['kind', 'target_id'], unique=False)

    op.create_table('deputy_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['issued_qr_codes.id'],
                            name=op.f('fk_deputy_bindings_card_id_issued_qr_codes')),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_deputy_bindings_deputy_id_deputies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deputy_bindings'))
    )
    with op.batch_alter_table('deputy_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deputy_bindings_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deputy_bindings_status'), ['status'], unique=False)

    conn = op.get_bind()
    now = datetime.now(UTC)
    rows = conn.execute(sa.text("SELECT id, bind_token FROM deputies WHERE bind_token IS NOT NULL")).all()
    if rows:
        op.bulk_insert(issued, [
            {"kind": "deputy", "target_id": deputy_id, "scene_key": None, "issued_at": now,
             "issued_by": "migration 0007", "used_at": None, "revoked_at": None,
             "key_hash": hashlib.sha256(token.encode()).hexdigest()}
            for deputy_id, token in rows if token])
    conn.execute(sa.text("DELETE FROM qr_codes WHERE scene LIKE 'deputy:%'"))
    with op.batch_alter_table('deputies', schema=None) as batch_op:
        batch_op.drop_constraint('uq_deputies_bind_token', type_='unique')
        batch_op.drop_column('bind_token')


def downgrade() -> None:
    # The old tokens cannot be recovered from their hashes: every deputy gets a new one (reprint the cards).
    with op.batch_alter_table('deputies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bind_token', sa.String(length=255), nullable=True))
    conn = op.get_bind()
    for (deputy_id,) in conn.execute(sa.text("SELECT id FROM deputies")).all():
        conn.execute(sa.text("UPDATE deputies SET bind_token = :t WHERE id = :i"),
                     {"t": secrets.token_urlsafe(12), "i": deputy_id})
    with op.batch_alter_table('deputies', schema=None) as batch_op:
        batch_op.alter_column('bind_token', existing_type=sa.String(length=255), nullable=False)
        batch_op.create_unique_constraint('uq_deputies_bind_token', ['bind_token'])
    with op.batch_alter_table('deputy_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deputy_bindings_status'))
        batch_op.drop_index(batch_op.f('ix_deputy_bindings_deputy_id'))
    op.drop_table('deputy_bindings')
    with op.batch_alter_table('issued_qr_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_qr_codes_kind_target')
    op.drop_table('issued_qr_codes')
