"""Finding schools by what an operator knows: a name, a key, a CDS code or an id.

``create-user --school`` and ``list-schools`` use this, so nobody needs a database id.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.core.text import fold
from matcher.models import School


class SchoolNotFound(LookupError):
    """No school, or more than one, answers to the reference; the message says which."""


def _columns() -> list:
    columns = [School.id, School.key]
    cds = getattr(School, "cds_code", None)
    if cds is not None:
        columns.append(cds)
    return columns


def find_school(session: Session, ref: str) -> School:
    """The one school whose id, key, CDS code or name (accents and case ignored) is ``ref``."""
    ref = (ref or "").strip()
    if not ref:
        raise SchoolNotFound("a school name, CDS code or id is required")
    for column in _columns():
        found = session.scalars(select(School).where(column == ref)).first()
        if found is not None:
            return found
    wanted = fold(ref)
    named = [s for s in list_schools(session) if fold(s.name) == wanted]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        places = ", ".join(f"{s.name} ({s.city}, key {s.key})" for s in named)
        raise SchoolNotFound(f"several schools are named {ref!r}: {places}; give the key")
    raise SchoolNotFound(f"no school {ref!r} (flask --app wsgi list-schools shows them)")


def list_schools(session: Session) -> list[School]:
    """Every school with its district, by district then name."""
    schools = session.scalars(select(School).options(selectinload(School.district)))
    return sorted(schools, key=lambda s: (s.district.name if s.district else "", s.name))
