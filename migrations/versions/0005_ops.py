"""search-index outbox

Revision ID: 0005_ops
Revises: 0004_reports
Create Date: 2026-11-27 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_ops'
down_revision = '0004_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('index_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_change'))
    )


def downgrade():
    op.drop_table('index_change')
