"""The bilingual service taxonomy and the barrier catalogue.

Open Eligibility (CC BY-SA 3.0, Aunt Bertha / findhelp) gives the service terms;
Enlace adds Spanish labels, search aliases in both languages and a few local
terms, all as reviewed data in ``seed_data/reference/taxonomy/terms.csv``. Barriers come
from ``seed_data/reference/barriers.csv`` and map to terms by code: ``term_codes`` are the kinds of
service that meet the barrier, ``related_codes`` ways of helping (counseling, hotlines,
legal aid, help with forms) that meet it only when the service is about it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.config import PROJECT_ROOT
from matcher.core.upsert import ChangeCounts, stable_id, upsert
from matcher.models import Barrier, BarrierTerm, Taxonomy, TaxonomyTerm

TERMS_FILE = PROJECT_ROOT / "seed_data" / "reference" / "taxonomy" / "terms.csv"
BARRIERS_FILE = PROJECT_ROOT / "seed_data" / "reference" / "barriers.csv"

OPEN_ELIGIBILITY = {
    "key": "open-eligibility-2.0",
    "name": "Open Eligibility",
    "description": "Open Eligibility human services taxonomy v2.0 by Aunt Bertha, Inc. "
    "(CC BY-SA 3.0), with Spanish labels and aliases by Enlace.",
    "uri": "https://github.com/auntbertha/openeligibility",
    "version": "2.0",
}
ENLACE_LOCAL = {
    "key": "enlace-local",
    "name": "Enlace local terms",
    "description": "Service terms Open Eligibility lacks (internet access, eyeglasses, "
    "Indigenous-language interpretation...), placed under Open Eligibility parents.",
    "uri": None,
    "version": "1",
}
TAXONOMIES = {t["key"]: t for t in (OPEN_ELIGIBILITY, ENLACE_LOCAL)}


def term_id(code: str) -> str:
    """Stable id of a seeded term, from its code."""
    return stable_id("term", code)


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def read_terms(path: Path = TERMS_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_barriers(path: Path = BARRIERS_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_taxonomy(session: Session, counts: ChangeCounts, path: Path = TERMS_FILE) -> None:
    """Create or update the seeded taxonomies and every term (parents before children)."""
    taxonomies = {
        key: upsert(
            session,
            Taxonomy,
            stable_id("taxonomy", key),
            {k: v for k, v in spec.items() if k != "key"},
            counts,
        )
        for key, spec in TAXONOMIES.items()
    }
    depth: dict[str, int] = {}
    for row in read_terms(path):
        code, parent = row["code"], row["parent_code"] or None
        depth[code] = depth[parent] + 1 if parent else 0
        upsert(
            session,
            TaxonomyTerm,
            term_id(code),
            {
                "taxonomy_id": taxonomies[row["source"]].id,
                "parent_id": term_id(parent) if parent else None,
                "code": code,
                "name": row["name_en"],
                "name_es": row["name_es"],
                "description": row["description_en"] or None,
                "description_es": row["description_es"] or None,
                "aliases_en_json": _json_list(_split(row["aliases_en"])),
                "aliases_es_json": _json_list(_split(row["aliases_es"])),
                "alternate_code": row.get("ohana_code") or None,
                "language": "en",
                "depth": depth[code],
            },
            counts,
        )
    session.flush()


def _json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False)


def load_barriers(session: Session, counts: ChangeCounts, path: Path = BARRIERS_FILE) -> None:
    """Create or update barriers and their term links. Terms must be loaded first."""
    for position, row in enumerate(read_barriers(path)):
        barrier = upsert(
            session,
            Barrier,
            row["code"],
            {
                "domain": row["domain"],
                "pillar": row["pillar"],
                "name_en": row["name_en"],
                "name_es": row["name_es"],
                "urgent": row.get("urgent") or "",
                "note_en": row.get("note_en") or None,
                "note_es": row.get("note_es") or None,
                "position": position,
            },
            counts,
        )
        roles = {code: "meets" for code in _split(row["term_codes"])}
        for code in _split(row.get("related_codes")):
            if code in roles:
                raise ValueError(f"barrier {row['code']} lists term {code} twice")
            roles[code] = "related"
        missing = [code for code in roles if session.get(TaxonomyTerm, term_id(code)) is None]
        if missing:
            raise ValueError(f"barrier {row['code']} maps to unknown terms: {missing}")
        _sync_roles(barrier, {term_id(code): role for code, role in roles.items()}, counts)
    session.flush()


def _sync_roles(barrier: Barrier, wanted: dict[str, str], counts: ChangeCounts) -> None:
    """Make the barrier's term links (term id -> role) equal ``wanted``, counting changes."""
    links = {link.taxonomy_term_id: link for link in barrier.term_links}
    for tid, link in links.items():
        if tid not in wanted:
            barrier.term_links.remove(link)
            counts.add("barrier_term", "deleted")
    for tid, role in wanted.items():
        link = links.get(tid)
        if link is None:
            barrier.term_links.append(BarrierTerm(taxonomy_term_id=tid, role=role))
            counts.add("barrier_term", "created")
        elif link.role != role:
            link.role = role
            counts.add("barrier_term", "updated")
        else:
            counts.add("barrier_term", "unchanged")


def descendant_ids(session: Session, term_ids: Iterable[str]) -> set[str]:
    """The given term ids and every term below them in the hierarchy."""
    children: dict[str | None, list[str]] = {}
    for tid, parent in session.execute(select(TaxonomyTerm.id, TaxonomyTerm.parent_id)):
        children.setdefault(parent, []).append(tid)
    found: set[str] = set()
    stack = list(term_ids)
    while stack:
        tid = stack.pop()
        if tid in found:
            continue
        found.add(tid)
        stack.extend(children.get(tid, []))
    return found


def find_term(
    session: Session, code_or_name: str, name_taxonomy_id: str | None = None
) -> TaxonomyTerm | None:
    """A term by its code, its Ohana code, or (case-insensitively) its English name.

    ``name_taxonomy_id`` limits the name match to one taxonomy: the same name in two
    taxonomies need not mean the same thing.
    """
    by_code = session.scalars(
        select(TaxonomyTerm).where(
            (TaxonomyTerm.code == code_or_name) | (TaxonomyTerm.alternate_code == code_or_name)
        )
    ).first()
    if by_code:
        return by_code
    by_name = select(TaxonomyTerm).where(TaxonomyTerm.name.ilike(code_or_name))
    if name_taxonomy_id is not None:
        by_name = by_name.where(TaxonomyTerm.taxonomy_id == name_taxonomy_id)
    return session.scalars(by_name.order_by(TaxonomyTerm.depth.desc())).first()


def top_level_terms(session: Session) -> list[TaxonomyTerm]:
    return list(
        session.scalars(
            select(TaxonomyTerm).where(TaxonomyTerm.parent_id.is_(None)).order_by(TaxonomyTerm.code)
        )
    )


def barriers(session: Session) -> list[Barrier]:
    return list(session.scalars(select(Barrier).order_by(Barrier.position)))
