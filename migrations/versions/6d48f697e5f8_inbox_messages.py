"""inbox: received messages (raw mail kept first), what the worker made of them, review

Revision ID: 6d48f697e5f8
Revises: 7e1c0a5d9b21
Create Date: 2026-11-22 04:48:20.964323

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d48f697e5f8'
down_revision = '7e1c0a5d9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('raw_sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('received', 'applied', 'review', 'unmatched', 'rejected', name='inbox_status', native_enum=False, length=12), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('reason_text', sa.String(length=500), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('body_text', sa.Text(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('draft_order_id', sa.Integer(), nullable=True),
    sa.Column('intents', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_state', sa.Enum('pending', 'approved', 'rejected', name='inbox_review_state', native_enum=False, length=12), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_inbox_messages_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_inbox_messages_shop_id_shops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_inbox_messages_dedupe_key'))
    )
    with op.batch_alter_table('inbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_messages_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_messages_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_messages_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_inbox_messages_shop_id_status_id', ['shop_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_inbox_messages_status_received_at', ['status', 'received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('inbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_messages_status_received_at')
        batch_op.drop_index('ix_inbox_messages_shop_id_status_id')
        batch_op.drop_index(batch_op.f('ix_inbox_messages_shop_id'))
        batch_op.drop_index(batch_op.f('ix_inbox_messages_order_id'))
        batch_op.drop_index(batch_op.f('ix_inbox_messages_customer_id'))

    op.drop_table('inbox_messages')
