"""Turn one received file into typed rows: find the sheet and header, parse every cell, keep origins.

Nothing in a file is evaluated: workbooks are read for their cached values only (python-calamine),
CSVs are decoded as UTF-8 (with or without BOM) or GB18030, whichever reads cleanly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from orchestration.ingest.headers import SYNONYMS_SEED, normalise_header
from orchestration.ingest.kinds import KINDS, Field, Kind, derived_columns
from orchestration.ingest.values import (
    clean_text,
    find_period,
    find_unit,
    find_year,
    is_missing,
    parse_number,
    to_wan,
)

HEADER_SEARCH_ROWS = 30
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
# A note line ends the table: 注：…, 说明：…, 资料来源：…
_NOTE = re.compile(r"^(注|说明|备注|资料来源|数据来源)\d*[:：]?")
# Total lines are sums of the rows above them, not data.
_TOTAL_LABELS = frozenset({"合计", "总计", "全市", "全市合计", "总计合计"})


class FileRejected(Exception):
    """A file that cannot be read as its kind; the message says what is wrong and how to fix it."""


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
class Sheet:
    name: str | None  # None for a CSV
    rows: list[list[object]]


@dataclass
class ParsedFile:
    """The typed rows of one file and what the ledger needs to know about it."""

    kind: str
    rows: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    sheets: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # field name → header text as the file has it

    @property
    def periods(self) -> list[dt.date]:
        return sorted({row["period"] for row in self.rows if row.get("period") is not None})

    @property
    def districts(self) -> list[str]:
        return sorted({str(row["district_code"]) for row in self.rows if row.get("district_code")})


def decode_csv(data: bytes) -> str:
    """CSV bytes as text: UTF-8 with or without BOM first, then GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("is neither UTF-8 nor GB18030 text; save it as CSV UTF-8 or as .xlsx")


def read_sheets(path: Path, limits: Limits | None = None, data: bytes | None = None) -> list[Sheet]:
    """Every sheet of a workbook, or the one table of a CSV, as rows of cell values. With `data`, the
    file's bytes as already read (the path then only names the file and its suffix)."""
    limits = limits or Limits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileRejected(f"has suffix '{path.suffix}'; send .xlsx, .xls or .csv")
    check_limits(path if data is None else data, limits)
    if suffix == ".csv":
        text = decode_csv(path.read_bytes() if data is None else data)
        rows = []
        for row in csv.reader(io.StringIO(text)):
            rows.append(row)
            if len(rows) > limits.max_rows:
                raise FileRejected(f"has more than {limits.max_rows:,} rows (PLANWATCH_MAX_ROWS); split it")
        return [Sheet(None, rows)]
    try:
        workbook = (
            python_calamine.CalamineWorkbook.from_path(str(path))
            if data is None
            else python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        )
        sheets = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.total_height > limits.max_rows:
                raise FileRejected(
                    f"sheet {name} has {sheet.total_height:,} rows, over the {limits.max_rows:,} limit (PLANWATCH_MAX_ROWS); split it"
                )
            sheets.append(Sheet(name, sheet.to_python(skip_empty_area=False)))
        return sheets
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own error types for zip, xml and cfb damage
        raise FileRejected(
            f"cannot be opened as a workbook ({type(exc).__name__}: {exc}); re-save it from Excel"
        ) from exc


@dataclass(frozen=True)
class Header:
    """Where a table's header is and which column holds which field."""

    first_row: int  # 0-based index of the header's first row
    height: int  # 1 or 2 rows
    columns: dict[str, int]  # field name → column index
    units: dict[str, str | None]  # field name → unit named in its header cell
    labels: dict[str, str]  # field name → header text as the file has it


def _match(cells: list[object], kind: Kind) -> tuple[dict[str, int], dict[str, str]]:
    """Which column holds which field: the first cell whose normalised text the seed names for it."""
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    lookup = kind.headers
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue  # numbers and dates are data, never a header
        name = lookup.get(normalise_header(cell))
        if name is not None and name not in columns:
            columns[name] = index
            labels[name] = cell.strip()
    return columns, labels


def _join_two_rows(top: list[object], bottom: list[object]) -> list[object]:
    """Two header rows as one: a merged top cell (empty to its right) spans the cells under it."""
    width = max(len(top), len(bottom))
    top = list(top) + [""] * (width - len(top))
    bottom = list(bottom) + [""] * (width - len(bottom))
    joined: list[object] = []
    carried = ""
    for upper, lower in zip(top, bottom, strict=True):
        upper_text = "" if is_missing(upper) else str(upper)
        if upper_text:
            carried = upper_text
        lower_text = "" if is_missing(lower) else str(lower)
        if lower_text:
            joined.append((upper_text or carried) + lower_text)
        else:
            joined.append(upper_text)
            carried = upper_text
    return joined


def _header_candidates(rows: list[list[object]], index: int) -> list[tuple[int, list[object]]]:
    """Row `index` as a header on its own, and joined with the row under it (a two-row header)."""
    candidates: list[tuple[int, list[object]]] = [(1, rows[index])]
    if index + 1 < len(rows):
        candidates.append((2, _join_two_rows(rows[index], rows[index + 1])))
    return candidates


def _is_number(cell: object) -> bool:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    try:
        return isinstance(cell, str) and parse_number(cell) is not None
    except ValueError:
        return False


def find_header(rows: list[list[object]], kind: Kind) -> Header | None:
    """The first row (or pair of rows) within the top of a sheet that names every required column."""
    required = {f.name for f in kind.required}
    for index in range(min(len(rows), HEADER_SEARCH_ROWS)):
        (_, cells), *two_rows = _header_candidates(rows, index)
        columns, labels = _match(cells, kind)
        height = 1
        # Two rows are one header only when the lower row alone is not already a header (else the upper
        # row is a title or unit line that must stay above it), and when joining names more columns, or
        # as many with a lower row of words, not numbers (主营业务收入 over 本年累计 | 同比增长(%)).
        if two_rows and not required <= _match(rows[index + 1], kind)[0].keys():
            joined_columns, joined_labels = _match(two_rows[0][1], kind)
            if required <= joined_columns.keys() and (
                len(joined_columns) > len(columns)
                or (
                    len(joined_columns) == len(columns)
                    and joined_labels != labels
                    and not any(_is_number(cell) for cell in rows[index + 1])
                )
            ):
                columns, labels, height = joined_columns, joined_labels, 2
        if required <= columns.keys():
            units = {name: find_unit(labels[name]) for name in columns}
            return Header(index, height, columns, units, labels)
    return None


def _closest_header(sheets: list[Sheet], kind: Kind) -> tuple[str, list[str], dict[str, int]] | None:
    """The row (or two rows) that came closest to being the header: most required fields, then most
    fields matched; if none matched anything, the first row with text. Where it is, its cells, its matches."""
    required = {f.name for f in kind.required}
    best: tuple[tuple[int, int], str, list[str], dict[str, int]] | None = None
    for sheet in sheets:
        on_sheet = f"sheet {sheet.name}, " if sheet.name else ""
        for index in range(min(len(sheet.rows), HEADER_SEARCH_ROWS)):
            for height, cells in _header_candidates(sheet.rows, index):
                texts = [" ".join(str(c).split()) for c in cells if not _blank(c) and not _is_number(c)]
                if not texts:
                    continue
                columns = _match(cells, kind)[0]
                score = (len(required & columns.keys()), len(columns))
                if best is None or score > best[0]:
                    rows = f"row {index + 1}" if height == 1 else f"rows {index + 1}-{index + 2}"
                    best = (score, on_sheet + rows, texts, columns)
    return best[1:] if best else None


def _missing_header_message(label: str, sheets: list[Sheet], kind: Kind) -> str:
    """Why no header was found: the columns missing, the headers seen, and the one-line fix."""
    expected = "、".join(f.zh for f in kind.required)
    start = f"{label}: no header with the {kind.label_zh} columns {expected} in the first {HEADER_SEARCH_ROWS} rows of any sheet"
    guess = next((g for sheet in sheets if (g := _guess_kind(sheet.rows, kind))), None)
    if guess:
        return (
            f"{start}; it looks like a {KINDS[guess].label_zh} ({guess}) file, which belongs in raw/{guess}/"
        )
    closest = _closest_header(sheets, kind)
    if closest is None:
        return f"{start}; add a header row naming these columns"
    where, texts, columns = closest
    missing = [f for f in kind.required if f.name not in columns]
    unnamed = [t for t in texts if normalise_header(t) not in kind.headers]
    example = f"{kind.name},{missing[0].name},{unnamed[0] if unnamed else '<the header as written>'}"
    return (
        f"{start}; missing {', '.join(f.title for f in missing)}. The closest row ({where}) has: "
        f"{' | '.join(texts)}. If a missing column is there under another name, add a row to "
        f"dbt_project/seeds/{SYNONYMS_SEED}, e.g. `{example}`"
    )


def _table_unit(rows: list[list[object]], header: Header) -> str | None:
    """The unit of a unit line above the header (单位：万元), if there is one."""
    for cells in rows[: header.first_row]:
        for cell in cells:
            text = clean_text(cell)
            if "单位" in text and find_unit(text):
                return find_unit(text)
    return None


def _title_period(rows: list[list[object]], header: Header) -> dt.date | None:
    for cells in rows[: header.first_row]:
        for cell in cells:
            period = find_period(cell)
            if period:
                return period
    return None


def _title_year(rows: list[list[object]], header: Header) -> int | None:
    for cells in rows[: header.first_row]:
        for cell in cells:
            year = find_year(cell) if isinstance(cell, str) else None
            if year:
                return year
    return None


def _guess_kind(rows: list[list[object]], expected: Kind) -> str | None:
    for other in KINDS.values():
        if other.name != expected.name and find_header(rows, other):
            return other.name
    return None


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
    fields: dict[str, Field] = {f.name: f for f in kind.fields}
    key_field = kind.required[0].name
    key_column = header.columns[key_field]
    extras = _extra_columns(sheet.rows, header)
    # (name, column, parse, unit) per mapped column, resolved once per sheet.
    plan = [
        (
            name,
            column,
            fields[name].parse,
            (header.units.get(name) or table_unit) if fields[name].money else None,
        )
        for name, column in header.columns.items()
    ]
    money = {name for name, *_ in plan if fields[name].money}
    absent = {f.name: None for f in kind.fields if f.name not in header.columns}
    # Texts repeat down a column (periods, districts, names): parse each distinct text once.
    memo: dict[str, dict[str, object]] = {name: {} for name in header.columns}
    out: list[dict[str, object]] = []
    for index in range(header.first_row + header.height, len(sheet.rows)):
        cells = sheet.rows[index]
        first = (
            cells[0] if cells and not _blank(cells[0]) else next((c for c in cells if not _blank(c)), None)
        )
        if first is None:
            continue  # blank line
        if isinstance(first, str) and not first.isascii() and _NOTE.match(clean_text(first)):
            break  # notes under the table (注：…, 说明：…)
        key_cell = _cell(cells, key_column)
        if isinstance(key_cell, str) and not key_cell.isascii() and clean_text(key_cell) in _TOTAL_LABELS:
            continue  # 合计, 总计: sums of the rows above
        row_number = index + 1
        row: dict[str, object] = {"source_sheet": sheet.name, "source_row": row_number}
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
                raise FileRejected(
                    f"{where}, row {row_number}: {header.labels[name]}: {exc}; correct the cell and send the file again"
                ) from exc
            row[name] = value
        if row.get(key_field) is None:
            raise FileRejected(
                f"{where}, row {row_number}: {header.labels[key_field]} is empty; every row needs it"
            )
        row.update(absent)
        if kind.name == "bureau" and row.get("period") is None:
            row["period"] = default_period
        if default_year is not None and row.get("registry_year") is None:
            row["registry_year"] = default_year
        if extras:
            kept = {label: _extra_text(_cell(cells, column)) for column, label in extras.items()}
            kept = {label: value for label, value in kept.items() if value is not None}
            row["extra_columns"] = json.dumps(kept, ensure_ascii=False) if kept else None
        else:
            row["extra_columns"] = None
        row.update(derived_columns(kind, row))
        out.append(row)
    return out


_MISS = object()


def _blank(cell: object) -> bool:
    """An empty cell: nothing, or only blanks. Missing markers (—, /) are not blank: they are answers."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


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
    readable = [sheet for sheet in sheets if find_header(sheet.rows, kind)]
    if not readable:
        raise FileRejected(_missing_header_message(label, sheets, kind))
    file_period = find_period(path.stem)
    file_year = find_year(path.stem) if kind_name == "registry" else None
    for sheet in readable:
        rows = parse_sheet(sheet, kind, label, file_period, file_year)
        header = find_header(sheet.rows, kind)
        if header is not None:
            parsed.labels = {**header.labels, **parsed.labels}
        parsed.rows.extend(rows)
        parsed.rows_read += len(rows)
        if sheet.name:
            parsed.sheets.append(sheet.name)
    if not parsed.rows:
        raise FileRejected(f"{label}: the header is there but no data rows follow it")
    return parsed
