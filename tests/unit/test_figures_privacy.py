"""Small-cell suppression on fixed tables: small cells hidden, and no total gives one away."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from portal.figures.privacy import FEWER_THAN, Cell, Table, count, share, statistic, suppress


def _values(table: Table) -> list[list[int | None]]:
    return [[cell.value for cell in row] for row in table.cells]


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [row[:] for row in rows if any(row)]
    rank, width = 0, len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column]:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _workable_out(table: Table) -> list[tuple[int, int]]:
    """Hidden cells that the sums shown determine: an independent check (by ranks: a hidden
    cell is determined when its column of the sums is not spanned by the other hidden cells')."""
    n, width = len(table.cells), len(table.cells[0])
    grid = {(r, c): cell for r, row in enumerate(table.cells) for c, cell in enumerate(row)}
    lines: list[list[tuple[tuple[int, int], int]]] = []
    if table.row_totals is not None:
        for r, total in enumerate(table.row_totals):
            grid[(r, width)] = total
            lines.append([((r, c), 1) for c in range(width)] + [((r, width), -1)])
    if table.column_totals is not None:
        for c, total in enumerate(table.column_totals):
            grid[(n, c)] = total
            lines.append([((r, c), 1) for r in range(n)] + [((n, c), -1)])
    if table.grand_total is not None:
        grid[(n, width)] = table.grand_total
        lines.append([((n, c), 1) for c in range(width)] + [((n, width), -1)])
        lines.append([((r, width), 1) for r in range(n)] + [((n, width), -1)])
    hidden = sorted(key for key, cell in grid.items() if cell.hidden)
    matrix = [[Fraction(dict(line).get(key, 0)) for key in hidden] for line in lines]
    full = _rank(matrix)
    return [key for i, key in enumerate(hidden)
            if _rank([row[:i] + row[i + 1:] for row in matrix]) < full]


def test_a_locality_with_3_referrals_shows_fewer_than_5_everywhere_and_no_total_reveals_it():
    # Rows: localities; columns: months. Brixham had 3 referrals (2 in March, 1 in May).
    counts = [[2, 0, 1, 0], [12, 9, 14, 11], [30, 25, 27, 33]]
    table = suppress(counts)
    brixham = table.cells[0]
    assert [cell.text() for cell in brixham] == [FEWER_THAN, "0", FEWER_THAN, "0"]
    assert table.row_totals is not None and table.row_totals[0].text() == FEWER_THAN
    assert _workable_out(table) == []
    # Whatever is shown, the month totals and the grand total do not add up to Brixham's 3.
    assert table.column_totals is not None and table.grand_total is not None
    shown_rows = [total.value for total in table.row_totals[1:]]
    assert None in shown_rows or table.grand_total.hidden or (
        table.grand_total.value - sum(v for v in shown_rows if v is not None) != 3)


def test_a_single_small_cell_is_hidden_with_a_complement_in_its_row_and_column():
    table = suppress([[2, 10, 10], [10, 10, 10], [10, 10, 10]])
    assert _values(table) == [[None, None, 10], [None, None, 10], [10, 10, 10]]
    assert table.cells[0][0] == Cell(None, "small")
    assert table.cells[1][1] == Cell(None, "complement")
    assert table.row_totals == (Cell(22), Cell(30), Cell(30))
    assert table.grand_total == Cell(82)
    assert _workable_out(table) == []


def test_a_small_total_is_hidden_and_cannot_be_worked_out_from_the_others():
    table = suppress([[2, 1, 0], [10, 10, 10], [10, 10, 10]])
    assert table.row_totals is not None and table.row_totals[0].hidden
    assert _workable_out(table) == []


def test_zero_is_shown_and_large_cells_are_untouched_when_nothing_is_small():
    table = suppress([[0, 5], [7, 100]])
    assert _values(table) == [[0, 5], [7, 100]]
    assert table.grand_total == Cell(112)


def test_column_totals_only_still_hide_a_complement_in_the_column():
    table = suppress([[20, 3, 40], [10, 20, 30]], row_totals=False)
    assert table.row_totals is None and table.grand_total is None
    assert _values(table) == [[20, None, 40], [10, None, 30]]
    assert table.column_totals is not None and table.column_totals[1].value == 23
    assert _workable_out(table) == []


def test_a_one_cell_table_of_3_hides_the_cell_and_its_totals():
    table = suppress([[3]])
    assert _values(table) == [[None]]
    assert table.row_totals == (Cell(None, "small"),)
    assert table.grand_total is not None and table.grand_total.hidden


def test_rows_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same number of cells"):
        suppress([[1, 2], [3]])


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_let_a_hidden_cell_be_worked_out(seed):
    rng = random.Random(seed)
    rows, columns = rng.randint(1, 5), rng.randint(1, 6)
    counts = [[rng.choice([0, 1, 2, 3, 4, 5, 8, 13, 40]) for _ in range(columns)]
              for _ in range(rows)]
    for row_totals, column_totals in itertools.product((True, False), repeat=2):
        table = suppress(counts, row_totals=row_totals, column_totals=column_totals)
        assert _workable_out(table) == [], (counts, row_totals, column_totals)
        for r, c in itertools.product(range(rows), range(columns)):
            if 0 < counts[r][c] < 5:
                assert table.cells[r][c].hidden
            elif not table.cells[r][c].hidden:
                assert table.cells[r][c].value == counts[r][c]


def test_a_share_needs_a_shown_group_and_no_small_part():
    assert share(10, Cell(40)) == Fraction(1, 4)
    assert share(0, Cell(40)) == 0
    assert share(2, Cell(40)) is None    # 2 urgent: small
    assert share(38, Cell(40)) is None   # the 2 others would follow
    assert share(3, Cell(None, "small")) is None
    assert share(0, Cell(0)) is None


def test_a_statistic_is_shown_only_for_a_shown_group_of_5_or_more():
    assert statistic(4.5, Cell(12)) == 4.5
    assert statistic(4.5, Cell(None, "complement")) is None
    assert statistic(4.5, count(3)) is None
    assert count(3).text("weniger als 5") == "weniger als 5"
