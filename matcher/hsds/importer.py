"""Write HSDS tables to the database: idempotent, in place, all or nothing.

The caller owns the transaction (``matcher.db.transaction``): any ``HSDSError``
raised here rolls everything back. Records keep their HSDS ids, so a second
import of the same package finds every row unchanged, and a newer version
updates rows in place and removes children the package no longer lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from matcher.core.text import fold
from matcher.core.upsert import ChangeCounts, stable_id, sync_children, sync_links, upsert
from matcher.directory.taxonomy import OPEN_ELIGIBILITY, find_term
from matcher.hsds import HSDSError, facts, legacy, mapping
from matcher.hsds.nesting import read_json
from matcher.hsds.package import Source, SourceRow, Tables, read_csv_package
from matcher.models import Organization, Service, Taxonomy, TaxonomyTerm

# Children synchronised through their one parent's collection.
OWNED = {
    "address": ("location", "addresses"),
    "service_at_location": ("service", "service_at_locations"),
    "service_area": ("service", "service_areas"),
    "cost_option": ("service", "cost_options"),
    "required_document": ("service", "required_documents"),
}
# References without which a row means nothing: a dangling one aborts the import.
REQUIRED_REFS = {
    ("service", "organization_id"),
    ("service_at_location", "service_id"),
    ("service_at_location", "location_id"),
    ("address", "location_id"),
    ("service_area", "service_id"),
    ("cost_option", "service_id"),
    ("required_document", "service_id"),
}
TARGET = {
    "organization_id": "organization",
    "service_id": "service",
    "location_id": "location",
    "contact_id": "contact",
    "parent_id": "taxonomy_term",
    "taxonomy_id": "taxonomy",
}
ORDER = ["taxonomy", "organization", "location", "service", "contact", "phone", "schedule",
         "language", *OWNED]  # fmt: skip


def read(path: Path) -> Tables:
    """Tables from a package folder, a .zip of one, or an HSDS JSON file."""
    return read_detected(path)[1]


def read_detected(path: Path) -> tuple[str, Tables]:
    """(format, tables): HSDS 3.0, or an older format converted by ``legacy``."""
    if not path.exists():
        raise HSDSError("no such file or folder", str(path))
    kind = legacy.detect(path)
    if kind in legacy.READERS:
        return kind, legacy.READERS[kind](path)
    if path.suffix.lower() == ".json":
        return kind, read_json(path, Source(path.parent).read_text(path.name))
    return kind, read_csv_package(Source(path))


@dataclass
class ImportResult:
    counts: ChangeCounts = field(default_factory=ChangeCounts)
    service_ids: set[str] = field(default_factory=set)
    notes: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        return self.counts.lines() + [f"  {note} ({n})" for note, n in sorted(self.notes.items())]


class Loader:
    def __init__(self, session: Session, tables: Tables, progress: Callable[[int], None]) -> None:
        self.session = session
        self.tables = tables
        self.progress = progress
        self.result = ImportResult()
        self.ids = {t: {r.values["id"] for r in rows} for t, rows in tables.items()}
        self.term_map: dict[str, str] = {}
        self.depths: dict[str, int] = {}
        self.taxonomy_map: dict[str, str] = {}
        self.skipped: set[str] = set()
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def note(self, message: str) -> None:
        self.result.notes[message] += 1

    def exists(self, table: str, id_: str) -> bool:
        if id_ in self.skipped:
            return False
        if id_ in self.ids.get(table, ()):
            return True
        return self.session.get(mapping.TABLES[table].model, id_) is not None

    def values(self, table: str, row: SourceRow) -> dict[str, Any]:
        """Model values for a row, with references checked and unknown fields reported."""
        spec = mapping.TABLES[table]
        for name in spec.references:
            ref = row.values.get(name)
            if ref is None or name in ("parent_id", "taxonomy_id"):
                continue
            if not self.exists(TARGET[name], ref):
                if (table, name) in REQUIRED_REFS:
                    raise row.error(f"refers to {TARGET[name]} {ref}, which does not exist", name)
                self.note(f"dropped {table}.{name} pointing to a missing {TARGET[name]}")
                row.values[name] = None
        stored = set(spec.columns()) | set(spec.special) | {"id"}
        for name, value in row.values.items():
            if value is not None and name not in stored:
                self.note(f"not stored: {table}.{name}")
        try:
            values = mapping.model_values(table, row.values)
        except ValueError as error:
            raise row.error(str(error)) from None
        for attr, value in list(values.items()):
            try:
                values[attr] = self._fit(spec, attr, value)
            except ValueError as error:
                raise row.error(str(error), attr) from None
        return values

    def _fit(self, spec: mapping.Table, attr: str, value: Any) -> Any:
        if isinstance(value, datetime) and self.sqlite:
            return value.astimezone(UTC).replace(tzinfo=None)
        return mapping.check_column(spec, attr, value)

    def run(self) -> ImportResult:
        for table in self.tables:
            if table not in mapping.TABLES and table != "attribute":
                n = len(self.tables[table])
                self.result.counts.add(table, "skipped", n)
                self.note(f"{table}: Enlace does not store this table")
        # Each table is flushed once when loaded; flushing before every lookup made a
        # large import spend most of its time in autoflush.
        with self.session.no_autoflush:
            self.load_taxonomies()
            for table in ORDER[1:]:
                self.load(table)
            self.load_attributes()
        self.flush("attribute")
        return self.result

    def flush(self, table: str) -> None:
        try:
            self.session.flush()
        except (IntegrityError, DBAPIError) as error:
            self.session.rollback()
            message = str(error.orig).splitlines()[0] if error.orig else str(error)
            raise HSDSError(f"the database refused these rows: {message}", table) from None

    def load(self, table: str) -> None:
        rows = self.tables.get(table, [])
        if table in OWNED:
            self._load_owned(table, rows)
        else:
            model = mapping.TABLES[table].model
            for row in rows:
                values = self.values(table, row)
                if table in ("contact", "phone", "schedule", "language") and not any(
                    values.get(r) for r in mapping.TABLES[table].references
                ):
                    self.result.counts.skip(table, f"{row.file} row {row.row}: belongs to nothing")
                    self.skipped.add(row.values["id"])
                    continue
                if table == "location" and not self._valid_point(row, values):
                    values.update(latitude=None, longitude=None)
                if table == "location":
                    values["coordinates_source"] = (
                        "source" if values["latitude"] is not None else None
                    )
                if table == "service":  # set with the service: a later change bumps updated_at
                    values.update(self._service_extras(row.values["id"]))
                created = self.session.get(model, row.values["id"]) is None
                obj = upsert(self.session, model, row.values["id"], values, self.result.counts)
                if table == "organization" and created:
                    obj.source = "Imported from an HSDS 3.0 data package"
                if table == "service":
                    self.result.service_ids.add(obj.id)
                self.progress(1)
            self._prune(table, rows)
        self.flush(table)

    def _valid_point(self, row: SourceRow, values: dict[str, Any]) -> bool:
        lat, lon = values.get("latitude"), values.get("longitude")
        if lat is None and lon is None:
            return True
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.note("dropped coordinates that are missing or out of range")
            return False
        return True

    def _prune(self, table: str, rows: list[SourceRow]) -> None:
        """Delete children of imported parents that the package no longer lists."""
        if table not in ("contact", "phone", "schedule", "language"):
            return
        model = mapping.TABLES[table].model
        wanted = {r.values["id"] for r in rows}
        for ref in mapping.TABLES[table].references:
            parents = self.ids.get(TARGET[ref], set())
            if not parents:
                continue
            stale = self.session.scalars(
                select(model).where(getattr(model, ref).in_(parents), model.id.not_in(wanted))
            )
            for obj in stale:
                self.session.delete(obj)
                self.result.counts.add(table, "deleted")

    def _load_owned(self, table: str, rows: list[SourceRow]) -> None:
        parent_table, collection = OWNED[table]
        parent_field = f"{parent_table}_id"
        by_parent: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for row in rows:
            values = self.values(table, row)
            if table == "cost_option" and row.values["id"] == facts.cost_option_id(
                values["service_id"]
            ):
                continue
            by_parent.setdefault(values.pop(parent_field), []).append((row.values["id"], values))
            self.progress(1)
        parent_model = mapping.TABLES[parent_table].model
        for parent_id in self.ids.get(parent_table, set()) | set(by_parent):
            parent = self.session.get(parent_model, parent_id)
            sync_children(
                getattr(parent, collection),
                mapping.TABLES[table].model,
                by_parent.get(parent_id, []),
                self.result.counts,
            )

    def _service_extras(self, service_id: str) -> dict[str, Any]:
        """Cost summary and flags for a service, read ahead from its cost options and attributes."""
        options = [
            r.values
            for r in self.tables.get("cost_option", [])
            if r.values["service_id"] == service_id
        ]
        summary = next((o for o in options if o["id"] == facts.cost_option_id(service_id)), None)
        cost = facts.cost_from_option(summary) if summary else facts.derive_cost(options)
        flags: dict[str, Any] = dict.fromkeys(facts.FLAGS)
        for row in self.tables.get("attribute", []):
            code = facts.TERMS_BY_ID.get(row.values["taxonomy_term_id"], "")
            if row.values["link_id"] == service_id and code.removeprefix("enlace:") in facts.FLAGS:
                flags[code.removeprefix("enlace:")] = {"true": True, "false": False}.get(
                    row.values.get("value") or ""
                )
        return {"cost": cost, **flags}

    def load_taxonomies(self) -> None:
        for row in self.tables.get("taxonomy", []):
            if row.values["id"] == facts.TAXONOMY["id"]:
                continue
            values = self.values("taxonomy", row)
            existing = (
                self.session.get(Taxonomy, row.values["id"])
                or self.session.scalars(
                    select(Taxonomy).where(Taxonomy.name == values["name"])
                ).first()
            )
            id_ = existing.id if existing else row.values["id"]
            self.taxonomy_map[row.values["id"]] = id_
            upsert(self.session, Taxonomy, id_, values, self.result.counts)
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
        if term is None:
            term = find_term(self.session, v["code"]) if v.get("code") else None
            oe_id = self._open_eligibility_id()
            if term is None and oe_id and self._is_open_eligibility(v):
                term = find_term(self.session, v["name"], name_taxonomy_id=oe_id)
            if term is not None:
                self.result.counts.add("taxonomy_term", "matched")
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
        values = self.values("taxonomy_term", row)
        parent = v.get("parent_id")
        depth = 0
        if parent in rows:
            depth = self._load_term(rows[parent], rows, seen) + 1
            values["parent_id"] = self.term_map[parent]
        elif parent and self.session.get(TaxonomyTerm, parent):
            depth = self.session.get(TaxonomyTerm, parent).depth + 1
        elif parent:
            self.note("dropped taxonomy_term.parent_id pointing to a missing term")
            values["parent_id"] = None
        values["taxonomy_id"] = self._taxonomy_for(v)
        values["depth"] = depth
        upsert(self.session, TaxonomyTerm, v["id"], values, self.result.counts)
        self.depths[v["id"]] = depth
        return depth

    def _taxonomy_for(self, v: dict[str, Any]) -> str | None:
        tid = v.get("taxonomy_id")
        if tid in self.taxonomy_map:
            return self.taxonomy_map[tid]
        if tid and self.session.get(Taxonomy, tid):
            return tid
        name = v.get("taxonomy") or "Imported terms"
        found = self.session.scalars(select(Taxonomy).where(Taxonomy.name == name)).first()
        if found:
            return found.id
        new_id = stable_id("hsds", "taxonomy", name)
        upsert(
            self.session, Taxonomy, new_id, {"name": name, "description": None}, self.result.counts
        )
        self.session.flush()
        return new_id

    def load_attributes(self) -> None:
        """Service taxonomy links and Enlace facts; other attributes are reported."""
        links: dict[str, list[TaxonomyTerm]] = {sid: [] for sid in self.ids.get("service", set())}
        pending: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        for row in self.tables.get("attribute", []):
            v = row.values
            entity, term_id = v.get("link_entity"), v["taxonomy_term_id"]
            model = {"service": Service, "organization": Organization}.get(entity or "")
            if model is None or not self.exists(entity, v["link_id"]):
                self.result.counts.skip(
                    "attribute", f"attributes on {entity} records are not stored"
                )
                continue
            if term_id in facts.TERMS_BY_ID:
                obj = self.session.get(model, v["link_id"])
                facts.apply(obj, facts.TERMS_BY_ID[term_id], v.get("value"),
                            pending.setdefault((entity, v["link_id"]), {}))  # fmt: skip
                continue
            term = self.session.get(TaxonomyTerm, self.term_map.get(term_id, term_id))
            if term is None:
                raise row.error(
                    f"refers to taxonomy_term {term_id}, which does not exist", "taxonomy_term_id"
                )
            if model is Service and v.get("link_type") != facts.ANCESTOR_LINK:
                links.setdefault(v["link_id"], []).append(term)
        for sid, terms in links.items():
            service = self.session.get(Service, sid)
            if not terms and not service.taxonomy_terms:
                continue
            unique = list({t.id: t for t in terms}.values())
            sync_links(service.taxonomy_terms, unique, "service_taxonomy_term", self.result.counts)
        for table, model in (("service", Service), ("organization", Organization)):
            for id_ in self.ids.get(table, set()):
                self._apply_facts(self.session.get(model, id_), pending.get((table, id_), {}))

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
                self.result.counts.add(f"{type(obj).__tablename__}_translation", "updated")


def load(
    session: Session, tables: Tables, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Write ``tables``; the caller commits. Raises HSDSError on any problem."""
    return Loader(session, tables, progress or (lambda _n: None)).run()
