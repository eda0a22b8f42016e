"""Helpers for the workbooks planwatch writes (district feedback, the briefing): cells a spreadsheet
cannot mistake for formulas, and the print set-up they share."""

from __future__ import annotations

import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

# A text cell starting with one of these is read as a formula when someone edits it in a spreadsheet
# (OWASP "CSV injection"); a plain number such as -200.00 is not, and keeps its look.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")


def safe_cell(value: object) -> object:
    """A value safe to put in a spreadsheet cell: text that a spreadsheet would take for a formula gets
    a leading apostrophe ("'=HYPERLINK(...)"), and characters a workbook cannot hold are dropped.
    Numbers, dates and None pass unchanged; so does text that is a plain number ("-200.00")."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def fit_landscape_a4(sheet: Worksheet) -> None:
    """Print on A4 landscape, one page wide and as many pages long as it takes."""
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
