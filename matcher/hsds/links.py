"""Import of taxonomies, terms and attributes: the part of ``importer.Loader`` that links.

Terms are matched to Enlace's (by id, code, or an Open Eligibility name) or kept under
their own taxonomy. A term that names no taxonomy Enlace has goes under a taxonomy named
after its ``taxonomy`` text, which Enlace makes (and marks as derived, so exports leave
it out); the id it named, if any, is kept and given back. Attributes on services become
Enlace's service-term links (and Enlace's facts: flags, translations); every attribute
that carries more than a plain link is also stored as given, on any record.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from matcher.core.text import fold
from matcher.core.upsert import ChangeCounts, stable_id, sync_links, upsert
from matcher.directory.taxonomy import OPEN_ELIGIBILITY, find_term
from matcher.hsds import extras, facts, mapping
from matcher.hsds.package import SourceRow, Tables
from matcher.models import Attribute, Organization, Service, Taxonomy, TaxonomyTerm

# Where an attribute's record is looked for when the package does not hold it.
STORED_ENTITIES = ("service", "organization", "location")


class LinkLoader:
    """Mixin for ``importer.Loader``: taxonomies, terms and attributes."""

    session: Any
    tables: Tables
    term_map: dict[str, str]
    depths: dict[str, int]
    taxonomy_map: dict[str, str]
    ids: dict[str, set[str]]
    known_terms: set[str]  # package terms Enlace already has

    result: Any

    def note(self, message: str) -> None: ...
    def flush(self, table: str) -> None: ...
    def values(self, table: str, row: SourceRow, existing: Any = None) -> dict[str, Any]: ...
    def _stored_ids(self, table: str) -> set[str]: ...
    def states(self, row: SourceRow, child: str, link: str) -> bool: ...
    def stated(self, child: str, link: str) -> set[str]: ...
    def exists(self, table: str, id_: str) -> bool: ...

    @property
    def counts(self) -> ChangeCounts:
        return self.result.counts

    def load_taxonomies(self) -> None:
        for row in self.tables.get("taxonomy", []):
            if row.values["id"] == facts.TAXONOMY["id"]:
                continue
            existing = self.session.get(Taxonomy, row.values["id"])
            if existing is None and row.values.get("name"):
                query = select(Taxonomy).where(Taxonomy.name == row.values["name"])
                existing = self.session.scalars(query).first()
                if existing is not None:
                    self.note("taxonomies matched to Enlace's by name (their terms go there)")
            values = self.values("taxonomy", row, existing)
            id_ = existing.id if existing else row.values["id"]
            self.taxonomy_map[row.values["id"]] = id_
            upsert(self.session, Taxonomy, id_, values, self.counts)
        self.flush("taxonomy")
        rows = [
            r
            for r in self.tables.get("taxonomy_term", [])
            if r.values["id"] not in facts.TERMS_BY_ID
        ]
        for row in rows:
            self._resolve_term(row)
        by_id, seen = {r.values["id"]: r for r in rows}, set()
        for row in rows:  # parents first: depth follows the parent chain
            self._load_term(row, by_id, seen)
        self.flush("taxonomy_term")

    def _resolve_term(self, row: SourceRow) -> None:
        """Map a package term to an existing term (by id, code or name) or to itself."""
        v = row.values
        term = self.session.get(TaxonomyTerm, v["id"])
        if term is not None:
            self.known_terms.add(v["id"])
        else:
            term = find_term(self.session, v["code"]) if v.get("code") else None
            oe_id = self._open_eligibility_id()
            if term is None and oe_id and v.get("name") and self._is_open_eligibility(v):
                term = find_term(self.session, v["name"], name_taxonomy_id=oe_id)
            if term is not None:
                self.counts.add("taxonomy_term", "matched")
                self.note("taxonomy terms matched to Enlace's taxonomy by code or name")
        self.term_map[v["id"]] = term.id if term else v["id"]

    def _open_eligibility_id(self) -> str | None:
        query = select(Taxonomy.id).where(Taxonomy.name == OPEN_ELIGIBILITY["name"])
        return self.session.scalars(query).first()

    def _is_open_eligibility(self, v: dict[str, Any]) -> bool:
        """Is a package term in Open Eligibility (by its taxonomy's name or URI)?"""
        names, uris = {v.get("taxonomy")}, set()
        for row in self.tables.get("taxonomy", []):
            if row.values["id"] == v.get("taxonomy_id"):
                names.add(row.values.get("name"))
                uris.add(row.values.get("uri"))
        stored = self.session.get(Taxonomy, v.get("taxonomy_id") or "")
        if stored is not None:
            names.add(stored.name)
            uris.add(stored.uri)
        wanted = fold(OPEN_ELIGIBILITY["name"])
        return any(n and fold(n) == wanted for n in names) or OPEN_ELIGIBILITY["uri"] in uris

    def _load_term(self, row: SourceRow, rows: dict[str, SourceRow], seen: set[str]) -> int:
        v = row.values
        if self.term_map[v["id"]] != v["id"]:  # an existing term
            term = self.session.get(TaxonomyTerm, self.term_map[v["id"]])
            return term.depth if term else 0
        if v["id"] in seen:  # loaded already (not flushed yet), or a parent cycle
            return self.depths.get(v["id"], 0)
        seen.add(v["id"])
        existing = self.session.get(TaxonomyTerm, v["id"]) if v["id"] in self.known_terms else None
        kept: dict[str, Any] = {}
        parent = v.get("parent_id")
        depth = existing.depth if existing is not None and "parent_id" not in v else 0
        if parent in rows:
            depth = self._load_term(rows[parent], rows, seen) + 1
            v["parent_id"] = self.term_map[parent]
        elif parent and self.session.get(TaxonomyTerm, parent):
            depth = self.session.get(TaxonomyTerm, parent).depth + 1
        elif parent:
            self.note("kept as given, not linked: taxonomy_term.parent_id names a missing term")
            kept["parent_id"] = parent
            v["parent_id"] = None
        taxonomy = self._taxonomy_for(v, existing, kept)
        values = self.values("taxonomy_term", row, existing)
        values["depth"] = depth
        if taxonomy is not None:
            values["taxonomy_id"], derived = taxonomy
            values["hsds_extra"] = extras.merge(
                values["hsds_extra"], (), {}, {}, kept, {"taxonomy_id": derived} if derived else {}
            )
        elif kept:
            values["hsds_extra"] = extras.merge(values["hsds_extra"], (), {}, {}, kept)
        upsert(self.session, TaxonomyTerm, v["id"], values, self.counts)
        self.depths[v["id"]] = depth
        return depth

    def _taxonomy_for(
        self, v: dict[str, Any], existing: Any, kept: dict[str, Any]
    ) -> tuple[str, str | None] | None:
        """(taxonomy id, the same id when Enlace made that taxonomy), or None to keep the
        stored one. A named taxonomy Enlace does not have is kept as given."""
        tid = v.get("taxonomy_id")
        if existing is not None and "taxonomy_id" not in v and "taxonomy" not in v:
            return None
        if tid in self.taxonomy_map:
            return self.taxonomy_map[tid], None
        if tid and self.session.get(Taxonomy, tid):
            return tid, None
        if tid:
            self.note(
                "kept as given, not linked: taxonomy_term.taxonomy_id names a missing taxonomy"
            )
            kept["taxonomy_id"] = tid
        name = v.get("taxonomy") or "Imported terms"
        found = self.session.scalars(select(Taxonomy).where(Taxonomy.name == name)).first()
        if found:
            return found.id, (found.id if _derived(found) else None)
        new_id = stable_id("hsds", "taxonomy", name)
        upsert(
            self.session,
            Taxonomy,
            new_id,
            {"name": name, "description": None, "hsds_extra": {extras.DERIVED: {"id": new_id}}},
            self.counts,
        )
        self.session.flush()
        return new_id, new_id

    def entity_of(self, link_id: str | None, named: str | None) -> str | None:
        """The table of the record an attribute names, if the package or Enlace has it."""
        if not link_id:
            return None
        if named in mapping.TABLES and self.exists(named, link_id):
            return named
        for table, ids in self.ids.items():
            if link_id in ids and table in mapping.TABLES:
                return table
        return next((t for t in STORED_ENTITIES if self.exists(t, link_id)), None)

    def load_attributes(self) -> None:
        """Service taxonomy links and Enlace facts; every attribute carrying more is stored."""
        stated = self.stated("attribute", "link_id")
        links: dict[str, list[TaxonomyTerm]] = {
            sid: [] for sid in stated & self.ids.get("service", set())
        }
        pending: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        kept_ids: set[str] = set()
        stored = self._stored_ids("attribute")
        for row in self.tables.get("attribute", []):
            v = row.values
            existing = self.session.get(Attribute, v["id"]) if v["id"] in stored else None
            link_id = v["link_id"] if "link_id" in v else getattr(existing, "link_id", None)
            term_id = v.get("taxonomy_term_id") or getattr(existing, "taxonomy_term_id", None)
            entity = self.entity_of(link_id, v.get("link_entity"))
            if term_id in facts.TERMS_BY_ID:
                model = {"service": Service, "organization": Organization}.get(entity or "")
                if model is not None:
                    obj = self.session.get(model, link_id)
                    facts.apply(obj, facts.TERMS_BY_ID[term_id], v.get("value"),
                                pending.setdefault((entity, link_id), {}))  # fmt: skip
                continue
            if v.get("link_type") == facts.ANCESTOR_LINK:  # Enlace's, rebuilt from the terms
                continue
            term = self.session.get(TaxonomyTerm, self.term_map.get(term_id, term_id))
            if term is None:
                raise row.error(
                    f"refers to taxonomy_term {term_id}, which does not exist", "taxonomy_term_id"
                )
            if entity == "service":
                links.setdefault(link_id, []).append(term)
            if entity is None:
                self.note("kept as given, not linked: attributes naming a record not in Enlace")
            if not _plain_link(v, link_id, entity, term.id) or existing is not None:
                values = self.values("attribute", row, existing)
                values["taxonomy_term_id"] = term.id
                upsert(self.session, Attribute, v["id"], values, self.counts)
                kept_ids.add(v["id"])
        self.flush("attribute")
        for sid, terms in links.items():
            service = self.session.get(Service, sid)
            if not terms and not service.taxonomy_terms:
                continue
            unique = list({t.id: t for t in terms}.values())
            sync_links(service.taxonomy_terms, unique, "service_taxonomy_term", self.counts)
        self._prune_attributes(stated, kept_ids)
        for table, model in (("service", Service), ("organization", Organization)):
            for id_ in self.ids.get(table, set()) & stated:
                self._apply_facts(self.session.get(model, id_), pending.get((table, id_), {}))

    def _prune_attributes(self, stated: set[str], kept_ids: set[str]) -> None:
        """Delete stored attributes of records whose whole list the package gives."""
        if not stated:
            return
        query = select(Attribute).where(Attribute.link_id.in_(stated))
        for attribute in self.session.scalars(query):
            if attribute.id not in kept_ids:
                self.session.delete(attribute)
                self.counts.add("attribute", "deleted")

    def _apply_facts(self, obj: Any, pending: dict[str, dict[str, Any]]) -> None:
        """Translations (flags were set with the service itself)."""
        for locale in facts.TRANSLATION_LOCALES:
            wanted = {f: pending.get(locale, {}).get(f) for f in obj.TRANSLATED_FIELDS}
            row = obj.translation(locale)
            current = {f: getattr(row, f) for f in obj.TRANSLATED_FIELDS} if row else None
            if not any(wanted.values()):
                if row is not None:
                    obj.translations.remove(row)
                continue
            if current != wanted:
                obj.set_translation(locale, **wanted)
                self.counts.add(f"{type(obj).__tablename__}_translation", "updated")


def _derived(taxonomy: Taxonomy) -> bool:
    return (taxonomy.hsds_extra or {}).get(extras.DERIVED, {}).get("id") == taxonomy.id


def _plain_link(v: dict[str, Any], link_id: str | None, entity: str | None, term_id: str) -> bool:
    """Is an attribute exactly the link Enlace's own export writes for a service's term?"""
    return (
        entity == "service"
        and v["id"] == stable_id("hsds", "attribute", link_id or "", term_id)
        and v.get("link_type") is None
        and v.get("value") is None
        and v.get("link_entity") in (None, "service")
    )
