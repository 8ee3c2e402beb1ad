"""Write HSDS tables to the database: idempotent, in place, all or nothing.

The caller owns the transaction (``matcher.db.transaction``): any ``HSDSError``
raised here rolls everything back. Records keep their HSDS ids, so a second
import of the same package finds every row unchanged, and a newer version
updates rows in place.

What a package leaves out stays as stored: a field a row does not give, and the
records under a record whose list is not given (a service without a ``phones`` key,
a package without ``phones.csv``). A list that *is* given is the whole list: records
it no longer names are removed from that record (deleted once they belong to nothing).
Everything a row carries that has no column is kept in ``hsds_extra`` (``extras``);
the summary names what was kept that way and anything not kept at all.
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
from sqlalchemy.orm.attributes import flag_modified

from matcher.core.upsert import ChangeCounts, assign, upsert
from matcher.hsds import HSDSError, extras, facts, legacy, mapping, values
from matcher.hsds.links import LinkLoader
from matcher.hsds.nesting import read_json
from matcher.hsds.package import UNREAD, Source, SourceRow, Tables, read_csv_package

# Children synchronised through their one parent's collection.
OWNED = {
    "program": ("organization", "programs"),
    "service_at_location": ("service", "service_at_locations"),
    "accessibility": ("location", "accessibility"),
    "organization_identifier": ("organization", "organization_identifiers"),
    "address": ("location", "addresses"),
    "service_area": ("service", "service_areas"),
    "cost_option": ("service", "cost_options"),
    "required_document": ("service", "required_documents"),
}
# Records that may belong to several others: a list given without one unlinks it from
# that record, and deletes it once it belongs to none.
SHARED = ("contact", "phone", "schedule", "language", "funding")
# References without which a row means nothing: a dangling one aborts the import.
REQUIRED_REFS = {(table, f"{parent}_id") for table, (parent, _c) in OWNED.items()} | {
    ("service", "organization_id"),
    ("service_at_location", "location_id"),
}
ORDER = ["organization", "program", "location", "service", "service_at_location", "contact",
         "phone", "schedule", "language", "funding", "accessibility", "organization_identifier",
         "address", "service_area", "cost_option", "required_document",
         "meta_table_description", "metadata"]  # fmt: skip


def read(path: Path) -> Tables:
    """Tables from a package folder, a .zip of one, or an HSDS JSON file."""
    return read_detected(path)[1]


def read_detected(path: Path) -> tuple[str, Tables]:
    """(format, tables): HSDS 3.x, or an older format converted by ``legacy``."""
    if not path.exists():
        raise HSDSError("no such file or folder", str(path))
    kind = legacy.detect(path)
    if kind in legacy.READERS:
        return kind, legacy.READERS[kind](path)
    if path.suffix.lower() == ".json":
        return kind, read_json(path, Source(path.parent).read_text(path.name))
    source = Source(path)
    tables = read_csv_package(source)
    for name in sorted(source.names()):
        if name.lower().endswith(".csv") and name not in source.read_names:
            tables.setdefault(UNREAD + name, [])
    return kind, tables


@dataclass
class ImportResult:
    counts: ChangeCounts = field(default_factory=ChangeCounts)
    service_ids: set[str] = field(default_factory=set)
    notes: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        return self.counts.lines() + [f"  {note} ({n})" for note, n in sorted(self.notes.items())]


class Loader(LinkLoader):
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
        # Tables the package gives (an older format's converter may only name some).
        self.present = {
            t
            for t, rows in tables.items()
            if t in mapping.TABLES and not any(r.skipped for r in rows)
        }
        self._children: dict[tuple[str, str], dict[Any, list[SourceRow]]] = {}
        self.stored: dict[str, set[str]] = {}  # ids of a table's rows Enlace already has
        self.known_terms: set[str] = set()

    def note(self, message: str) -> None:
        self.result.notes[message] += 1

    def exists(self, table: str, id_: str) -> bool:
        if id_ in self.skipped:
            return False
        if id_ in self.ids.get(table, ()):
            return True
        return self.session.get(mapping.TABLES[table].model, id_) is not None

    def children(self, table: str, link: str) -> dict[Any, list[SourceRow]]:
        """Rows of ``table`` by the record their ``link`` names."""
        if (table, link) not in self._children:
            index: dict[Any, list[SourceRow]] = {}
            for row in self.tables.get(table, []):
                index.setdefault(row.values.get(link), []).append(row)
            self._children[(table, link)] = index
        return self._children[(table, link)]

    def states(self, row: SourceRow, child: str, link: str) -> bool:
        """Does ``row``'s record give its whole list of ``child`` records (through ``link``)?"""
        if row.given is None:  # a package's table is complete for the package's records
            return child in self.present
        return (child, link) in row.given

    def stated(self, child: str, link: str) -> set[str]:
        """Records whose whole list of ``child`` records the package gives."""
        target = mapping.TABLES[child].references[link]
        parents = self.tables if target == mapping.ANY else [target]
        return {
            row.values["id"]
            for table in parents
            for row in self.tables.get(table, [])
            if self.states(row, child, link)
        }

    def values(self, table: str, row: SourceRow, existing: Any = None) -> dict[str, Any]:
        """Model values (and ``hsds_extra``) for the fields a row gives, references checked."""
        spec = mapping.TABLES[table]
        if existing is None:
            missing = [f for f in row.required if f not in row.values]
            if missing:
                raise row.error("a value is required", missing[0])
        kept: dict[str, Any] = {}
        for name, target in spec.references.items():
            ref = row.values.get(name)
            if ref is None or target == mapping.ANY or table in ("taxonomy_term", "attribute"):
                continue
            if not self.exists(target, ref):
                if (table, name) in REQUIRED_REFS:
                    raise row.error(f"refers to {target} {ref}, which does not exist", name)
                self.note(f"kept as given, not linked: {table}.{name} names a missing {target}")
                kept[name] = ref
                row.values[name] = None
        if table == "location" and not self._valid_point(row, existing):
            kept.update(
                {
                    n: row.forms.get(n, row.values[n])
                    for n in ("latitude", "longitude")
                    if n in row.values
                }
            )
            row.values.update(latitude=None, longitude=None)
        try:
            out = mapping.model_values(table, row.values)
        except ValueError as error:
            raise row.error(str(error)) from None
        for attr, value in list(out.items()):
            try:
                out[attr] = self._fit(spec, attr, value)
            except ValueError as error:
                raise row.error(str(error), attr) from None
        fields = {n: row.forms.get(n, row.values[n]) for n in spec.columnless() if n in row.values}
        for name in row.extra:
            self.note(f"kept as given: {table}.{name} (a field the HSDS core does not define)")
        out["hsds_extra"] = extras.merge(
            existing.hsds_extra if existing is not None else None,
            row.values,
            {**row.extra, **{n: values.to_json(v) for n, v in fields.items()}},
            row.forms,
            kept,
        )
        return out

    def _fit(self, spec: mapping.Table, attr: str, value: Any) -> Any:
        if isinstance(value, datetime) and self.sqlite:
            return value.astimezone(UTC).replace(tzinfo=None)
        return mapping.check_column(spec, attr, value)

    def _valid_point(self, row: SourceRow, existing: Any) -> bool:
        """Are the coordinates a row gives (with the stored one it leaves out) usable?"""
        if "latitude" not in row.values and "longitude" not in row.values:
            return True
        lat, lon = (
            row.values[n] if n in row.values else getattr(existing, n, None)
            for n in ("latitude", "longitude")
        )
        if lat is None and lon is None:
            return True
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.note("kept as given, not used: coordinates that are missing or out of range")
            return False
        return True

    def run(self) -> ImportResult:
        for table in self.tables:
            if table.startswith(UNREAD):
                name = table.removeprefix(UNREAD)
                self.note(f"not read, not stored: {name} (no HSDS 3.0 table in datapackage.json)")
            elif table not in self.present:
                self.result.counts.add(table, "skipped", len(self.tables[table]))
                self.note(f"{table}: not converted from this format, not stored")
        # Each table is flushed once when loaded; flushing before every lookup made a
        # large import spend most of its time in autoflush.
        with self.session.no_autoflush:
            self.load_taxonomies()
            for table in ORDER:
                if table in self.present:
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
            self.flush(table)
            return
        model = mapping.TABLES[table].model
        for row in rows:
            existing = self.session.get(model, row.values["id"])
            values = self.values(table, row, existing)
            if table in SHARED and not self._belongs(table, values, existing):
                self.result.counts.skip(table, f"{row.file} row {row.row}: belongs to nothing")
                self.skipped.add(row.values["id"])
                continue
            if table == "location" and "latitude" in values:
                values["coordinates_source"] = "source" if values["latitude"] is not None else None
            if table == "service":  # set with the service: a later change bumps updated_at
                values.update(self._service_extras(row))
            obj = upsert(self.session, model, row.values["id"], values, self.result.counts)
            if "updated_at" in values and self.session.is_modified(obj):
                flag_modified(obj, "updated_at")  # the package's last_modified, not now
            if table == "organization" and existing is None:
                obj.source = "Imported from an HSDS 3.0 data package"
            if table == "service":
                self.result.service_ids.add(obj.id)
            self.progress(1)
        self._prune(table)
        self.flush(table)

    def _belongs(self, table: str, values: dict[str, Any], existing: Any) -> bool:
        refs = mapping.TABLES[table].references
        return any(values[r] if r in values else getattr(existing, r, None) for r in refs)

    def _prune(self, table: str) -> None:
        """Unlink records from the records whose whole list of them the package gives but
        no longer names them; delete those that then belong to nothing. A location leaves
        its organization but is never deleted that way; services never leave theirs."""
        if table not in (*SHARED, "location", "metadata"):
            return
        spec = mapping.TABLES[table]
        model = spec.model
        for ref in spec.references:
            parents = self.stated(table, ref)
            if not parents:
                continue
            listed = {
                parent: {r.values["id"] for r in rows}
                for parent, rows in self.children(table, ref).items()
            }
            column = getattr(model, ref)
            for obj in self.session.scalars(select(model).where(column.in_(parents))):
                if obj.id in listed.get(getattr(obj, ref), ()):
                    continue
                setattr(obj, ref, None)
                if table == "location" or self._belongs(table, {}, obj):
                    self.result.counts.add(table, "updated")
                else:
                    self.session.delete(obj)
                    self.result.counts.add(table, "deleted")

    def _load_owned(self, table: str, rows: list[SourceRow]) -> None:
        parent_table, collection = OWNED[table]
        link = f"{parent_table}_id"
        model = mapping.TABLES[table].model
        by_parent: dict[str, list[SourceRow]] = {}
        for row in rows:
            if table == "cost_option" and row.values["id"] == facts.cost_option_id(
                row.values.get("service_id") or ""
            ):
                continue
            parent_id = row.values.get(link)
            if link not in row.values:  # a partial row of a record Enlace has
                known = self.session.get(model, row.values["id"])
                if known is None:
                    raise row.error("a value is required", link)
                parent_id = getattr(known, link)
            by_parent.setdefault(parent_id, []).append(row)
        stated = self.stated(table, link)
        self.stored[table] = self._stored_ids(table)
        parent_model = mapping.TABLES[parent_table].model
        for parent_id in sorted(stated | set(by_parent), key=str):
            if parent_id is None:
                raise by_parent[None][0].error("a value is required", link)
            parent = self.session.get(parent_model, parent_id)
            if parent is None:
                row = by_parent[parent_id][0]
                raise row.error(f"refers to {parent_table} {parent_id}, which does not exist", link)
            self._sync(getattr(parent, collection), model, by_parent.get(parent_id, []),
                       prune=parent_id in stated)  # fmt: skip

    def _stored_ids(self, table: str) -> set[str]:
        """Ids of the package's ``table`` rows that Enlace already has (one query per 500)."""
        model = mapping.TABLES[table].model
        ids = sorted(self.ids.get(table, set()))
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(self.session.scalars(select(model.id).where(model.id.in_(chunk))))
        return found

    def _sync(self, current: list[Any], model: type, rows: list[SourceRow], prune: bool) -> None:
        """Make a parent's collection hold these rows (and only them, when ``prune``)."""
        table = model.__tablename__  # type: ignore[attr-defined]
        have = {obj.id: obj for obj in current}
        link = f"{OWNED[table][0]}_id"
        for row in rows:
            id_ = row.values["id"]
            obj = have.get(id_)
            if obj is None and id_ in self.stored[table]:  # moves from another parent
                obj = self.session.get(model, id_)
            values = self.values(table, row, obj)
            values.pop(link, None)
            if obj is None:
                obj = model(**values)
                obj.id = id_
                current.append(obj)
                self.result.counts.add(table, "created")
            elif id_ not in have:  # moves from another parent
                assign(obj, values)
                current.append(obj)
                self.result.counts.add(table, "updated")
            else:
                self.result.counts.add(table, "updated" if assign(obj, values) else "unchanged")
            self.progress(1)
        if prune:
            wanted = {row.values["id"] for row in rows}
            for id_, obj in have.items():
                if id_ not in wanted:
                    current.remove(obj)
                    self.result.counts.add(table, "deleted")

    def _service_extras(self, row: SourceRow) -> dict[str, Any]:
        """Cost summary and flags of a service, from its cost options and attributes when
        the package gives them."""
        out: dict[str, Any] = {}
        service_id = row.values["id"]
        if self.states(row, "cost_option", "service_id"):
            options = [r.values for r in self.children("cost_option", "service_id").get(
                service_id, [])]  # fmt: skip
            summary = next(
                (o for o in options if o["id"] == facts.cost_option_id(service_id)), None
            )
            out["cost"] = facts.cost_from_option(summary) if summary else facts.derive_cost(options)
        if self.states(row, "attribute", "link_id"):
            flags: dict[str, Any] = dict.fromkeys(facts.FLAGS)
            for attr in self.children("attribute", "link_id").get(service_id, []):
                code = facts.TERMS_BY_ID.get(attr.values.get("taxonomy_term_id") or "", "")
                if code.removeprefix("enlace:") in facts.FLAGS:
                    flags[code.removeprefix("enlace:")] = {"true": True, "false": False}.get(
                        attr.values.get("value") or ""
                    )
            out.update(flags)
        return out


def load(
    session: Session, tables: Tables, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Write ``tables``; the caller commits. Raises HSDSError on any problem."""
    return Loader(session, tables, progress or (lambda _n: None)).run()
