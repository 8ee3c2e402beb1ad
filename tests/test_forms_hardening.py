"""Forms say everything at once and lose nothing: a malformed ZIP is a field error with
what was typed kept, every missing field is reported in one answer, required fields are
marked, lengths are limited in the page and on the server (issue 18, findings 2 and 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.directory import geo
from matcher.models import Submission
from tests.fixtures_accounts import login, make_user
from tests.test_registration_review import org_form, service_form


@pytest.fixture
def partner(client, session):
    login(client, make_user(session, "partner"))
    return client


def _draft(client) -> str:
    response = client.post("/partners/register", data=org_form(name="Zip Test Family Center"))
    assert response.status_code == 302
    return response.headers["Location"].split("/")[3]


@pytest.mark.parametrize("zip_code", ["ABCDE", "123", "9303a", "93030-12", "<b>1</b>"])
def test_a_malformed_zip_is_a_field_error_and_the_typed_form_comes_back(partner, session, zip_code):
    typed = org_form(name="Centro Familiar Zip", postal_code=zip_code)
    response = partner.post("/partners/register", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a 5-digit ZIP code." in page
    assert 'value="Centro Familiar Zip"' in page and 'value="100 Calle Nueva"' in page
    assert session.scalars(select(Submission)).first() is None

    submission_id = _draft(partner)
    for path in (f"/partners/submissions/{submission_id}/organization",
                 f"/partners/submissions/{submission_id}/services/new"):
        form = typed if path.endswith("organization") else service_form(postal_code=zip_code,
                                                                          name="Despensa Zip")
        again = partner.post(path, data=form)
        page = again.get_data(as_text=True)
        assert again.status_code == 400, path
        assert "Enter a 5-digit ZIP code." in page
        assert 'value="Centro Familiar Zip"' in page or 'value="Despensa Zip"' in page


@pytest.mark.parametrize("text", ["ABCDE", "123", "", "93030-", "9" * 40])
def test_resolving_a_zip_validates_it_first(text):
    with pytest.raises(geo.PlaceError):
        geo.resolve_zip(text)
    assert geo.resolve_zip("93030").city == "Oxnard"
