"""HSDS 3.0 import and export: official examples, broken packages, validation, round trip."""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matcher.core.upsert import stable_id
from matcher.directory.taxonomy import term_id
from matcher.hsds import schema
from matcher.models import (
    Address,
    Attribute,
    Funding,
    Language,
    Location,
    Metadata,
    Organization,
    Program,
    Schedule,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from tests.hsds_support import app_on, database_copy

DATA = Path(__file__).parent / "data" / "hsds"
EXAMPLES = DATA / "openreferral-spec-3.0" / "examples"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"


def run(runner, *args):
    return runner.invoke(args=list(args))


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_the_official_csv_example_imports_and_a_second_import_changes_nothing(runner, session):
    first = run(runner, "import-hsds", str(EXAMPLES / "csv"))
    assert first.exit_code == 0, first.output
    assert "service: 1 created" in first.output
    service = session.get(Service, EXAMPLE_SERVICE)
    assert service.name == "Community Counselling"
    assert [lang.code for lang in service.languages] == ["ur"]
    assert service.schedules[0].byday == "TH,FR"
    assert service.cost_options[0].amount == 35
    assert service.service_areas and service.minimum_age == 12
    location = service.locations[0]
    assert location.latitude is None  # the example's latitude 100 is out of range
    assert "not used: coordinates that are missing or out of range" in first.output
    second = run(runner, "import-hsds", str(EXAMPLES / "csv"))
    assert second.exit_code == 0, second.output
    assert "Nothing to change." in second.output
    assert "created" not in second.output and "updated" not in second.output


@pytest.mark.parametrize(
    "name", sorted(p.name for p in EXAMPLES.glob("*.json") if p.name != "base.json")
)
def test_every_official_json_example_imports(runner, session, name):
    result = run(runner, "import-hsds", str(EXAMPLES / name))
    assert result.exit_code == 0, result.output
    assert "Import complete." in result.output


def test_unknown_taxonomy_terms_are_kept_under_their_own_taxonomy(runner, session):
    run(runner, "import-hsds", str(EXAMPLES / "service_full.json"))
    term = session.get(TaxonomyTerm, "3f7b145d-84af-42d7-8fae-eaca714b02b2")
    assert term.name == "name" and term.code == "code"
    assert term.taxonomy.name  # kept, with a taxonomy of its own


def _copy_example(tmp_path: Path) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(EXAMPLES / "csv", target)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _zip(pkg: Path, out: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in pkg.iterdir():
            archive.write(f, f.name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out


SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def _broken(kind: str, tmp_path: Path) -> tuple[Path, str]:
    """A broken package of ``kind`` and the words its error message must contain."""
    pkg = _copy_example(tmp_path)
    services = pkg / "services.csv"
    if kind == "missing required column":
        _edit(
            services, "id,organization_id,program_id,name,", "id,organization_id,program_id,title,"
        )
        return pkg, "services.csv, row 1, field name: missing required column"
    if kind == "bad uuid":
        _edit(services, SERVICE_ID, "not-a-uuid")
        return pkg, "services.csv, row 2, field id: expected a UUID"
    if kind == "broken foreign key":
        _edit(services, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", str(uuid.uuid4()))
        return pkg, "services.csv, row 2, field organization_id: refers to organization"
    if kind == "unreadable file":
        (pkg / "phones.csv").write_bytes(b"id,number\n\xff\xfe,1\n")
        return pkg, "phones.csv: file is not UTF-8"
    if kind == "missing file":
        (pkg / "languages.csv").unlink()
        return pkg, "languages.csv: file is missing"
    if kind == "zip bomb":
        return _zip(pkg, tmp_path / "bomb.zip", {"padding.csv": b"0" * 5_000_000}), "zip bomb"
    if kind == "path traversal in zip":
        return _zip(pkg, tmp_path / "evil.zip", {"../evil.csv": b"x"}), "path outside the package"
    if kind == "path traversal in descriptor":
        _edit(pkg / "datapackage.json", '"path": "phones.csv"', '"path": "../../etc/passwd"')
        return pkg, "path outside the package"
    if kind == "bad json":
        bad = tmp_path / "bad.json"
        bad.write_text('{"id": "x", ', encoding="utf-8")
        return bad, "bad.json, row 1: invalid JSON"
    if kind == "wrong type":
        _edit(services, ",12,100,", ",twelve,100,")
        return pkg, "field minimum_age: expected a number"
    if kind == "duplicate ids":
        text = services.read_text(encoding="utf-8")
        services.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
        return pkg, "services.csv, row 3, field id: duplicate id"
    if kind == "bad date":
        _edit(pkg / "cost_options.csv", "2020-01-01", "01/32/2020")
        return pkg, "cost_options.csv, row 2, field valid_from: expected an ISO 8601 date"
    if kind == "bad time":
        _edit(pkg / "schedules.csv", "10:00:00", "10am")
        return pkg, "schedules.csv, row 2, field opens_at: expected an ISO 8601 time"
    if kind == "unknown status":
        _edit(services, ",active,", ",maybe,")
        return pkg, "field status: 'maybe' is not one of"
    if kind == "unsupported version":
        _edit(pkg / "datapackage.json", '"version": "3.0.0"', '"version": "2.0"')
        return pkg, "unsupported HSDS version"
    raise AssertionError(kind)


BROKEN = [
    "missing required column", "bad uuid", "broken foreign key", "unreadable file",
    "missing file", "zip bomb", "path traversal in zip", "path traversal in descriptor",
    "bad json", "wrong type", "duplicate ids", "bad date", "bad time", "unknown status",
    "unsupported version",
]  # fmt: skip


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_package_is_rejected_with_its_place_and_changes_nothing(
    runner, session, tmp_path, kind
):
    models = (Service, Organization, Language, Program, Funding, Attribute, Metadata)
    before = [count(session, model) for model in models]
    path, expected = _broken(kind, tmp_path)
    result = run(runner, "import-hsds", str(path))
    assert result.exit_code != 0
    assert "Import aborted, nothing was changed." in result.output
    assert expected in result.output
    assert [count(session, model) for model in models] == before


@pytest.fixture(scope="module")
def exports(database_template, tmp_path_factory):
    """One CSV and one JSON export of the seed, shared by the read-only tests below."""
    tmp = tmp_path_factory.mktemp("hsds-exports")
    with database_copy(database_template, tmp) as url, app_on(url, tmp) as app:
        runner = app.test_cli_runner()
        for fmt, out in (("csv", tmp / "first.csv"), ("json", tmp / "first.json")):
            result = run(runner, "export-hsds", "--format", fmt, str(out))
            assert result.exit_code == 0, result.output
    return {"csv": tmp / "first.csv", "json": tmp / "first.json"}


def test_csv_export_validates_with_frictionless(exports):
    from frictionless import validate

    report = validate(str(exports["csv"] / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert len((exports["csv"] / "services.csv").read_text().splitlines()) == 146  # header + 145


def test_json_export_validates_against_the_official_service_schema(exports):
    services = json.loads(exports["json"].read_text())
    assert len(services) == 145
    for service in services:
        assert schema.errors("service", service) == []
    spanish = [a for s in services for a in s.get("attributes", []) if "ñ" in a.get("value", "")]
    assert spanish  # Spanish text travels as Enlace attributes


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_through_an_empty_database_gives_identical_exports(
    exports, empty_app, tmp_path, fmt
):
    first, second = exports[fmt], tmp_path / f"second.{fmt}"
    empty = empty_app.test_cli_runner()
    imported = run(empty, "import-hsds", str(first))
    assert imported.exit_code == 0, imported.output
    assert run(empty, "export-hsds", "--format", fmt, str(second)).exit_code == 0
    if fmt == "csv":
        assert _files(first) == _files(second)
    else:  # the parents of linked terms travel too, so the hierarchy survives
        assert first.read_text() == second.read_text()
        assert '"link_type": "enlace:ancestor"' in first.read_text()
    again = run(empty, "import-hsds", str(first))
    assert "Nothing to change." in again.output, again.output


def test_a_newer_version_updates_in_place_and_drops_removed_children(runner, session, tmp_path):
    pkg = _copy_example(tmp_path)
    run(runner, "import-hsds", str(pkg))
    _edit(pkg / "services.csv", "Community Counselling", "Community Counselling Plus")
    (pkg / "languages.csv").write_text("id,service_id,location_id,phone_id,name,code,note\n")
    result = run(runner, "import-hsds", str(pkg))
    assert result.exit_code == 0, result.output
    assert "service: 1 updated" in result.output
    session.expire_all()
    service = session.get(Service, EXAMPLE_SERVICE)
    assert service.name == "Community Counselling Plus"
    assert service.languages == []
    assert count(session, Location) >= 1 and count(session, TaxonomyTerm) > 299


def test_a_third_party_term_with_one_of_our_names_stays_in_its_own_taxonomy(
    runner, session, tmp_path
):
    ours = session.get(TaxonomyTerm, term_id("1130"))
    assert ours.name == "Food Pantry"
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    service["attributes"][0].update(link_entity="service", link_type=None, link_id=service["id"])
    link = service["attributes"][0]["taxonomy_term"]
    for taxonomy, expected in (("Acme Codes", "theirs"), ("Open Eligibility", "ours")):
        link.update(name="Food Pantry", code=None, taxonomy=taxonomy, id=str(uuid.uuid4()))
        link.pop("taxonomy_detail", None)
        link["taxonomy_id"] = None
        service["attributes"][0]["taxonomy_term_id"] = link["id"]
        path = tmp_path / f"{expected}.json"
        path.write_text(json.dumps(service), encoding="utf-8")
        assert run(runner, "import-hsds", str(path)).exit_code == 0
        session.expire_all()
        imported = session.get(Service, service["id"])
        names = {(t.name, t.taxonomy.name) for t in imported.taxonomy_terms}
        if expected == "theirs":
            assert session.get(TaxonomyTerm, link["id"]).taxonomy.name == "Acme Codes"
            assert ("Food Pantry", "Acme Codes") in names
        else:
            assert session.get(TaxonomyTerm, link["id"]) is None  # matched, not copied
            assert ("Food Pantry", "Open Eligibility") in names


LEGACY_11 = DATA / "openreferral-sample-hsds-1.1" / "all_resources"
OHANA = DATA / "ohana-smc-sample-csv"


def test_an_hsds_1_1_package_is_converted_and_imported_idempotently(runner, session):
    before = count(session, Service)
    result = run(runner, "import-hsds", str(LEGACY_11))
    assert result.exit_code == 0, result.output
    assert "Format: HSDS 1.1 (converted to HSDS 3.0, best effort)" in result.output
    assert "organization: 10 created" in result.output and "service: 13 created" in result.output
    assert "holiday_schedule: 1 skipped" in result.output
    assert count(session, Service) == before + 13
    helpline = session.get(Service, "c89eb05c-62dd-4b64-b494-0cc347b6ea7f")
    assert helpline.name == "Never Homeless Helpline"
    assert helpline.eligibility_description == "adult"
    assert sorted(lang.code for lang in helpline.languages) == ["en", "es"]
    assert [s.byday for s in helpline.schedules] == ["MO", "TU", "WE"]
    assert helpline.locations[0].addresses[0].city == "New York City"
    again = run(runner, "import-hsds", str(LEGACY_11))
    assert "Nothing to change." in again.output, again.output


def test_the_ohana_sample_is_converted_with_languages_schedules_and_categories(runner, session):
    before = [count(session, m) for m in (Organization, Location, Service)]
    result = run(runner, "import-hsds", str(OHANA))
    assert result.exit_code == 0, result.output
    assert "Format: Ohana API CSV (converted to HSDS 3.0, best effort)" in result.output
    after = [count(session, m) for m in (Organization, Location, Service)]
    assert [a - b for a, b in zip(after, before, strict=True)] == [8, 22, 23]
    session.expire_all()
    spanish = session.scalars(
        select(Language).where(Language.code == "es", Language.location_id.is_not(None))
    ).all()
    ohana_locations = {stable_id("ohana", "location", str(n)) for n in range(1, 23)}
    assert len({lang.location_id for lang in spanish} & ohana_locations) == 15
    saturday = session.scalars(select(Schedule).where(Schedule.byday == "SA")).all()
    assert any(str(s.opens_at) == "10:00:00" for s in saturday)
    afternoon = session.scalars(select(Schedule).where(Schedule.closes_at == time(16, 0))).all()
    assert afternoon  # "4:00 PM" read as 16:00
    county = session.scalars(select(ServiceArea).where(ServiceArea.name == "San Mateo")).all()
    assert county and {a.kind for a in county} == {"county"}
    tagged = [s for s in session.scalars(select(Service)) if len(s.taxonomy_terms) == 6]
    assert tagged and all(t.taxonomy.name == "Open Eligibility" for t in tagged[0].taxonomy_terms)
    assert count(session, TaxonomyTerm) == 299  # Ohana codes matched ours (alternate_code)
    assert session.scalars(select(Address).where(Address.city == "Redwood City")).first()
    again = run(runner, "import-hsds", str(OHANA))
    assert "Nothing to change." in again.output, again.output
