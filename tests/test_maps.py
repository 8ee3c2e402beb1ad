"""The small offline results map: a county outline, the place searched, numbered results."""

from __future__ import annotations

import json
import re

from matcher.directory import maps

SALINAS = (36.6777, -121.6555)
SOLEDAD = (36.4247, -121.3263)
LOS_ANGELES = (34.0522, -118.2437)


def test_every_california_county_has_an_outline_with_its_source():
    data = json.loads(maps.OUTLINES_FILE.read_text(encoding="utf-8"))
    assert len(data["counties"]) == 58
    assert "Census" in data["source"] and "public domain" in data["licence"].lower()
    assert all(code.startswith("06") for code in data["counties"])


def test_results_are_numbered_as_listed_and_those_elsewhere_are_counted():
    found = maps.results_map("Monterey", SALINAS, [SOLEDAD, None, LOS_ANGELES, SALINAS], 11)
    assert found is not None and found.county == "Monterey"
    assert sorted(m.label for m in found.markers) == ["11", "14"]
    assert found.outside == 1  # the Los Angeles office; the phone line (None) has no point
    assert found.here is not None
    assert all(0 <= m.x <= found.width and 0 <= m.y <= found.height for m in found.markers)
    assert found.outline and all(d.startswith("M") and d.endswith("Z") for d in found.outline)


def test_a_map_without_points_shows_the_whole_county_and_none_for_an_unknown_one():
    whole = maps.results_map("monterey", None, [])
    assert whole is not None and whole.markers == () and whole.here is None
    assert maps.results_map("Narnia", None, []) is None


def test_the_search_page_draws_the_map_beside_numbered_results(client):
    page = client.get("/search?q=comida+en+oxnard").get_data(as_text=True)
    figure = page.split('<figure class="results-map" aria-hidden="true">')[1].split("</figure>")[0]
    assert 'class="county-outline"' in figure and 'class="map-here"' in figure
    numbers = re.findall(r'<g class="map-result">.*?<text[^>]*>(\d+)</text>', figure)
    ranks = re.findall(r'<span class="rank" aria-hidden="true">(\d+)</span>', page)
    assert numbers and set(numbers) <= set(ranks)
    assert ranks[:3] == ["1", "2", "3"]


def test_the_api_gives_each_result_its_point_and_the_place_its_county(client):
    body = client.get("/api/v1/search?q=comida+en+oxnard").get_json()
    assert body["location"]["county"] == "Ventura"
    assert any(r["point"] and len(r["point"]) == 2 for r in body["results"])


def test_the_matches_page_draws_the_school_and_its_numbered_matches(
    client, session, coordinator_user
):
    from tests.fixtures_accounts import login
    from tests.needs_support import make_record

    record = make_record(session, coordinator_user, barriers=("food_insecurity", "dental"))
    login(client, coordinator_user)
    html = client.get(f"/coordinator/records/{record.id}/matches").get_data(as_text=True)
    figure = html.split('<figure class="results-map" aria-hidden="true">')[1].split("</figure>")[0]
    assert 'class="county-outline"' in figure
    ranks = re.findall(r'<span class="rank" aria-hidden="true">(\d+)</span>', html)
    assert ranks and ranks[0] == "1"
    numbers = re.findall(r'<g class="map-result">.*?<text[^>]*>(\d+)</text>', figure)
    assert set(numbers) <= set(ranks)


def test_a_listing_at_the_zip_centre_searched_reads_in_this_zip_code_not_zero_miles(client):
    page = client.get("/search?q=dentista&near=93030").get_data(as_text=True)
    card = page.split('class="result"')[1].split("</li>")[0]
    assert "in this ZIP code" in card and "0.0 mi" not in card
