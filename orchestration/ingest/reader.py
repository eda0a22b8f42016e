"""Turn one received file into typed rows: find the sheet and header, parse every cell, keep origins.

Nothing in a file is evaluated: workbooks are read for their cached values only (python-calamine),
CSVs are decoded as UTF-8 (with or without BOM) or GB18030, whichever reads cleanly.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
from python_calamine import SheetVisibleEnum

from orchestration.ingest.csv_text import FileRejected, cut_short_note, read_csv_rows
from orchestration.ingest.kinds import KINDS, Field, Kind, derived_columns
from orchestration.ingest.layout import (
    Header,
    Sheet,
    _blank,
    _join_two_rows,
    _missing_header_message,
    _table_unit,
    _title_period,
    _title_year,
    find_header,
    money_units,
    table_problem,
    ticks_only,
)
from orchestration.ingest.reference import set_aside, total_labels
from orchestration.ingest.values import (
    check_unit,
    clean_text,
    find_period,
    find_year,
    is_missing,
    to_wan,
)
from orchestration.ingest.xlsx_scan import scan_sheets, unsaved_formulas_message

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
# A note line ends the table: 注：…, 说明：…, 资料来源：…
# Lines under a table that end it: notes, and the form's signature line (填表人：… 联系电话：…).
_NOTE = re.compile(
    r"^((注|说明|备注|资料来源|数据来源)\d*[:：]?|(填表人|填报人|制表人|审核人|联系人|联系电话|"
    r"(单位|统计)?负责人|(填报|报出|报送)日期)\s*[:：])"
)
# The numbering before a region's line: 一、 (一) 1. 1、
_ENUMERATION = re.compile(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[.、])")


@dataclass(frozen=True)
class Limits:
    """What a broken or hostile file cannot get past. A workbook is a zip: its unpacked size and its
    compression ratio are checked before anything is unpacked, so a zip bomb is rejected, not opened."""

    max_file_bytes: int = 200 * 2**20
    max_unpacked_bytes: int = 1 * 2**30
    max_compression_ratio: int = 200
    max_rows: int = 1_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, overridden by PLANWATCH_MAX_FILE_MB, PLANWATCH_MAX_UNPACKED_MB and PLANWATCH_MAX_ROWS."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for variable, name, scale in (
            ("PLANWATCH_MAX_FILE_MB", "max_file_bytes", 2**20),
            ("PLANWATCH_MAX_UNPACKED_MB", "max_unpacked_bytes", 2**20),
            ("PLANWATCH_MAX_ROWS", "max_rows", 1),
        ):
            if environ.get(variable):
                try:
                    values[name] = int(float(environ[variable]) * scale)
                except ValueError as exc:
                    raise ValueError(f"{variable} is '{environ[variable]}'; give a number") from exc
        return cls(**values)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def check_limits(source: Path | bytes, limits: Limits) -> None:
    """Refuse a file that is too large, or a workbook that would unpack too large, before reading it."""
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    if size > limits.max_file_bytes:
        raise FileRejected(
            f"is {_mb(size)}, over the {_mb(limits.max_file_bytes)} limit (PLANWATCH_MAX_FILE_MB); "
            "split it by period or district"
        )
    path = io.BytesIO(source) if isinstance(source, bytes) else source
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(f"is a damaged zip/xlsx ({exc}); re-save it from Excel") from exc
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise FileRejected(
            f"would unpack to {_mb(unpacked)}, over the {_mb(limits.max_unpacked_bytes)} limit "
            "(PLANWATCH_MAX_UNPACKED_MB); it was not unpacked. Split it, or remove formatting and empty rows"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 2**20 and ratio > limits.max_compression_ratio:
            raise FileRejected(
                f"holds {member.filename}, which would unpack {ratio:,.0f} times its packed size "
                f"(limit {limits.max_compression_ratio}); a real sheet does not compress like that, so it "
                "was not unpacked. Re-save the workbook from Excel"
            )


@dataclass
class ParsedFile:
    """The typed rows of one file and what the ledger needs to know about it."""

    kind: str
    rows: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    sheets: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # field name → header text as the file has it
    hidden_tables: list[str] = field(default_factory=list)  # hidden sheets with a table, not read
    set_aside_tables: list[str] = field(default_factory=list)  # "sheet (why)" named as no data, not read
    notes: list[str] = field(default_factory=list)  # what the log says of the file as it is read
    hidden_rows: list[str] = field(default_factory=list)  # "sheet row" of data rows Excel hides, read
    money_units: dict[str, str] = field(default_factory=dict)  # header → unit, where not 万元 (converted)

    @property
    def periods(self) -> list[dt.date]:
        return sorted({row["period"] for row in self.rows if row.get("period") is not None})

    @property
    def districts(self) -> list[str]:
        return sorted({str(row["district_code"]) for row in self.rows if row.get("district_code")})


def read_sheets(path: Path, limits: Limits | None = None, data: bytes | None = None) -> list[Sheet]:
    """Every sheet of a workbook, or the one table of a CSV, as rows of cell values. With `data`, the
    file's bytes as already read (the path then only names the file and its suffix)."""
    limits = limits or Limits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileRejected(f"has suffix '{path.suffix}'; send .xlsx, .xls or .csv")
    check_limits(path if data is None else data, limits)
    if (len(data) if data is not None else path.stat().st_size) == 0:
        raise FileRejected("is empty (0 bytes): nothing to read; send the file again (was its copy cut off?)")
    if suffix == ".csv":
        text = path.read_bytes() if data is None else data
        return [
            Sheet(None, read_csv_rows(text, limits.max_rows), unterminated=not text.endswith((b"\n", b"\r")))
        ]
    try:
        workbook = (
            python_calamine.CalamineWorkbook.from_path(str(path))
            if data is None
            else python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        )
        sheets = []
        hidden = {meta.name for meta in workbook.sheets_metadata if meta.visible != SheetVisibleEnum.Visible}
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.total_height > limits.max_rows:
                raise FileRejected(
                    f"sheet {name} has {sheet.total_height:,} rows, over the {limits.max_rows:,} limit (PLANWATCH_MAX_ROWS); split it"
                )
            sheets.append(Sheet(name, sheet.to_python(skip_empty_area=False), hidden=name in hidden))
        return sheets
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own error types for zip, xml and cfb damage
        raise FileRejected(
            f"cannot be opened as a workbook ({type(exc).__name__}: {exc}); re-save it from Excel"
        ) from exc


def parse_sheet(
    sheet: Sheet, kind: Kind, file_label: str, file_period: dt.date | None, file_year: int | None = None
) -> list[dict[str, object]]:
    """Typed rows of one sheet; raises FileRejected naming the row and column of a bad cell."""
    header = find_header(sheet.rows, kind)
    assert header is not None
    where = f"{file_label}" + (f", sheet {sheet.name}" if sheet.name else "")
    table_unit = _table_unit(sheet.rows, header)
    default_period = _title_period(sheet.rows, header) or file_period
    if kind.name == "bureau" and "period" not in header.columns and default_period is None:
        raise FileRejected(
            f"{where}: no period found; put it in the title row (2024年1-10月…) or the file name (…_2024-10.xlsx)"
        )
    # a registry is a list as of a year: its 统计年度 column, else the year its title or name gives
    default_year = (_title_year(sheet.rows, header) or file_year) if kind.name == "registry" else None
    key_field = kind.required[0].name
    key_column = header.columns[key_field]
    extras = _extra_columns(sheet.rows, header)
    plan, money = _column_plan(kind, header, table_unit)
    _check_units(plan, header, where)
    absent = {f.name: None for f in kind.fields if f.name not in header.columns}
    # Texts repeat down a column (periods, districts, names): parse each distinct text once.
    memo: dict[str, dict[str, object]] = {name: {} for name in header.columns}
    out: list[dict[str, object]] = []
    for index in range(header.first_row + header.height, len(sheet.rows)):
        cells = sheet.rows[index]
        line = _line_kind(cells, key_column)
        if line == "notes":
            break  # notes under the table (注：…, 说明：…)
        if line != "data":
            continue  # a blank line, or 合计/总计: sums of the rows above
        row_number = index + 1
        row: dict[str, object] = {"source_sheet": sheet.name, "source_row": row_number}
        try:
            _parse_cells(row, cells, plan, memo, money)
        except _BadCell as bad:
            raise FileRejected(
                f"{where}, row {row_number}: {header.labels[bad.name]}: {bad.__cause__}; "
                "correct the cell and send the file again"
            ) from bad.__cause__
        if row.get(key_field) is None:
            raise FileRejected(
                f"{where}, row {row_number}: {header.labels[key_field]} is empty; every row needs it"
            )
        row.update(absent)
        if kind.name == "bureau" and row.get("period") is None:
            row["period"] = default_period
        if default_year is not None and row.get("registry_year") is None:
            row["registry_year"] = default_year
        row["extra_columns"] = _extras_json(cells, extras)
        row.update(derived_columns(kind, row))
        out.append(row)
    return out


def _column_plan(
    kind: Kind, header: Header, table_unit: str | None
) -> tuple[list[tuple[str, int, Callable[[object], object], str | None]], set[str]]:
    """(name, column, parse, unit) per mapped column, resolved once per sheet, and the money fields."""
    fields: dict[str, Field] = {f.name: f for f in kind.fields}
    plan = [
        (
            name,
            column,
            fields[name].parse,
            (header.units.get(name) or table_unit) if fields[name].money else None,
        )
        for name, column in header.columns.items()
    ]
    return plan, {name for name, *_ in plan if fields[name].money}


def _check_units(
    plan: list[tuple[str, int, Callable[[object], object], str | None]], header: Header, where: str
) -> None:
    """Refuse a money column in a unit planwatch cannot convert (万美元), before any row is read."""
    for name, _, _, unit in plan:
        if unit is None:
            continue
        try:
            check_unit(unit)
        except ValueError as exc:
            raise FileRejected(f"{where}: {header.labels[name]}: {exc}") from exc


def _extras_json(cells: Sequence[object], extras: dict[int, str]) -> str | None:
    """The columns the kind does not know, as JSON {header: value}: kept aside, never dropped."""
    kept = {label: _extra_text(_cell(cells, column)) for column, label in extras.items()}
    kept = {label: value for label, value in kept.items() if value is not None}
    return json.dumps(kept, ensure_ascii=False) if kept else None


_MISS = object()


class _BadCell(Exception):
    """A cell that does not parse, by field name (the cause is the parser's ValueError)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _line_kind(cells: Sequence[object], key_column: int) -> str:
    """blank, notes (注：… under the table: the end), total (合计, 总计, 小计) or data."""
    first = cells[0] if cells and not _blank(cells[0]) else next((c for c in cells if not _blank(c)), None)
    if first is None:
        return "blank"
    if isinstance(first, str) and not first.isascii() and _NOTE.match(clean_text(first)):
        return "notes"
    # 合计 stands in the key column, in the first (序号 | 所属区县 | …: 合计 under 序号), or is the
    # first text (12 | — | 合计 | …: numbered, with — for its credit code)
    label = next((c for c in cells if isinstance(c, str) and not is_missing(c)), None)
    if _is_total(_cell(cells, key_column)) or _is_total(first) or _is_total(label):
        return "total"
    return "data"


def _is_total(cell: object) -> bool:
    """A total line's label, which sums other lines: one of seed total_labels (合计, 全市合计, the city's
    重庆市, a region's 一、主城都市区; a colon after it too), or a subtotal such as 两江新区小计."""
    if not isinstance(cell, str) or cell.isascii():
        return False
    text = _ENUMERATION.sub("", clean_text(cell).rstrip(":："))
    return text in total_labels() or text.endswith(("小计", "合计"))


def _parse_cells(
    row: dict[str, object],
    cells: Sequence[object],
    plan: list[tuple[str, int, Callable[[object], object], str | None]],
    memo: dict[str, dict[str, object]],
    money: set[str],
) -> None:
    """Parse a line's mapped cells into `row`: texts through each column's memo (a text repeated down a
    column is parsed once), money converted to 万元."""
    for name, column, parse, unit in plan:
        raw = cells[column] if column < len(cells) else None
        try:
            if isinstance(raw, str):
                column_memo = memo[name]
                value = column_memo.get(raw, _MISS)
                if value is _MISS:
                    value = column_memo[raw] = parse(raw)
            else:
                value = parse(raw)
            if name in money and unit not in (None, "万元"):
                value = to_wan(value, unit)
        except ValueError as exc:
            raise _BadCell(name) from exc
        row[name] = value


def _extra_columns(rows: list[list[object]], header: Header) -> dict[int, str]:
    """Columns the kind does not know, by index, with their header text: kept aside, not an error."""
    cells = rows[header.first_row]
    if header.height == 2:
        cells = _join_two_rows(rows[header.first_row], rows[header.first_row + 1])
    known = set(header.columns.values())
    return {
        index: str(cell).strip()
        for index, cell in enumerate(cells)
        if index not in known and not is_missing(cell)
    }


def _extra_text(value: object) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(cells: list[object], column: int) -> object:
    return cells[column] if column < len(cells) else None


def _no_table_message(label: str, sheets: list[Sheet], kind: Kind, parsed: ParsedFile) -> str:
    """Why no sheet read has the kind's table, and where one is that is not read (hidden, or named as
    no data)."""
    read = [s for s in sheets if not s.hidden and not set_aside(s.name)]
    unread = parsed.hidden_tables or parsed.set_aside_tables  # then "of any sheet" alone would be untrue
    message = _missing_header_message(
        label, read or sheets, kind, "any sheet planwatch reads" if unread else "any sheet"
    )
    if parsed.hidden_tables:
        message += (
            f"; the hidden sheet {', '.join(parsed.hidden_tables)} has such a table, but planwatch reads "
            "only the sheets Excel shows (a hidden sheet is most often an old draft): unhide it if it is "
            "the data, or move the data to a visible sheet"
        )
    if parsed.set_aside_tables:
        message += (
            f"; the sheet {', '.join(parsed.set_aside_tables)} has such a table, but its name says it is "
            "not the data: rename the sheet if it is"
        )
    return message


def parse_file(
    path: Path,
    kind_name: str,
    file_label: str | None = None,
    limits: Limits | None = None,
    data: bytes | None = None,
) -> ParsedFile:
    """Read one file as `kind_name` (from `data` when its bytes are already read); FileRejected says
    why it cannot be."""
    kind = KINDS[kind_name]
    label = file_label or path.name
    try:
        sheets = read_sheets(path, limits, data)
    except FileRejected as exc:
        raise FileRejected(f"{label} {exc}") from exc
    parsed = ParsedFile(kind=kind_name)
    tables = [sheet for sheet in sheets if find_header(sheet.rows, kind)]
    parsed.hidden_tables = [str(s.name) for s in tables if s.hidden]
    parsed.set_aside_tables = [
        f"{s.name} ({why})" for s in tables if not s.hidden and (why := set_aside(s.name))
    ]
    readable = [sheet for sheet in tables if not sheet.hidden and not set_aside(sheet.name)]
    if not readable:
        raise FileRejected(_no_table_message(label, sheets, kind, parsed))
    scans = scan_sheets(path, data)
    file_period = find_period(path.stem)
    file_year = find_year(path.stem) if kind_name == "registry" else None
    for sheet in readable:
        where, scan = f"{label}" + (f", sheet {sheet.name}" if sheet.name else ""), scans.get(str(sheet.name))
        try:
            rows = parse_sheet(sheet, kind, label, file_period, file_year)
        except FileRejected:  # a cell left empty by an unsaved formula is the cause to name
            if why := unsaved_formulas_message(scan, None):
                raise FileRejected(f"{where}: {why}") from None
            raise
        read = {int(row["source_row"]) for row in rows}
        header = find_header(sheet.rows, kind)
        if header is not None:
            if why := unsaved_formulas_message(scan, read) or table_problem(
                sheet, header, rows, path.stem, kind
            ):
                raise FileRejected(f"{where}: {why}")
            parsed.labels = {**header.labels, **parsed.labels}
        parsed.rows.extend(rows)
        parsed.rows_read += len(rows)
        parsed.hidden_rows += [f"{sheet.name} {n}" for n in (scan.hidden_rows if scan else []) if n in read]
        parsed.money_units.update(money_units(sheet.rows, kind))
        if note := cut_short_note(sheet.rows, sheet.unterminated, read):
            parsed.notes.append(f"{label}: {note}")
        if sheet.name:
            parsed.sheets.append(sheet.name)
    if not parsed.rows:
        raise FileRejected(f"{label}: the header is there but no data rows follow it")
    if note := ticks_only(parsed.rows, kind, parsed.labels):
        parsed.notes.append(f"{label}: {note}")
    return parsed
