"""Small-cell suppression for published counts of families, needs and referrals.

The rule (applied to every table of person counts, on the page and in CSV alike):

1. **Primary.** A count from 1 to 10 is shown as ``<11``. Zero is shown: it
   describes nobody.
2. **Lines.** A table is published with its margins: every row has a row total,
   every column a column total, and there is a grand total. Each row and each
   column (the totals row and column included) is a *line*: its cells add up to
   its total. A line with exactly one hidden entry gives that entry away by
   subtraction.
3. **Complementary.** So, while some line has exactly one hidden entry, hide one
   more entry of that line: the smallest non-zero shown cell; if the line has no
   such cell, its total. Complementary cells are shown as ``*``, not ``<11``,
   because they are usually larger than 10 and ``<11`` would be false.
4. Repeat 3 until no line has exactly one hidden entry (each step hides one more
   entry, so it ends).

This is the usual "at least two hidden entries per line" rule. It stops recovery
by subtracting within one table; it does not claim to stop every linear-algebra
attack across several published tables that share margins, which is why the
reports publish each breakdown as its own table and keep breakdowns coarse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 11
PRIMARY_MARK = "<11"
COMPLEMENTARY_MARK = "*"


@dataclass(frozen=True)
class Cell:
    """One published number: its true value stays private to the server."""

    value: int
    hidden: str = ""  # '', 'primary' or 'complementary'

    @property
    def shown(self) -> int | None:
        return None if self.hidden else self.value

    @property
    def text(self) -> str:
        if self.hidden == "primary":
            return PRIMARY_MARK
        if self.hidden == "complementary":
            return COMPLEMENTARY_MARK
        return str(self.value)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class SuppressedTable:
    """A table with margins after suppression: ``cells[r][c]``, ``row_totals[r]``..."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    grand_total: Cell


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


def suppress_table(values: Sequence[Sequence[int]]) -> SuppressedTable:
    """Suppress a rows x columns table of counts and its margins (see the module rule)."""
    rows = [list(map(int, row)) for row in values]
    n_cols = len(rows[0]) if rows else 0
    if any(len(row) != n_cols for row in rows):
        raise ValueError("every row needs the same number of columns")
    if any(v < 0 for row in rows for v in row):
        raise ValueError("counts cannot be negative")
    # A grid with the margins in the last row and column.
    grid = [[*row, sum(row)] for row in rows]
    grid.append([sum(col) for col in zip(*grid, strict=True)] if grid else [0])
    height, width = len(grid), len(grid[0])
    hidden = [["primary" if is_small(v) else "" for v in line] for line in grid]

    lines = [[(r, c) for c in range(width)] for r in range(height)]
    lines += [[(r, c) for r in range(height)] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for r, c in line if hidden[r][c]) != 1:
                continue
            *members, total = line
            candidates = [
                (grid[r][c], (r, c)) for r, c in members if grid[r][c] and not hidden[r][c]
            ]
            if candidates:
                r, c = min(candidates)[1]
            elif not hidden[total[0]][total[1]]:
                r, c = total
            else:  # the hidden entry is the total and every cell is zero: nothing to protect
                continue
            hidden[r][c] = "complementary"
            changed = True

    cells = [[Cell(grid[r][c], hidden[r][c]) for c in range(width)] for r in range(height)]
    return SuppressedTable(
        cells=[row[:-1] for row in cells[:-1]],
        row_totals=[row[-1] for row in cells[:-1]],
        column_totals=cells[-1][:-1],
        grand_total=cells[-1][-1],
    )


def suppress_list(values: Sequence[int]) -> tuple[list[Cell], Cell]:
    """A one-column table (e.g. counts by month) and its total."""
    table = suppress_table([[v] for v in values])
    return [row[0] for row in table.cells], table.grand_total
