"""README's "Set up for your county", end to end, for a county that is not the sample:
an empty database, reference data, the county's own HSDS package and CDE schools file,
its settings file, then serving it (also under gunicorn)."""

from __future__ import annotations

import json

from matcher.directory import county
from tests.county_support import MONTEREY_DIR
from tests.servers import Browser, gunicorn_hosts

MONTEREY_LINES = {line.phone for line in county.load_settings(MONTEREY_DIR / "county.toml").lines}


def test_each_step_reports_what_it_did(monterey_app):
    reference, hsds, schools, reindex = monterey_app.config["ENLACE_SET_UP_OUTPUT"]
    assert "Reference data loaded." in reference
    assert "service: 104 created" in hsds
    assert "Monterey County schools: 24 added" in schools
    assert "Indexed" in reindex


def test_the_new_county_is_served_with_its_own_name_and_lines(monterey_app):
    page = monterey_app.test_client().get("/").get_data(as_text=True)
    assert "Monterey County" in page and "Ventura" not in page
    assert "831-555-0100" in page and "831-555-0101" in page  # child abuse, domestic violence
    assert "invented sample data" in page


def test_a_place_of_the_new_county_is_its_own_and_finds_its_services(monterey_app):
    body = monterey_app.test_client().get("/api/v1/search?q=comida+en+Salinas").get_json()
    assert body["location"]["label"] == "Salinas"  # the home county's: no county suffix
    assert body["total"] > 0
    assert all(r["organization"]["name"] for r in body["results"])


def test_a_crisis_shows_the_countys_own_line_before_the_national_ones(monterey_app):
    client = monterey_app.test_client()
    body = client.get("/api/v1/search?q=my+son+says+he+wants+to+kill+himself").get_json()
    phones = [line["phone"] for line in body["crisis"]["lines"]]
    assert body["crisis"]["kind"] == "suicide"
    assert phones[0] == "831-555-0102" and "988" in phones
    abuse = client.get("/api/v1/search?q=mi+esposo+me+golpea&lang=es").get_json()
    assert abuse["crisis"]["kind"] == "domestic_violence"
    assert abuse["crisis"]["lines"][0]["phone"] == "831-555-0101"


def test_schools_of_the_new_county_are_listed_for_accounts(monterey_app):
    listed = monterey_app.test_cli_runner().invoke(args=["list-schools"]).output
    assert len(listed.strip().splitlines()) == 24
    assert "Salinas" in listed


def test_the_set_up_county_serves_under_gunicorn(monterey_app, monterey_config, tmp_path):
    with gunicorn_hosts(
        monterey_config["SQLALCHEMY_DATABASE_URI"],
        [tmp_path / "indexes"],
        tmp_path,
        ENLACE_COUNTY_SETTINGS=str(MONTEREY_DIR / "county.toml"),
    ) as (server,):
        browser = Browser(server.base_url)
        status, page = browser.request("/search?q=quiero+suicidarme&lang=es")
        assert status == 200
        assert "tel:8315550102" in page and "Ayuda ahora mismo" in page
        status, body = browser.request("/api/v1/search?q=dentista+en+Soledad")
        assert status == 200
        assert json.loads(body)["location"]["label"] == "Soledad"


def test_a_rural_town_with_little_nearby_widens_the_search_and_says_so(monterey_app):
    client = monterey_app.test_client()
    body = client.get("/api/v1/search?q=dentist+in+King+City").get_json()
    assert body["location"]["widened"] is True and body["location"]["radius_mi"] > 10
    assert any("dental" in r["name"].lower() for r in body["results"][:3])
    chosen = client.get("/api/v1/search?q=dentist+in+King+City&radius_mi=10").get_json()
    assert chosen["location"] == {**chosen["location"], "radius_mi": 10.0, "widened": False}
    page = client.get("/search?q=dentist+in+King+City").get_data(as_text=True)
    assert "Few services are close by, so the search looked up to" in page


def test_a_national_line_is_in_reach_of_any_place_searched(monterey_app):
    body = monterey_app.test_client().get(
        "/api/v1/search?q=poison+control&near=King+City&radius_mi=5"
    ).get_json()
    names = [r["name"].lower() for r in body["results"]]
    assert any("poison" in n for n in names), names
