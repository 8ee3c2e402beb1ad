"""A region: one installation serving several counties (here the Ventura sample and the
synthetic Monterey County), with a county filter and facet and reports by county."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from matcher.config import PROJECT_ROOT
from tests.county_support import MONTEREY_DIR
from tests.fixtures_accounts import make_user, signed_in
from tests.hsds_support import app_on, own_database

VENTURA_SETTINGS = PROJECT_ROOT / "seed_data" / "samples" / "ventura" / "county.toml"


@pytest.fixture(scope="module")
def region_app(tmp_path_factory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("region")
    settings = f"{VENTURA_SETTINGS},{MONTEREY_DIR / 'county.toml'}"
    with own_database(tmp, seed=True) as url, app_on(
        url, tmp, ENLACE_COUNTY_SETTINGS=settings
    ) as app:
        runner = app.test_cli_runner()
        for step in (
            ["import-hsds", str(MONTEREY_DIR / "hsds" / "services.json")],
            ["import-schools", str(MONTEREY_DIR / "schools" / "pubschls.txt"),
             "--county", "Monterey"],
            ["reindex"],
        ):
            result = runner.invoke(args=step)
            assert result.exit_code == 0, result.output
        yield app


def _search(app: Flask, query: str) -> dict:
    response = app.test_client().get(f"/api/v1/search?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_county_facet_counts_what_its_filter_returns(region_app):
    body = _search(region_app, "q=food&per_page=50")
    facet = {f["name"]: f["count"] for f in body["facets"]["county"]}
    assert {"Ventura", "Monterey"} <= set(facet)
    for name in ("Ventura", "Monterey"):
        assert _search(region_app, f"q=food&county={name}")["total"] == facet[name]
    assert facet["Ventura"] + facet["Monterey"] >= body["total"]


def test_the_county_filter_keeps_only_listings_in_or_serving_that_county(region_app):
    body = _search(region_app, "q=food&county=monterey+county&per_page=50")
    assert body["total"] > 0
    ventura = {r["id"] for r in _search(region_app, "q=food&county=Ventura&per_page=50")["results"]}
    only_ventura = [r for r in body["results"] if r["id"] in ventura]
    # A listing in both answers serves both counties (statewide or national).
    assert len(only_ventura) < len(body["results"])


def test_an_unknown_county_is_a_400_naming_it(region_app):
    response = region_app.test_client().get("/api/v1/search?q=food&county=Narnia")
    assert response.status_code == 400
    assert "'Narnia' is not a California county" in response.get_json()["error"]["message"]


def test_the_page_offers_the_regions_counties(region_app):
    page = region_app.test_client().get("/search?q=food").get_data(as_text=True)
    assert 'name="county"' in page and "By county" in page
    assert "county=Monterey" in page


def test_a_crisis_in_a_county_of_the_region_shows_that_countys_lines_first(region_app):
    query = "q=my+husband+hits+me"
    monterey = _search(region_app, f"{query}&county=Monterey")["crisis"]["lines"]
    assert monterey[0]["phone"] == "831-555-0101"
    salinas = _search(region_app, "q=my+husband+hits+me+in+Salinas")["crisis"]["lines"]
    assert salinas[0]["phone"] == "831-555-0101"
    ventura = _search(region_app, f"{query}&county=Ventura")["crisis"]["lines"]
    assert ventura[0]["phone"] != "831-555-0101"


def test_gap_reports_by_county(region_app):
    from sqlalchemy.orm import Session

    from matcher.extensions import db

    with region_app.app_context(), Session(db.engine, expire_on_commit=False) as session:
        admin = make_user(session, role="admin")
    client = signed_in(region_app, admin)
    index = client.get("/reports/").get_data(as_text=True)
    assert "Reports by county" in index and "county=Monterey" in index
    monterey = client.get("/reports/county?county=Monterey").get_data(as_text=True)
    assert "Monterey County needs and assets report" in monterey
    whole = client.get("/reports/county").get_data(as_text=True)
    assert "Ventura County, Monterey County needs and assets report" in whole
    assert client.get("/reports/county?county=Fresno").status_code == 400
