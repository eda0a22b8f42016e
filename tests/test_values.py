"""Cell parsing, table-driven over cells as people type them."""

import datetime as dt
from decimal import Decimal

import pytest

from orchestration.ingest.values import (
    check_unit,
    find_period,
    find_unit,
    find_year,
    named_period,
    parse_int,
    parse_number,
    parse_period,
    parse_year,
    parse_yes_no,
    to_wan,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (123, Decimal(123)),
        (123456.78, Decimal("123456.78")),
        (0.1, Decimal("0.1")),
        ("1,234.5", Decimal("1234.5")),
        ("１２３４５", Decimal(12345)),
        ("１，２３４．５", Decimal("1234.5")),
        ("  88.0 ", Decimal("88.0")),
        ("\u300012\u3000", Decimal(12)),
        ("-3.2", Decimal("-3.2")),
        ("(3.2)", Decimal("-3.2")),
        ("（3.2）", Decimal("-3.2")),
        ("12.5%", Decimal("12.5")),
        ("1e3", Decimal(1000)),
        ("", None),
        (None, None),
        ("—", None),
        ("-", None),
        ("…", None),
        ("/", None),
        ("——", None),
        (float("nan"), None),
    ],
)
def test_parse_number(cell: object, expected: Decimal | None) -> None:
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["12,3a4", "abc", "1.2.3", "万元", True])
def test_parse_number_rejects_text(cell: object) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(cell)


@pytest.mark.parametrize(("cell", "expected"), [("12", 12), (12.0, 12), ("1,200", 1200), ("", None)])
def test_parse_int(cell: object, expected: int | None) -> None:
    assert parse_int(cell) == expected


def test_parse_int_rejects_fraction() -> None:
    with pytest.raises(ValueError, match="not a whole number"):
        parse_int("12.5")


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("单位：万元", "万元"),
        ("单位:亿元", "亿元"),
        ("计量单位：千元", "千元"),
        ("单位：元", "元"),
        ("营业收入本年累计（万元）", "万元"),
        ("营业收入(亿元)", "亿元"),
        ("营业收入本年累计", None),
        ("", None),
        # the unit is read whole: 百万元 is not the 万元 inside it, 万美元 is not yuan
        ("单位：百万元", "百万元"),
        ("单位：千万元", "千万元"),
        ("营业收入（万美元）", "万美元"),
        ("单位：万元人民币", "万元"),
    ],
)
def test_find_unit(text: str, unit: str | None) -> None:
    assert find_unit(text) == unit


@pytest.mark.parametrize("unit", ["元", "千元", "万元", "百万元", "千万元", "亿元"])
def test_check_unit_accepts_the_units_it_converts(unit: str) -> None:
    assert check_unit(unit) == unit


@pytest.mark.parametrize("unit", ["万美元", "美元", "十万元"])
def test_check_unit_refuses_others_and_lists_the_ones_it_converts(unit: str) -> None:
    with pytest.raises(ValueError, match=f"in {unit}, which planwatch does not convert to 万元 .*百万元"):
        check_unit(unit)


@pytest.mark.parametrize(
    ("value", "unit", "wan"),
    [
        (Decimal(123456), "元", Decimal("12.3456")),
        (Decimal(1234), "千元", Decimal("123.4")),
        (Decimal("12.5"), "万元", Decimal("12.5")),
        (Decimal("1.25"), "亿元", Decimal(12500)),
        (Decimal("50.166"), "百万元", Decimal("5016.6")),
        (Decimal("5.0166"), "千万元", Decimal("5016.6")),
        (Decimal(7), None, Decimal(7)),
        (None, "亿元", None),
    ],
)
def test_to_wan(value: Decimal | None, unit: str | None, wan: Decimal | None) -> None:
    assert to_wan(value, unit) == wan


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2024-10", dt.date(2024, 10, 1)),
        ("202410", dt.date(2024, 10, 1)),
        (202410, dt.date(2024, 10, 1)),
        (202410.0, dt.date(2024, 10, 1)),
        ("2024年10月", dt.date(2024, 10, 1)),
        ("2024年1-10月", dt.date(2024, 10, 1)),
        ("2024年1—10月", dt.date(2024, 10, 1)),
        ("2024年1～10月", dt.date(2024, 10, 1)),
        ("2024年1-2月", dt.date(2024, 2, 1)),
        # the span's last 月 left out (it was refused as "has year 2026, which is not 19xx or 20xx")
        ("2026年1-10", dt.date(2026, 10, 1)),
        # the span with both months written out, as offices also type it (it was read as January)
        ("2026年1月-10月", dt.date(2026, 10, 1)),
        ("2026年1月至10月", dt.date(2026, 10, 1)),
        ("2026年1月～2026年10月", dt.date(2026, 10, 1)),
        ("2024.10", dt.date(2024, 10, 1)),
        ("2024/3", dt.date(2024, 3, 1)),
        ("2024-10-31", dt.date(2024, 10, 1)),
        ("2024/10/31", dt.date(2024, 10, 1)),
        ("2024.10.31", dt.date(2024, 10, 1)),
        # a span after a dot or a slash names its last month (it was read as January, day 2)
        ("2024.1-2", dt.date(2024, 2, 1)),
        ("2024.1-12", dt.date(2024, 12, 1)),
        ("2024/1-3", dt.date(2024, 3, 1)),
        ("2024.1-10月", dt.date(2024, 10, 1)),
        ("2024.01—02", dt.date(2024, 2, 1)),
        (" ２０２４－１０ ", dt.date(2024, 10, 1)),
        (dt.datetime(2024, 10, 31, 0, 0), dt.date(2024, 10, 1)),
        (dt.date(2023, 12, 1), dt.date(2023, 12, 1)),
    ],
)
def test_parse_period(cell: object, period: dt.date) -> None:
    assert parse_period(cell) == period


@pytest.mark.parametrize("cell", ["2024-13", "十月", "2024", "", "24-10", "2024.1-13", "2024-10/31"])
def test_parse_period_rejects(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_period(cell)


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("1899-01", "'1899-01' has year 1899, which is not 19xx or 20xx: correct the year"),
        ("3024年5月", "'3024年5月' has year 3024, which is not 19xx or 20xx: correct the year"),
        ("189901", "'189901' has year 1899, which is not 19xx or 20xx: correct the year"),
        ("2024-13", "'2024-13' has month 13, which does not exist"),
        ("十月", "'十月' is not a period (expected e.g. 2024-10, 202410 or 2024年1-10月)"),
    ],
)
def test_parse_period_says_what_is_wrong(cell: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_period(cell)
    assert str(caught.value) == says


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        # 2024.03 and 2024.11 typed in number cells: the number says which month
        (2024.03, dt.date(2024, 3, 1)),
        (2024.11, dt.date(2024, 11, 1)),
        (2024.12, dt.date(2024, 12, 1)),
        (2024.2, dt.date(2024, 2, 1)),
    ],
)
def test_parse_period_of_a_number_cell(cell: float, period: dt.date) -> None:
    assert parse_period(cell) == period


def test_parse_period_refuses_the_text_a_spreadsheet_writes_to_csv_for_october() -> None:
    """Excel saves the number 2026.10 to CSV as 2026.1: read as text, it was January, and a CSV of
    October's year to date was published as January's."""
    with pytest.raises(ValueError) as caught:
        parse_period("2026.1")
    assert str(caught.value) == (
        "'2026.1' is October or January? A spreadsheet saving 2026.10 to CSV writes 2026.1: write the period "
        "as 2026-10 or 2026-01"
    )
    assert parse_period("2026.01") == dt.date(2026, 1, 1)


def test_parse_period_refuses_a_number_that_is_october_or_january() -> None:
    """2024.10 in a number cell is stored as 2024.1: it was read as January."""
    with pytest.raises(
        ValueError, match=r"'2024.1' is a number.*October or January\? Type the period as text"
    ):
        parse_period(2024.1)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2024年1-10月重庆市规模以上工业企业营业收入", dt.date(2024, 10, 1)),
        ("统计局月报_2024-02", dt.date(2024, 2, 1)),
        ("企业月报_202311", dt.date(2023, 11, 1)),
        ("区县报送 2025.07 修订", dt.date(2025, 7, 1)),
        ("2026年1月-10月各区县电子信息制造业主要指标", dt.date(2026, 10, 1)),
        ("2026年1月至2026年10月企业月报", dt.date(2026, 10, 1)),
        ("区县报送_2024年10月-更正", dt.date(2024, 10, 1)),  # a dash before a word starts no span
        ("企业名录", None),
        ("数字化调查_2024", None),
    ],
)
def test_find_period(text: str, period: dt.date | None) -> None:
    assert find_period(text) == period


@pytest.mark.parametrize(
    ("source_file", "month"),
    [
        ("districts/区县报送_2024年1-10月.xlsx", "2024-10"),  # a span: its last month
        ("districts/城口县_2024年3月.csv", "2024-03"),
        ("districts/500118_2024-03_b.csv", "2024-03"),
        ("filings/企业月报_202410.xlsx", "2024-10"),
        ("filings/2024-10/企业月报.xlsx", None),  # a folder's name is not the file's
        ("filings/企业月报_202413.xlsx", None),
        ("filings/企业月报_20241031.xlsx", None),
        ("registry/企业名录.xlsx", None),
    ],
)
def test_named_period(source_file: str, month: str | None) -> None:
    assert named_period(source_file) == month


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("企业名录_2024", 2024),
        ("2024年规上企业名录", 2024),
        ("规上电子信息企业名录（2023年度）", 2023),
        ("企业名录_2024-12", 2024),
        ("2024年1-10月规上企业名录", 2024),
        ("名录 2022.12 更新", 2022),
        ("企业名录", None),
        ("500101_企业名录", None),
        ("企业名录_20241231", None),
        ("单位：万元", None),
    ],
)
def test_find_year(text: str, year: int | None) -> None:
    assert find_year(text) == year


@pytest.mark.parametrize(
    ("cell", "answer"),
    [
        ("是", True),
        ("否", False),
        ("1", True),
        (0, False),
        (1.0, True),
        ("Y", True),
        ("no", False),
        ("", None),
        ("—", None),
    ],
)
def test_parse_yes_no(cell: object, answer: bool | None) -> None:
    assert parse_yes_no(cell) is answer


def test_parse_yes_no_rejects() -> None:
    with pytest.raises(ValueError, match="是/否"):
        parse_yes_no("可能")


@pytest.mark.parametrize(
    ("cell", "year"), [(2024, 2024), ("2024年", 2024), ("2024年度", 2024), (2024.0, 2024)]
)
def test_parse_year(cell: object, year: int) -> None:
    assert parse_year(cell) == year
