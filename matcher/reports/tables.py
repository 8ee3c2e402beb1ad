"""The shapes every report section is made of: tables of display strings, sections, reports.

A ``Table`` holds cells already suppressed, so the page and the CSV export render the
very same strings. ``Context`` is what the section builders (``build`` and
``outcomes``) read, loaded once per report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from matcher.directory import languages
from matcher.reports import demand, supply
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
class Context:
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


def texts(cells: Sequence[Cell]) -> tuple[str, ...]:
    return tuple(c.text for c in cells)


def matrix_table(
    ctx: Context,
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
        (label, *texts(cells), total.text)
        for label, cells, total in zip(labels, table.cells, table.row_totals, strict=True)
    ]
    rows.append((ctx._("Total"), *texts(table.column_totals), table.grand_total.text))
    columns = (headers[0], *headers[1], ctx._("Total"))
    return Table(key, title, columns, tuple(rows), note), table


def list_table(
    ctx: Context,
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


def month_range(found: Sequence[str]) -> list[str]:
    if not found:
        return []
    first, last = min(found), max(found)
    return demand.months_between(
        date(int(first[:4]), int(first[5:]), 1), date(int(last[:4]), int(last[5:]), 1)
    )
