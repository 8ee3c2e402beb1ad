"""HSDS round trips: import each example into an empty database, export it, count differences.

    .venv/bin/python bench/hsds_roundtrip.py             # every example, one line each
    .venv/bin/python bench/hsds_roundtrip.py -v          # ... and every difference

Examples: the official HSDS 3.0 CSV package and JSON examples, and the Open Referral UK
profile's (a third party's) package and JSON examples, under ``tests/data/hsds/``. A JSON
example is compared with what Enlace's HSDS API answers for the same record (a list with
the same list, ``location.json`` with the location's nested form, ``tabular.json`` with the
tabular export); a CSV package with the exported package, table by table, row by id,
cell by field. What counts as a difference (README, "Round trips"): a value that changed,
a value or row that was lost, one that was added. Not counted: the order of keys, columns
and array items (records are matched by id), a column the source left out coming back
empty, file names, and the Page wrapper's counts.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "hsds"
PACKAGES = {
    "official": DATA / "openreferral-spec-3.0" / "examples",
    "uk-profile": DATA / "openreferral-uk-profile" / "examples",
}
CSV_PACKAGES = {
    "official": DATA / "openreferral-spec-3.0" / "examples" / "csv",
    "uk-profile": DATA / "openreferral-uk-profile" / "csv",
}
NOT_DATA = {"base.json"}  # the API root document: version and links, no records


def examples() -> list[tuple[str, Path]]:
    """(label, path) of every example: CSV packages first, then JSON files."""
    out = [(f"{name}/csv", path) for name, path in CSV_PACKAGES.items()]
    for name, folder in PACKAGES.items():
        out += [
            (f"{name}/{p.name}", p) for p in sorted(folder.glob("*.json")) if p.name not in NOT_DATA
        ]
    return out


# -- differences ----------------------------------------------------------------------


def _leaf(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def json_differences(original: Any, exported: Any, path: str = "") -> list[str]:
    """Paths where ``exported`` differs from ``original`` (absent and null are the same)."""
    if isinstance(original, dict) and isinstance(exported, dict):
        out = []
        for key in sorted(set(original) | set(exported)):
            a, b = original.get(key), exported.get(key)
            if a is None and b is None:
                continue
            if a is None:
                out.append(f"{path}/{key}: added {_leaf(b)[:60]}")
            elif b is None:
                out.append(f"{path}/{key}: lost {_leaf(a)[:60]}")
            else:
                out += json_differences(a, b, f"{path}/{key}")
        return out
    if isinstance(original, list) and isinstance(exported, list) and _records(original):
        by_id = {item["id"]: item for item in exported if isinstance(item, dict)}
        out = []
        for item in original:
            if item["id"] in by_id:
                out += json_differences(item, by_id.pop(item["id"]), f"{path}[{item['id'][:8]}]")
            else:
                out.append(f"{path}[{item['id'][:8]}]: lost record")
        return out + [f"{path}[{i[:8]}]: added record" for i in by_id]
    if _leaf(original) != _leaf(exported):
        return [f"{path}: {_leaf(original)[:40]} -> {_leaf(exported)[:40]}"]
    return []


def _records(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "id" in i for i in items)


def _read_package(folder: Path) -> dict[str, dict[str, dict[str, str]]]:
    """{table: {id: {field: cell}}} of a tabular data package."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    for resource in descriptor["resources"]:
        path = folder / resource["path"]
        if not path.is_file():
            continue
        rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
        tables[resource["name"]] = {row["id"]: row for row in rows}
    return tables


def csv_differences(original: Path, exported: Path) -> list[str]:
    """Rows lost or added and cells changed, table by table (a missing column is empty)."""
    a, b = _read_package(original), _read_package(exported)
    out = []
    for table in sorted(set(a) | set(b)):
        rows_a, rows_b = a.get(table, {}), b.get(table, {})
        for id_ in sorted(set(rows_a) | set(rows_b)):
            if id_ not in rows_b:
                out.append(f"{table}[{id_[:8]}]: lost row")
            elif id_ not in rows_a:
                out.append(f"{table}[{id_[:8]}]: added row")
            else:
                row_a, row_b = rows_a[id_], rows_b[id_]
                for field in sorted(set(row_a) | set(row_b)):
                    cell_a, cell_b = row_a.get(field) or "", row_b.get(field) or ""
                    if cell_a != cell_b:
                        out.append(
                            f"{table}[{id_[:8]}].{field}: {cell_a[:30]!r} -> {cell_b[:30]!r}"
                        )
    return out


# -- round trips ----------------------------------------------------------------------


def export_like(session: Any, original: Any) -> Any:
    """What Enlace's HSDS API (or tabular export) answers for the records of ``original``."""
    from matcher.hsds import api_queries, exporter
    from matcher.hsds.nesting import _entity

    if isinstance(original, dict) and isinstance(original.get("contents"), list):
        first = original["contents"][0]
        kind = _entity(first, "", "")
        lister = {
            "service": api_queries.services,
            "organization": api_queries.organizations,
            "service_at_location": api_queries.service_at_locations,
            "taxonomy": api_queries.taxonomies,
            "taxonomy_term": api_queries.taxonomy_terms,
        }[kind]
        full = any(isinstance(v, list) for item in original["contents"] for v in item.values())
        page = lister(session, {"per_page": "200", "full": "true" if full else "false"})
        return {**original, "contents": page["contents"]}
    if isinstance(original, dict) and all(str(k).endswith(".csv") for k in original):
        return exporter.tabular_json(session)
    kind = _entity(original, "", "")
    if kind == "service":
        return api_queries.service(session, original["id"])
    if kind == "organization":
        return api_queries.organization(session, original["id"], {"full_service": "true"})
    if kind == "service_at_location":
        return api_queries.service_at_location(session, original["id"])
    if kind == "location":
        return exporter.location_json(session, original["id"])
    if kind == "taxonomy":
        return api_queries.taxonomy(session, original["id"])
    return api_queries.taxonomy_term(session, original["id"])


def round_trip_in(app: Any, path: Path, out: Path) -> list[str]:
    """Import ``path`` with ``app`` (on an empty database), export it the same way, compare."""
    from matcher.db import transaction
    from matcher.extensions import db
    from matcher.hsds import exporter, importer

    with app.app_context():
        tables = importer.read(path)
        with transaction() as session:
            importer.load(session, tables)
        if path.is_dir():
            exporter.write_csv_package(db.session, out)
            return csv_differences(path, out)
        original = json.loads(path.read_text(encoding="utf-8"))
        return json_differences(original, export_like(db.session, original))


def round_trip(path: Path, work: Path) -> list[str]:
    """``round_trip_in`` on a new empty SQLite database in ``work``."""
    from matcher import create_app
    from matcher.extensions import db
    from tests.conftest import _base_config, build_database

    url = f"sqlite:///{work / 'roundtrip.db'}"
    build_database(url, work, seed=False)
    app = create_app(_base_config(work, url))
    try:
        return round_trip_in(app, path, work / "export")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    verbose = "-v" in sys.argv
    total = 0
    for label, path in examples():
        with tempfile.TemporaryDirectory() as tmp:
            try:
                found = round_trip(path, Path(tmp))
            except Exception as error:
                found = [f"import or export failed: {error}"]
        total += len(found)
        print(f"{label:45} {len(found):4} differences")
        if verbose:
            for line in found:
                print(f"    {line}")
    print(f"{'total':45} {total:4}")


if __name__ == "__main__":
    main()
