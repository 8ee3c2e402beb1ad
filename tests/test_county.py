"""Any county: settings in one file, reference data apart from the sample, the state's
schools file, and place names of all California."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matcher import create_app
from matcher.config import PROJECT_ROOT
from matcher.directory import county, geo, place_query
from matcher.models import Barrier, Organization, School, Service, TaxonomyTerm
from tests.conftest import _base_config, build_database

SAMPLE_SETTINGS = PROJECT_ROOT / "seed_data" / "samples" / "ventura" / "county.toml"
MONTEREY = PROJECT_ROOT / "tests" / "data" / "counties" / "monterey"
PUBSCHLS = MONTEREY / "schools" / "pubschls.txt"


# --- county settings ----------------------------------------------------------------------


def test_the_sample_settings_name_the_county_and_give_each_line_a_source():
    settings = county.load_settings(SAMPLE_SETTINGS)
    assert (settings.name, settings.fips, settings.help_line) == ("Ventura County", "06111", "211")
    assert settings.lines and all(line.source and line.checked for line in settings.lines)
    assert {"child_abuse", "domestic_violence", "help"} <= {
        kind for line in settings.lines for kind in line.kinds
    }


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        ('fips = "06111"\ncenter = [34.3, -119.1]', "county.name"),
        ('name = "X"\nfips = "12345"\ncenter = [1, 2]', "county.fips"),
        ('name = "X"\nfips = "06001"\ncenter = "north"', "county.center"),
        (
            'name = "X"\nfips = "06001"\ncenter = [37.6, -122.0]\n'
            '[[lines]]\nkinds = ["tsunami"]\nname_en = "A"\nphone = "1"\nsource = "s"',
            "lines[0].kinds",
        ),
        (
            'name = "X"\nfips = "06001"\ncenter = [37.6, -122.0]\n'
            '[[lines]]\nkinds = ["suicide"]\nname_en = "A"\nphone = "1"',
            "lines[0].source",
        ),
    ],
)
def test_a_wrong_settings_file_is_refused_naming_the_file_and_field(tmp_path, broken, field):
    path = tmp_path / "county.toml"
    header, _, lines = broken.partition("[[lines]]")
    path.write_text("[county]\n" + header + ("\n[[lines]]" + lines if lines else ""))
    with pytest.raises(county.CountySettingsError) as error:
        county.load_settings(path)
    assert str(path) in str(error.value)
    assert field.split(".")[-1] in str(error.value)


def test_an_app_with_a_broken_settings_file_does_not_start(tmp_path):
    path = tmp_path / "county.toml"
    path.write_text("[county\nname=")
    with pytest.raises(county.CountySettingsError, match="not valid TOML"):
        create_app({**_base_config(tmp_path, "sqlite://"), "ENLACE_COUNTY_SETTINGS": str(path)})


def _sample_phone_numbers() -> set[str]:
    """The sample county's own numbers (county lines and directory phones), digits only."""
    text = (SAMPLE_SETTINGS.parent / "directory.json").read_text(encoding="utf-8")
    numbers = set(re.findall(r"\b\d{3}-\d{3}-\d{4}\b", text))
    numbers |= {line.phone for line in county.load_settings(SAMPLE_SETTINGS).lines}
    return {re.sub(r"\D", "", n) for n in numbers if len(re.sub(r"\D", "", n)) >= 10}


def test_nothing_in_the_code_names_the_sample_county_or_its_numbers():
    numbers = _sample_phone_numbers()
    assert len(numbers) > 10
    offenders = []
    for path in sorted((PROJECT_ROOT / "matcher").rglob("*")):
        if not path.is_file() or path.suffix in (".mo", ".pyc", ".gz"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        digits = re.sub(r"\D", "", text)
        if re.search(r"ventura", text, re.I) or any(n in digits for n in numbers):
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []


# --- reference data apart from the sample -------------------------------------------------


@pytest.fixture
def empty_app(tmp_path):
    from matcher.extensions import db

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    build_database(url, tmp_path, seed=False)
    app = create_app(_base_config(tmp_path, url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _count(app, model) -> int:
    from matcher.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_seed_reference_only_loads_the_taxonomy_and_barriers_and_nothing_else(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["seed", "--reference-only"])
    assert first.exit_code == 0, first.output
    assert "Reference data loaded." in first.output
    assert _count(empty_app, Barrier) == 36
    assert _count(empty_app, TaxonomyTerm) > 250
    assert (_count(empty_app, Organization), _count(empty_app, Service)) == (0, 0)
    assert _count(empty_app, School) == 0
    from matcher.extensions import db

    with empty_app.app_context():
        pantry = db.session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "1120")).one()
        assert pantry.label("es") != pantry.name  # Spanish labels come with the reference data
    again = runner.invoke(args=["seed", "--reference-only"])
    assert "Reference data already up to date." in again.output
    full = runner.invoke(args=["seed"])
    assert full.exit_code == 0 and _count(empty_app, Service) > 100


# --- schools from the state file ----------------------------------------------------------


def test_import_schools_takes_the_countys_active_schools_keyed_by_cds_code(empty_app):
    runner = empty_app.test_cli_runner()
    runner.invoke(args=["seed", "--reference-only"])
    first = runner.invoke(args=["import-schools", str(PUBSCHLS), "--county", "monterey"])
    assert first.exit_code == 0, first.output
    assert "Monterey County schools: 24 added, 0 updated, 0 unchanged, 13 skipped" in first.output
    assert "skipped 10: in another county" in first.output
    assert "skipped 2: closed, not in the directory" in first.output
    again = runner.invoke(args=["import-schools", str(PUBSCHLS), "--county", "Monterey County"])
    assert "24 unchanged" in again.output and "Nothing to change." in again.output
    listed = runner.invoke(args=["list-schools", "--county", "Monterey"])
    assert len(listed.output.strip().splitlines()) == 24


def test_a_school_the_state_closes_stays_but_is_inactive(empty_app, tmp_path):
    runner = empty_app.test_cli_runner()
    runner.invoke(args=["import-schools", str(PUBSCHLS), "--county", "Monterey"])
    rows = PUBSCHLS.read_bytes().decode("utf-8").split("\r\n")
    header = rows[0].split("\t")
    status, name = header.index("StatusType"), header.index("School")
    target = next(
        r for r in rows[1:]
        if "\tActive\tMonterey\t" in r and r.split("\t")[name] != "No Data"
    )
    closed_name = target.split("\t")[name]
    cells = target.split("\t")
    cells[status] = "Closed"
    changed = tmp_path / "pubschls.txt"
    changed.write_bytes(
        "\r\n".join("\t".join(cells) if r == target else r for r in rows).encode("utf-8")
    )
    result = runner.invoke(args=["import-schools", str(changed), "--county", "Monterey"])
    assert "1 updated" in result.output
    from matcher.extensions import db

    with empty_app.app_context():
        school = db.session.scalars(select(School).where(School.name == closed_name)).one()
        assert school.active is False
    listed = runner.invoke(args=["list-schools", "--county", "Monterey"]).output
    assert closed_name not in listed
    assert f"{closed_name} (inactive)" in runner.invoke(args=["list-schools", "--all"]).output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--county", "Narnia"], "'Narnia' is not a California county"),
        (["--county", "Alpine"], "has no rows for Alpine County"),
    ],
)
def test_an_unknown_county_is_a_clear_error_that_changes_nothing(empty_app, args, message):
    result = empty_app.test_cli_runner().invoke(args=["import-schools", str(PUBSCHLS), *args])
    assert result.exit_code != 0 and message in result.output
    assert "nothing was changed" in result.output
    assert _count(empty_app, School) == 0


def test_a_file_without_the_cde_header_is_refused_and_changes_nothing(empty_app, tmp_path):
    wrong = tmp_path / "schools.txt"
    shutil.copyfile(PUBSCHLS, wrong)
    text = wrong.read_text(encoding="utf-8").replace("CDSCode", "Code", 1)
    wrong.write_text(text, encoding="utf-8")
    result = empty_app.test_cli_runner().invoke(
        args=["import-schools", str(wrong), "--county", "Monterey"]
    )
    assert result.exit_code != 0 and "missing columns CDSCode" in result.output
    assert _count(empty_app, School) == 0


# --- places of all California ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "county_name"),
    [
        ("Reedley", "Reedley (Fresno County)", "Fresno"),
        ("ukiah", "Ukiah (Mendocino County)", "Mendocino"),
        ("Los Ángeles", "Los Angeles (Los Angeles County)", "Los Angeles"),
        ("GUADALUPE", "Guadalupe (Santa Barbara County)", "Santa Barbara"),
        ("San Luis Obispo", "San Luis Obispo (San Luis Obispo County)", "San Luis Obispo"),
        # In two counties: the home county's place, without a county suffix.
        ("Westlake Village", "Westlake Village", "Ventura"),
    ],
)
def test_california_places_resolve_offline_accents_optional(text, label, county_name):
    place = geo.resolve_place(text)
    assert (place.label, place.county) == (label, county_name)


def test_a_name_in_two_counties_resolves_toward_the_home_county(tmp_path):
    settings = str(MONTEREY / "county.toml")
    app = create_app({**_base_config(tmp_path, "sqlite://"), "ENLACE_COUNTY_SETTINGS": settings})
    with app.app_context():
        assert geo.resolve_place("Salinas").label == "Salinas"
        # Not in Monterey: the best-known one, and the label says which county it is.
        assert geo.resolve_place("Westlake Village").county in {"Ventura", "Los Angeles"}
        assert geo.resolve_place("Thousand Oaks").label == "Thousand Oaks (Ventura County)"
    with create_app(_base_config(tmp_path, "sqlite://")).app_context():
        assert geo.resolve_place("Thousand Oaks").label == "Thousand Oaks"


@pytest.mark.parametrize(
    ("query", "label", "rest"),
    [
        ("comida en Reedley", "Reedley (Fresno County)", "comida"),
        ("dentist near ukiah", "Ukiah (Mendocino County)", "dentist"),
        ("help to pay rent", None, "help to pay rent"),
        ("rides to school", None, "rides to school"),
        ("ropa en soledad", "Soledad (Monterey County)", "ropa"),
        ("soledad y tristeza", None, "soledad y tristeza"),  # a word, not the town
    ],
)
def test_a_place_in_a_query_needs_a_place_name(query, label, rest):
    found, remaining = place_query.find_place_in_query(query)
    assert (found.label if found else None, remaining) == (label, rest)


def test_the_search_api_says_which_place_it_used(client):
    body = client.get("/api/v1/search?q=comida+en+Reedley").get_json()
    assert body["location"]["label"] == "Reedley (Fresno County)"
    assert body["location"]["from_query"] is True


def test_near_takes_any_california_place(client):
    body = client.get("/api/v1/search?q=food&near=Ukiah").get_json()
    assert body["location"]["label"] == "Ukiah (Mendocino County)"
    bad = client.get("/api/v1/search?q=food&near=Narnia")
    assert bad.status_code == 400
    assert "California city or town" in bad.get_json()["error"]["message"]


def test_places_are_not_bundled_twice_but_derived_from_the_zip_data():
    counties_seen = {p.county for p in geo.state_places()}
    assert len(counties_seen) == 58
    assert Path(geo.GEOGRAPHY_DIR / "SOURCE.md").exists()


def test_the_spanish_footer_gives_each_county_line_in_spanish(client):
    page = client.get("/?lang=es").get_data(as_text=True)
    footer = page.split('<footer class="site-footer">')[1]
    assert "tel:211" in footer and "mensaje de texto al 898211" in footer
    assert "Text your ZIP code" not in footer
