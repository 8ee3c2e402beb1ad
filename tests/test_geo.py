"""Offline geography: ZIPs, places and lat,lon resolve; anything else is one clear error."""

import pytest

from matcher.directory import geo, place_query, service_areas

# Every delivery ZIP named for Ventura County places in shared/docs/domain.md 4.1.
VENTURA_ZIPS = [
    "93030",
    "93033",
    "93035",
    "93036",
    "93001",
    "93003",
    "93004",
    "93010",
    "93012",
    "91360",
    "91362",
    "91320",
    "91361",
    "93063",
    "93065",
    "93021",
    "93060",
    "93015",
    "93023",
    "93041",
    "93043",
    "93040",
    "91377",
    "93066",
    "93022",
    "93042",
]


@pytest.mark.parametrize("code", VENTURA_ZIPS)
def test_every_ventura_zip_resolves_to_a_point_in_the_county(code):
    place = geo.resolve_place(code)
    assert place.kind == "zip"
    assert place.county == "Ventura"
    assert 33.9 < place.latitude < 34.9 and -119.7 < place.longitude < -118.5


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Oxnard", "Oxnard"),
        ("el rio", "El Rio"),
        ("El Río", "El Rio"),
        ("SATICOY", "Saticoy"),
        ("Piru", "Piru"),
        ("Oak View", "Oak View"),
        ("Newbury Park", "Newbury Park"),
        ("Oak Park", "Oak Park"),
        ("Somis", "Somis"),
        ("Port Hueneme", "Port Hueneme"),
        ("oxnrd", "Oxnard"),
        ("Thousand Oaks", "Thousand Oaks"),
        ("San Buenaventura", "Ventura"),
    ],
)
def test_ventura_places_resolve_by_name_ignoring_case_accents_and_one_typo(name, expected):
    place = geo.resolve_place(name)
    assert place.label == expected
    assert place.county == "Ventura"


def test_lat_lon_strings_resolve_and_find_their_zip():
    place = geo.resolve_place("34.1685, -119.1717")
    assert place.kind == "latlon"
    assert place.postal_code == "93033"
    assert place.county == "Ventura"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a ZIP code"),
        ("   ", "Enter a ZIP code"),
        ("00000", "don't know the ZIP code"),
        ("10001", "outside California"),
        ("1234", "not a 5-digit ZIP"),
        ("Springfield", "couldn't find"),
        ("95.0,-119", "Latitude must be between"),
        ("x" * 500, "too long"),
        ("<script>alert(1)</script>", "couldn't find"),
    ],
)
def test_bad_places_raise_one_clear_error_type(text, message):
    with pytest.raises(geo.PlaceError, match=message):
        geo.resolve_place(text)


def test_distance_between_oxnard_and_ventura_is_about_five_miles():
    miles = geo.distance_miles(
        geo.resolve_place("Oxnard").point, geo.resolve_place("Ventura").point
    )
    assert 4.0 < miles < 6.0


@pytest.mark.parametrize(
    ("query", "place", "rest"),
    [
        ("comida en oxnard", "Oxnard", "comida"),
        ("food bank near 93033", "93033 (Oxnard)", "food bank"),
        ("dentist thousand oaks", "Thousand Oaks", "dentist"),
        ("dentist for kids", None, "dentist for kids"),
    ],
)
def test_a_place_at_the_end_of_a_query_is_taken_out_of_it(query, place, rest):
    found, remaining = place_query.find_place_in_query(query)
    assert (found.label if found else None) == place
    assert remaining == rest


def test_service_area_coverage_by_nation_state_county_city_and_zip():
    oxnard = geo.resolve_place("93033")
    covers = service_areas.covers_area
    assert covers("county", "Ventura", oxnard)
    assert covers("city", "Oxnard", oxnard)
    assert covers("postal_code", "93033", oxnard)
    assert covers("text", "United States", oxnard) and covers("text", "California", oxnard)
    assert covers("text", "Ventura County", oxnard)
    assert not covers("city", "Fillmore", oxnard)
    assert not covers("county", "Los Angeles", oxnard)
    assert not covers("text", "anywhere", oxnard)
