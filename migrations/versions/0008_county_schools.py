"""schools and districts know their county; closed schools are kept inactive

A region may hold several counties' schools (``flask --app wsgi import-schools``), and a
school the state file lists as closed is marked inactive, never deleted.

Revision ID: 0008_county_schools
Revises: 0006_scrub_search_log
Create Date: 2026-12-04 21:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_county_schools'
down_revision = '0006_scrub_search_log'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county', sa.String(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_district_county'), ['county'], unique=False)
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('grades', sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_index(batch_op.f('ix_school_county'), ['county'], unique=False)


def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_county'))
        batch_op.drop_column('active')
        batch_op.drop_column('grades')
        batch_op.drop_column('county')
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_county'))
        batch_op.drop_column('county')
