"""Assemble the county and school reports: tables (already suppressed) and charts.

Sections follow the Annual Progress Report's headings: needs, assets, services
provided, then gaps. Every table is a ``Table`` of display strings: the page and
the CSV export render the very same cells, so what is suppressed on screen is
suppressed in the file too. Titles are translated through the ``_`` callable the
web layer passes in (this module does not import Flask).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import languages
from matcher.models import District, School
from matcher.reports import charts, demand, gaps, supply
from matcher.reports.suppression import Cell, SuppressedTable, suppress_list, suppress_table

Translate = Callable[[str], str]
# Only queries searched at least this often are listed: rare text may name a person.
MIN_LISTED_SEARCH = 11


@dataclass(frozen=True)
class Table:
    key: str  # file name of the CSV export
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass
class Section:
    key: str  # 'needs', 'assets', 'services', 'gaps'
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[object] = field(default_factory=list)


@dataclass
class Report:
    title: str
    sections: list[Section]
    generated: date
    radius_miles: float

    def table(self, key: str) -> Table | None:
        return next((t for s in self.sections for t in s.tables if t.key == key), None)

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


@dataclass
class _Context:
    """What every section needs, loaded once per report."""

    session: Session
    _: Translate
    locale: str
    index: supply.SupplyIndex
    supply: supply.Supply
    needs: list[demand.NeedRow]
    referrals: list[demand.ReferralRow]
    match_gaps: list[demand.GapRow]
    radius: float
    partners: list[supply.MapPoint]

    def barrier_name(self, code: str) -> str:
        found = next((b for b in self.index.barriers if b.code == code), None)
        return found.name(self.locale) if found else code

    def language_name(self, code: str) -> str:
        if code == demand.OTHER_LANGUAGE:
            return self._("Other languages")
        return languages.name(code, self.locale)


def _texts(cells: Sequence[Cell]) -> tuple[str, ...]:
    return tuple(c.text for c in cells)


def _matrix_table(
    ctx: _Context,
    key: str,
    title: str,
    headers: tuple[str, Sequence[str]],
    labels: Sequence[str],
    values: Sequence[Sequence[int]],
    note: str = "",
) -> tuple[Table, SuppressedTable]:
    """A suppressed table with row totals, column totals and a grand total."""
    table = suppress_table(values)
    rows = [
        (label, *_texts(cells), total.text)
        for label, cells, total in zip(labels, table.cells, table.row_totals, strict=True)
    ]
    rows.append((ctx._("Total"), *_texts(table.column_totals), table.grand_total.text))
    columns = (headers[0], *headers[1], ctx._("Total"))
    return Table(key, title, columns, tuple(rows), note), table


def _list_table(
    ctx: _Context,
    key: str,
    title: str,
    headers: tuple[str, str],
    labels: Sequence[str],
    values: Sequence[int],
) -> tuple[Table, list[Cell]]:
    cells, total = suppress_list(values)
    rows = [(label, cell.text) for label, cell in zip(labels, cells, strict=True)]
    rows.append((ctx._("Total"), total.text))
    return Table(key, title, headers, tuple(rows)), cells


def _months(found: Sequence[str]) -> list[str]:
    if not found:
        return []
    first, last = min(found), max(found)
    return demand.months_between(
        date(int(first[:4]), int(first[5:]), 1), date(int(last[:4]), int(last[5:]), 1)
    )


def _needs_section(ctx: _Context, schools: Sequence[School], county: bool) -> Section:
    _ = ctx._
    section = Section("needs", _("Needs"))
    groups = [*supply.FEATURED_LANGUAGES, demand.OTHER_LANGUAGE]
    by_pair = demand.barrier_language_counts(ctx.needs, supply.FEATURED_LANGUAGES)
    codes = [b.code for b in ctx.index.barriers if any(by_pair[(b.code, g)] for g in groups)]
    table, cells = _matrix_table(
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
                    _texts(cells.row_totals),
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
            _matrix_table(
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
            _list_table(
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
            _list_table(
                ctx,
                "needs-by-grade",
                _("Families with needs by grade band"),
                (_("Grade band"), _("Families")),
                bands,
                [per_band[b] for b in bands],
            )[0]
        )
    per_month = demand.monthly(n.created for n in ctx.needs)
    months = _months(list(per_month))
    section.tables.append(
        _list_table(
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


def _supply_series(ctx: _Context, codes: Sequence[str]) -> charts.Series:
    totals = [row.total if (row := ctx.supply.for_barrier(c)) else 0 for c in codes]
    return charts.Series("supply", ctx._("Services"), totals, [str(t) for t in totals])


def _searches_table(ctx: _Context) -> Table:
    _ = ctx._
    found = demand.empty_searches(ctx.session)
    listed = [s for s in found if s.count >= MIN_LISTED_SEARCH]
    rest = sum(s.count for s in found if s.count < MIN_LISTED_SEARCH)
    rows = [
        (s.query, languages.name(s.locale, ctx.locale), s.filters, str(s.count)) for s in listed
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
    ctx: _Context, schools: Sequence[School], per_school: dict[str, supply.SchoolReach] | None
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


def _dot_map(ctx: _Context, schools: Sequence[School]) -> charts.DotMap:
    return charts.dot_map(
        ctx._("Schools and partner locations"),
        [
            supply.MapPoint(s.latitude, s.longitude, s.name)
            for s in schools
            if s.latitude is not None and s.longitude is not None
        ],
        ctx.partners,
    )


def _map_table(ctx: _Context, schools: Sequence[School]) -> Table:
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


def _services_section(ctx: _Context) -> Section:
    _ = ctx._
    section = Section("services", _("Services provided"))
    by_barrier = demand.outcomes_by_barrier(ctx.referrals)
    codes = [b.code for b in ctx.index.barriers if b.code in by_barrier]
    fields = ("made", "accepted", "declined", "completed", "not_completed")
    table = suppress_table([[getattr(by_barrier[c], f) for f in fields] for c in codes])
    rows = []
    for code, cells in zip(codes, table.cells, strict=True):
        outcome = by_barrier[code]
        rows.append((ctx.barrier_name(code), *_texts(cells), _median(ctx, outcome)))
    overall = demand.outcomes(ctx.referrals)
    rows.append((_("Total"), *_texts(table.column_totals), _median(ctx, overall)))
    section.tables.append(
        Table(
            "referrals-by-barrier",
            _("Referrals by barrier"),
            (
                _("Barrier"),
                _("Made"),
                _("Accepted"),
                _("Declined"),
                _("Completed"),
                _("Closed without completion"),
                _("Median days to completion"),
            ),
            tuple(rows),
            _("Medians are shown only when at least 11 referrals were completed."),
        )
    )
    made = demand.monthly(r.made for r in ctx.referrals)
    completed = demand.monthly(r.completed for r in ctx.referrals if r.completed)
    months = _months(list(made | completed))
    table = suppress_table([[made[m], completed[m]] for m in months])
    section.tables.append(
        Table(
            "referrals-by-month",
            _("Referrals by month"),
            (_("Month"), _("Made"), _("Completed")),
            (
                *((m, *_texts(cells)) for m, cells in zip(months, table.cells, strict=True)),
                (_("Total"), *_texts(table.column_totals)),
            ),
        )
    )
    section.charts.append(
        charts.line_chart(
            _("Referrals by month"),
            months,
            [
                charts.Series(
                    key,
                    label,
                    [row[i].shown for row in table.cells],
                    [row[i].text for row in table.cells],
                )
                for i, (key, label) in enumerate(
                    (("made", _("Made")), ("completed", _("Completed")))
                )
            ],
        )
    )
    return section


def _median(ctx: _Context, outcome: demand.ReferralOutcomes) -> str:
    if outcome.median_days is None or outcome.completed < MIN_LISTED_SEARCH:
        return "—"
    return f"{outcome.median_days:g}"


def _gaps_section(ctx: _Context) -> Section:
    _ = ctx._
    section = Section("gaps", _("Gaps"))
    kinds = {
        gaps.NO_SERVICE: _("No service reaches the school"),
        gaps.NOT_IN_LANGUAGE: _("No service in this language"),
        gaps.INTERPRETER_ONLY: _("Only through an interpreter"),
    }
    found = gaps.language_gaps(ctx.needs, ctx.supply)
    cells, _total = suppress_list([g.families for g in found])
    ordered = sorted(
        zip(found, cells, strict=True),
        key=lambda pair: (-(pair[1].shown or 0), pair[0].barrier, pair[0].language),
    )  # hidden counts sort by name, so their order reveals nothing
    section.tables.append(
        Table(
            "gaps-by-language",
            _("Barriers with need and no service in the families' language"),
            (
                _("Barrier"),
                _("Family language"),
                _("Families"),
                _("Services in the language"),
                _("Interpreter only"),
                _("Gap"),
            ),
            tuple(
                (
                    ctx.barrier_name(g.barrier),
                    ctx.language_name(g.language),
                    cell.text,
                    str(g.direct),
                    str(g.interpreter_only),
                    kinds[g.kind],
                )
                for g, cell in ordered
            ),
            _("Sorted by families affected, largest first."),
        )
    )
    found_referrals = gaps.referral_gaps(ctx.referrals, ctx.match_gaps)
    table = suppress_table(
        [[g.declined, g.not_completed, g.no_acceptable_service] for g in found_referrals]
    )
    rows = sorted(
        zip(found_referrals, table.cells, table.row_totals, strict=True),
        key=lambda item: (-(item[2].shown or 0), item[0].barrier),
    )
    section.tables.append(
        Table(
            "gaps-referrals",
            _("Referrals declined or never completed, and matches with no acceptable service"),
            (
                _("Barrier"),
                _("Declined"),
                _("Closed without completion"),
                _("No acceptable service"),
                _("Total"),
            ),
            (
                *((ctx.barrier_name(g.barrier), *_texts(c), t.text) for g, c, t in rows),
                (_("Total"), *_texts(table.column_totals), table.grand_total.text),
            ),
            _("Sorted by the number affected, largest first."),
        )
    )
    return section


def _schools(session: Session, school_ids: Sequence[str] | None = None) -> list[School]:
    statement = select(School).order_by(School.name)
    if school_ids is not None:
        statement = statement.where(School.id.in_(school_ids))
    return list(session.scalars(statement))


def county_report(
    session: Session,
    _: Translate,
    locale: str,
    radius: float = supply.DEFAULT_RADIUS_MILES,
    data: demand.DemandData | None = None,
) -> Report:
    """The county report: every school's needs, the assets reaching them, services, gaps."""
    schools = _schools(session)
    index = supply.load_index(session)
    county, per_school = supply.county_supply(index, schools, radius)
    data = data or demand.load(session)
    ctx = _context(session, _, locale, index, county, radius, data)
    sections = [
        _needs_section(ctx, schools, county=True),
        _assets_section(ctx, schools, per_school),
        _services_section(ctx),
        _gaps_section(ctx),
    ]
    return Report(_("Ventura County needs and assets report"), sections, date.today(), radius)


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
        _services_section(ctx),
        _gaps_section(ctx),
    ]
    title = _("Needs and assets report: %(school)s", school=school.name)
    return Report(title, sections, date.today(), radius)


def _context(session, _, locale, index, found, radius, data: demand.DemandData) -> _Context:
    return _Context(
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
