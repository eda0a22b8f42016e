"""What calamine does not say of a workbook's sheet, read from an .xlsx sheet's XML (or an .xls's row
records). Which rows Excel hides: calamine reads cell values, not row formatting, so a row an office
hid (an enterprise that left, an old figure kept out of sight) is read like any other, and the ingest
says which rows those were. Which cells hold a formula with no saved result: a program that writes
formulas without calculating them (a system export) leaves those cells empty to calamine, and the
reader refuses the file rather than read them as blanks."""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_TARGET = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_TARGET_FIRST = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ROW = re.compile(rb"<row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(1|true)"')
# A cell with a formula (<f>…</f> or a shared one, <f … />), and a saved result in it: <v>…</v>, also
# <v></v>, Excel's empty text; a writer that does not calculate leaves <v/> or no <v> at all
_FORMULA_CELL = re.compile(
    rb'<c\b[^>]*?\br="(?P<ref>[A-Z]+\d+)"[^>]*>(?P<body>(?:(?!</c>).){0,8192}?<f\b.*?)</c>', re.S
)
_SAVED_VALUE = re.compile(rb"<v>")


@dataclass(frozen=True)
class SheetScan:
    hidden_rows: list[int]  # 1-based numbers of the rows Excel hides
    unsaved_formulas: list[tuple[int, str]]  # (row number, cell) of formulas with no saved result


def scan_sheets(path: Path, data: bytes | None = None) -> dict[str, SheetScan]:
    """Sheet name → what its XML says of hidden rows and unsaved formulas, for the sheets with any
    (of an .xls, its hidden rows, from xlrd's row records); {} for a file of another kind or that
    cannot be read this way (the reader has already opened it)."""
    if path.suffix.lower() == ".xls":
        return _scan_xls(path, data)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            names = set(archive.namelist())
            rels = archive.read("xl/_rels/workbook.xml.rels")
            targets = {rid: target for rid, target in _TARGET.findall(rels)}
            targets |= {rid: target for target, rid in _TARGET_FIRST.findall(rels)}
            found: dict[str, SheetScan] = {}
            for name, rid in _SHEET.findall(archive.read("xl/workbook.xml")):
                target = targets.get(rid, b"").decode().lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                if member not in names:
                    continue
                with archive.open(member) as xml:
                    scan = _scan(xml)
                if scan.hidden_rows or scan.unsaved_formulas:
                    found[html.unescape(name.decode("utf-8"))] = scan
            return found
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        return {}


def _scan(xml, chunk: int = 1 << 20) -> SheetScan:
    """A sheet's XML read a megabyte at a time (a sheet can be hundreds); a tag or a cell cut between
    two reads is whole in the next, which starts with the end of the one before."""
    hidden: set[int] = set()
    unsaved: set[tuple[int, str]] = set()
    tail = b""
    while block := xml.read(chunk):
        text = tail + block
        if b'hidden="' in text:  # the common case, no row hidden, costs one search a megabyte
            for tag in _ROW.finditer(text):
                if _HIDDEN.search(tag.group()) and (number := _ROW_NUMBER.search(tag.group())):
                    hidden.add(int(number.group(1)))
        if b"<f" in text:  # only a sheet with formulas is searched cell by cell
            for cell in _FORMULA_CELL.finditer(text):
                if not _SAVED_VALUE.search(cell.group("body")):
                    reference = cell.group("ref").decode()
                    unsaved.add((int(re.sub(r"[A-Z]+", "", reference)), reference))
        tail = text[-4096:]
    return SheetScan(sorted(hidden), sorted(unsaved, key=lambda item: (item[0], len(item[1]), item[1])))


def unsaved_formulas_message(scan: SheetScan | None, rows: set[int] | None) -> str | None:
    """Why a table whose cells hold formulas with no saved result cannot be read (in `rows`, the
    table's data rows, or anywhere under its header when None), naming the cells; else None."""
    cells = [cell for row, cell in (scan.unsaved_formulas if scan else []) if rows is None or row in rows]
    if not cells:
        return None
    shown = ", ".join(cells[:8]) + (f" and {len(cells) - 8} more" if len(cells) > 8 else "")
    what = f"cell {shown} holds a formula" if len(cells) == 1 else f"cells {shown} hold formulas"
    return (
        f"{what} with no saved result (the file was written by a program that does not calculate "
        "formulas), so the values cannot be read: open the file in Excel or WPS and save it, or send the "
        "values, and send it again"
    )


def _scan_xls(path: Path, data: bytes | None) -> dict[str, SheetScan]:
    """The hidden rows of an old-format workbook's sheets. Its formulas always carry their result."""
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data if data is not None else path.read_bytes(),
            formatting_info=True,
            on_demand=True,
        )
        found = {}
        for index, name in enumerate(book.sheet_names()):
            rows = sorted(r + 1 for r, info in book.sheet_by_index(index).rowinfo_map.items() if info.hidden)
            if rows:
                found[name] = SheetScan(rows, [])
        book.release_resources()
        return found
    except (xlrd.XLRDError, OSError, ValueError, KeyError, IndexError):
        return {}
