"""The HSDS 3.0 API read model: filters, pagination and JSON for ``/api/hsds/``.

Views pass the query string here and get back the response body. Every list is
filtered in SQL to ids first (filters combine with AND), paginated, and only the
page's records are loaded, with their relations in a few ``selectinload`` queries.
Only published organizations and their services (and those services' locations)
are visible. Bad parameters raise ``QueryError`` with a message for the client.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from matcher.core.text import clip
from matcher.directory import geo, service_areas
from matcher.directory.taxonomy import descendant_ids
from matcher.hsds import HSDS_VERSION, facts, mapping, values
from matcher.hsds.exporter import (
    ORGANIZATION_LOADS,
    SAL_LOADS,
    SERVICE_LOADS,
    SERVICE_OWN_LOADS,
    Related,
    facts_in_use,
    is_derived,
    service_json,
)
from matcher.hsds.nesting import nest
from matcher.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from matcher.search import engine
from matcher.search.index import ServiceIndex

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000
MAX_PROXIMITY_M = 500_000
METERS_PER_MILE = 1609.344
PROFILE_URL = "https://github.com/openreferral/specification/tree/3.0"
# Search: ids of matching services, best first (the search engine, or ``ilike_search``).
Matcher = Callable[[str], list[str]]


class QueryError(ValueError):
    """A bad query parameter; the message is fit for the API client (HTTP 400)."""


# -- parameters -----------------------------------------------------------------------


def _text(params: Mapping[str, Any], key: str) -> str | None:
    value = str(params.get(key) or "").strip()
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        raise QueryError(f"{key} must not contain NUL characters.")
    return value or None


def _id(value: str) -> str | None:
    """A record id from a URL, or None when it cannot be one."""
    return value if value and "\x00" not in value and len(value) <= 200 else None


def _flag(params: Mapping[str, Any], key: str) -> bool:
    """Absent is false; present, it is ``true`` or ``false``, as the OpenAPI boolean says."""
    raw = params.get(key)
    if raw is None or raw in ("true", "false"):
        return raw == "true"
    raise QueryError(f"{key} must be true or false, not '{clip(str(raw), 20)}'.")


def _whole(params: Mapping[str, Any], key: str, default: int, high: int) -> int:
    if params.get(key) is None:
        return default
    raw = _text(params, key) or ""  # present but empty is no number either
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{key} must be a whole number, not '{clip(raw, 20)}'.") from None
    if not 1 <= value <= high:
        raise QueryError(f"{key} must be between 1 and {high}.")
    return value


def _paging(params: Mapping[str, Any]) -> tuple[int, int]:
    if params.get("format") not in (None, "json"):
        raise QueryError("format must be 'json' (ndjson is not offered).")
    return _whole(params, "page", 1, MAX_PAGE), _whole(
        params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE
    )


def _modified_after(params: Mapping[str, Any], sqlite: bool) -> datetime | None:
    raw = _text(params, "modified_after")
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        raise QueryError(
            f"modified_after must be an ISO 8601 date or date-time, not '{clip(raw, 30)}'."
        ) from None
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.replace(tzinfo=None) if sqlite else value  # SQLite stores naive UTC


def _postcode_place(params: Mapping[str, Any]) -> tuple[geo.Place | None, float | None]:
    """(place of ``postcode``, ``proximity`` in miles): proximity is meters from its centroid."""
    postcode, proximity = _text(params, "postcode"), _text(params, "proximity")
    for key, value in (("postcode", postcode), ("proximity", proximity)):
        if value is None and params.get(key) is not None:
            raise QueryError(f"{key} must not be empty.")
    if proximity is not None and postcode is None:
        raise QueryError("proximity needs a postcode: it is a distance from its centroid.")
    if postcode is None:
        return None, None
    if not (len(postcode) == 5 and postcode.isdigit()):
        raise QueryError(f"postcode must be a 5-digit ZIP code, not '{clip(postcode, 20)}'.")
    try:
        place = geo.resolve_zip(postcode)
    except geo.PlaceError as error:
        raise QueryError(str(error)) from None
    if proximity is None:
        return place, None
    try:
        meters = float(proximity)
    except ValueError:
        raise QueryError(
            f"proximity must be a number of meters, not '{clip(proximity, 20)}'."
        ) from None
    if not 0 < meters <= MAX_PROXIMITY_M:
        raise QueryError(f"proximity must be more than 0 and at most {MAX_PROXIMITY_M} meters.")
    return place, meters / METERS_PER_MILE


# -- pages ----------------------------------------------------------------------------


def page_body(total: int, page: int, per_page: int, contents: list[Any]) -> dict[str, Any]:
    """The spec's ``Page`` wrapper around one page of ``contents``."""
    pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _slice(ids: Sequence[str], page: int, per_page: int) -> list[str]:
    return list(ids[(page - 1) * per_page : page * per_page])


def _in_order(session: Session, query: Select, ids: list[str]) -> list[Any]:
    """Load the rows with these ids, in the order given."""
    if not ids:
        return []
    entity = query.column_descriptions[0]["entity"]
    found = {o.id: o for o in session.scalars(query.where(entity.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _visible_services() -> Select:
    return (
        select(Service.id)
        .join(Organization, Service.organization_id == Organization.id)
        .where(Organization.published.is_(True))
    )


def ilike_search(session: Session) -> Matcher:
    """Search without the engine: every word in the service's or organization's name or text."""

    def matcher(text: str) -> list[str]:
        query = _visible_services()
        for word in text.split()[:10]:
            pattern = f"%{word.replace('%', '').replace('_', '')}%"
            query = query.where(
                or_(
                    Service.name.ilike(pattern),
                    Service.description.ilike(pattern),
                    Organization.name.ilike(pattern),
                )
            )
        return list(session.scalars(query.order_by(Service.name, Service.id)))

    return matcher


def engine_search(session: Session, index: ServiceIndex, locale: str = "en") -> Matcher:
    """Search with Enlace's search engine (ranked; the engine indexes active services)."""

    def matcher(text: str) -> list[str]:
        ids: list[str] = []
        for page in range(1, engine.MAX_PAGE + 1):
            request = engine.SearchRequest(
                q=text, locale=locale, page=page, per_page=engine.MAX_PER_PAGE
            )
            response = engine.search(session, index, request)
            ids.extend(r.id for r in response.results)
            if not response.results or len(ids) >= response.total:
                return ids
        return ids

    return matcher


def _service_filter_ids(
    session: Session, params: Mapping[str, Any], search: Matcher | None
) -> list[str]:
    """Ids of visible services passing every filter, in result order."""
    query = _visible_services()
    org_id = _text(params, "organization_id")
    if org_id:
        query = query.where(Service.organization_id == org_id)
    term_id = _text(params, "taxonomy_term_id")
    if term_id:
        terms = descendant_ids(session, [term_id])
        query = query.where(Service.taxonomy_terms.any(TaxonomyTerm.id.in_(terms)))
    taxonomy_id = _text(params, "taxonomy_id")
    if taxonomy_id:
        query = query.where(Service.taxonomy_terms.any(TaxonomyTerm.taxonomy_id == taxonomy_id))
    after = _modified_after(params, session.get_bind().dialect.name == "sqlite")
    if after is not None:
        query = query.where(Service.updated_at >= after)
    text = _text(params, "search")
    if text is None:
        return list(session.scalars(query.order_by(Service.name, Service.id)))
    allowed = set(session.scalars(query))
    return [i for i in (search or ilike_search(session))(text) if i in allowed]


# -- services -------------------------------------------------------------------------


def _service_list_item(session: Session, service: Service) -> dict[str, Any]:
    """A service as the official list gives it: its own fields, organization and program."""
    return nest(service, "service", Related(session), full=False)


def _minimal(service: Service) -> dict[str, Any]:
    row = mapping.exchange_row("service", service)
    keep = ("id", "name", "status", "last_modified")
    return {k: values.to_json(row[k]) for k in keep if row[k] is not None}


def _full_service_query() -> Select:
    return select(Service).options(*SERVICE_LOADS)


def services(
    session: Session, params: Mapping[str, Any], search: Matcher | None = None
) -> dict[str, Any]:
    """``GET /services``: a Page of services (``minimal``, default, or ``full``)."""
    page, per_page = _paging(params)
    full, minimal = _flag(params, "full"), _flag(params, "minimal")
    if full and minimal:
        raise QueryError("Choose either full or minimal, not both.")
    ids = _service_filter_ids(session, params, search)
    if full:
        rows = _in_order(session, _full_service_query(), _slice(ids, page, per_page))
        get = Related(session)
        contents = [service_json(session, s, get) for s in rows]
    else:
        query = select(Service).options(selectinload(Service.organization))
        rows = _in_order(session, query, _slice(ids, page, per_page))
        contents = [_minimal(s) if minimal else _service_list_item(session, s) for s in rows]
    return page_body(len(ids), page, per_page, contents)


def _visible_service(session: Session, service_id: str) -> Service | None:
    found = _in_order(session, _full_service_query(), [_id(service_id) or ""])
    return found[0] if found and found[0].organization.published else None


def service(session: Session, service_id: str) -> dict[str, Any] | None:
    """``GET /services/{id}``: the fully nested service, or None."""
    found = _visible_service(session, service_id)
    return service_json(session, found) if found else None


# -- organizations --------------------------------------------------------------------


def organization_row(session: Session, org: Organization) -> dict[str, Any]:
    return nest(org, "organization", Related(session), full=False)


def _organization_json(session: Session, org: Organization, full_service: bool) -> dict[str, Any]:
    """The organization fully nested; its services full (``full_service``) or as list items."""
    get = Related(session)
    out = nest(org, "organization", lambda o, t, k: None if k == "services" else get(o, t, k))
    services = sorted(org.services, key=lambda s: s.id)
    if services:
        out["services"] = [
            nest(s, "service", get, full=full_service, inside=("organization",)) for s in services
        ]
    return out


def _organization_query() -> Select:
    return select(Organization).options(
        *ORGANIZATION_LOADS,
        selectinload(Organization.services).options(*SERVICE_OWN_LOADS),
    )


def organizations(session: Session, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /organizations``: a Page of organizations (``full`` nests their records)."""
    page, per_page = _paging(params)
    full, full_service = _flag(params, "full"), _flag(params, "full_service")
    query = select(Organization.id).where(Organization.published.is_(True))
    text = _text(params, "search")
    for word in (text or "").split()[:10]:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(Organization.name.ilike(pattern), Organization.description.ilike(pattern))
        )
    ids = list(session.scalars(query.order_by(Organization.name, Organization.id)))
    rows = _in_order(session, _organization_query(), _slice(ids, page, per_page))
    contents = [
        _organization_json(session, o, full_service)
        if full or full_service
        else organization_row(session, o)
        for o in rows
    ]
    return page_body(len(ids), page, per_page, contents)


def organization(
    session: Session, organization_id: str, params: Mapping[str, Any]
) -> dict[str, Any] | None:
    """``GET /organizations/{id}``: nested, with its services (full with ``full_service``)."""
    full_service = _flag(params, "full_service")
    found = _in_order(session, _organization_query(), [_id(organization_id) or ""])
    if not found or not found[0].published:
        return None
    return _organization_json(session, found[0], full_service)


# -- taxonomies -----------------------------------------------------------------------


def _contains(words: str | None, *texts: str | None) -> bool:
    haystack = " ".join(t for t in texts if t).casefold()
    return all(w.casefold() in haystack for w in (words or "").split())


def _taxonomy_rows(session: Session) -> list[tuple[dict[str, Any], Any]]:
    """(typed row, record) of every taxonomy an export carries."""
    out = [
        (mapping.exchange_row("taxonomy", t), t)
        for t in session.scalars(select(Taxonomy).order_by(Taxonomy.name))
        if not is_derived(t)
    ]
    return out + ([(facts.TAXONOMY, facts.TAXONOMY)] if facts_in_use(session) else [])


def taxonomies(session: Session, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /taxonomies``: Enlace's taxonomies plus "Enlace listing facts" when in use."""
    page, per_page = _paging(params)
    text = _text(params, "search")
    rows = [
        (r, o) for r, o in _taxonomy_rows(session) if _contains(text, r["name"], r["description"])
    ]
    get = Related(session)
    contents = [nest(o, "taxonomy", get) for _r, o in rows[(page - 1) * per_page : page * per_page]]
    return page_body(len(rows), page, per_page, contents)


def taxonomy(session: Session, taxonomy_id: str) -> dict[str, Any] | None:
    if taxonomy_id == facts.TAXONOMY["id"]:
        return nest(facts.TAXONOMY, "taxonomy", Related(session))
    found = session.get(Taxonomy, _id(taxonomy_id) or "")
    return nest(found, "taxonomy", Related(session)) if found and not is_derived(found) else None


def _contains(words: str | None, *texts: Any) -> bool:
    haystack = " ".join(t for t in texts if isinstance(t, str)).casefold()
    return all(w.casefold() in haystack for w in (words or "").split())


def taxonomy_terms(session: Session, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /taxonomy_terms``: filters ``taxonomy_id``, ``parent_id``, ``top_only``, ``search``."""
    page, per_page = _paging(params)
    top_only = _flag(params, "top_only")
    taxonomy_id, parent_id = _text(params, "taxonomy_id"), _text(params, "parent_id")
    text = _text(params, "search")
    query = select(TaxonomyTerm).options(selectinload(TaxonomyTerm.taxonomy))
    terms = [
        (mapping.exchange_row("taxonomy_term", t), t)
        for t in session.scalars(query.order_by(TaxonomyTerm.name, TaxonomyTerm.id))
    ]
    if facts_in_use(session):
        terms += [(r, r) for r in facts.term_rows()]
    rows = [
        (r, o)
        for r, o in terms
        if (taxonomy_id is None or r["taxonomy_id"] == taxonomy_id)
        and (parent_id is None or r["parent_id"] == parent_id)
        and not (top_only and r["parent_id"])
        and _contains(text, r["name"], r["code"], r["description"])
    ]
    get = Related(session)
    contents = [
        nest(o, "taxonomy_term", get) for _r, o in rows[(page - 1) * per_page : page * per_page]
    ]
    return page_body(len(rows), page, per_page, contents)


def taxonomy_term(session: Session, term_id: str) -> dict[str, Any] | None:
    if term_id in facts.TERMS_BY_ID:
        row = next(r for r in facts.term_rows() if r["id"] == term_id)
        return nest(row, "taxonomy_term", Related(session))
    found = session.get(TaxonomyTerm, _id(term_id) or "")
    return nest(found, "taxonomy_term", Related(session)) if found else None


# -- service at location --------------------------------------------------------------


def _covers(sal: ServiceAtLocation, place: geo.Place, miles: float | None) -> bool:
    """The spec's postcode rule: within ``miles`` of it, else inside the service area."""
    loc = sal.location
    if miles is not None:
        if loc.latitude is None or loc.longitude is None:
            return False
        return geo.distance_miles(place.point, geo.Point(loc.latitude, loc.longitude)) <= miles
    areas = sal.service.service_areas
    if areas:
        return any(service_areas.covers_area(a.kind, a.name, place) for a in areas)
    return any(a.postal_code[:5] == place.postal_code for a in loc.addresses)


def service_at_locations(
    session: Session, params: Mapping[str, Any], search: Matcher | None = None
) -> dict[str, Any]:
    """``GET /service_at_locations``: the services filters plus ``postcode`` / ``proximity``."""
    page, per_page = _paging(params)
    full = _flag(params, "full")
    place, miles = _postcode_place(params)
    service_ids = _service_filter_ids(session, params, search)
    rank = {sid: n for n, sid in enumerate(service_ids)}
    query = select(ServiceAtLocation).where(ServiceAtLocation.service_id.in_(service_ids))
    if place is not None:
        query = query.options(
            selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
            selectinload(ServiceAtLocation.service).selectinload(Service.service_areas),
        )
        if miles is not None:
            low_lat, high_lat, low_lon, high_lon = geo.bounding_box(place.point, miles)
            query = query.join(Location).where(
                Location.latitude.between(low_lat, high_lat),
                Location.longitude.between(low_lon, high_lon),
            )
    sals = list(session.scalars(query))
    if place is not None:
        sals = [s for s in sals if _covers(s, place, miles)]
    ids = [s.id for s in sorted(sals, key=lambda s: (rank[s.service_id], s.id))]
    service = selectinload(ServiceAtLocation.service)
    load = select(ServiceAtLocation).options(
        *(SAL_LOADS if full else (selectinload(ServiceAtLocation.location),)),
        service.options(*SERVICE_LOADS) if full else service.selectinload(Service.organization),
    )
    rows = _in_order(session, load, _slice(ids, page, per_page))
    get = Related(session)
    contents = [nest(s, "service_at_location", get, full=full) for s in rows]
    return page_body(len(ids), page, per_page, contents)


def service_at_location(session: Session, sal_id: str) -> dict[str, Any] | None:
    """``GET /service_at_locations/{id}``: with its location fully nested and its service."""
    found = session.get(ServiceAtLocation, _id(sal_id) or "")
    if found is None or not found.service.organization.published:
        return None
    return nest(found, "service_at_location", Related(session))


def root(openapi_url: str) -> dict[str, str]:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url}
