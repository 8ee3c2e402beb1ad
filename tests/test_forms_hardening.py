"""Forms say everything at once and lose nothing: a malformed ZIP is a field error with
what was typed kept, every missing field is reported in one answer, required fields are
marked, lengths are limited in the page and on the server (issue 18, findings 2 and 9)."""

from __future__ import annotations

import re

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


# --- every error at once, required marks, lengths in the page and on the server ---------

FIELD_TAG = re.compile(r"<(input|textarea)\b[^>]*\bname=\"([^\"]+)\"[^>]*>")


def test_an_empty_sign_up_reports_every_missing_field_at_once(client, session):
    from matcher.models import User

    response = client.post("/partners/join", data={"email": "", "name": "", "password": "",
                                                   "password_confirm": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for name in ("email", "name", "password"):
        assert re.search(rf'id="e-{name}" role="alert">This is required.<', page), name
    mismatched = client.post("/partners/join", data={"email": "not-an-email", "name": "N",
                                                     "password": "short", "password_confirm": "x"})
    page = mismatched.get_data(as_text=True)
    for name in ("email", "password", "password_confirm"):
        assert f'id="e-{name}"' in page, name
    assert session.scalars(select(User).where(User.role == "partner")).first() is None


def test_an_over_long_name_is_an_error_not_silently_cut(client, session):
    from matcher.models import User

    response = client.post("/partners/join", data={
        "email": "long@example.org", "name": "N" * 10_000, "password": "p" * 12,
        "password_confirm": "p" * 12})
    assert response.status_code == 400
    assert "That name is too long" in response.get_data(as_text=True)
    assert session.scalars(select(User).where(User.email == "long@example.org")).first() is None
    page = client.get("/partners/join").get_data(as_text=True)
    assert re.search(r'name="name"[^>]*maxlength="200"', page)


def test_service_form_marks_required_radios_limits_lengths_and_reports_all_errors(partner):
    from matcher.partners.registration import FORM_LIMITS

    submission_id = _draft(partner)
    path = f"/partners/submissions/{submission_id}/services/new"
    page = partner.get(path).get_data(as_text=True)
    for name in ("id_required", "cost", "accepting_referrals"):
        radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>', page)
        assert radios and all(" required" in radio for radio in radios), name
    assert re.search(r'name="accepting_referrals" value="yes" checked', page)
    for _tag, name in FIELD_TAG.findall(page):
        if name in FORM_LIMITS:
            assert re.search(rf'name="{name}"[^>]*maxlength="{FORM_LIMITS[name]}"', page), name
    # One answer names the ZIP, the hours and the over-long name together.
    response = partner.post(path, data=service_form(
        postal_code="ABCDE", opens_WE="25:99", closes_WE="26:00", name="N" * 301))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a 5-digit ZIP code." in page
    assert "Use hours like 09:00 and 17:30." in page
    assert "This is too long" in page


def test_organization_form_limits_lengths_in_the_page(partner):
    from matcher.partners.registration import FORM_LIMITS

    page = partner.get("/partners/register").get_data(as_text=True)
    for name in ("name", "phone", "postal_code", "description"):
        assert re.search(rf'name="{name}"[^>]*maxlength="{FORM_LIMITS[name]}"', page), name
    assert re.search(r'name="name"[^>]*required', page)


def test_home_page_category_tiles_link_to_their_categories(client):
    page = client.get("/").get_data(as_text=True)
    tiles = re.findall(r'<li><a href="(/search\?category=[^"]+)"><span class="category-name">'
                       r'([^<]+)</span> <span class="count">(\d+)', page)
    assert len(tiles) >= 5
    for url, label, count in tiles:
        if int(count):
            response = client.get(url.replace("&amp;", "&"))
            assert response.status_code == 200, label
            assert "services found" in response.get_data(as_text=True) or "service found" in (
                response.get_data(as_text=True)), label


def test_the_site_serves_a_favicon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.data[:4] == b"\x00\x00\x01\x00" and icon.mimetype in (
        "image/vnd.microsoft.icon", "image/x-icon")
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
