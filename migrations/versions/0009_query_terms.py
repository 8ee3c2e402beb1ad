"""query words families use (hashed below 11 searches) and staff mappings of phrases

Revision ID: 0009_query_terms
Revises: 0008_county_schools
Create Date: 2026-12-04 21:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_query_terms'
down_revision = '0008_county_schools'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'query_term',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('term_hash', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('text', sa.String(length=120), nullable=True),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('zero_results', sa.Integer(), nullable=False),
        sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_query_term')),
        sa.UniqueConstraint('term_hash', name=op.f('uq_query_term_term_hash')),
    )
    op.create_index(op.f('ix_query_term_last_seen'), 'query_term', ['last_seen'])
    op.create_table(
        'staff_mapping',
        sa.Column('phrase', sa.String(length=120), nullable=False),
        sa.Column('lang', sa.String(length=5), nullable=False),
        sa.Column('term_codes', sa.Text(), nullable=False),
        sa.Column('crisis', sa.String(length=30), nullable=True),
        sa.Column('created_by', sa.String(length=36), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_mapping')),
    )


def downgrade():
    op.drop_table('staff_mapping')
    op.drop_index(op.f('ix_query_term_last_seen'), table_name='query_term')
    op.drop_table('query_term')
