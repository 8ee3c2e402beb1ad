"""The county report in real headless Chromium, in Spanish and English, under the CSP."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from matcher.models import School
from matcher.reports import demand
from tests.browser.conftest import ARTIFACTS
from tests.fixtures_accounts import PASSWORD


@pytest.fixture
def some_demand(session, monkeypatch) -> None:
    """Needs and referrals at three seeded schools over four months (made-up counts)."""
    schools = list(session.scalars(select(School).order_by(School.name)).all()[:3])
    barriers = ("food_insecurity", "housing_cost", "transportation")
    needs, referrals = [], []
    for i in range(120):
        school, barrier = schools[i % 3], barriers[i % len(barriers)]
        day = date(2026, 8 + i % 4, 1 + i % 27)
        needs.append(
            demand.NeedRow(
                school.id,
                school.district_id,
                day,
                "K-5",
                ("es", "en", "mix")[i % 3],
                frozenset({barrier}),
            )
        )
        referrals.append(
            demand.ReferralRow(
                school.id, barrier, day, i % 5 != 0, i % 5 == 0, day if i % 2 else None, False
            )
        )
    data = demand.DemandData(needs, referrals, [])
    monkeypatch.setattr(demand, "load", lambda *_args, **_kw: data)


@pytest.mark.parametrize("lang, heading", [("es", "Necesidades"), ("en", "Needs")])
def test_county_report_shows_charts_and_map_without_csp_violations(
    live_server, page, admin_user, some_demand, lang, heading
):
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", admin_user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.goto(f"{live_server}/reports/county?lang={lang}")
    assert page.locator("#needs-heading").inner_text().endswith(heading)
    for selector in ("svg.chart-bars", "svg.chart-line", "svg.chart-map"):
        chart = page.locator(selector).first
        assert chart.is_visible()
        assert chart.bounding_box()["height"] > 80
    assert page.locator("svg.chart-map text.city", has_text="Oxnard").is_visible()
    assert page.locator("svg.chart-map .dot-school").count() >= 19
    assert page.locator("svg[role=img] title").count() >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#assets").screenshot(path=str(ARTIFACTS / f"report-map-{lang}.png"))
    assert violations == []
