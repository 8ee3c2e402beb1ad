"""Enlace's own listing facts, carried in HSDS without breaking the schema.

HSDS has no column for ``accepting_referrals``, ``id_required`` or Spanish text,
so they travel as HSDS *attributes* whose terms belong to a documented taxonomy,
"Enlace listing facts" (term code = fact, attribute ``value`` = the fact's value).
``Service.cost`` travels as one extra cost option with a fixed id. Ids are
derived from the record ids, so an export is byte-for-byte reproducible and an
import recognises these rows instead of storing them as ordinary data.
"""

from __future__ import annotations

from typing import Any

from matcher.core.upsert import stable_id
from matcher.hsds.mapping import Row
from matcher.models import Organization, Service

TRANSLATION_LOCALES = ("es",)
TAXONOMY: Row = {
    "id": stable_id("hsds", "taxonomy", "enlace-facts"),
    "name": "Enlace listing facts",
    "description": "Facts Enlace records that HSDS 3.0 has no field for: attribute values "
    "hold 'true'/'false' for flags and the translated text for translations.",
    "uri": None,
    "version": "1",
}
# ``attribute.link_type`` of the terms above a service's own terms: nested JSON has no other
# place for them, and without them an import could not rebuild the term hierarchy.
ANCESTOR_LINK = "enlace:ancestor"
FLAGS = {"accepting_referrals": "Accepting referrals", "id_required": "ID or SSN required"}
COST_LABELS = {"free": "Free", "sliding_scale": "Sliding scale", "fee": "Fee"}


def _translation_codes() -> dict[str, str]:
    fields = dict.fromkeys(Organization.TRANSLATED_FIELDS + Service.TRANSLATED_FIELDS)
    return {
        f"enlace:translation:{locale}:{field}": f"Translation ({locale}): {field}"
        for locale in TRANSLATION_LOCALES
        for field in fields
    }


TERM_NAMES = {f"enlace:{flag}": label for flag, label in FLAGS.items()} | _translation_codes()


def term_id(code: str) -> str:
    return stable_id("hsds", "fact-term", code)


TERMS_BY_ID = {term_id(code): code for code in TERM_NAMES}


def term_rows() -> list[Row]:
    """The facts taxonomy's terms as HSDS taxonomy_term rows."""
    return [
        {
            "id": term_id(code),
            "code": code,
            "name": name,
            "description": name,
            "parent_id": None,
            "taxonomy": TAXONOMY["name"],
            "language": "en",
            "taxonomy_id": TAXONOMY["id"],
            "term_uri": None,
        }
        for code, name in sorted(TERM_NAMES.items())
    ]


def attribute(
    link_entity: str, link_id: str, term: str, value: str | None, link_type: str | None = None
) -> Row:
    return {
        "id": stable_id("hsds", "attribute", link_id, term),
        "link_id": link_id,
        "taxonomy_term_id": term,
        "link_type": link_type,
        "link_entity": link_entity,
        "value": value,
    }


def _translation_attributes(entity: str, obj: Any) -> list[Row]:
    out = []
    for locale in TRANSLATION_LOCALES:
        row = obj.translation(locale)
        for field in obj.TRANSLATED_FIELDS:
            value = getattr(row, field, None) if row else None
            if value:
                code = f"enlace:translation:{locale}:{field}"
                out.append(attribute(entity, obj.id, term_id(code), value))
    return out


def service_attributes(
    service: Service, covered: set[str] | frozenset[str] = frozenset()
) -> list[Row]:
    """Taxonomy links, flags and translations of a service, as attribute rows (links to the
    ``covered`` terms travel as the imported attributes that made them)."""
    out = [
        attribute("service", service.id, t.id, None)
        for t in service.taxonomy_terms
        if t.id not in covered
    ]
    for flag in FLAGS:
        value = getattr(service, flag)
        if value is not None:
            out.append(
                attribute("service", service.id, term_id(f"enlace:{flag}"), str(value).lower())
            )
    return sorted(out + _translation_attributes("service", service), key=lambda r: r["id"])


def ancestor_attributes(service: Service) -> list[Row]:
    """The parents of a service's terms (up to the root), marked with ``ANCESTOR_LINK``."""
    own = {t.id for t in service.taxonomy_terms}
    ancestors = {}
    for term in service.taxonomy_terms:
        parent = term.parent
        while parent is not None and parent.id not in own and parent.id not in ancestors:
            ancestors[parent.id] = parent
            parent = parent.parent
    rows = [attribute("service", service.id, tid, None, ANCESTOR_LINK) for tid in ancestors]
    return sorted(rows, key=lambda r: r["id"])


def organization_attributes(org: Organization) -> list[Row]:
    return sorted(_translation_attributes("organization", org), key=lambda r: r["id"])


def cost_option_id(service_id: str) -> str:
    return stable_id("hsds", "enlace-cost", service_id)


def cost_option(service: Service) -> Row | None:
    """``Service.cost`` as an HSDS cost option (amount 0 when free)."""
    if not service.cost:
        return None
    return {
        "id": cost_option_id(service.id),
        "service_id": service.id,
        "valid_from": None,
        "valid_to": None,
        "option": COST_LABELS[service.cost],
        "currency": "USD" if service.cost == "free" else None,
        "amount": 0 if service.cost == "free" else None,
        "amount_description": "Enlace cost summary",
    }


def cost_from_option(row: Row) -> str | None:
    """Read back the summary written by ``cost_option``."""
    labels = {label: kind for kind, label in COST_LABELS.items()}
    return labels.get(row.get("option") or "")


def derive_cost(rows: list[Row]) -> str | None:
    """A cost summary for third-party cost options: all zero is free, any charge is a fee."""
    amounts = [r.get("amount") for r in rows]
    if not amounts or any(a is None for a in amounts):
        return None
    return "free" if all(a == 0 for a in amounts) else "fee"


def apply(obj: Any, code: str, value: str | None, pending: dict[str, dict[str, Any]]) -> bool:
    """Record a translation attribute for ``obj``; flags are read with the service."""
    if code.startswith("enlace:translation:"):
        _, _, locale, field = code.split(":", 3)
        if field in obj.TRANSLATED_FIELDS:
            pending.setdefault(locale, {})[field] = value
            return True
        return False
    return code.removeprefix("enlace:") in FLAGS and isinstance(obj, Service)
