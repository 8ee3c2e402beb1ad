"""Review queue: a field-by-field diff against the live listing, then an atomic decision.

Design: a submission keeps the proposed listing only in its JSON payload; the
directory tables are not touched until an admin approves. Approval writes the
payload into the live rows (a new published organization for a registration, an
update for an edit or correction, a membership for a claim), records audit
events and the decision in the same transaction, then refreshes the search index
for the services it touched. Rejection or a request for changes leaves the
directory untouched. So nothing a partner or the public sends can reach the
public directory or the search index without an approval.

Payload shape (all values are plain JSON):
``{"organization": {ORG_FIELDS...}, "services": [{"id": optional, SERVICE_FIELDS...}],
"message": "free text from the submitter"}``. An edit or a correction names
only the fields it changes; a registration names them all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.access import accounts
from matcher.core import audit
from matcher.models import (
    Organization,
    Service,
    Submission,
    SubmissionMessage,
    User,
)
from matcher.models.base import utcnow
from matcher.operations.index_sync import request_rebuild
from matcher.partners.listing_form import (
    DECISIONS,
    GRADES,
    ORG_FIELDS,
    SERVICE_FIELDS,
    ReviewError,
    apply_organization,
    apply_service,
    organization_form,
    service_form,
)
from matcher.search.index import update_services

__all__ = [
    "DECISIONS",
    "GRADES",
    "ORG_FIELDS",
    "SERVICE_FIELDS",
    "ReviewError",
    "decide",
    "diff",
    "organization_form",
    "service_form",
]

log = logging.getLogger(__name__)

# --- diff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class EntityDiff:
    kind: str  # 'organization' or 'service'
    label: str
    entity_id: str | None  # None: a new record
    changes: list[FieldChange]


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(field, before.get(field), value)
        for field, value in after.items()
        if field != "id" and before.get(field) != value
    ]


def diff(session: Session, submission: Submission) -> list[EntityDiff]:
    """What approval would change, field by field, against the live listing."""
    payload = submission.payload
    out: list[EntityDiff] = []
    org = submission.organization
    if "organization" in payload:
        live = organization_form(org) if org and submission.kind != "registration" else {}
        name = payload["organization"].get("name") or (org.name if org else "")
        out.append(
            EntityDiff(
                "organization",
                name,
                org.id if live else None,
                _changes(live, payload["organization"]),
            )
        )
    for data in payload.get("services", []):
        service = session.get(Service, data["id"]) if data.get("id") else None
        live = service_form(service) if service else {}
        label = data.get("name") or (service.name if service else "")
        out.append(
            EntityDiff("service", label, service.id if service else None, _changes(live, data))
        )
    return out


# --- decisions ----------------------------------------------------------------------------


def pending_counts(session: Session) -> dict[str, int]:
    """Pending submissions by kind, for the admin dashboard."""
    rows = session.execute(
        select(Submission.kind, func.count())
        .where(Submission.status == "pending")
        .group_by(Submission.kind)
    ).all()
    return dict(rows)


def queue(session: Session, status: str = "pending") -> list[Submission]:
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.status == status)
            .order_by(Submission.submitted_at, Submission.created_at)
        )
    )


def _snapshot(service: Service) -> dict[str, Any]:
    return service_form(service)


def _apply(session: Session, submission: Submission, reviewer: User) -> list[str]:
    """Write the payload to the directory; return the ids of services touched."""
    payload = submission.payload
    if submission.kind == "claim":
        if submission.submitter is None or submission.organization is None:
            raise ReviewError("nothing_to_apply")
        accounts.add_organization(session, submission.submitter, submission.organization, reviewer)
        return []
    org = submission.organization
    if submission.kind == "registration":
        org = Organization(published=True, last_verified_at=utcnow(), name="")
        session.add(org)
        submission.organization = org
        if submission.submitter is not None:
            submission.submitter.organizations.append(org)
    if org is None:
        raise ReviewError("nothing_to_apply")
    if "organization" in payload:
        before = organization_form(org) if submission.kind != "registration" else None
        apply_organization(org, payload["organization"])
        session.flush()
        audit.record(session, reviewer, "organization.apply", org, before, organization_form(org))
    touched = []
    for data in payload.get("services", []):
        service = session.get(Service, data["id"]) if data.get("id") else None
        if service is not None and service.organization_id != org.id:
            raise ReviewError("service_not_in_organization")
        before = _snapshot(service) if service else None
        if service is None:
            service = Service(organization=org, status="active", name=data.get("name", ""))
            session.add(service)
        apply_service(session, service, {k: v for k, v in data.items() if k != "id"})
        if submission.kind != "correction":
            service.last_verified_at = utcnow()  # the partner confirmed the whole listing
        session.flush()
        audit.record(session, reviewer, "service.apply", service, before, _snapshot(service))
        touched.append(service.id)
    return touched


def decide(
    session: Session, submission: Submission, reviewer: User, decision: str, message: str
) -> list[str]:
    """Approve, request changes or reject; returns ids of services to re-index.

    The caller commits once: the directory change, the decision, the message and
    the audit rows succeed or fail together.
    """
    if decision not in DECISIONS:
        raise ReviewError("invalid_decision")
    if submission.status != "pending":
        raise ReviewError("not_pending")
    if decision != "approved" and not message.strip():
        raise ReviewError("message_required")
    before = {"status": submission.status}
    touched = _apply(session, submission, reviewer) if decision == "approved" else []
    submission.status = decision
    submission.reviewed_by_id = reviewer.id
    submission.reviewed_at = utcnow()
    submission.messages.append(
        SubmissionMessage(author_id=reviewer.id, decision=decision, body=message.strip())
    )
    audit.record(
        session,
        reviewer,
        f"submission.{decision}",
        submission,
        before,
        {"status": decision, "message": message.strip()},
    )
    return touched


def refresh_search_index(index_dir: str | Path, session: Session, service_ids: list[str]) -> None:
    """The one place a review decision reaches the search index (after the commit).

    The database change is already committed; if the index cannot be updated now
    (locked, damaged), it is marked for a rebuild from the database instead of
    failing the reviewer's request.
    """
    try:
        update_services(index_dir, session, service_ids)
    except Exception:
        log.exception("search index update failed; requesting a rebuild")
        request_rebuild(index_dir)
