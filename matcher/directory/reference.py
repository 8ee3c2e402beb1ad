"""Reference data every county needs: the bilingual taxonomy and the barrier catalogue.

Kept apart from sample directories (``matcher.directory.samples``) so a new county can
load it into an empty database (``flask --app wsgi seed --reference-only``) and then
import its own HSDS package and schools. Languages need no rows: their codes and
bilingual names are code (``matcher.directory.languages``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.core.upsert import ChangeCounts
from matcher.directory.taxonomy import load_barriers, load_taxonomy


def load_reference(session: Session, counts: ChangeCounts | None = None) -> ChangeCounts:
    """Create or update the taxonomy (with Spanish labels) and the barriers; idempotent."""
    counts = counts if counts is not None else ChangeCounts()
    load_taxonomy(session, counts)
    load_barriers(session, counts)
    session.flush()
    return counts
