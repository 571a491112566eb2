"""Small-cell suppression: no figure lets anyone pick out a person.

Rules (``docs/figures.md`` explains them for readers):

1. **Primary**: a count from 1 to 4 is never shown; it reads "fewer than 5" (pages and CSV).
   Zero is shown: it says nobody, and it is needed to see a gap.
2. **Complementary**: a table shows its row and column totals, so a hidden cell could be worked
   out by subtracting the cells shown from a total. After the primary step the table's sums are
   solved exactly (Gaussian elimination, in integers, on the hidden cells); while any hidden
   cell (a total included) can be worked out, one more cell is hidden: a cell shown on the sum
   that gives it away, non-zero before zero, one that closes a loop of hidden cells before one
   that starts a new chain, a cell before a total, the smallest first. Repeat until nothing
   hidden can be worked out; then show again each extra cell (largest first) whose showing
   reveals no hidden cell.
3. **Derived figures**: a share, median or percentile of a group is shown only when the group's
   count is itself shown (5 or more). A share is hidden too when its numerator, or the rest of
   the group, is 1 to 4 (so "95 % of 40" does not reveal the 2 others).

Everything here is pure: tested on fixed numbers in ``tests/unit/test_figures_privacy.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, TypeVar

THRESHOLD = 5
FEWER_THAN = "fewer than 5"  # the CSV's text; pages show the translated words

Reason = Literal["small", "complement"]
T = TypeVar("T")


@dataclass(frozen=True)
class Cell:
    """One figure: its value, or hidden (``value`` is then None) and why."""

    value: int | None
    reason: Reason | None = None

    @property
    def hidden(self) -> bool:
        return self.value is None

    def text(self, fewer_than: str = FEWER_THAN) -> str:
        return fewer_than if self.value is None else str(self.value)


@dataclass(frozen=True)
class Table:
    """A suppressed table of counts: cells, and the totals it shows (None when not asked)."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...] | None
    column_totals: tuple[Cell, ...] | None
    grand_total: Cell | None


def is_small(value: int, threshold: int = THRESHOLD) -> bool:
    return 0 < value < threshold


def count(value: int, threshold: int = THRESHOLD) -> Cell:
    """A single count with no total beside it."""
    return Cell(None, "small") if is_small(value, threshold) else Cell(value)


def suppress(counts: Sequence[Sequence[int]], *, row_totals: bool = True,
             column_totals: bool = True, threshold: int = THRESHOLD,
             width: int | None = None) -> Table:
    """Hide small cells of ``counts`` (rows of equal length) and enough others that no hidden
    cell can be worked out from the cells and totals shown. ``width``: the number of columns
    of a table that may have no rows."""
    rows = [list(row) for row in counts]
    width = len(rows[0]) if rows else (width or 0)
    if any(len(row) != width for row in rows):
        raise ValueError("every row of a table has the same number of cells")
    grid = _extended(rows, width, row_totals, column_totals)
    lines = _lines(len(rows), width, row_totals, column_totals)
    hidden: dict[tuple[int, int], Reason] = {
        key: "small" for key, value in grid.items() if is_small(value, threshold)}
    while True:
        revealed = _first_revealed(lines, hidden)
        if revealed is None:
            break
        extra = _complement(grid, lines, hidden, revealed, len(rows), width)
        if extra is None:  # everything is hidden already
            break
        hidden[extra] = "complement"
    _show_what_is_safe(lines, hidden, grid)
    return _table(grid, hidden, len(rows), width, row_totals, column_totals)


def share(numerator: int, group: Cell, threshold: int = THRESHOLD) -> Fraction | None:
    """``numerator / group`` when it can be shown: the group is shown, and neither the
    numerator nor the rest of the group is 1 to 4. None means "fewer than 5"."""
    if group.value is None or group.value == 0:
        return None
    if is_small(numerator, threshold) or is_small(group.value - numerator, threshold):
        return None
    return Fraction(numerator, group.value)


def statistic(value: T | None, group: Cell) -> T | None:
    """A median or percentile of a group, shown only when the group's count is shown."""
    if group.value is None or group.value < THRESHOLD:
        return None
    return value


# The table's sums as lines of cells -------------------------------------------------------
#
# Cells are keyed (row, column) on an extended grid: row ``n`` holds the column totals and
# column ``m`` the row totals; (n, m) is the grand total, present when both totals are.

Key = tuple[int, int]


def _extended(rows: list[list[int]], width: int, row_totals: bool, column_totals: bool
              ) -> dict[Key, int]:
    grid = {(r, c): value for r, row in enumerate(rows) for c, value in enumerate(row)}
    n = len(rows)
    if row_totals:
        for r, row in enumerate(rows):
            grid[(r, width)] = sum(row)
    if column_totals:
        for c in range(width):
            grid[(n, c)] = sum(row[c] for row in rows)
    if row_totals and column_totals:
        grid[(n, width)] = sum(sum(row) for row in rows)
    return grid


def _lines(n: int, width: int, row_totals: bool, column_totals: bool
           ) -> list[list[tuple[Key, int]]]:
    """Each sum the table shows, as cells with signs: the parts +1, the total -1 (sum zero)."""
    lines: list[list[tuple[Key, int]]] = []
    if row_totals:
        for r in range(n):
            lines.append([((r, c), 1) for c in range(width)] + [((r, width), -1)])
        if column_totals:
            lines.append([((n, c), 1) for c in range(width)] + [((n, width), -1)])
    if column_totals:
        for c in range(width):
            lines.append([((r, c), 1) for r in range(n)] + [((n, c), -1)])
        if row_totals:
            lines.append([((r, width), 1) for r in range(n)] + [((n, width), -1)])
    return lines


def _first_revealed(lines: list[list[tuple[Key, int]]],
                    hidden: dict[Key, Reason]) -> Key | None:
    """A hidden cell whose value follows from the cells shown and the sums, if any (one alone
    on a sum first, as that sum is where a complement helps).

    Only the hidden cells are unknown; a hidden cell is determined exactly when its unit
    vector lies in the row space of the sums restricted to the hidden cells, that is when a
    row of the reduced row echelon form has a single non-zero entry."""
    unknowns = sorted(hidden)
    if not unknowns:
        return None
    index = {key: i for i, key in enumerate(unknowns)}
    matrix: list[list[int]] = []
    for line in lines:
        row = [0] * len(unknowns)
        touched = False
        for key, sign in line:
            if key in index:
                row[index[key]] = sign
                touched = True
        if touched:
            matrix.append(row)
    determined = [unknowns[nonzero[0]] for row in _reduced(matrix)
                  if len(nonzero := [i for i, value in enumerate(row) if value != 0]) == 1]
    if not determined:
        return None

    def exposure(key: Key) -> int:  # hidden cells on the sum through it that hides it least
        return min(sum(k in hidden for k, _ in line) for line in lines
                   if any(k == key for k, _ in line))

    return min(determined, key=lambda key: (exposure(key), key))


def _show_what_is_safe(lines: list[list[tuple[Key, int]]], hidden: dict[Key, Reason],
                       grid: dict[Key, int]) -> None:
    """Hiding one cell at a time can hide more than needed: show again each complement (the
    largest first) whose showing leaves every hidden cell unknown."""
    for key in sorted((k for k, why in hidden.items() if why == "complement"),
                      key=lambda k: (-grid[k], k)):
        del hidden[key]
        if _first_revealed(lines, hidden) is not None:
            hidden[key] = "complement"


def _reduced(matrix: list[list[int]]) -> list[list[Any]]:
    """Reduced row echelon form. The sums of a table are a totally unimodular system (each
    unknown is in at most two sums, with +1 or -1), so pivots stay +1 or -1 and the arithmetic
    stays in integers; a fraction is used only if a pivot is anything else."""
    rows: list[list[Any]] = [row[:] for row in matrix]
    if not rows:
        return []
    width = len(rows[0])
    pivot_row = 0
    for column in range(width):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        if pivot in (1, -1):
            rows[pivot_row] = [value * pivot for value in rows[pivot_row]]
        else:
            rows[pivot_row] = [Fraction(value) / pivot for value in rows[pivot_row]]
        lead = rows[pivot_row]
        nonzero = [i for i, value in enumerate(lead) if value != 0]
        for r in range(len(rows)):
            factor = rows[r][column]
            if r != pivot_row and factor != 0:
                row = rows[r]
                for i in nonzero:
                    row[i] -= factor * lead[i]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    return rows[:pivot_row]


def _complement(grid: dict[Key, int], lines: list[list[tuple[Key, int]]],
                hidden: dict[Key, Reason], revealed: Key, n: int, width: int) -> Key | None:
    """The cell to hide so that ``revealed`` can no longer be worked out.

    Looked for first on the sum through ``revealed`` with the fewest hidden cells (the one that
    gives it away); there, a non-zero cell before a zero, one whose other sum already has a
    hidden cell (closing a loop, so both stay unknown) before one that starts a new chain, a
    cell before a total, the smallest value first."""
    def is_total(key: Key) -> bool:
        return key[0] == n or key[1] == width

    def loops(key: Key, skip: list[tuple[Key, int]]) -> bool:
        return any(any(k in hidden for k, _ in line) for line in lines
                   if line is not skip and any(k == key for k, _ in line))

    through = sorted((line for line in lines if any(k == revealed for k, _ in line)),
                     key=lambda line: sum(k in hidden for k, _ in line))
    for line in through:
        shown = [k for k, _ in line if k not in hidden]
        if shown:
            return min(shown, key=lambda k: (grid[k] == 0, not loops(k, line), is_total(k),
                                              grid[k], k))
    shown_anywhere = [k for k in sorted(grid) if k not in hidden]
    if not shown_anywhere:
        return None
    return min(shown_anywhere, key=lambda k: (grid[k] == 0, is_total(k), grid[k], k))


def _table(grid: dict[Key, int], hidden: dict[Key, Reason], n: int, width: int,
           row_totals: bool, column_totals: bool) -> Table:
    def cell(key: Key) -> Cell:
        return Cell(None, hidden[key]) if key in hidden else Cell(grid[key])

    return Table(
        cells=tuple(tuple(cell((r, c)) for c in range(width)) for r in range(n)),
        row_totals=tuple(cell((r, width)) for r in range(n)) if row_totals else None,
        column_totals=tuple(cell((n, c)) for c in range(width)) if column_totals else None,
        grand_total=cell((n, width)) if row_totals and column_totals else None,
    )
