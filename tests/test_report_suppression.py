"""Small-cell suppression: hand-made tables whose hidden cells are worked out by hand."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from matcher.reports.suppression import suppress_list, suppress_table


def texts(table) -> list[list[str]]:
    """The published table as text, margins included (last column and last row)."""
    rows = [
        [c.text for c in row] + [t.text]
        for row, t in zip(table.cells, table.row_totals, strict=True)
    ]
    return [*rows, [c.text for c in table.column_totals] + [table.grand_total.text]]


def test_one_small_cell_hides_a_partner_in_its_row_and_column_so_totals_recover_nothing():
    # 5 is primary; row 0 then hides 20 (its only other cell); columns 0 and 1 each
    # have one hidden cell, so 30 and 40 are hidden too. Margins stay visible.
    assert texts(suppress_table([[5, 20], [30, 40]])) == [
        ["<11", "*", "25"],
        ["*", "*", "70"],
        ["35", "60", "95"],
    ]


def test_the_complementary_cell_is_the_smallest_non_zero_cell_of_the_line():
    # Row 0: 7 is primary; 0 is skipped, 12 is smaller than 50, so 12 is hidden.
    # Column 0 (7, 30) and column 2 (12, 14) then hide 30 and 14, which closes row 1.
    assert texts(suppress_table([[7, 0, 12, 50], [30, 20, 14, 60]])) == [
        ["<11", "0", "*", "50", "69"],
        ["*", "20", "*", "60", "124"],
        ["37", "20", "26", "110", "193"],
    ]


def test_a_small_total_is_hidden_and_zeros_stay_visible():
    assert texts(suppress_table([[3, 0, 0]])) == [
        ["<11", "0", "0", "<11"],
        ["<11", "0", "0", "<11"],
    ]


def test_a_table_without_small_counts_is_published_unchanged():
    assert texts(suppress_table([[0, 15], [11, 20]])) == [
        ["0", "15", "15"],
        ["11", "20", "31"],
        ["11", "35", "46"],
    ]


def test_a_list_hides_its_small_count_and_the_next_smallest_but_keeps_the_total():
    cells, total = suppress_list([5, 40, 30])
    assert [c.text for c in cells] == ["<11", "40", "*"]
    assert total.text == "75"
    assert [c.shown for c in cells] == [None, 40, None]


def test_a_list_whose_total_is_small_hides_the_total():
    cells, total = suppress_list([2, 0])
    assert [c.text for c in cells] == ["<11", "0"]
    assert total.text == "<11"


@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(0, 40), min_size=width, max_size=width), min_size=1, max_size=6
        )
    )
)
def test_no_row_or_column_ever_has_exactly_one_hidden_entry(values):
    table = suppress_table(values)
    grid = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    grid.append([*table.column_totals, table.grand_total])
    lines = [list(row) for row in grid] + [list(col) for col in zip(*grid, strict=True)]
    for line in lines:
        assert sum(1 for cell in line if cell.hidden) != 1
    for cell in (c for row in grid for c in row):
        assert (cell.hidden == "primary") == (0 < cell.value < 11)
