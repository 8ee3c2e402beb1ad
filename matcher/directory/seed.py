"""What ``flask --app wsgi seed`` loads: reference data, then (unless asked not to) the
sample directories shipped in ``seed_data/samples/``.

Both halves live in their own modules (``reference`` and ``samples``); this one only
puts them in order.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.core.upsert import ChangeCounts
from matcher.directory.reference import load_reference
from matcher.directory.samples import (  # noqa: F401  (re-exported for older callers)
    DIRECTORY_FILE,
    DISTRICTS_FILE,
    SAMPLE_SOURCE,
    SCHOOLS_FILE,
    load_directory,
    load_samples,
    load_schools,
)


def seed_reference(session: Session) -> ChangeCounts:
    """Only the reference data (taxonomy, Spanish labels, barriers); the caller commits."""
    return load_reference(session)


def seed_all(session: Session) -> ChangeCounts:
    """Reference data plus every shipped sample directory; the caller commits."""
    counts = load_reference(session)
    load_samples(session, counts)
    session.flush()
    return counts
