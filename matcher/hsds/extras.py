"""What an HSDS record brings beyond Enlace's columns, kept in its ``hsds_extra``.

Four kinds, each a dict under its own key, so an export gives back what an import took:

* ``fields``: fields the core does not define (a profile's, an extension's, a later
  version's) and core fields Enlace has no column for, exactly as given (any JSON
  value, or CSV text);
* ``forms``: the source's spelling of a number, date or time ("35.00", "10:00",
  "...45.123Z"), given back while the stored value is still the one it spelled;
* ``kept``: a value Enlace cannot use (a reference to a record it does not have,
  coordinates out of range), given back while the column stays empty;
* ``derived``: a value Enlace filled in that the source did not give (the taxonomy
  that holds a term which named none), left out of exports while unchanged.

An import merges: a field the record leaves out keeps what was stored for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FIELDS, FORMS, KEPT, DERIVED = "fields", "forms", "kept", "derived"


def merge(
    stored: dict[str, Any] | None,
    present: Iterable[str],
    fields: dict[str, Any],
    forms: dict[str, Any],
    kept: dict[str, Any],
    derived: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """``stored`` updated for the fields a new version of the record gives (``present``)."""
    out = {kind: dict(entries) for kind, entries in (stored or {}).items()}
    for name in present:
        for kind in (FORMS, KEPT, DERIVED):
            out.get(kind, {}).pop(name, None)
    for name, value in fields.items():
        if value is None:
            out.get(FIELDS, {}).pop(name, None)
        else:
            out.setdefault(FIELDS, {})[name] = value
    for kind, entries in ((FORMS, forms), (KEPT, kept), (DERIVED, derived or {})):
        out.setdefault(kind, {}).update(entries)
    return {kind: entries for kind, entries in out.items() if entries} or None
