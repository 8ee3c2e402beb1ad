"""The seeded Ventura County directory: big enough, honest, and idempotent."""

from sqlalchemy import func, select

from matcher.directory.seed import SAMPLE_SOURCE, seed_all
from matcher.models import (
    Location,
    Organization,
    School,
    Service,
    ServiceTranslation,
)


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_seed_meets_the_minimum_directory_size(session):
    assert _count(session, Organization) >= 45
    assert _count(session, Service) >= 120
    assert _count(session, Location) >= 60
    assert _count(session, School) >= 10


def test_a_second_seed_run_changes_nothing(session):
    before = {m: _count(session, m) for m in (Organization, Service, Location, School)}
    stamps = dict(session.execute(select(Service.id, Service.updated_at)).all())
    counts = seed_all(session)
    session.commit()
    assert not counts.changed, counts.lines()
    assert {m: _count(session, m) for m in before} == before
    assert dict(session.execute(select(Service.id, Service.updated_at)).all()) == stamps


def test_every_seeded_service_has_terms_and_languages(session):
    for service in session.scalars(select(Service)):
        assert service.taxonomy_terms, service.name
        assert service.languages, service.name


def test_spanish_and_mixteco_are_offered_somewhere(session):
    codes = {lang.code for s in session.scalars(select(Service)) for lang in s.languages}
    assert {"en", "es", "mix"} <= codes


def test_some_listings_have_spanish_text_and_some_do_not(session):
    translated = _count(session, ServiceTranslation)
    assert 0 < translated < _count(session, Service)


def test_seed_data_is_labelled_as_unverified_sample_data(session):
    for org in session.scalars(select(Organization)):
        assert org.source == SAMPLE_SOURCE
        assert org.last_verified_at is None
    assert all(s.last_verified_at is None for s in session.scalars(select(Service)))


def test_every_physical_location_has_a_point_in_ventura_county(session):
    for location in session.scalars(select(Location).where(Location.location_type == "physical")):
        assert location.latitude is not None, location.name
        assert 33.9 < location.latitude < 34.9 and -119.7 < location.longitude < -118.5


def test_schools_have_districts_and_points(session):
    for school in session.scalars(select(School)):
        assert school.district is not None, school.name
        assert school.latitude is not None, school.name
