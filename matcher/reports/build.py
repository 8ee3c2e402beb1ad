"""Assemble the county and school reports: tables (already suppressed) and charts.

Sections follow the Annual Progress Report's headings: needs, assets, services
provided, then gaps. Every table is a ``Table`` of display strings: the page and
the CSV export render the very same cells, so what is suppressed on screen is
suppressed in the file too. Titles are translated through the ``_`` callable the
web layer passes in (this module does not import Flask).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matcher.directory import county as counties
from matcher.directory import languages
from matcher.models import District, School
from matcher.reports import charts, demand, outcomes, supply
from matcher.reports.tables import (
    MIN_LISTED_SEARCH,
    Context,
    Report,
    Section,
    Table,
    Translate,
    list_table,
    matrix_table,
    month_range,
    texts,
)


def _needs_section(ctx: Context, schools: Sequence[School], county: bool) -> Section:
    _ = ctx._
    section = Section("needs", _("Needs"))
    groups = [*supply.FEATURED_LANGUAGES, demand.OTHER_LANGUAGE]
    by_pair = demand.barrier_language_counts(ctx.needs, supply.FEATURED_LANGUAGES)
    codes = [b.code for b in ctx.index.barriers if any(by_pair[(b.code, g)] for g in groups)]
    table, cells = matrix_table(
        ctx,
        "needs-by-barrier",
        _("Needs by barrier and family language"),
        (_("Barrier"), [ctx.language_name(g) for g in groups]),
        [ctx.barrier_name(c) for c in codes],
        [[by_pair[(c, g)] for g in groups] for c in codes],
        _("Families can have several barriers: the total counts barriers, not families."),
    )
    section.tables.append(table)
    # The chart draws the same suppressed row totals the table shows.
    section.charts.append(
        charts.bar_chart(
            _("Families with each barrier and services that reach them"),
            [ctx.barrier_name(c) for c in codes],
            [
                charts.Series(
                    "demand",
                    _("Families (needs)"),
                    [c.shown for c in cells.row_totals],
                    texts(cells.row_totals),
                ),
                _supply_series(ctx, codes),
            ],
        )
    )
    bands = sorted({n.grade_band for n in ctx.needs})
    if county:
        per_school = Counter((n.school_id, n.grade_band) for n in ctx.needs)
        listed = [s for s in schools if any(per_school[(s.id, b)] for b in bands)]
        section.tables.append(
            matrix_table(
                ctx,
                "needs-by-school",
                _("Families with needs by school and grade band"),
                (_("School"), bands),
                [s.name for s in listed],
                [[per_school[(s.id, b)] for b in bands] for s in listed],
            )[0]
        )
        names = {d.id: d.name for d in ctx.session.scalars(select(District))}
        per_district = demand.count_by(ctx.needs, "district_id")
        keys = sorted(per_district, key=lambda k: names.get(k, ""))
        section.tables.append(
            list_table(
                ctx,
                "needs-by-district",
                _("Families with needs by district"),
                (_("District"), _("Families")),
                [names.get(k, _("No district")) for k in keys],
                [per_district[k] for k in keys],
            )[0]
        )
    else:
        per_band = demand.count_by(ctx.needs, "grade_band")
        section.tables.append(
            list_table(
                ctx,
                "needs-by-grade",
                _("Families with needs by grade band"),
                (_("Grade band"), _("Families")),
                bands,
                [per_band[b] for b in bands],
            )[0]
        )
    per_month = demand.monthly(n.created for n in ctx.needs)
    months = month_range(list(per_month))
    section.tables.append(
        list_table(
            ctx,
            "needs-by-month",
            _("New needs records by month"),
            (_("Month"), _("Families")),
            months,
            [per_month[m] for m in months],
        )[0]
    )
    if county:
        section.tables.append(_searches_table(ctx))
    return section


def _supply_series(ctx: Context, codes: Sequence[str]) -> charts.Series:
    totals = [row.total if (row := ctx.supply.for_barrier(c)) else 0 for c in codes]
    return charts.Series("supply", ctx._("Services"), totals, [str(t) for t in totals])


def _searches_table(ctx: Context) -> Table:
    _ = ctx._
    found = demand.empty_searches(ctx.session)
    listed = [s for s in found if s.count >= MIN_LISTED_SEARCH]
    rest = sum(s.count for s in found if s.count < MIN_LISTED_SEARCH)
    unrecorded = _("(no words of needs or services; other words are never stored)")
    rows = [
        (s.query or unrecorded, languages.name(s.locale, ctx.locale), s.filters, str(s.count))
        for s in listed
    ]
    rows.append((_("Other searches (each fewer than 11 times)"), "", "", str(rest)))
    return Table(
        "searches-without-results",
        _("Searches that found nothing"),
        (_("Search"), _("Interface language"), _("Filters"), _("Times")),
        tuple(rows),
        _("A demand signal: what people looked for and the directory did not have."),
    )


def _assets_section(
    ctx: Context, schools: Sequence[School], per_school: dict[str, supply.SchoolReach] | None
) -> Section:
    _ = ctx._
    section = Section("assets", _("Assets"))
    codes = ctx.supply.language_codes
    columns = [_("Services")]
    for code in codes:
        name = languages.name(code, ctx.locale)
        columns += [name, _("%(language)s, interpreter only", language=name)]
    pillar_names = pillar_labels(_)
    rows = []
    for pillar, barrier_rows in ctx.supply.by_pillar():
        rows.append((pillar_names.get(pillar, pillar), *([""] * len(columns))))
        for row in barrier_rows:
            cells = [str(row.total)]
            for code in codes:
                offered = row.in_language(code)
                cells += [str(offered.direct), str(offered.interpreter_only)]
            rows.append((row.barrier.name(ctx.locale), *cells))
    section.tables.append(
        Table(
            "assets-by-barrier",
            _("Services by barrier and language, grouped by CCSPP pillar"),
            (_("Barrier"), *columns),
            tuple(rows),
            _(
                "Active services of published organizations with a location within "
                "%(miles)s miles or a service area that covers the school. Counts of "
                "services, not people: nothing is suppressed.",
                miles=f"{ctx.radius:g}",
            ),
        )
    )
    if per_school is not None:
        rows = [
            (
                school.name,
                str(per_school[school.key].total),
                *(str(per_school[school.key].by_pillar[p]) for p in supply.PILLARS),
            )
            for school in schools
        ]
        section.tables.append(
            Table(
                "assets-by-school",
                _("Services reaching each school, by CCSPP pillar"),
                (_("School"), _("Services"), *(pillar_names[p] for p in supply.PILLARS)),
                tuple(rows),
            )
        )
    section.charts.append(_dot_map(ctx, schools))
    section.tables.append(_map_table(ctx, schools))
    return section


def pillar_labels(_: Translate) -> dict[str, str]:
    return {
        "integrated_supports": _("Integrated student supports"),
        "family_engagement": _("Family and community engagement"),
        "extended_learning": _("Extended learning time and opportunities"),
        "collaborative_leadership": _("Collaborative leadership and practices"),
    }


def _dot_map(ctx: Context, schools: Sequence[School]) -> charts.DotMap:
    """Thousands of partner dots: drawn once per directory version, school set and title."""
    title = ctx._("Schools and partner locations")
    points = tuple(
        supply.MapPoint(s.latitude, s.longitude, s.name)
        for s in schools
        if s.latitude is not None and s.longitude is not None
    )
    return ctx.index.memo(
        ("dot_map", title, points), lambda: charts.dot_map(title, points, ctx.partners)
    )


def _map_table(ctx: Context, schools: Sequence[School]) -> Table:
    """The map as text: schools and partner locations per nearest city or community."""
    school_cities = Counter(
        charts.nearest_city(supply.MapPoint(s.latitude, s.longitude, s.name))
        for s in schools
        if s.latitude is not None and s.longitude is not None
    )
    partner_cities = ctx.index.memo(
        "partner_cities", lambda: Counter(charts.nearest_city(p) for p in ctx.partners)
    )
    places = sorted(set(school_cities) | set(partner_cities))
    return Table(
        "map-places",
        ctx._("Schools and partner locations by nearest city or community"),
        (ctx._("City or community"), ctx._("Schools"), ctx._("Partner locations")),
        tuple((p, str(school_cities[p]), str(partner_cities[p])) for p in places),
    )


def _schools(session: Session, county: str | None = None) -> list[School]:
    """Every school, or one county's (schools without a county belong to the home one)."""
    statement = select(School).order_by(School.name)
    if county is not None:
        mine = School.county == county
        if counties.home().matches(county):
            mine = or_(mine, School.county.is_(None))
        statement = statement.where(mine)
    return list(session.scalars(statement))


def county_report(
    session: Session,
    _: Translate,
    locale: str,
    radius: float = supply.DEFAULT_RADIUS_MILES,
    data: demand.DemandData | None = None,
    county: str | None = None,
) -> Report:
    """The county report: every school's needs, the assets reaching them, services, gaps.

    In a region, ``county`` ("Monterey") narrows it to that county's schools and families;
    without it the report covers every school of the installation.
    """
    schools = _schools(session, county)
    index = supply.load_index(session)
    found, per_school = supply.county_supply(index, schools, radius)
    if data is None:
        data = demand.load(session, [s.id for s in schools] if county else None)
    ctx = _context(session, _, locale, index, found, radius, data)
    sections = [
        _needs_section(ctx, schools, county=True),
        _assets_section(ctx, schools, per_school),
        outcomes.services_section(ctx),
        outcomes.gaps_section(ctx),
    ]
    settings = (counties.find(county) if county else None) or counties.home()
    if county is None and len(counties.region()) > 1:
        name = ", ".join(counties.in_sentence(c, locale) for c in counties.region())
    else:
        name = counties.in_sentence(settings, locale)
    return Report(
        _("%(county)s needs and assets report", county=name), sections, date.today(), radius
    )


def school_report(
    session: Session,
    school: School,
    _: Translate,
    locale: str,
    radius: float = supply.DEFAULT_RADIUS_MILES,
    data: demand.DemandData | None = None,
) -> Report:
    """One school's report: its families' needs, the services that reach it, gaps."""
    index = supply.load_index(session)
    found = supply.school_supply(index, school, radius)
    data = data or demand.load(session, [school.id])
    ctx = _context(session, _, locale, index, found, radius, data)
    sections = [
        _needs_section(ctx, [school], county=False),
        _assets_section(ctx, [school], None),
        outcomes.services_section(ctx),
        outcomes.gaps_section(ctx),
    ]
    title = _("Needs and assets report: %(school)s", school=school.name)
    return Report(title, sections, date.today(), radius)


def _context(session, _, locale, index, found, radius, data: demand.DemandData) -> Context:
    return Context(
        session=session,
        _=_,
        locale=locale,
        index=index,
        supply=found,
        radius=radius,
        partners=supply.partner_locations(session, index),
        needs=data.needs,
        referrals=data.referrals,
        match_gaps=data.match_gaps,
    )
