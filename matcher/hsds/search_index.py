"""The one place where an HSDS import tells search that services changed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session


def services_changed(app: Any, session: Session, service_ids: Iterable[str]) -> None:
    """Re-index imported services (after commit) with the search engine's incremental update."""
    from matcher.search.index import update_services

    update_services(app, session, service_ids)
