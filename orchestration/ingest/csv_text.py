"""A CSV's bytes as rows of text: decoded as offices save it, and refused where reading it with commas
would misread it (cut short, another separator, a number split by its thousands separator)."""

from __future__ import annotations

import csv
import io


class FileRejected(Exception):
    """A file that cannot be read as its kind; the message says what is wrong and how to fix it.
    Defined here, in the first module that raises it; the rest import it from reader.py."""


def read_csv_rows(data: bytes, max_rows: int) -> list[list[str]]:
    """The rows of a CSV file, each a list of its fields as text."""
    text = decode_csv(data)
    rows = []
    for row in csv.reader(io.StringIO(text)):
        rows.append(row)
        if len(rows) > max_rows:
            raise FileRejected(f"has more than {max_rows:,} rows (PLANWATCH_MAX_ROWS); split it")
    _check_complete(rows, text)
    _check_separator(rows)
    return rows


def decode_csv(data: bytes) -> str:
    """CSV bytes as text: UTF-8 with or without BOM first, then GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("is neither UTF-8 nor GB18030 text; save it as CSV UTF-8 or as .xlsx")


def _check_complete(rows: list[list[str]], text: str) -> None:
    """A CSV still being copied ends in the middle of a line: no line break, and fewer fields than
    the lines above. Read as it is, its last figure would be cut (2442.32 read as 244)."""
    if not rows or text.endswith(("\n", "\r")):
        return
    widest = max((len(row) for row in rows[:-1]), default=0)
    if 1 < len(rows[-1]) < widest:
        raise FileRejected(
            f"row {len(rows)} has {len(rows[-1])} of the {widest} columns of the rows above and the file "
            "does not end with a line break: it looks cut short, perhaps still being copied; copy the whole "
            "file again"
        )


def cut_short_note(rows: list[list[object]], unterminated: bool, read: set[int]) -> str | None:
    """A CSV cut short inside its last field (2442.32 arriving as 244) has a whole last line, so
    _check_complete cannot tell it; when that line has no line break and was read as data, its last
    field is named for a person to check. A file typed by hand may end so too: a note, not a refusal."""
    number = len(rows)
    if not unterminated or number not in read:
        return None
    last = str(rows[-1][-1]).strip() if rows[-1] else ""
    return (
        f"its last line (row {number}) has no line break after it, as a file cut short in copying ends; "
        f"it was read, its last field as '{last}': check that figure against the sender's file, and if it "
        "is short, copy the whole file again"
    )


def _check_separator(rows: list[list[str]]) -> None:
    """A CSV whose lines are each one field holding semicolons or tabs was saved with another
    separator: read with commas, its header would look like one long column name."""
    if any(len(row) > 1 for row in rows):
        return
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if sum(1 for row in rows[:20] if row and row[0].count(separator) >= 2) >= 2:
            raise FileRejected(
                f"has its columns separated by {name}, not commas; save it as CSV with commas "
                "(Excel: CSV UTF-8) or as .xlsx"
            )


def overwide_row(rows: list[list[object]], header_rows: range, data_rows: list[int]) -> str | None:
    """Why a CSV line holding more fields than its header, past the header with text, cannot be read:
    an unquoted thousands separator (219,145.79) splits a number in two and shifts every figure after
    it one column on, the last one falling off the table; or a note was written in a column with no
    header. Which, planwatch cannot tell. None when every line fits."""
    width = max(len(rows[index]) for index in header_rows)
    for number in data_rows:
        cells = rows[number - 1]
        if len(cells) > width and any(str(cell).strip() for cell in cells[width:]):
            return (
                f"row {number} has {len(cells)} fields, {len(cells) - width} more than the header, so its "
                "figures cannot be placed: a number written with a thousands separator (219,145.79) splits in "
                "two in a CSV unless it is quoted, shifting the figures after it, and a note in a column "
                "without a header is a field too many; write numbers without separators, give a note's "
                "column a header (or send .xlsx), and send the file again"
            )
    return None
