"""Where the table is in a sheet: the header row (one row, or two merged rows) found by its wording,
the unit the table states, the period and year its title gives, and what to say when no header is
found. No file reading here (reader.py) and no value parsing (values.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from openpyxl.utils import get_column_letter

from orchestration.ingest.csv_text import overwide_row
from orchestration.ingest.headers import SYNONYMS_SEED, normalise_header
from orchestration.ingest.kinds import KINDS, Kind
from orchestration.ingest.reference import correction_markers
from orchestration.ingest.values import (
    clean_text,
    find_period,
    find_unit,
    find_year,
    is_missing,
    named_period,
    parse_number,
    parse_yes_no,
)

HEADER_SEARCH_ROWS = 30


@dataclass
class Sheet:
    name: str | None  # None for a CSV
    rows: list[list[object]]
    hidden: bool = False  # a workbook sheet hidden in Excel (most often an old draft): not read
    unterminated: bool = False  # a CSV whose last line has no line break (as a copy cut short ends)


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
    best: tuple[tuple[int, int, int], str, list[str], dict[str, int]] | None = None
    for sheet in sheets:
        on_sheet = f"sheet {sheet.name}, " if sheet.name else ""
        for index in range(min(len(sheet.rows), HEADER_SEARCH_ROWS)):
            for height, cells in _header_candidates(sheet.rows, index):
                texts = [" ".join(str(c).split()) for c in cells if not _blank(c) and not _is_number(c)]
                if not texts:
                    continue
                columns = _match(cells, kind)[0]
                # a tie goes to the single row: under a title merged over two rows, the empty second
                # row joined to the header matches as much as the header alone ("rows 2-3")
                score = (len(required & columns.keys()), len(columns), -height)
                if best is None or score > best[0]:
                    rows = f"row {index + 1}" if height == 1 else f"rows {index + 1}-{index + 2}"
                    best = (score, on_sheet + rows, texts, columns)
    return best[1:] if best else None


def _missing_header_message(label: str, sheets: list[Sheet], kind: Kind, scope: str = "any sheet") -> str:
    """Why no header was found in `scope`: the columns missing, the headers seen, and the one-line fix."""
    expected = "、".join(f.zh for f in kind.required)
    start = f"{label}: no header with the {kind.label_zh} columns {expected} in the first {HEADER_SEARCH_ROWS} rows of {scope}"
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
    if not missing:  # the only tables are on sheets not read: the caller says which
        return start
    unnamed = [t for t in texts if normalise_header(t) not in kind.headers]
    # a header to name only when it can be no other: one column missing, one header not known
    guess = unnamed[0] if len(missing) == 1 and len(unnamed) == 1 else "<its header as written>"
    example = f"{kind.name},{missing[0].name},{guess}"
    return (
        f"{start}; missing {', '.join(f.title for f in missing)}. The closest row ({where}) has: "
        f"{' | '.join(texts)}. If a missing column is there under another name, add a row to "
        f"dbt_project/seeds/{SYNONYMS_SEED}, e.g. `{example}`" + _period_column_advice(label, sheets, missing)
    )


def _period_column_advice(label: str, sheets: list[Sheet], missing: list) -> str:
    """When only 报告期 is missing and the title or the name gives the month: that each line needs it
    (the month of a title or a name is the bureau's way, not this kind's), so there is no header to
    name in the seed."""
    if [f.name for f in missing] != ["period"]:
        return ""
    titled = next(  # a title's words: 2026年10月 企业月报, not a date cell of a data line
        (
            cell
            for sheet in sheets
            for cells in sheet.rows[:5]
            for cell in cells
            if isinstance(cell, str) and "年" in cell and find_period(cell)
        ),
        None,
    )
    named = find_period(PurePosixPath(label).stem)
    if titled is None and named is None:
        return ""
    said = (
        f"its title ({' '.join(str(titled).split())})" if titled is not None else f"its name ({named:%Y-%m})"
    )
    return (
        f". If there is no such column: {said} gives the month, but each line of this kind needs its own "
        "报告期; add the column, with the month on every line"
    )


def _table_unit(rows: list[list[object]], header: Header) -> str | None:
    """The unit of a unit line above the header (单位：万元), of a title ending in its unit (…（亿元）),
    or of a unit cell written beside the header, right of its columns (…| 研发费用 | 单位：亿元), if
    there is one."""
    mapped = set(header.columns.values())
    for number, cells in enumerate(rows[: header.first_row + header.height]):
        for column, cell in enumerate(cells):
            if number >= header.first_row and column in mapped:
                continue  # a header cell's own unit is its column's (Header.units)
            text = clean_text(cell)
            if "单位" in text and find_unit(text):
                return find_unit(text)
            # a title that ends in its unit: …主要指标（亿元）
            bracketed = _TITLE_UNIT.search(text) if number < header.first_row else None
            if bracketed and find_unit(bracketed.group(1)):
                return find_unit(bracketed.group(1))
    return None


def money_units(rows: list[list[object]], kind: Kind) -> dict[str, str]:
    """Header text → unit of the money columns of a table not in 万元 (which the reader converts to
    万元): what a person looking for a figure of a message in the file needs to know."""
    header = find_header(rows, kind)
    if header is None:
        return {}
    table_unit = _table_unit(rows, header)
    money = {field.name for field in kind.fields if field.money}
    units = {name: header.units.get(name) or table_unit for name in header.columns if name in money}
    return {header.labels[name]: unit for name, unit in units.items() if unit not in (None, "万元")}


# The bracket a title ends in, which may hold the table's unit: （亿元）, (万元)
_TITLE_UNIT = re.compile(r"\(([^()]*)\)$")


# The form's own particulars, printed above the table on official statistical forms (表号, 文号,
# 有效期至) or filled in by the sender (填报日期): a date there is not the period the table covers.
_FORM_PARTICULARS = re.compile(
    r"^(表号|制定机关|批准机关|(批准)?文号|有效期|(填报|报出|报送|制表|打印)(日期|时间))"
)


def _title_cells(rows: list[list[object]], header: Header) -> list[object]:
    """The cells above the header that may name the table's period or year, in reading order."""
    return [
        cell
        for cells in rows[: header.first_row]
        for cell in cells
        if not _FORM_PARTICULARS.match(clean_text(cell))
    ]


def _title_period(rows: list[list[object]], header: Header) -> dt.date | None:
    return next((period for cell in _title_cells(rows, header) if (period := find_period(cell))), None)


def stale_period(
    rows: list[list[object]], header: Header, parsed: list[dict[str, object]], file_name: str
) -> str | None:
    """Why a table whose name and title name the same month, and whose every line is dated before it,
    looks like last month's table filled in again with the 报告期 left as it was; else None. Its lines
    would silently revise the earlier month. A correction or late report (a marker in the name) may
    well carry earlier months, and a period typed far off is DQ14's to find, not this."""
    named = find_period(file_name)
    if named is None or any(marker in file_name.lower() for marker in correction_markers()):
        return None
    periods = {row.get("period") for row in parsed}
    if _title_period(rows, header) != named or not periods or not all(p and p < named for p in periods):
        return None
    shown = ", ".join(f"{p:%Y-%m}" for p in sorted(periods))
    return (
        f"its name and its title say {named:%Y-%m}, but every line's {header.labels.get('period', '报告期')} "
        f"is earlier ({shown}): was an earlier month's table filled in again with the period left as it was? "
        "Correct the period column (or the title and the name) and send the file again"
    )


def table_problem(
    sheet: Sheet, header: Header, parsed: list[dict[str, object]], file_name: str, kind: Kind
) -> str | None:
    """Why a table found and parsed would still be misread, or None: a field under two headers, a CSV
    line split by a thousands separator, an earlier month's table filled in again."""
    header_rows = range(header.first_row, header.first_row + header.height)
    return (
        _doubled_field(sheet.rows, header, kind)
        or (
            overwide_row(sheet.rows, header_rows, [int(row["source_row"]) for row in parsed])
            if sheet.name is None
            else None
        )
        or stale_period(sheet.rows, header, parsed, file_name)
    )


def _doubled_field(rows: list[list[object]], header: Header, kind: Kind) -> str | None:
    """Why a header naming one figure over two columns cannot be read (2025年1-10月 and 2026年1-10月
    side by side, each over 营业收入本年累计): the first would be taken, whichever year it is."""
    cells = rows[header.first_row]
    if header.height == 2:
        cells = _join_two_rows(rows[header.first_row], rows[header.first_row + 1])
    columns: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and (name := kind.headers.get(normalise_header(cell))):
            columns.setdefault(name, []).append(index)
    for name, indexes in columns.items():
        if len(indexes) > 1:
            heads = ", ".join(
                f"{get_column_letter(index + 1)} {' '.join(str(cells[index]).split())}" for index in indexes
            )
            return (
                f"{header.labels[name]} heads {len(indexes)} columns ({heads}), and planwatch cannot tell "
                "which is this table's: keep one (last year's figures belong in last year's file) and send "
                "the file again"
            )
    return None


def ticks_only(rows: list[dict[str, object]], kind: Kind, labels: dict[str, str]) -> str | None:
    """What to say of a table whose yes/no columns hold only yes marks (√, 是) and blanks: a blank is
    read as not answered, not as 否 (a survey so ticked drops the unticked enterprises from the
    digitalization rate, rather than counting them as not digitalized); None otherwise."""
    fields = [f.name for f in kind.fields if f.parse is parse_yes_no and any(f.name in row for row in rows)]
    answers = {row.get(name) for row in rows for name in fields}
    if not (True in answers and None in answers) or False in answers:
        return None
    return (
        f"its columns {'、'.join(labels.get(name, name) for name in fields)} hold only yes marks and blanks, "
        "no 否: a blank is read as not answered, not as 否; if a blank means 否 there, write 否 (or ×) and send "
        "the file again"
    )


def misnamed_month(source_file: str, periods: Iterable[str]) -> str | None:
    """What to say of a monthly file whose name gives a month that none of its lines is of (the
    months from its title or 报告期 column win, and its lines win over earlier files of those months),
    else None. It may be right (a bureau file named for the month it was released) or a
    month's table sent again under a new name, so it is said, not refused. A correction or late
    report names the month it was sent and may well carry only earlier months: nothing is said."""
    named = named_period(source_file)
    months = sorted({month for month in periods if month})
    if named is None or not months or named in months:
        return None
    if any(marker in PurePosixPath(source_file).stem.lower() for marker in correction_markers()):
        return None
    return (
        f"{source_file}: its name says {named}, but its lines are of {', '.join(months)} (by its title or "
        f"报告期 column), and count there, over what earlier files said of {'that month' if len(months) == 1 else 'those months'}; "
        "if the name is right, correct the title or the period column and send the file again"
    )


def _title_year(rows: list[list[object]], header: Header) -> int | None:
    return next(
        (year for cell in _title_cells(rows, header) if isinstance(cell, str) and (year := find_year(cell))),
        None,
    )


def _guess_kind(rows: list[list[object]], expected: Kind) -> str | None:
    for other in KINDS.values():
        if other.name != expected.name and find_header(rows, other):
            return other.name
    return None


def _blank(cell: object) -> bool:
    """An empty cell: nothing, or only blanks. Missing markers (—, /) are not blank: they are answers."""
    return cell is None or (isinstance(cell, str) and not cell.strip())
