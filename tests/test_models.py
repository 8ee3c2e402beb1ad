"""Directory models store and return every HSDS field they hold (run on both backends)."""

from datetime import UTC, datetime, time

import pytest
from sqlalchemy.exc import IntegrityError

from matcher.directory.taxonomy import term_id
from matcher.models import (
    Address,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

HSDS_ID = "ac148810-d857-441c-9679-408f346de14b"


def _build_listing(session):
    org = Organization(id=HSDS_ID, name="Casa de Ejemplo", description="Example org")
    location = Location(
        location_type="physical",
        name="Main office",
        latitude=34.1685,
        longitude=-119.1717,
        addresses=[Address(address_1="1 Main St", city="Oxnard", postal_code="93033")],
    )
    org.locations.append(location)
    service = Service(
        name="Food pantry",
        description="Groceries weekly",
        status="active",
        cost="free",
        eligibility_description="Families in Oxnard",
        minimum_age=0,
        maximum_age=99,
        application_process="Walk in",
        interpretation_services="Mixteco interpreter on Fridays",
        last_verified_at=datetime(2026, 10, 1, tzinfo=UTC),
        accepting_referrals=True,
        id_required=False,
    )
    service.set_translation("es", name="Despensa", description="Comida cada semana")
    service.languages = [
        Language(code="es", name="Spanish"),
        Language(code="mix", name="Mixteco", interpreter=True),
    ]
    service.schedules = [
        Schedule(byday="WE,SA", opens_at=time(14), closes_at=time(16), notes="Bring a bag")
    ]
    service.service_areas = [ServiceArea(kind="city", name="Oxnard")]
    service.phones = [Phone(number="805-555-0100", description="Front desk")]
    service.cost_options = [CostOption(option="Free", amount=0, currency="USD")]
    service.required_documents = [RequiredDocument(document="None")]
    service.contacts = [Contact(name="Intake desk", email="intake@example.org")]
    service.service_at_locations = [ServiceAtLocation(location=location)]
    service.taxonomy_terms = [session.get(TaxonomyTerm, term_id("1130"))]
    org.services.append(service)
    session.add(org)
    session.commit()
    return service.id


def test_a_full_listing_round_trips_through_the_database(session):
    service_id = _build_listing(session)
    session.expunge_all()

    service = session.get(Service, service_id)
    assert service.organization.id == HSDS_ID
    assert service.text("name", "es").value == "Despensa"
    assert service.text("name", "es").locale == "es"
    assert service.text("eligibility_description", "es").value == "Families in Oxnard"
    assert service.text("eligibility_description", "es").locale == "en"
    assert sorted((lang.code, lang.interpreter) for lang in service.languages) == [
        ("es", False),
        ("mix", True),
    ]
    schedule = service.schedules[0]
    assert (schedule.days, schedule.opens_at, schedule.closes_at) == (
        ["WE", "SA"],
        time(14),
        time(16),
    )
    assert service.locations[0].physical_address.one_line() == "1 Main St, Oxnard, CA 93033"
    assert service.locations[0].latitude == pytest.approx(34.1685)
    assert service.cost_options[0].amount == 0
    assert service.taxonomy_terms[0].name == "Food Pantry"
    assert service.last_verified_at.replace(tzinfo=UTC) == datetime(2026, 10, 1, tzinfo=UTC)
    assert service.id_required is False and service.accepting_referrals is True
    assert len(service.id) == 36


@pytest.mark.parametrize(
    "bad",
    [{"status": "gone"}, {"cost": "cheap"}, {"minimum_age": 18, "maximum_age": 5}],
)
def test_the_database_rejects_values_outside_the_model(session, bad):
    org = Organization(name="Org")
    org.services.append(Service(name="S", **bad))
    session.add(org)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_deleting_an_organization_deletes_its_services_and_locations(session):
    service_id = _build_listing(session)
    session.delete(session.get(Organization, HSDS_ID))
    session.commit()
    assert session.get(Service, service_id) is None
    assert session.query(Location).filter_by(organization_id=HSDS_ID).count() == 0
