"""The report's last two sections: services provided (referral outcomes) and gaps.

Referral counts are of families' referrals, so every cell goes through suppression;
medians are shown only when at least ``MIN_LISTED_SEARCH`` referrals were completed.
"""

from __future__ import annotations

from matcher.reports import charts, demand, gaps
from matcher.reports.suppression import suppress_list, suppress_table
from matcher.reports.tables import MIN_LISTED_SEARCH, Context, Section, Table, month_range, texts


def services_section(ctx: Context) -> Section:
    _ = ctx._
    section = Section("services", _("Services provided"))
    by_barrier = demand.outcomes_by_barrier(ctx.referrals)
    codes = [b.code for b in ctx.index.barriers if b.code in by_barrier]
    fields = ("made", "accepted", "declined", "completed", "not_completed")
    table = suppress_table([[getattr(by_barrier[c], f) for f in fields] for c in codes])
    rows = []
    for code, cells in zip(codes, table.cells, strict=True):
        outcome = by_barrier[code]
        rows.append((ctx.barrier_name(code), *texts(cells), _median(ctx, outcome)))
    overall = demand.outcomes(ctx.referrals)
    rows.append((_("Total"), *texts(table.column_totals), _median(ctx, overall)))
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
    months = month_range(list(made | completed))
    table = suppress_table([[made[m], completed[m]] for m in months])
    section.tables.append(
        Table(
            "referrals-by-month",
            _("Referrals by month"),
            (_("Month"), _("Made"), _("Completed")),
            (
                *((m, *texts(cells)) for m, cells in zip(months, table.cells, strict=True)),
                (_("Total"), *texts(table.column_totals)),
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


def _median(ctx: Context, outcome: demand.ReferralOutcomes) -> str:
    if outcome.median_days is None or outcome.completed < MIN_LISTED_SEARCH:
        return "—"
    return f"{outcome.median_days:g}"


def gaps_section(ctx: Context) -> Section:
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
                *((ctx.barrier_name(g.barrier), *texts(c), t.text) for g, c, t in rows),
                (_("Total"), *texts(table.column_totals), table.grand_total.text),
            ),
            _("Sorted by the number affected, largest first."),
        )
    )
    return section
