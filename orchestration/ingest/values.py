"""Parsing single cells as people type them: numbers, units, periods, yes/no answers.

Every function is pure and raises `ValueError` with a message a person can act on; the caller adds
the file, sheet and row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

# Cells that mean "no value": statistical tables use dashes, ellipses and slashes for it.
MISSING_MARKERS = frozenset(
    {"", "-", "--", "—", "——", "–", "…", "……", "...", "/", "－", "null", "none", "nan"}
)

# Multipliers that turn a value in the given unit into 万元, the unit kept internally.
UNIT_TO_WAN: dict[str, Decimal] = {
    "亿元": Decimal(10000),
    "千万元": Decimal(1000),
    "百万元": Decimal(100),
    "万元": Decimal(1),
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}
# A money unit as written, whole: a multiple of the yuan (百万元) or of another currency (万美元).
# Read whole so that 百万元 is never taken for the 万元 inside it, and a currency planwatch cannot
# convert is refused (`check_unit`) rather than read as yuan.
MONEY_UNIT = r"[十百千万亿]*(?:美元|港元|欧元|日元|元)"
_UNIT_PATTERN = re.compile(MONEY_UNIT)
# Blanks, and the zero-width characters text pasted from web pages and chat carries, unseen
_BLANKS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def clean_text(value: object) -> str:
    """Text of a cell with full-width forms folded (NFKC), surrounding and inner blanks removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    elif text.isalnum():
        return text  # the common case: nothing to fold, no blanks
    return _BLANKS.sub("", text)


def is_missing(value: object) -> bool:
    """True for an empty cell or one of the statistical missing markers (—, -, …, /)."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    if isinstance(value, int):
        return False
    return clean_text(value).lower() in MISSING_MARKERS


def parse_number(value: object) -> Decimal | None:
    """A number typed as a number or as text: '1,234.5', '１２３', ' 12 ', '(3.2)' (negative), '12%'.

    Returns None for a missing marker; raises ValueError for anything else that is not a number.
    """
    if type(value) is float:  # the common case in a workbook: answer before the general checks
        # repr gives the shortest text that reads back as the same float: 123456.78, not 123456.7799…
        return None if value != value else Decimal(repr(value))
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 123456.78, not 123456.7799…
        return Decimal(repr(value))
    text = clean_text(value)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = text.replace(",", "").removesuffix("%")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        raise ValueError(f"'{value}' is not a number")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already guards this
        raise ValueError(f"'{value}' is not a number") from exc
    return -number if negative else number


def parse_int(value: object) -> int | None:
    """A whole count such as an enterprise count or head count; None when missing."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = parse_number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"'{value}' is not a whole number")
    return int(number)


def find_unit(text: object) -> str | None:
    """The money unit named in a header cell or a unit line ('单位：万元', '营业收入(亿元)'), if any,
    as written (万美元 too: `check_unit` says whether it can be converted)."""
    match = _UNIT_PATTERN.search(clean_text(text))
    return match.group(0) if match else None


def check_unit(unit: str) -> str:
    """`unit` if planwatch converts it to 万元; otherwise a ValueError saying which units it converts."""
    if unit not in UNIT_TO_WAN:
        raise ValueError(
            f"the amounts are in {unit}, which planwatch does not convert to 万元 (it converts "
            f"{'、'.join(UNIT_TO_WAN)}); send them in one of these units"
        )
    return unit


def to_wan(number: Decimal | None, unit: str | None) -> Decimal | None:
    """A money value in `unit` (None means 万元, the statistical default) converted to 万元."""
    if number is None:
        return None
    return number * UNIT_TO_WAN[unit or "万元"]


_PERIOD_PATTERNS = [
    # 2024年1-10月, 2024年1—10月, 2024年1~10月, 2024年1月-10月, 2024年1月至10月: year-to-date spans
    # name their last month.
    # 2024年1-10 without its last 月 too.
    re.compile(r"(?P<y>(19|20)\d{2})年(\d{1,2})月?[-—–~～至](?P<m>\d{1,2})(?!\d)"),
    # a month that starts a span is not the period (2024年1月—2024年10月: the second one is)
    re.compile(r"(?P<y>(19|20)\d{2})年(?P<m>\d{1,2})月(?![-—–~～至]\d)"),
    # 2024.1-2, 2024/1-10月: a span after a dot or a slash (2024-1-2 is a date, below)
    re.compile(r"^(?P<y>(19|20)\d{2})[./](\d{1,2})[-—–~～至](?P<m>\d{1,2})月?$"),
    # 2024-10, 2024.10, 2024-10-31, 2024/10/31 00:00: a date's day follows the same separator
    re.compile(r"^(?P<y>(19|20)\d{2})(?P<sep>[-./])(?P<m>\d{1,2})((?P=sep)\d{1,2})?(T.*|\d{2}:.*)?$"),
    re.compile(r"^(?P<y>(19|20)\d{2})(?P<m>\d{2})$"),
]


def parse_period(value: object) -> dt.date:
    """A reporting period as the first day of its month.

    Accepts 2024-10, 202410, 2024年10月, 2024年1-10月 and 2024.1-10 (year to date: October),
    2024.10, 2024/10, and spreadsheet dates. The bureau's combined 1-2月 is February.
    """
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float) and re.fullmatch(r"\d{4}\.1", repr(value)):
        # 2024.10 typed in a number cell is stored as 2024.1, the same number as 2024.1 (January)
        raise ValueError(
            f"'{value}' is a number, and a spreadsheet keeps 2024.10 and 2024.1 as the same number: "
            "October or January? Type the period as text (2024-10) or as a date"
        )
    text = clean_text(value)
    if re.fullmatch(r"\d{4}\.1", text):
        # a spreadsheet that saves the number 2024.10 to CSV writes 2024.1: the same text as January
        year = text[:4]
        raise ValueError(
            f"'{value}' is October or January? A spreadsheet saving {year}.10 to CSV writes {year}.1: write "
            f"the period as {year}-10 or {year}-01"
        )
    for pattern in _PERIOD_PATTERNS:
        match = pattern.search(text)
        if match:
            year, month = int(match.group("y")), int(match.group("m"))
            if 1 <= month <= 12:
                return dt.date(year, month, 1)
            raise ValueError(f"'{value}' has month {month}, which does not exist")
    year = re.match(r"(\d{4})(?:年|[-./]\d|\d{2}$)", text)
    if year:  # the shape of a period, with a year no table of this plan can mean (1899-01, 3024年5月)
        raise ValueError(f"'{value}' has year {year.group(1)}, which is not 19xx or 20xx: correct the year")
    raise ValueError(f"'{value}' is not a period (expected e.g. 2024-10, 202410 or 2024年1-10月)")


def find_period(text: object) -> dt.date | None:
    """The period named inside a longer text such as a title row or a file name, if there is one."""
    cleaned = clean_text(text)
    for pattern in _PERIOD_PATTERNS[:2]:
        match = pattern.search(cleaned)
        if match and 1 <= int(match.group("m")) <= 12:
            return dt.date(int(match.group("y")), int(match.group("m")), 1)
    match = re.search(r"(?<!\d)((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])(?!\d)", cleaned)
    if match:
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    return None


def named_period(source_file: str) -> str | None:
    """The month (YYYY-MM) a file's name gives (…/区县报送_2024年1-10月.xlsx: 2024-10), None when it
    gives none. The reader takes it for a line without a period, the supersede check for the months
    a file covers, and the ledger records it for the build (int_file_months)."""
    period = find_period(PurePosixPath(source_file).stem)
    return period.strftime("%Y-%m") if period else None


def find_year(text: object) -> int | None:
    """The year named inside a title row or a file name: the year of a period there (2024年1-10月,
    _2024-10), else a year standing alone (企业名录_2024, 2024年规上企业名录); None when there is none."""
    period = find_period(text)
    if period is not None:
        return period.year
    match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", clean_text(text))
    return int(match.group(1)) if match else None


_YES = frozenset({"是", "1", "y", "yes", "true", "√", "✓"})
_NO = frozenset({"否", "0", "n", "no", "false", "×", "x"})


def parse_yes_no(value: object) -> bool | None:
    """是/否, 1/0, yes/no (any case); None when missing."""
    if isinstance(value, bool):
        return value
    if is_missing(value):
        return None
    text = clean_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"'{value}' is not 是/否 or 1/0")


def parse_year(value: object) -> int:
    """A survey or registry year such as 2024, '2024年' or '2024年度'."""
    text = clean_text(value)
    match = re.fullmatch(r"((?:19|20)\d{2})(\.0)?(年度?)?", text)
    if not match:
        raise ValueError(f"'{value}' is not a year (expected e.g. 2024)")
    return int(match.group(1))
