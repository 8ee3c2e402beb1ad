"""reports: search_log (zero-result searches as a demand signal)

Revision ID: 0004_reports
Revises: 0003_needs_referrals
Create Date: 2026-11-27 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_reports'
down_revision = '0003_needs_referrals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('filters_json', sa.Text(), nullable=False),
    sa.Column('result_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_log'))
    )
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_log_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_log_created_at'))

    op.drop_table('search_log')
