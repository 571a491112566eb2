"""What a figures page shows: tables of text cells (small cells already hidden), bar charts
made from them, and the same tables as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from babel.numbers import format_percent as _format_percent
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _

from portal.figures.privacy import Cell, Table, suppress


def fewer() -> str:
    return _("fewer than 5")


def of_group(group: Cell, text: str) -> str:
    """A share or statistic of a group: "no data" for an empty group, else ``text``."""
    return _("no data") if group.value == 0 else text


def number(cell: Cell) -> str:
    return fewer() if cell.value is None else format_decimal(cell.value)


def plain(value: int) -> str:
    """A count that is not about people (listings, guidance items): shown as it is."""
    return format_decimal(value)


def percent(value: Fraction | float | None) -> str:
    if value is None:
        return fewer()
    return _format_percent(float(value), "#,##0%", locale=get_locale() or "en")


def decimal(value: float | None) -> str:
    return fewer() if value is None else format_decimal(round(value, 1), "#,##0.0")


def month_label(month: date) -> str:
    return format_date(month, "MMM yyyy")


def week_label(monday: date) -> str:
    return format_date(monday, "d MMM yyyy")


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[str]
    total: bool = False


@dataclass(frozen=True)
class DisplayTable:
    key: str
    caption: str
    row_header: str
    columns: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden
    text: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    summary: str

    @property
    def top(self) -> float:
        return max((bar.value for bar in self.bars if bar.value is not None), default=0) or 1


@dataclass
class Page:
    key: str
    title: str
    intro: str
    tables: list[DisplayTable] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def counts_table(key: str, caption: str, row_header: str, row_labels: Sequence[str],
                 column_labels: Sequence[str], counts: Sequence[Sequence[int]], *,
                 row_totals: bool = True, column_totals: bool = True) -> tuple[DisplayTable, Table]:
    """A table of counts about people, suppressed, with the totals asked for."""
    table = suppress(counts, row_totals=row_totals, column_totals=column_totals,
                     width=len(column_labels))
    columns = list(column_labels) + ([_("Total")] if row_totals else [])
    rows = []
    for i, label in enumerate(row_labels):
        cells = [number(cell) for cell in table.cells[i]]
        if table.row_totals is not None:
            cells.append(number(table.row_totals[i]))
        rows.append(Row(label, cells))
    if table.column_totals is not None:
        cells = [number(cell) for cell in table.column_totals]
        if table.grand_total is not None:
            cells.append(number(table.grand_total))
        rows.append(Row(_("Total"), cells, total=True))
    return DisplayTable(key, caption, row_header, columns, rows), table


def bar_chart(key: str, title: str, labels: Sequence[str], cells: Sequence[Cell | float | None],
              texts: Sequence[str] | None = None) -> Chart:
    values = [c.value if isinstance(c, Cell) else c for c in cells]
    shown = texts or [fewer() if v is None else format_decimal(v) for v in values]
    bars = [Bar(label, None if v is None else float(v), text)
            for label, v, text in zip(labels, values, shown, strict=True)]
    return Chart(key, title, bars, summarise(bars))


def summarise(bars: Sequence[Bar]) -> str:
    shown = [bar for bar in bars if bar.value is not None]
    hidden = len(bars) - len(shown)
    if not shown:
        return _("No bar can be shown: every figure is fewer than 5 or there is none.")
    highest = max(shown, key=lambda bar: bar.value or 0)
    lowest = min(shown, key=lambda bar: bar.value or 0)
    text = _("Highest: %(label)s (%(value)s). Lowest: %(low_label)s (%(low_value)s).",
             label=highest.label, value=highest.text, low_label=lowest.label, low_value=lowest.text)
    if hidden:
        text += " " + _("Bars not drawn because the figure is fewer than 5: %(count)s.",
                        count=format_decimal(hidden))
    return text


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """Words people typed never run as a spreadsheet formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def as_csv(page: Page) -> str:
    """Every table of the page, one figure a line: table, row, column, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Table"), _("Row"), _("Column"), _("Value")])
    for table in page.tables:
        for row in table.rows:
            for column, value in zip(table.columns, row.cells, strict=True):
                writer.writerow([_safe(table.caption), _safe(row.label), _safe(column), _safe(value)])
    return out.getvalue()
