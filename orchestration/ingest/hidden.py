"""Which rows of an .xlsx sheet Excel hides. calamine reads cell values, not row formatting, so a row
an office hid (an enterprise that left, an old figure kept out of sight) is read like any other; the
ingest says which rows those were, so that nothing hidden is taken in without a word."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_TARGET = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_TARGET_FIRST = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ROW = re.compile(rb"<row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(1|true)"')


def hidden_rows(path: Path, data: bytes | None = None) -> dict[str, list[int]]:
    """Sheet name → the 1-based numbers of its hidden rows, for the sheets that have any; {} for a
    file that is not an .xlsx or cannot be read this way (the reader has already opened it)."""
    if path.suffix.lower() != ".xlsx":
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            names = set(archive.namelist())
            rels = archive.read("xl/_rels/workbook.xml.rels")
            targets = {rid: target for rid, target in _TARGET.findall(rels)}
            targets |= {rid: target for target, rid in _TARGET_FIRST.findall(rels)}
            found: dict[str, list[int]] = {}
            for name, rid in _SHEET.findall(archive.read("xl/workbook.xml")):
                target = targets.get(rid, b"").decode().lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                if member not in names:
                    continue
                with archive.open(member) as xml:
                    rows = _hidden_in(xml)
                if rows:
                    found[html.unescape(name.decode("utf-8"))] = rows
            return found
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        return {}


def _hidden_in(xml, chunk: int = 1 << 20) -> list[int]:
    """The hidden rows of a sheet's XML, read a megabyte at a time (a sheet can be hundreds); a row
    tag cut between two reads is whole in the next, which starts with the end of the one before."""
    found: set[int] = set()
    tail = b""
    while block := xml.read(chunk):
        text = tail + block
        if b'hidden="' in text:  # the common case, no row hidden, costs one search a megabyte
            for tag in _ROW.finditer(text):
                if _HIDDEN.search(tag.group()) and (number := _ROW_NUMBER.search(tag.group())):
                    found.add(int(number.group(1)))
        tail = text[-4096:]
    return sorted(found)
