"""Writing demo tables to files: the cells a layout asks for (money as text or numbers, periods and
names in their spellings, title, unit and total lines) and the .xlsx, .xls and .csv writers, which give
the same bytes for the same rows."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlwt
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from planwatch_demo.layouts import (
    FIXED_TIMESTAMP,
    KEY_COLUMN,
    NOTES,
    REMARKS,
    REPORTERS,
    SHEET_NAMES,
    SIGNATURE,
    BureauLine,
    Column,
    FilingLine,
    Layout,
    Line,
    Table,
    Unit,
)

# ---------- cells


_POWER = {"元": 4, "千元": 1, "万元": 0, "亿元": -4}
"""One 万元 in each unit, as a power of ten: a cent of 万元 is then a whole number of the unit's last
decimal place (元 whole, 千元 one decimal, 万元 two, 亿元 six)."""


def _power(unit: str) -> int:
    if unit not in _POWER:
        raise ValueError(f"unknown money unit {unit!r}")
    return _POWER[unit]


def money_text(cents: int, unit: str) -> str:
    """Exact decimal text of cents of 万元 in `unit`: 12345678 in 万元 → '123456.78'."""
    places = max(0, 2 - _power(unit))
    whole, fraction = divmod(abs(int(cents)) * 10 ** (_power(unit) + places - 2), 10**places)
    sign = "-" if cents < 0 else ""
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"


def cents_text(cents: int) -> str:
    """Exact decimal text of an amount in cents of 万元: 12345678 → '123456.78'."""
    return money_text(cents, "万元")


def money_number(cents: int, unit: str) -> float | int:
    """Cents of 万元 as a spreadsheet number in `unit`; its repr is the exact decimal."""
    if _power(unit) >= 2:
        return int(cents) * 10 ** (_power(unit) - 2)
    return int(cents) / 10 ** (2 - _power(unit))


_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def styled(text: str, style: str) -> str:
    """A number's text as people type it: thousands separators, full-width digits, stray spaces."""
    if style == "thousands":
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, dot, decimals = digits.partition(".")
        return f"{sign}{int(whole):,}{dot}{decimals}"
    if style == "fullwidth":
        return text.translate(_FULLWIDTH)
    if style == "spaces":
        return f" {text}  "
    return text


_PERIOD_STYLES = {
    "dash": "{year:04d}-{month:02d}",
    "compact": "{year:04d}{month:02d}",
    "month": "{year}年{month}月",
    "ytd": "{year}年1-{month}月",
    "dot": "{year:04d}.{month:02d}",
}


def period_cell(year: int, month: int, style: str, workbook: bool) -> object:
    """A period as it is typed: 2024-10, 202410 (a number in a workbook), 2024年10月, 2024年1-10月 or 2024.10."""
    if style not in _PERIOD_STYLES:
        raise ValueError(f"unknown period style {style!r}")
    if style == "compact" and workbook:
        return year * 100 + month
    return _PERIOD_STYLES[style].format(year=year, month=month)


def district_cell(unit: Unit, style: str) -> str:
    return {"name": unit.name, "code": unit.code, "short": unit.short_name}[style]


def industry_cell(line: BureauLine, style: str) -> str:
    return {"name": line.name, "code": line.code, "both": f"{line.code} {line.name}"}[style]


@dataclass(frozen=True)
class _Cells:
    """Cell values for one layout: numbers, counts and missing values as the layout writes them."""

    layout: Layout

    @property
    def workbook(self) -> bool:
        return self.layout.fmt != "csv"

    def money(self, cents: int | None) -> object:
        if cents is None:
            return self.layout.missing or (None if self.workbook else "")
        if self.layout.numbers == "plain":
            return (
                money_number(cents, self.layout.unit)
                if self.workbook
                else money_text(cents, self.layout.unit)
            )
        return styled(money_text(cents, self.layout.unit), self.layout.numbers)

    def count(self, value: int) -> object:
        if self.layout.numbers == "plain":
            return int(value) if self.workbook else str(value)
        return styled(str(value), self.layout.numbers)

    def percent(self, value: float | None) -> object:
        if value is None:
            return None if self.layout.numbers == "plain" else "—"
        if self.layout.numbers == "plain":
            return value if self.workbook else f"{value:.1f}"
        return styled(f"{value:.1f}", self.layout.numbers)


def _yoy(revenue: int, prior: int | None) -> float | None:
    return None if not prior else round((revenue / prior - 1) * 100, 1)


def _line_cells(table: Table, line: Line, index: int, columns: list[Column]) -> list[object]:
    layout = table.layout
    cells = _Cells(layout)
    values: dict[str, object]
    if isinstance(line, BureauLine):
        values = {
            "industry": industry_cell(line, layout.industry_style),
            "revenue": cells.money(line.revenue),
            "yoy": cells.percent(line.yoy),
        }
    else:
        values = {
            "district": district_cell(line.unit, layout.district_style),
            "period": period_cell(*line.period, layout.period_style, cells.workbook),
            "revenue": cells.money(line.revenue),
            "revenue_yoy": cells.percent(_yoy(line.revenue, line.prior)),
            "rd": cells.money(line.rd),
        }
        if isinstance(line, FilingLine):
            values.update(uscc=line.uscc, name=line.name, employees=cells.count(line.employees))
        else:
            values["count"] = cells.count(line.count)
    if layout.extra == "备注":
        values["extra"] = REMARKS[index // 9 % len(REMARKS)] if index % 9 == 4 else None
    elif layout.extra == "填报人":
        values["extra"] = REPORTERS[index % len(REPORTERS)]
    return [values[column.key] for column in columns]


def _total_cells(table: Table, columns: list[Column]) -> list[object]:
    cells = _Cells(table.layout)
    row: list[object] = []
    for column in columns:
        if column.key == KEY_COLUMN[table.kind]:
            row.append("合计")
        elif column.money:
            row.append(cells.money(sum(getattr(line, column.key) or 0 for line in table.lines)))
        elif column.key == "count":
            row.append(cells.count(sum(line.count for line in table.lines)))
        else:
            row.append(None)
    return row


def _header_label(column: Column, layout: Layout) -> str:
    label = column.en if layout.english else column.zh
    if layout.unit_place == "header" and column.money:
        label += f"（{layout.unit}）"
    return label


TITLES = {
    "filings": "{year}年1-{month}月重庆市规模以上电子信息制造业企业月报",
    "districts": "{year}年1-{month}月各区县电子信息制造业主要指标报送表",
    "bureau": "{year}年1-{month}月重庆市规模以上工业企业营业收入（分行业）",
}


Merge = tuple[int, int, int, int]
"""Merged cells: 0-based first row, first column, last row, last column."""


@dataclass
class Rendered:
    rows: list[list[object]]
    merges: list[Merge]
    line_rows: list[int]  # 1-based row of each line


def render(table: Table) -> Rendered:
    """The rows of a table's file, its merged header cells and where each line went."""
    layout = table.layout
    columns = table.columns()
    width = len(columns)
    rows: list[list[object]] = []
    merges: list[Merge] = []

    def blank() -> None:
        rows.append([None] * width)

    if layout.title:
        year, month = table.period
        rows.append([TITLES[table.kind].format(year=year, month=month)] + [None] * (width - 1))
        if layout.blank_rows:
            blank()
    if layout.unit_place == "line":
        unit_line = f"单位：{layout.unit}"
        rows.append(
            [None] * (width - 1) + [unit_line] if layout.unit_right else [unit_line] + [None] * (width - 1)
        )
    if layout.two_row_header:
        top: list[object] = []
        bottom: list[object] = []
        first = len(rows)
        for index, column in enumerate(columns):
            if column.top is None:  # one label over both rows
                top.append(_header_label(column, layout))
                bottom.append(None)
                merges.append((first, index, first + 1, index))
            elif index > 0 and columns[index - 1].top == column.top:  # under the group to its left
                top.append(None)
                bottom.append(column.sub)
                start = index - 1
                if merges and merges[-1] == (first, merges[-1][1], first, index - 1):
                    start = merges.pop()[1]  # the group already spans more than one column
                merges.append((first, start, first, index))
            else:
                top.append(column.top)
                bottom.append(column.sub)
        rows += [top, bottom]
    else:
        rows.append([_header_label(column, layout) for column in columns])
    line_rows: list[int] = []
    middle = len(table.lines) // 2
    for index, line in enumerate(table.lines):
        if layout.blank_rows and index == middle and index > 0:
            blank()
        rows.append(_line_cells(table, line, index, columns))
        line_rows.append(len(rows))
    if layout.total_row:
        rows.append(_total_cells(table, columns))
    if layout.notes:
        if layout.blank_rows:
            blank()
        rows.append([NOTES[(table.kind, layout.notes)]] + [None] * (width - 1))
        rows.append([SIGNATURE] + [None] * (width - 1))
    return Rendered(rows, merges, line_rows)


# ---------- writers


def _save_workbook(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and zip timestamps, so equal content gives equal bytes."""
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    date_time = FIXED_TIMESTAMP.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))


def write_xlsx(
    path: Path, sheet: str, rows: Iterable[Sequence[object]], merges: Sequence[Merge] = ()
) -> None:
    """One-sheet workbook, rows as given (None is an empty cell); `merges` are 0-based cell ranges."""
    wb = Workbook(write_only=not merges)
    if merges:
        ws = wb.active
        ws.title = sheet
    else:
        ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(list(row))
    for first_row, first_col, last_row, last_col in merges:
        ws.merge_cells(
            start_row=first_row + 1, start_column=first_col + 1, end_row=last_row + 1, end_column=last_col + 1
        )
    _save_workbook(wb, path)


def write_xls(path: Path, sheet: str, rows: Sequence[Sequence[object]], merges: Sequence[Merge] = ()) -> None:
    """A real BIFF8 .xls workbook (Excel 97-2003), as older reporting systems export it."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    covered: set[tuple[int, int]] = set()
    for first_row, first_col, last_row, last_col in merges:
        ws.write_merge(first_row, last_row, first_col, last_col, rows[first_row][first_col])
        covered |= {(r, c) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in covered:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())


def write_csv(path: Path, rows: Iterable[Sequence[object]], encoding: str) -> None:
    """CSV with CRLF line ends, as spreadsheet programs export it."""
    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    path.write_bytes(text.getvalue().encode(encoding))


def write_table(out: Path, table: Table) -> None:
    """Write a table's file under `out` and remember the row of each line."""
    rendered = render(table)
    path = out / table.rel
    sheet = SHEET_NAMES[table.kind]
    if table.layout.fmt == "xlsx":
        write_xlsx(path, sheet, rendered.rows, rendered.merges)
    elif table.layout.fmt == "xls":
        write_xls(path, sheet, rendered.rows, rendered.merges)
    else:
        write_csv(path, rendered.rows, table.layout.encoding)
    table.rows = rendered.line_rows
