"""What one service becomes in the index: the schema, the weighted texts in both
languages and the stored ``attrs`` that results and filters read.

A listing's language is unknown (most are English, some partners write Spanish
only, translations are optional), and language detection on a two-line
description is unreliable, so the primary text goes through *both* the English
and the Spanish analyzer; a translation goes only through its own language's
analyzer. Queries search both, so "despensa" and "pantry" each meet their stems."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from matcher.directory import county_areas, languages
from matcher.models import (
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from matcher.search.analysis import (
    analyzed,
    folding_analyzer,
    guess_language,
    language_analyzer,
)

log = logging.getLogger(__name__)

NAME_WEIGHT, CATEGORY_WEIGHT, ORG_WEIGHT = 3, 2, 2
BATCH = 500


def schema() -> Schema:
    en, es, folded = language_analyzer("en"), language_analyzer("es"), folding_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        text_en=TEXT(analyzer=en, phrase=False),
        text_es=TEXT(analyzer=es, phrase=False),
        misc=TEXT(analyzer=folded, phrase=False),
        cats=KEYWORD(commas=True),
        attrs=STORED,
    )





@dataclass(frozen=True)
class _Term:
    id: str
    code: str | None
    name: str
    name_es: str
    aliases_en: tuple[str, ...]
    aliases_es: tuple[str, ...]
    parent_id: str | None


def _load_terms(session: Session) -> dict[str, _Term]:
    return {
        t.id: _Term(
            t.id,
            t.code,
            t.name,
            t.name_es or t.name,
            tuple(t.aliases_en),
            tuple(t.aliases_es),
            t.parent_id,
        )
        for t in session.scalars(select(TaxonomyTerm))
    }


def _ancestors(term_id: str, terms_by_id: dict[str, _Term]) -> list[_Term]:
    """The term and every term above it, nearest first."""
    out, seen = [], set()
    current = terms_by_id.get(term_id)
    while current is not None and current.id not in seen:
        out.append(current)
        seen.add(current.id)
        current = terms_by_id.get(current.parent_id) if current.parent_id else None
    return out


_BODY_FIELDS = ("description", "eligibility_description", "application_process", "fees_description")


def _texts(service: Service) -> tuple[list[str], list[str], list[str], list[str]]:
    """(names for en, names for es, bodies for en, bodies for es)."""
    primary_names = [service.name, service.alternate_name or ""]
    primary_body = [getattr(service, f) or "" for f in _BODY_FIELDS]
    names_en, names_es = list(primary_names), list(primary_names)
    body_en, body_es = [], []
    for text in primary_body:
        lang = guess_language(text)
        if lang != "es":
            body_en.append(text)
        if lang != "en":
            body_es.append(text)
    for row in service.translations:
        name = [row.name or ""]
        body = [getattr(row, f) or "" for f in _BODY_FIELDS]
        if row.locale == "es":
            names_es += name
            body_es += body
        elif row.locale == "en":
            names_en += name
            body_en += body
        else:  # other languages: unknown stemming, index both ways like primary text
            names_en += name
            names_es += name
            body_en += body
            body_es += body
    return names_en, names_es, body_en, body_es


def _schedule_rows(service: Service) -> list[tuple[list[str], str | None, str | None, str | None]]:
    return [
        (
            s.days,
            s.opens_at.strftime("%H:%M") if s.opens_at else None,
            s.closes_at.strftime("%H:%M") if s.closes_at else None,
            s.description,
        )
        for s in service.schedules
    ]


def _localized(primary: str | None, translations: Iterable[Any], attr: str) -> dict[str, str]:
    out = {"en": primary or ""}
    for row in translations:
        value = getattr(row, attr, None)
        if value:
            out[row.locale] = value
    return out


def _weighted(kind: str, *parts: tuple[list[str], int]) -> list[str]:
    """Field terms with each part repeated ``weight`` times: BM25F field weights in one
    field (a name counts three times as much as a description, a category twice).

    Whoosh indexes a list of strings as already analyzed terms, so each distinct text
    is analyzed once (``analyzed`` caches) rather than once per repetition and document.
    """
    return [
        term
        for texts, weight in parts
        for text in texts
        if text
        for term in analyzed(kind, text) * weight
    ]


def build_document(service: Service, terms_by_id: dict[str, _Term]) -> dict[str, Any]:
    """The index document (and stored attributes) for one service; ``vocab`` holds its
    distinct folded words for the spelling vocabulary and is not a Whoosh field."""
    names_en, names_es, body_en, body_es = _texts(service)
    org = service.organization
    cat_en, cat_es, cats = [], [], set()
    direct = []
    for term in service.taxonomy_terms:
        chain = _ancestors(term.id, terms_by_id)
        if not chain:
            continue
        head = chain[0]
        direct.append((head.id, head.code, head.name, head.name_es))
        # Only the service's own terms as text; broader terms are reached through
        # ``cats`` (a query naming "Housing" expands to every term below it).
        cat_en += [head.name, *head.aliases_en]
        cat_es += [head.name_es, *head.aliases_es]
        cats.update(t.id for t in chain)
    roots = sorted(
        {chain[-1].id for t in service.taxonomy_terms if (chain := _ancestors(t.id, terms_by_id))}
    )
    codes = [lang.code or languages.code_for(lang.name) or "" for lang in service.languages]
    codes = list(dict.fromkeys(c for c in codes if c))
    spoken = {
        lang.code or languages.code_for(lang.name)
        for lang in service.languages
        if not lang.interpreter
    }
    interpreted = [c for c in codes if c not in spoken]  # offered only through an interpreter
    lang_names = [n for c in codes for n in languages.all_names(c)]
    points, cities, located = [], [], []
    for location in service.locations:
        if location.has_point and location.location_type != "virtual":
            points.append((location.latitude, location.longitude))
        cities += [a.city for a in location.addresses if a.city]
        if location.location_type != "virtual":
            postal = next((a.postal_code for a in location.addresses if a.postal_code), None)
            located.append((postal, location.latitude, location.longitude))
    in_counties, wide = county_areas.listing_counties(
        located, ((a.kind, a.name) for a in service.service_areas)
    )
    areas = [(a.kind, a.name) for a in service.service_areas if a.name]
    cities += [name for _kind, name in areas]
    org_names = [org.name, org.alternate_name or ""] + [t.name for t in org.translations if t.name]
    texts = [*names_en, *names_es, *body_en, *body_es, *cat_en, *cat_es, *org_names]
    return {
        "id": service.id,
        "text_en": _weighted(
            "en", (names_en, NAME_WEIGHT), (cat_en, CATEGORY_WEIGHT), (body_en, 1)
        ),
        "text_es": _weighted(
            "es", (names_es, NAME_WEIGHT), (cat_es, CATEGORY_WEIGHT), (body_es, 1)
        ),
        "misc": _weighted("fold", (org_names, ORG_WEIGHT), (cities, 1), (lang_names, 1)),
        "cats": ",".join(sorted(cats)),
        "vocab": {w for text in (*texts, *lang_names, *cities) for w in analyzed("fold", text)},
        "attrs": {
            "id": service.id,
            "name": _localized(service.name, service.translations, "name"),
            "description": _localized(service.description, service.translations, "description"),
            "org_id": org.id,
            "org_name": _localized(org.name, org.translations, "name"),
            "terms": direct,
            "cats": sorted(cats),
            "roots": roots,
            "langs": codes,
            "interpreted": interpreted,
            "cost": service.cost,
            "min_age": service.minimum_age,
            "max_age": service.maximum_age,
            "points": points,
            "areas": areas,
            "counties": in_counties,
            "wide": wide,
            "schedules": _schedule_rows(service),
        },
    }


def _indexable():
    return (
        select(Service)
        .join(Organization, Service.organization_id == Organization.id)
        .where(Service.status == "active", Organization.published.is_(True))
    )


def _with_children(statement):
    return statement.options(
        selectinload(Service.organization),
        selectinload(Service.taxonomy_terms),
        selectinload(Service.languages),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.addresses),
    )


def _documents(
    session: Session, ids: list[str], terms_by_id: dict[str, _Term]
) -> Iterator[dict[str, Any]]:
    """Documents for ``ids`` read through a private session: the caller's session (a web
    request's, say) keeps its objects, and memory stays flat on big directories."""
    with Session(session.get_bind()) as own:
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            rows = own.scalars(_with_children(_indexable().where(Service.id.in_(chunk))))
            for service in rows:
                yield build_document(service, terms_by_id)
            own.expunge_all()


def _taxonomy_phrases(terms_by_id: dict[str, _Term]) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "code": t.code,
            "parent": t.parent_id,
            "en": [t.name, *t.aliases_en],
            "es": [t.name_es, *t.aliases_es],
        }
        for t in terms_by_id.values()
    ]
