"""matching: a barrier term's role (meets or related) and the family's no-documents preference

Revision ID: 0012_matching
Revises: 0010_hsds_complete
Create Date: 2026-12-06 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_matching'
down_revision = '0010_hsds_complete'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('barrier_term', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('role', sa.String(length=10), server_default='meets', nullable=False)
        )
        batch_op.create_check_constraint('role', "role IN ('meets', 'related')")
    with op.batch_alter_table('needs_record', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('no_documents', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('needs_record', schema=None) as batch_op:
        batch_op.drop_column('no_documents')
    with op.batch_alter_table('barrier_term', schema=None) as batch_op:
        batch_op.drop_constraint('ck_barrier_term_role', type_='check')
        batch_op.drop_column('role')
