"""blank the query text of search-log rows written before only need words were kept

Earlier versions stored a zero-result search's whole query, which could hold a name
typed by mistake. The text cannot be reduced to its need words here (that needs the
search index), so it is cleared; the counts, languages and filters stay.

Revision ID: 0006_scrub_search_log
Revises: 0005_ops
Create Date: 2026-11-28 03:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_scrub_search_log'
down_revision = '0005_ops'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE search_log SET query = ''")


def downgrade():
    pass  # the cleared text is gone for good, as intended
