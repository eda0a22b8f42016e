"""Header matching for real forms: the wordings offices use, normalised and looked up in the seed
header_synonyms.csv; near-misses that must stay unmatched; and rejections that say what to add."""

import datetime as dt
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pytest

from orchestration.ingest.headers import build_lookups, normalise_header
from orchestration.ingest.kinds import KINDS
from orchestration.ingest.reader import find_header, parse_file
from orchestration.ingest.reference import read_seed
from tests.sheets import refusal, write_xlsx


def field_of(kind: str, header: str) -> str | None:
    return KINDS[kind].headers.get(normalise_header(header))


HEADER_VARIANTS: dict[str, dict[str, str]] = {
    "registry": {
        # districts, as the registry forms word them
        "区县": "district_raw",
        "所属区县": "district_raw",
        "所在区县": "district_raw",
        "区县名称": "district_raw",
        "区县(市)": "district_raw",
        "统计年度": "registry_year",
        "名录 年度": "registry_year",
        "区县（市）": "district_raw",
        "地区": "district_raw",
        "区 县": "district_raw",
        "区\u3000县": "district_raw",
        "所属\n区县": "district_raw",
        "District": "district_raw",
        "DISTRICT_CODE": "district_raw",
        # above scale, with answer hints
        "是否规模以上": "above_scale",
        "规上企业(是/否)": "above_scale",
        "规上企业（是/否）": "above_scale",
        "是否规模以上\n（1/0）": "above_scale",
        "是否规模以上(是=1,否=0)": "above_scale",
        "规模以上【Y/N】": "above_scale",
        # credit codes, names, industries, chains
        "统一社会信用代码(或组织机构代码)": "uscc",
        "统一社会信用代码（或组织机构代码）": "uscc",
        "统 一 社 会 信 用 代 码": "uscc",
        "*统一社会信用代码": "uscc",
        "Enterprise Name": "enterprise_name",
        "企业（单位）名称": "enterprise_name",
        "行业代码\n(4位)": "industry_code",
        "国民经济行业代码": "industry_code",
        "所属产业链": "chain_raw",
    },
    "filings": {
        # districts
        "所属区县": "district_raw",
        # credit codes
        "USCC": "uscc",
        "ＵＳＣＣ": "uscc",
        # year-to-date revenue and R&D
        "营业收入（本年累计）": "revenue_ytd_wan",
        "营业收入(本年累计)": "revenue_ytd_wan",
        "本年累计营业收入": "revenue_ytd_wan",
        "主营业务收入": "revenue_ytd_wan",
        "营业收入本年累计（万元）": "revenue_ytd_wan",
        "营业收入本年累计\n（千元）": "revenue_ytd_wan",
        "营业收入本年累计 单位：千元": "revenue_ytd_wan",
        "营业收入（本年累计，万元）": "revenue_ytd_wan",
        "营业收入本年累计/万元": "revenue_ytd_wan",
        "营业收入-本年累计": "revenue_ytd_wan",
        "Revenue YTD": "revenue_ytd_wan",
        "研发费用本年累计（万元）": "rd_ytd_wan",
        "本年累计研发费用": "rd_ytd_wan",
        "rd_ytd": "rd_ytd_wan",
        # periods
        "报告期": "period",
        "统计期": "period",
        "月份": "period",
        "报告期（年月）": "period",
        # counts
        "从业人员（人）": "employees",
        "期末从业人数": "employees",
    },
    "districts": {
        "区县名称": "district_raw",
        "营业收入\n(本年累计)\n(亿元)": "revenue_ytd_wan",
        "Period": "period",
        "企业个数（个）": "enterprise_count",
        "企业户数(家)": "enterprise_count",
    },
    "surveys": {
        "Unified Social Credit Code": "uscc",
        "研发设计（是/否）": "design",
        "销售服务(1/0)": "sales",
        "调查年度": "survey_year",
        "Year": "survey_year",
    },
    "bureau": {
        "主营业务收入本年累计": "revenue_ytd_wan",
        "统计月份": "period",
        "行业名称": "industry_raw",
        "同比增长(%)": "yoy_pct",
        "同比增长（％）": "yoy_pct",
        "营业收入同比增长(%)": "yoy_pct",
        "主营业务收入同比增长": "yoy_pct",
        "增速%": "yoy_pct",
    },
}
"""Header wordings seen on real forms, by input kind: each names the field beside it."""


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [(kind, header, field) for kind, fields in HEADER_VARIANTS.items() for header, field in fields.items()],
)
def test_header_variant_matches_its_field(kind: str, header: str, field: str) -> None:
    assert field_of(kind, header) == field


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("filings", "营业收入同比增长"),
        ("filings", "营业收入同比增长(%)"),
        ("filings", "营业收入"),  # the top of a two-row header is not yet the year-to-date value
        ("filings", "上年同期营业收入"),
        ("filings", "营业收入上年同期累计"),
        ("filings", "研发费用占比"),
        ("filings", "研发费用占比(%)"),
        ("filings", "研发费用同比增长"),
        ("filings", "从业人员平均人数"),
        ("registry", "规模以上工业总产值"),
        ("registry", "区县意见"),
        ("districts", "企业个数同比增长"),
        ("bureau", "营业收入本年累计占比"),
        ("surveys", "研发设计投入"),
        ("surveys", "备注"),
    ],
)
def test_near_miss_matches_nothing(kind: str, header: str) -> None:
    assert field_of(kind, header) is None


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("营业收入\n（本年累计，万元）", "营业收入本年累计"),
        ("区县（市）", "区县市"),
        ("是否规模以上（是/否）", "是否规模以上"),
        ("　统一社会信用代码　", "统一社会信用代码"),
        ("研发费用本年累计 单位：千元", "研发费用本年累计"),
        ("从业人员(人)", "从业人员"),
        ("Revenue_YTD", "revenueytd"),
        ("同比增长（％）", "同比增长"),
        # a year-to-date span names the year to date (主营业务收入 merged over 10月 | 1-10月)
        ("主营业务收入1-10月", "主营业务收入本年累计"),
        ("营业收入（1～9月）", "营业收入本年累计"),
        ("主营业务收入10月", "主营业务收入10月"),
        (None, ""),
    ],
)
def test_normalise_header(header: str | None, key: str) -> None:
    assert normalise_header(header) == key


def test_seed_holds_every_contract_header_and_only_known_fields() -> None:
    """The standard Chinese header and English alias of every column (docs/interface.md) are in the
    seed; a seed row's field is a column of some kind."""
    for kind in KINDS.values():
        for field in kind.fields:
            assert field_of(kind.name, field.zh) == field.name, (kind.name, field.zh)
            assert field_of(kind.name, field.en) == field.name, (kind.name, field.en)
    known = {field.name for kind in KINDS.values() for field in kind.fields}
    assert {row["field"] for row in read_seed("header_synonyms.csv")} - known == set()


KINDS_FOR_LOOKUP = {"registry": ["uscc", "district_raw"], "filings": ["uscc", "period"]}


def test_star_rows_apply_to_every_kind_with_the_field_and_unknown_fields_are_ignored() -> None:
    lookups = build_lookups(
        [
            {"kind": "*", "field": "uscc", "header": "信用代码"},
            {"kind": "*", "field": "period", "header": "统计期"},
            {"kind": "registry", "field": "registry_year", "header": "名录年度"},
            {"kind": "registry", "field": "district_raw", "header": "所属地"},
        ],
        KINDS_FOR_LOOKUP,
    )
    assert lookups == {
        "registry": {"信用代码": "uscc", "所属地": "district_raw"},
        "filings": {"信用代码": "uscc", "统计期": "period"},
    }


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [{"kind": "registery", "field": "uscc", "header": "信用代码"}],
            "dbt_project/seeds/header_synonyms.csv, line 2: kind 'registery' is not one of filings, "
            "registry or '*'; correct the row",
        ),
        (
            [{"kind": "*", "field": "uscc", "header": "（万元）"}],
            "dbt_project/seeds/header_synonyms.csv, line 2: header '（万元）' is empty once blanks, units "
            "and hints are dropped",
        ),
        (
            [
                {"kind": "*", "field": "uscc", "header": "代码"},
                {"kind": "registry", "field": "district_raw", "header": "代码（是/否）"},
            ],
            "dbt_project/seeds/header_synonyms.csv, line 3: header '代码（是/否）' already names uscc of "
            "registry (line 2); one header can name one column only",
        ),
    ],
)
def test_bad_seed_rows_are_named(rows: list[dict[str, str]], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        build_lookups(rows, KINDS_FOR_LOOKUP)
    assert str(caught.value) == message


def test_handwritten_registry_with_real_form_headers(tmp_path: Path) -> None:
    """A district office's roster: title row, unit line, headers worded their way (所属区县, 是否规模以上,
    统一社会信用代码(或组织机构代码), a line break in 企业名称), a note row under the table.

    万州 → 500101, 两江新区 → 5001A1; 是 → True, 否 → False; the note row and the row after it are not data.
    """
    path = write_xlsx(
        tmp_path / "registry" / "万州区企业名录.xlsx",
        [
            ["2024年万州区电子信息制造业企业名录"],
            ["填报单位：万州区经济信息委", None, None, None, "单位：户"],
            [
                "序号",
                "统一社会信用代码（或组织机构代码）",
                "企业\n名称",
                "所属区县",
                "行业代码",
                "是否规模以上",
            ],
            [1, "91500101MA5U7XK21B", "重庆某某电子有限公司", "万州", "3971", "是"],
            [2, "91500000MA60ABCD3X", "重庆两江智能终端有限公司", "两江新区", 3922, "否"],
            [],
            ["注：规模以上指年主营业务收入2000万元及以上的工业企业。"],
            [3, "91500101MA5U7XK99Z", "不是数据", "万州", "3971", "是"],
        ],
        sheet="名录",
    )
    parsed = parse_file(path, "registry", "registry/万州区企业名录.xlsx")
    assert parsed.sheets == ["名录"]
    assert [
        (
            row["source_row"],
            row["uscc"],
            row["enterprise_name"],
            row["district_code"],
            row["industry_code"],
            row["above_scale"],
        )
        for row in parsed.rows
    ] == [
        (4, "91500101MA5U7XK21B", "重庆某某电子有限公司", "500101", "3971", True),
        (5, "91500000MA60ABCD3X", "重庆两江智能终端有限公司", "5001A1", "3922", False),
    ]
    assert parsed.rows[0]["extra_columns"] == '{"序号": "1"}'


def test_units_in_wordy_headers_still_convert(tmp_path: Path) -> None:
    """营业收入（本年累计，千元）: 12,345 千元 = 1234.5 万元; 研发费用本年累计 单位：元: 500,000 元 = 50 万元."""
    path = write_xlsx(
        tmp_path / "filings" / "f.xlsx",
        [
            ["统一社会信用代码", "统计期", "营业收入（本年累计，千元）", "研发费用本年累计\n单位：元"],
            ["91500101MA5U7XK21B", "2024年10月", "12,345", 500000],
        ],
    )
    [row] = parse_file(path, "filings").rows
    assert (row["period"], row["revenue_ytd_wan"], row["rd_ytd_wan"]) == (
        dt.date(2024, 10, 1),
        Decimal("1234.5"),
        Decimal("50"),
    )


def test_two_row_header_under_a_one_row_synonym(tmp_path: Path) -> None:
    """主营业务收入 alone names revenue, yet over 本年累计 | 同比增长(%) the two rows are one header.

    12.5 亿元 = 125000 万元, growth 3.1%.
    """
    path = write_xlsx(
        tmp_path / "bureau" / "统计局_2024-10.xlsx",
        [
            ["单位：亿元"],
            ["行业", "主营业务收入", None],
            [None, "本年累计", "同比增长(%)"],
            ["计算机、通信和其他电子设备制造业", 12.5, 3.1],
        ],
    )
    header = find_header([["行业", "主营业务收入", None], [None, "本年累计", "同比增长(%)"]], KINDS["bureau"])
    assert header is not None and (header.height, header.columns) == (
        2,
        {"industry_raw": 0, "revenue_ytd_wan": 1, "yoy_pct": 2},
    )
    [row] = parse_file(path, "bureau").rows
    assert (row["industry_code"], row["revenue_ytd_wan"], row["yoy_pct"]) == (
        "39",
        Decimal("125000.0"),
        Decimal("3.1"),
    )


def test_missing_column_names_it_lists_headers_seen_and_the_fix(tmp_path: Path) -> None:
    """所属地 is not (yet) a synonym of 区县: the message names the column, shows the closest row (the
    header, not the title above it) and the seed row that would fix it."""
    path = write_xlsx(
        tmp_path / "registry" / "名录.xlsx",
        [
            ["2024年企业名录"],
            ["统一社会信用代码", "企业名称", "所属地", "行业代码(4位)"],
            ["91500101MA5U7XK21B", "重庆某某电子有限公司", "万州", "3971"],
        ],
        sheet="名录",
    )
    assert refusal(path, "registry", "registry/名录.xlsx") == (
        "registry/名录.xlsx: no header with the 企业名录 columns 统一社会信用代码、企业名称、区县、行业代码 in "
        "the first 30 rows of any sheet; missing 区县 (district). The closest row (sheet 名录, row 2) has: "
        "统一社会信用代码 | 企业名称 | 所属地 | 行业代码(4位). If a missing column is there under another "
        "name, add a row to dbt_project/seeds/header_synonyms.csv, e.g. `registry,district_raw,所属地`"
    )
    # The row the message suggests is all it takes.
    fields = {name: [f.name for f in kind.fields] for name, kind in KINDS.items()}
    seed = [
        *read_seed("header_synonyms.csv"),
        {"kind": "registry", "field": "district_raw", "header": "所属地"},
    ]
    assert build_lookups(seed, fields)["registry"][normalise_header("所属地")] == "district_raw"


def test_the_closest_row_under_a_title_merged_over_two_rows_is_the_header_row(tmp_path: Path) -> None:
    """The title 2024年企业名录 is merged over rows 1-2, as offices make titles tall: the empty row 2
    joined to the header matches as much as the header does, and the message named "rows 2-3"."""
    path = write_xlsx(
        tmp_path / "registry" / "名录.xlsx",
        [
            ["2024年企业名录", None, None, None],
            [None, None, None, None],
            ["统一社会信用代码", "企业名称", "所属地", "行业代码(4位)"],
            ["91500101MA5U7XK21B", "重庆某某电子有限公司", "万州", "3971"],
        ],
        sheet="名录",
        merges=("A1:D2",),
    )
    assert (
        "The closest row (sheet 名录, row 3) has: 统一社会信用代码 | 企业名称 | 所属地 | 行业代码(4位)."
        in refusal(path, "registry", "registry/名录.xlsx")
    )


def test_a_figure_merged_over_its_month_and_its_year_to_date_is_read_from_the_year_to_date(
    tmp_path: Path,
) -> None:
    """主营业务收入 merged over 10月 | 1-10月 (the bureau) or over 本月 | 累计 (an enterprise system's
    export): the header was taken as the top row alone, 主营业务收入 in the month's column, and the
    file refused at the lower header row ("'10月' is not a number"). Two rows, the year to date read."""
    bureau = write_xlsx(
        tmp_path / "统计局月报_2026-10.xlsx",
        [
            ["2026年1-10月重庆市规模以上工业分行业主要指标"],
            ["单位：万元"],
            ["行业", "主营业务收入", None, None],
            [None, "10月", "1-10月", "同比增长(%)"],
            ["计算机、通信和其他电子设备制造业", 6455974.5, 61967148.01, 2.8],
        ],
        merges=("A3:A4", "B3:D3"),
    )
    [row] = parse_file(bureau, "bureau").rows
    assert (row["industry_code"], row["revenue_ytd_wan"], row["yoy_pct"]) == (
        "39",
        Decimal("61967148.01"),
        Decimal("2.8"),
    )
    filings = write_xlsx(
        tmp_path / "企业月报_2026-10.xlsx",
        [
            ["统一社会信用代码", "企业名称", "报告期", "主营业务收入", None, "研发费用本年累计"],
            [None, None, None, "本月", "累计", None],
            ["91500101MA5U7XQ21K", "重庆甲电子有限公司", "2026-10", 152.05, 1520.5, 30],
        ],
        merges=("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2"),
    )
    assert parse_file(filings, "filings").rows[0]["revenue_ytd_wan"] == Decimal("1520.5")


def test_missing_columns_of_a_two_row_header_are_all_named(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "filings" / "f.csv.xlsx",
        [
            ["统一社会信用代码", "日期", "收入", None],
            [None, None, "本年累计", "研发"],
            ["91500101MA5U7XK21B", "2024-10", 1, 2],
        ],
    )
    message = refusal(path, "filings", "filings/f.xlsx")
    assert "missing 报告期 (period), 营业收入本年累计 (revenue_ytd), 研发费用本年累计 (rd_ytd)." in message
    assert "The closest row (sheet Sheet1, row 1) has: 统一社会信用代码 | 日期 | 收入." in message
    # three columns missing, two headers not known: which is which is the office's to say
    assert message.endswith("e.g. `filings,period,<its header as written>`")


@pytest.mark.parametrize(
    ("title", "name", "advice"),
    [
        # the month in the title, the way enterprise systems title an export
        ("2026年10月 企业月报", "filings/x.xlsx", "its title (2026年10月 企业月报) gives the month"),
        (None, "filings/企业月报_2026-10.xlsx", "its name (2026-10) gives the month"),
        (None, "filings/x.xlsx", None),
    ],
)
def test_a_table_without_its_period_column_is_told_each_line_needs_one(
    tmp_path: Path, title: str | None, name: str, advice: str | None
) -> None:
    """No 报告期 column: the message asked for a synonym row for a header that is not there. When the
    title or the name gives the month, it now says that this kind needs the month on every line."""
    rows = [
        ["统一社会信用代码", "企业名称", "营业收入本年累计", "研发费用本年累计"],
        ["91500101MA5U7XQ21K", "甲", 1, 2],
    ]
    path = write_xlsx(tmp_path / PurePosixPath(name).name, [[title], *rows] if title else rows)
    message = refusal(path, "filings", name)
    tail = ", but each line of this kind needs its own 报告期; add the column, with the month on every line"
    if advice is None:
        assert "If there is no such column" not in message
    else:
        assert message.endswith(f". If there is no such column: {advice}{tail}")
