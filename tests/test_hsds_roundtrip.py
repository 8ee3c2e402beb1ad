"""HSDS exchange that loses nothing (issue 14): a record that leaves a key out keeps what
is stored, every HSDS 3.0 table and field is kept and given back in its original spelling,
extension fields travel, symbolic links stay inside the package, and importing then
exporting the official examples and a third party's (the Open Referral UK profile's)
gives back what went in (README, "Round trips")."""

from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.hsds_roundtrip import (
    csv_differences,
    examples,
    export_like,
    json_differences,
    round_trip_in,
)
from matcher.models import (
    Accessibility,
    Attribute,
    Contact,
    CostOption,
    Funding,
    Location,
    Metadata,
    MetaTableDescription,
    Organization,
    OrganizationIdentifier,
    Phone,
    Program,
    Schedule,
    Service,
)
from tests.hsds_support import app_on, database_copy

DATA = Path(__file__).parent / "data" / "hsds"
OFFICIAL = DATA / "openreferral-spec-3.0" / "examples"
UK = DATA / "openreferral-uk-profile" / "examples"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"
LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
PHONE = "1554f2e2-a373-45db-a3fa-9fc48a61c15e"


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def imported(app, path: Path) -> str:
    result = run(app, "import-hsds", str(path))
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(app) -> dict:
    """Everything stored, as the tables an export writes (every field of every record)."""
    from matcher.extensions import db
    from matcher.hsds import exporter

    with app.app_context():
        return exporter.tabular_json(db.session)


@contextmanager
def stored(app) -> Iterator[Session]:
    """The app's session, to read what an import stored."""
    from matcher.extensions import db

    with app.app_context():
        yield db.session


def count(app, model) -> int:
    from matcher.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def package(tmp_path: Path) -> Path:
    """A writable copy of the official CSV package."""
    target = tmp_path / "pkg"
    shutil.copytree(OFFICIAL / "csv", target)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- an absent key never deletes ------------------------------------------------------

PAIRS = [
    (folder, full, f"{kind}_list.json")
    for folder in (OFFICIAL, UK)
    for kind, full in (
        ("service", "service_full.json"),
        ("service_at_location", "service_at_location_full.json"),
        ("organization", "organization_full.json"),
    )
]


@pytest.mark.parametrize(
    "folder,full,listed", PAIRS, ids=[f"{f.parent.name[:16]}-{b}" for f, _a, b in PAIRS]
)
def test_a_list_record_keeps_what_the_full_record_stored_in_either_order(
    empty_template, tmp_path, folder, full, listed
):
    snapshots = []
    for order in ((full, listed), (listed, full), (full,)):
        with (
            database_copy(empty_template, tmp_path) as url,
            app_on(url, tmp_path / "-".join(order)) as app,
        ):
            for name in order:
                imported(app, folder / name)
            snapshots.append(snapshot(app))
    full_then_list, list_then_full, full_alone = snapshots
    assert full_alone["phones.csv"] or full_alone["service_at_location.csv"]
    assert json_differences(full_alone, full_then_list) == []  # the list form deleted nothing
    assert json_differences(full_alone, list_then_full) == []


def test_the_official_service_list_after_the_full_service_keeps_every_child(empty_app):
    imported(empty_app, OFFICIAL / "service_full.json")
    output = imported(empty_app, OFFICIAL / "service_list.json")
    assert "deleted" not in output and "Nothing to change." in output
    with stored(empty_app) as session:
        s = session.get(Service, SERVICE)
        assert s.contacts and s.phones and s.schedules and s.languages and s.cost_options
        assert s.service_areas and s.service_at_locations and s.funding and s.program
        assert s.required_documents and s.taxonomy_terms


def test_an_explicit_empty_array_clears_that_list_and_nothing_else(empty_app, tmp_path):
    imported(empty_app, OFFICIAL / "service_full.json")
    record = json.loads((OFFICIAL / "service_full.json").read_text())
    record.update(phones=[], cost_options=[], funding=[], languages=[])
    changed = tmp_path / "service.json"
    changed.write_text(json.dumps(record), encoding="utf-8")
    output = imported(empty_app, changed)
    assert "cost_option: 1 deleted" in output
    with stored(empty_app) as session:
        service = session.get(Service, SERVICE)
        assert service.phones == [] and service.cost_options == [] and service.languages == []
        assert service.funding == [] and service.contacts and service.schedules
        phone = session.get(Phone, PHONE)  # still the location's, the contact's...
        assert phone.service_id is None and phone.location_id == LOCATION
    assert count(empty_app, Funding) == 1  # still the organization's
    assert count(empty_app, CostOption) == 0


def test_absent_columns_and_tables_keep_while_empty_cells_clear(empty_app, tmp_path):
    pkg = package(tmp_path)
    imported(empty_app, pkg)
    services = pkg / "services.csv"
    header = services.read_text(encoding="utf-8").splitlines()[0].split(",")
    out = tmp_path / "services.csv"
    with services.open(newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    fields = [h for h in header if h != "description"]  # a column left out
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows([{**r, "alert": ""} for r in records])  # an empty cell
    shutil.copy(out, services)
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "language"]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    (pkg / "languages.csv").unlink()  # a table left out
    imported(empty_app, pkg)
    with stored(empty_app) as session:
        service = session.get(Service, SERVICE)
        assert service.description.startswith("Counselling Services provided")
        assert service.alert is None
        assert [lang.code for lang in service.languages] == ["ur"]


# -- every table and field ------------------------------------------------------------


def test_every_table_and_field_of_the_official_package_is_stored_in_columns(empty_app):
    output = imported(empty_app, OFFICIAL / "csv")
    assert "not stored" not in output
    for model in (Program, Funding, Accessibility, OrganizationIdentifier, Metadata,
                  MetaTableDescription, Attribute):  # fmt: skip
        assert count(empty_app, model) == 1, model
    with stored(empty_app) as session:
        org = session.get(Organization, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
        assert (org.tax_status, org.uri) == ("tax_status", "http://example.com")
        assert org.logo.endswith("OpenReferral_Logo_Green-4-1.png")
        assert org.parent_organization_id == "cd09a387-91f4-4555-94ec-e799c35344cd"
        service = session.get(Service, SERVICE)
        assert (service.fees, service.assurer_email) == ("fees_description", "email@example.com")
        assert service.program.name == "Community Mental Health Support"
        schedule = session.get(Schedule, "48102e86-bb50-41c4-8f1e-e269368c41d1")
        rule = (schedule.dtstart, schedule.until, schedule.count, schedule.wkst)
        assert rule == (date(2005, 1, 1), date(2005, 1, 1), 3, "TU")
        days = (schedule.byweekno, schedule.bymonthday, schedule.byyearday)
        assert days == ("41,42", "2,3,4", "2,3,4")
        assert (schedule.utc_offset, schedule.schedule_link) == (3, "http://example.com")
        assert schedule.attending_type.startswith("You can attend")
        assert schedule.service_at_location_id == "e94c9f38-1e8f-4564-91d4-d53501ab1765"
        phone = session.get(Phone, PHONE)
        assert phone.service_at_location_id == schedule.service_at_location_id
        assert [lang.code for lang in phone.languages] == ["ur"]
        contact = session.get(Contact, "1e7efce3-639b-4880-940c-b95cd30cdb50")
        assert contact.location_id == LOCATION
        # The contact's organization is not in the package: kept as given, not linked.
        assert contact.organization_id is None
        kept = contact.hsds_extra["kept"]["organization_id"]
        assert kept == "ae67a707-5893-4225-b0b1-320ab9cb596b"
        assert session.get(Location, LOCATION).external_identifier_type == "UPRN"


def test_numbers_dates_and_times_come_back_as_written_until_enlace_changes_them(
    empty_app, tmp_path
):
    pkg = package(tmp_path)
    edit(pkg / "cost_options.csv", ",35,", ",35.50,")
    edit(pkg / "schedules.csv", "10:00:00", "10:00")
    edit(pkg / "locations.csv", ",100,101,", ",34.2000,-119.20,")
    imported(empty_app, pkg)
    out = tmp_path / "out"
    assert run(empty_app, "export-hsds", "--format", "csv", str(out)).exit_code == 0
    assert csv_differences(pkg, out) == []
    assert "2023-03-15T10:30:45.123Z" in (out / "services.csv").read_text()
    with stored(empty_app) as session:
        assert session.get(Schedule, "48102e86-bb50-41c4-8f1e-e269368c41d1").opens_at == time(10)
        session.get(CostOption, "1fdf4d39-3d80-484d-9f92-a8ffa08621e7").amount = 40
        session.commit()
    again = tmp_path / "again"
    assert run(empty_app, "export-hsds", "--format", "csv", str(again)).exit_code == 0
    assert csv_differences(pkg, again) == ["cost_option[1fdf4d39].amount: '35.50' -> '40'"]


def test_fields_the_core_does_not_define_are_kept_exported_and_named(empty_app, tmp_path):
    output = imported(empty_app, UK.parent / "csv")
    assert "kept as given: service_area.service_area (a field the HSDS core" in output
    assert "kept as given: taxonomy_term.term" in output
    out = tmp_path / "out"
    assert run(empty_app, "export-hsds", "--format", "csv", str(out)).exit_code == 0
    descriptor = json.loads((out / "datapackage.json").read_text())
    areas = next(r for r in descriptor["resources"] if r["name"] == "service_area")
    assert {"name": "service_area", "type": "any"} in areas["schema"]["fields"]
    assert (out / "service_areas.csv").read_text().splitlines()[0].endswith(",service_area")


def test_a_later_versions_fields_travel_as_extension_fields(empty_app, tmp_path):
    """HSDS 3.1 is not published (README): its fields (``additional_urls``,
    ``additional_websites``) in a 3.0 exchange are kept and given back as they came."""
    record = json.loads((OFFICIAL / "service_full.json").read_text())
    record["additional_urls"] = [
        {
            "id": "a0e3c5a3-6a8e-4f8e-9a67-0d2e0d1f4b11",
            "label": "Bookings",
            "url": "https://example.com/book",
        }
    ]
    record["organization"]["additional_websites"] = [{"url": "https://example.org"}]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(record), encoding="utf-8")
    assert "kept as given: service.additional_urls" in imported(empty_app, later)
    with stored(empty_app) as session:
        assert json_differences(record, export_like(session, record)) == []


def test_files_the_package_does_not_name_and_tables_outside_hsds_are_reported(empty_app, tmp_path):
    pkg = package(tmp_path)
    (pkg / "notes.csv").write_text("id,text\n1,a\n")
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["resources"].append({"name": "review", "path": "reviews.csv", "schema": {}})
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    output = imported(empty_app, pkg)
    assert "not read, not stored: notes.csv" in output
    assert "not read, not stored: reviews.csv" in output


# -- symbolic links -------------------------------------------------------------------


def test_a_descriptor_or_table_linked_inside_the_package_is_followed(empty_app, tmp_path):
    pkg = package(tmp_path)
    (pkg / "meta").mkdir()
    (pkg / "datapackage.json").rename(pkg / "meta" / "hsds-3.0.json")
    os.symlink("meta/hsds-3.0.json", pkg / "datapackage.json")
    (pkg / "data").mkdir()
    (pkg / "phones.csv").rename(pkg / "data" / "phones.csv")
    os.symlink("data/phones.csv", pkg / "phones.csv")
    output = imported(empty_app, pkg)
    assert "service: 1 created" in output and "phone: 1 created" in output


def test_a_link_that_leaves_the_package_is_refused_by_name(empty_app, tmp_path):
    """The official repository's own layout: examples/csv/datapackage.json is a link to
    the descriptor at the repository root, outside the package folder."""
    root = tmp_path / "specification"
    pkg = root / "examples" / "csv"
    shutil.copytree(OFFICIAL / "csv", pkg)
    (pkg / "datapackage.json").rename(root / "datapackage.json")
    os.symlink("../../datapackage.json", pkg / "datapackage.json")
    result = run(empty_app, "import-hsds", str(pkg))
    assert result.exit_code != 0
    assert "Import aborted, nothing was changed." in result.output
    assert "datapackage.json: a symbolic link to ../../datapackage.json, outside the package" in (
        result.output
    )
    assert count(empty_app, Service) == 0
    pkg2 = package(tmp_path)
    (pkg2 / "phones.csv").unlink()
    os.symlink("/etc/passwd", pkg2 / "phones.csv")
    result = run(empty_app, "import-hsds", str(pkg2))
    assert "phones.csv: a symbolic link to /etc/passwd, outside the package" in result.output


def _zip_with_link(pkg: Path, out: Path, link: str, target: str) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for f in sorted(pkg.iterdir()):
            if f.name != link:
                archive.write(f, f"hsds/{f.name}")
        info = zipfile.ZipInfo(f"hsds/{link}")
        info.external_attr = 0o120777 << 16  # a symbolic link, as zip -y stores one
        archive.writestr(info, target)
    return out


def test_links_in_a_zip_are_followed_inside_it_and_refused_outside(empty_app, tmp_path):
    pkg = package(tmp_path)
    (pkg / "datapackage.json").rename(pkg / "hsds-3.0.json")
    inside = _zip_with_link(pkg, tmp_path / "in.zip", "datapackage.json", "hsds-3.0.json")
    assert "service: 1 created" in imported(empty_app, inside)
    outside = _zip_with_link(pkg, tmp_path / "out.zip", "datapackage.json", "../x.json")
    result = run(empty_app, "import-hsds", str(outside))
    assert result.exit_code != 0
    assert "datapackage.json: a symbolic link to ../x.json, outside the package" in result.output


# -- round trips ----------------------------------------------------------------------

EXAMPLES = examples()


@pytest.mark.parametrize("path", [p for _l, p in EXAMPLES], ids=[label for label, _p in EXAMPLES])
def test_import_then_export_gives_back_every_example(empty_app, tmp_path, path):
    """Zero differences on the official examples and the UK profile's (no exceptions needed
    on these; README lists where other data would differ, and why)."""
    assert round_trip_in(empty_app, path, tmp_path / "out") == []
    assert "Nothing to change." in imported(empty_app, path)
