"""Reading whole files: header detection, units, districts, encodings, and clear rejections."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwt

from orchestration.ingest.kinds import KINDS
from orchestration.ingest.layout import misnamed_month
from orchestration.ingest.reader import FileRejected, find_header, parse_file
from orchestration.ingest.reference import load_reference, set_aside
from orchestration.ingest.xlsx_scan import _scan
from tests.sheets import refusal, write_csv, write_workbook, write_xlsx


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("万州区", "500101"),
        ("万州", "500101"),
        ("500101", "500101"),
        (500101, "500101"),
        (" 万 州 区 ", "500101"),
        ("重庆市万州区", "500101"),
        ("两江新区", "5001A1"),
        ("两江", "5001A1"),
        ("5001a2", "5001A2"),
        ("西部科学城重庆高新区", "5001A2"),
        ("重庆高新区", "5001A2"),
        ("万盛经开区", "5001A3"),
        ("石柱土家族自治县", "500240"),
        ("石柱", "500240"),
        ("忠县", "500233"),
        ("火星区", None),
        ("", None),
    ],
)
def test_district_code(text: object, code: str | None) -> None:
    assert load_reference().district_code(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("新型显示", "new_display"),
        ("server", "server"),
        ("SERVER", "server"),
        ("", None),
        ("不存在", None),
        # the chain's name with 产业链, 链 or 产业 after it, as registries write it
        ("智能终端产业链", "smart_terminal"),
        ("智能家居链", "smart_home"),
        ("元宇宙产业", "metaverse"),
        ("不存在产业链", None),
    ],
)
def test_chain_code(text: str, code: str | None) -> None:
    assert load_reference().chain_code(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("计算机、通信和其他电子设备制造业", "39"),
        ("计算机通信和其他电子设备制造业", "39"),
        ("C38电气机械和器材制造业", "38"),
        ("C39", "39"),
        ("39", "39"),
        ("3911", "3911"),
        ("仪器仪表制造业", "40"),
        # indented under the total as the bureau prints it (DQ12 found no division 39 that month)
        ("  其中：计算机、通信和其他电子设备制造业", "39"),
        ("其中:C39", "39"),
    ],
)
def test_industry_code(text: str, code: str) -> None:
    assert load_reference().industry_code(text) == code


@pytest.mark.parametrize(
    ("rows", "first_row", "height"),
    [
        ([["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]], 0, 1),
        ([["2024年1-10月企业月报"], [], ["单位：万元"], ["uscc", "period", "revenue_ytd", "rd_ytd"]], 3, 1),
        (
            [
                ["标题"],
                ["统一社会信用代码", "报告期", "营业收入", "", "研发费用", ""],
                ["", "", "本年累计", "同比增长(%)", "本年累计", "同比增长(%)"],
            ],
            1,
            2,
        ),
        (
            [["报告期", "研发费用本年累计（万元）", "统一社会信用代码", "营业收入本年累计（万元）", "备注"]],
            0,
            1,
        ),
        # a unit line in the last column right above a one-row header is not a header row
        (
            [
                ["", "", "", "", "单位：千元"],
                ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计", "从业人员"],
            ],
            1,
            1,
        ),
    ],
)
def test_find_header(rows: list[list[object]], first_row: int, height: int) -> None:
    header = find_header(rows, KINDS["filings"])
    assert header is not None
    assert (header.first_row, header.height) == (first_row, height)
    assert {"uscc", "period", "revenue_ytd_wan", "rd_ytd_wan"} <= header.columns.keys()


def test_bureau_table_with_title_unit_line_and_notes(tmp_path: Path) -> None:
    """Title names the period (1-2月 is February), the unit line says 亿元, a note ends the table.

    12.5 亿元 = 125000 万元; 0.8 亿元 = 8000 万元.
    """
    path = write_xlsx(
        tmp_path / "bureau" / "统计局.xlsx",
        [
            ["2024年1-2月重庆市规模以上工业企业营业收入（分行业）"],
            ["单位：亿元"],
            ["行业", "营业收入本年累计", "同比增长(%)"],
            ["计算机、通信和其他电子设备制造业", 12.5, "3.1"],
            ["仪器仪表制造业", "0.8", "—"],
            [],
            ["注：本表为规模以上工业企业数据。"],
            ["这一行在注释之后，不是数据", 1, 1],
        ],
    )
    parsed = parse_file(path, "bureau")
    assert [(r["industry_code"], r["revenue_ytd_wan"], r["yoy_pct"], r["period"]) for r in parsed.rows] == [
        ("39", Decimal("125000.0"), Decimal("3.1"), dt.date(2024, 2, 1)),
        ("40", Decimal("8000.0"), None, dt.date(2024, 2, 1)),
    ]
    assert [r["source_row"] for r in parsed.rows] == [4, 5]
    # what the feedback workbooks say beside figures converted to 万元
    assert parsed.money_units == {"营业收入本年累计": "亿元"}


def test_district_submission_in_gb18030_csv_with_units_in_header(tmp_path: Path) -> None:
    """千元 in the header: 1,234,560 千元 = 123456 万元; the 合计 line is not a district."""
    path = tmp_path / "districts" / "区县报送_2024-10.csv"
    path.parent.mkdir(parents=True)
    text = (
        "区县,报告期,企业个数,营业收入本年累计（千元）,研发费用本年累计（千元）\n"
        '万州,2024年1-10月,12,"1,234,560",24000\n'
        "两江新区,2024年1-10月,3,10,—\n"
        "合计,,15,1234570,24000\n"
    )
    path.write_bytes(text.encode("gb18030"))
    parsed = parse_file(path, "districts")
    assert [
        (r["district_code"], r["enterprise_count"], r["revenue_ytd_wan"], r["rd_ytd_wan"])
        for r in parsed.rows
    ] == [
        ("500101", 12, Decimal("123456.0"), Decimal("2400.0")),
        ("5001A1", 3, Decimal("1.0"), None),
    ]
    assert parsed.periods == [dt.date(2024, 10, 1)]
    assert parsed.districts == ["500101", "5001A1"]
    assert parsed.money_units == {"营业收入本年累计（千元）": "千元", "研发费用本年累计（千元）": "千元"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "surveys.csv"
    path.write_bytes(
        "统一社会信用代码,调查年度,研发设计,生产制造,经营管理,销售服务\n915000007339743120,2024,是,否,1,0\n".encode(
            encoding
        )
    )
    parsed = parse_file(path, "surveys")
    row = parsed.rows[0]
    assert (
        row["uscc"],
        row["survey_year"],
        row["design"],
        row["production"],
        row["management"],
        row["sales"],
    ) == (
        "915000007339743120",
        2024,
        True,
        False,
        True,
        False,
    )


def test_registry_defaults_above_scale_and_maps_chain(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "registry.xlsx",
        [
            ["uscc", "name", "district", "industry_code", "chain"],
            ["915000007339743120", "Chongqing Demo Electronics Co", "渝北", "3911", "新型显示"],
            ["91110000802085421K", "另一家", "500112", 3974, ""],
        ],
    )
    parsed = parse_file(path, "registry")
    assert [
        (r["district_code"], r["industry_code"], r["chain_code"], r["above_scale"]) for r in parsed.rows
    ] == [
        ("500112", "3911", "new_display", True),
        ("500112", "3974", None, True),
    ]
    assert parsed.rows[0]["enterprise_name"] == "Chongqing Demo Electronics Co"


REGISTRY_HEADER = ["统一社会信用代码", "企业名称", "区县", "行业代码"]
REGISTRY_ROW = ["915000007339743120", "重庆甲电脑有限公司", "万州区", "3911"]


@pytest.mark.parametrize(
    ("name", "rows", "years"),
    [
        ("企业名录_2024.xlsx", [REGISTRY_HEADER, REGISTRY_ROW], [2024]),
        ("2024年规上企业名录.xlsx", [REGISTRY_HEADER, REGISTRY_ROW], [2024]),
        ("企业名录_2024-12.xlsx", [REGISTRY_HEADER, REGISTRY_ROW], [2024]),
        ("企业名录.xlsx", [["2023年重庆市规上电子信息企业名录"], REGISTRY_HEADER, REGISTRY_ROW], [2023]),
        # the title is the file's own word; a name like 名录_2024 is often only when it was sent
        ("企业名录_2024.xlsx", [["2023年度规上企业名录"], REGISTRY_HEADER, REGISTRY_ROW], [2023]),
        ("企业名录.xlsx", [REGISTRY_HEADER, REGISTRY_ROW], [None]),
        (
            "企业名录_2024.xlsx",
            [
                [*REGISTRY_HEADER, "统计年度"],
                [*REGISTRY_ROW, "2022年"],
                ["91110000802085421K", "另一家", "涪陵", "3974", ""],
            ],
            [2022, 2024],
        ),
    ],
)
def test_registry_year(tmp_path: Path, name: str, rows: list[list[object]], years: list[int | None]) -> None:
    parsed = parse_file(write_xlsx(tmp_path / name, rows), "registry")
    assert [row["registry_year"] for row in parsed.rows] == years


def test_registry_year_not_a_year_names_the_cell(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "企业名录.xlsx", [[*REGISTRY_HEADER, "year"], [*REGISTRY_ROW, "去年"]], sheet="名录"
    )
    with pytest.raises(FileRejected, match="企业名录.xlsx, sheet 名录, row 2: year: '去年' is not a year"):
        parse_file(path, "registry")


def test_form_particulars_above_the_title_do_not_date_the_table(tmp_path: Path) -> None:
    """An official form's corner (表号, 文号, 有效期至) and 填报日期 stand above the title: the bureau's
    table is 2026年1-10月 and the registry's year is 2026, not their dates."""
    bureau = write_xlsx(
        tmp_path / "统计局月报.xlsx",
        [
            ["表号：B204-1", "", "有效期至：2027年6月"],
            ["2026年1-10月重庆市规模以上工业企业营业收入（分行业）"],
            ["填报日期：2026年11月12日", "", "单位：亿元"],
            ["行业", "营业收入本年累计", "同比增长(%)"],
            ["计算机、通信和其他电子设备制造业", 12.5, "3.1"],
        ],
    )
    assert [r["period"] for r in parse_file(bureau, "bureau").rows] == [dt.date(2026, 10, 1)]
    registry = write_xlsx(
        tmp_path / "企业名录.xlsx",
        [["文号：渝统发〔2024〕35号"], ["2026年重庆市规上电子信息企业名录"], REGISTRY_HEADER, REGISTRY_ROW],
    )
    assert [r["registry_year"] for r in parse_file(registry, "registry").rows] == [2026]


def test_unit_line_in_millions_is_read_whole(tmp_path: Path) -> None:
    """单位：百万元 above the table: 50.166 百万元 = 5016.6 万元 (not 50.166 万元, the 万元 inside it)."""
    path = write_xlsx(
        tmp_path / "企业月报_2026-08_更正.xlsx",
        [
            ["2026年1-8月电子信息制造业企业月报（更正）"],
            ["单位：百万元"],
            ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"],
            ["915000007339743120", "2026-08", 50.166, 0.9],
        ],
    )
    parsed = parse_file(path, "filings")
    assert [(r["revenue_ytd_wan"], r["rd_ytd_wan"]) for r in parsed.rows] == [
        (Decimal("5016.6"), Decimal("90"))
    ]


@pytest.mark.parametrize(
    ("rows", "label"),
    [
        (
            [["单位：万美元"], ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]],
            "营业收入本年累计",
        ),
        (
            [["统一社会信用代码", "报告期", "营业收入本年累计（万美元）", "研发费用本年累计"]],
            "营业收入本年累计（万美元）",
        ),
    ],
)
def test_money_in_another_currency_is_refused_naming_the_unit(
    tmp_path: Path, rows: list[list[object]], label: str
) -> None:
    path = write_xlsx(
        tmp_path / "外资企业_2024-10.xlsx", [*rows, ["915000007339743120", "2024-10", 120, 3]], sheet="月报"
    )
    assert refusal(path, "filings", "filings/外资企业_2024-10.xlsx") == (
        f"filings/外资企业_2024-10.xlsx, sheet 月报: {label}: the amounts are in 万美元, which planwatch does "
        "not convert to 万元 (it converts 亿元、千万元、百万元、万元、千元、元); send them in one of these units"
    )


def test_period_typed_as_a_number_that_could_be_october_or_january_is_refused(tmp_path: Path) -> None:
    """报告期 typed 2024.10 in a number cell: the workbook holds 2024.1, which was read as January."""
    path = write_xlsx(
        tmp_path / "企业月报_2024-10_补报.xlsx",
        [
            ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"],
            ["915000007339743120", 2024.10, 120, 3],
        ],
        sheet="补报",
    )
    assert refusal(path, "filings", "filings/企业月报_2024-10_补报.xlsx").startswith(
        "filings/企业月报_2024-10_补报.xlsx, sheet 补报, row 2: 报告期: '2024.1' is a number"
    )


def test_total_lines_under_a_serial_number_column_are_skipped(tmp_path: Path) -> None:
    """序号 | 所属区县 | …: 合计 stands under 序号 with 所属区县 blank; a subtotal and 合计： too."""
    path = write_xlsx(
        tmp_path / "区县报送_2024-10.xlsx",
        [
            ["2024年1-10月各区县电子信息制造业主要指标"],
            ["序号", "所属区县", "统计期", "企业个数", "营业收入本年累计", "研发费用本年累计"],
            [1, "两江新区", "2024-10", 6, 200, 2],
            [2, "重庆高新区", "2024-10", 4, 100, 1],
            ["", "两江新区、高新区小计", "", 10, 300, 3],
            [3, "万州区", "2024-10", 2, 50, 1],
            ["合计", "", "", 12, 350, 4],
            ["合计：", None, None, 12, 350, 4],
        ],
    )
    parsed = parse_file(path, "districts")
    assert [(r["district_code"], r["source_row"]) for r in parsed.rows] == [
        ("5001A1", 3),
        ("5001A2", 4),
        ("500101", 6),
    ]


def test_a_district_table_with_the_city_and_its_regions_over_the_districts(tmp_path: Path) -> None:
    """A city table puts 重庆市 first and each region's line over its districts (一、主城都市区); those
    lines are sums and were each a DQ15 "unknown district". The districts are written as offices
    write them: a code saved from a number cell, the 12-digit statistical division code, a short name
    with blanks, 高新区, and a name with its short name in brackets (each was a DQ15 and a DQ01
    "未报送" for a district that had sent)."""
    path = write_xlsx(
        tmp_path / "区县报送_2026-10.xlsx",
        [
            ["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"],
            ["重庆市", "2026-10", 15, 1500, 15],
            ["一、主城都市区", "2026-10", 12, 1200, 12],
            ["500105.0", "2026-10", 3, 300, 3],
            ["500106000000", "2026-10", 3, 300, 3],
            ["九龙坡\u3000", "2026-10", 3, 300, 3],
            ["高新区", "2026-10", 3, 300, 3],
            ["（二）渝东南武陵山区城镇群", "2026-10", 3, 300, 3],
            ["万盛经开区（万盛）", "2026-10", 3, 300, 3],
        ],
    )
    parsed = parse_file(path, "districts")
    assert [(r["district_code"], r["source_row"]) for r in parsed.rows] == [
        ("500105", 4),
        ("500106", 5),
        ("500107", 6),
        ("5001A2", 7),
        ("5001A3", 9),
    ]


def test_a_numbered_total_line_with_a_dash_for_its_code_is_skipped(tmp_path: Path) -> None:
    """序号 | 统一社会信用代码 | 企业名称 | …: the enterprise office's total line is numbered on, with — for
    its code and 合计 as its name; it was read as an enterprise carrying the file's whole total."""
    path = write_xlsx(
        tmp_path / "企业月报_2026-10.xlsx",
        [
            ["序号", "统一社会信用代码", "企业名称", "报告期", "营业收入本年累计", "研发费用本年累计"],
            [1, "91500101MA5U7XQ21K", "重庆甲电子有限公司", "2026-10", 1520.5, 30],
            [2, "91500101MA5U8B3D4P", "重庆乙科技有限公司", "2026-10", 880, 12.4],
            [3, "—", "合计", "—", 2400.5, 42.4],
        ],
    )
    assert [r["uscc"] for r in parse_file(path, "filings").rows] == [
        "91500101MA5U7XQ21K",
        "91500101MA5U8B3D4P",
    ]


def test_a_district_table_as_offices_lay_it_out(tmp_path: Path) -> None:
    """A district office's table: a merged two-row title, the unit in a cell right of the header
    (单位：亿元 on the header row, as printed reports align it), a 合计 line and the form's signature
    line under it (填表人 … 联系电话 … 填报日期). 31.79 亿元 is 317,900 万元; the signature line is no
    data and no cell to correct."""
    path = write_xlsx(
        tmp_path / "区县报送_2026-10.xlsx",
        [
            ["2026年1-10月各区县电子信息制造业主要指标", None, None, None, None, None],
            [None, None, None, None, None, None],
            ["所属区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计", None, "单位：亿元"],
            ["江北区", "2026-10", 12, 31.79, 0.5],
            ["万州区", "2026-10", 8, 12.5, 0.25],
            ["合计", None, 20, 44.29, 0.75],
            ["填表人：张三", None, "联系电话：023-6000 0000", None, "填报日期：2026年11月5日"],
            ["单位负责人：李四", None, "统计负责人：王五"],
        ],
    )
    parsed = parse_file(path, "districts")
    assert [(r["district_code"], r["revenue_ytd_wan"], r["rd_ytd_wan"]) for r in parsed.rows] == [
        ("500105", Decimal("317900"), Decimal("5000")),
        ("500101", Decimal("125000"), Decimal("2500")),
    ]


@pytest.mark.parametrize(("separator", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_csv_with_another_separator_says_so(tmp_path: Path, separator: str, name: str) -> None:
    lines = [
        "统一社会信用代码,企业名称,报告期,营业收入本年累计",
        "915000007339743120,重庆甲电子有限公司,2026-10,1200.5",
    ]
    path = tmp_path / "企业月报_2026-10.csv"
    path.write_text("\n".join(line.replace(",", separator) for line in lines) + "\n", encoding="utf-8")
    assert refusal(path, "filings") == (
        f"企业月报_2026-10.csv has its columns separated by {name}, not commas; save it as CSV with commas "
        "(Excel: CSV UTF-8) or as .xlsx"
    )


@pytest.mark.parametrize(
    ("name", "title", "periods", "refused"),
    [
        # last month's table filled in again: the name and title say October, every line September
        ("企业月报_2026-10_永川.xlsx", "2026年10月企业月报", ["2026-09", "2026-09"], True),
        # one line of October is enough: the others are late lines, DQ08 and the ledger say the rest
        ("企业月报_2026-10_永川.xlsx", "2026年10月企业月报", ["2026-09", "2026-10"], False),
        # a correction or a late report may carry earlier months
        ("企业月报_2026-10_补报.xlsx", "2026年10月企业月报", ["2026-09", "2026-09"], False),
        # the title disagrees with the name: no evidence which is right, the lines stand
        ("企业月报_2026-10_永川.xlsx", "2026年9月企业月报", ["2026-09", "2026-09"], False),
        # a year typed far ahead is later, not earlier: DQ14 finds it
        ("企业月报_2026-10_永川.xlsx", "2026年10月企业月报", ["2062-10", "2062-10"], False),
    ],
)
def test_a_table_whose_lines_all_predate_its_name_and_title_is_refused(
    tmp_path: Path, name: str, title: str, periods: list[str], refused: bool
) -> None:
    rows = [[title], ["统一社会信用代码", "企业名称", "报告期", "营业收入本年累计", "研发费用本年累计"]]
    codes = ["915000007339743120", "91110000802085421K"]
    rows += [
        [code, "重庆甲电子有限公司", period, 100, 2] for code, period in zip(codes, periods, strict=True)
    ]
    path = write_xlsx(tmp_path / name, rows)
    if not refused:
        assert len(parse_file(path, "filings").rows) == 2
        return
    assert refusal(path, "filings") == (
        f"{name}, sheet Sheet1: its name and its title say 2026-10, but every line's 报告期 is earlier "
        "(2026-09): was an earlier month's table filled in again with the period left as it was? Correct the "
        "period column (or the title and the name) and send the file again"
    )


def test_rows_hidden_in_excel_are_read_and_named(tmp_path: Path) -> None:
    """An office hides the row of an enterprise that left instead of deleting it: calamine reads it like
    the others, and the ingest names it (sheet and row) so that it is not taken in without a word. A
    hidden title row is no data row and is not named."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "10月&11月"
    sheet.append(["2026年1-10月企业月报"])
    sheet.append(["统一社会信用代码", "企业名称", "报告期", "营业收入本年累计", "研发费用本年累计"])
    sheet.append(["915000007339743120", "重庆甲电子有限公司", "2026-10", 1200.5, 36.2])
    sheet.append(["91110000802085421K", "重庆乙科技有限公司（已迁出）", "2026-10", 830, 12])
    sheet.append(["91500000747150426A", "重庆丙智能有限公司", "2026-10", 415.25, 8.5])
    for number in (1, 4):
        sheet.row_dimensions[number].hidden = True
    workbook.save(tmp_path / "企业月报_2026-10.xlsx")
    parsed = parse_file(tmp_path / "企业月报_2026-10.xlsx", "filings")
    assert [r["source_row"] for r in parsed.rows] == [3, 4, 5]
    assert parsed.hidden_rows == ["10月&11月 4"]
    csv_file = tmp_path / "企业月报_2026-09.csv"
    csv_file.write_text(
        "统一社会信用代码,报告期,营业收入本年累计,研发费用本年累计\n915000007339743120,2026-09,1,0\n"
    )
    assert parse_file(csv_file, "filings").hidden_rows == []
    # the same in the old format, as older office software still saves it (an .xls was read without a word)
    old_format = xlwt.Workbook(encoding="utf-8")
    old_sheet = old_format.add_sheet("10月")
    for number, cells in enumerate([list(row) for row in sheet.iter_rows(values_only=True)]):
        for column, value in enumerate(cells):
            old_sheet.write(number, column, value)
    old_sheet.row(3).hidden = True  # the fourth row, 0-based
    old_format.save(tmp_path / "企业月报_2026-10.xls")
    assert parse_file(tmp_path / "企业月报_2026-10.xls", "filings").hidden_rows == ["10月 4"]


def _workbook_with_a_hidden_draft(path: Path, visible: bool) -> Path:
    """企业月报: October on the sheet Excel shows (when `visible`), an old September draft on a hidden one."""
    workbook = openpyxl.Workbook()
    header = ["统一社会信用代码", "企业名称", "报告期", "营业收入本年累计", "研发费用本年累计"]
    shown = workbook.active
    shown.title = "10月"
    shown.append(header if visible else ["说明：请按月填报"])
    if visible:
        shown.append(["915000007339743120", "重庆甲电子有限公司", "2026-10", 1200.5, 36.2])
    draft = workbook.create_sheet("9月(旧)")
    draft.append(header)
    draft.append(["915000007339743120", "重庆甲电子有限公司", "2026-09", 999, 1])
    draft.sheet_state = "hidden"
    workbook.save(path)
    return path


def test_a_hidden_sheet_is_not_read_and_is_named_when_it_is_all_there_is(tmp_path: Path) -> None:
    """An old draft on a hidden sheet would revise September from an October file, silently: only the
    sheets Excel shows are read. A file whose only table is hidden is refused, saying so."""
    parsed = parse_file(_workbook_with_a_hidden_draft(tmp_path / "企业月报_2026-10.xlsx", True), "filings")
    assert [(r["period"], r["revenue_ytd_wan"]) for r in parsed.rows] == [
        (dt.date(2026, 10, 1), Decimal("1200.5"))
    ]
    assert parsed.hidden_tables == ["9月(旧)"]
    assert refusal(
        _workbook_with_a_hidden_draft(tmp_path / "企业月报_2026-09.xlsx", False), "filings"
    ).endswith(
        "; the hidden sheet 9月(旧) has such a table, but planwatch reads only the sheets Excel shows (a hidden "
        "sheet is most often an old draft): unhide it if it is the data, or move the data to a visible sheet"
    )


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        # typed in a number cell: the workbook holds 9.15000005418215E+17, not 915000005418214869
        (915000005418214869.0, "9.150000054182149e+17"),
        # the same column exported to CSV by a spreadsheet
        ("9.15000005418215E+17", "9.15000005418215E+17"),
    ],
)
def test_a_credit_code_stored_as_a_number_is_refused(tmp_path: Path, cell: object, shown: str) -> None:
    path = write_xlsx(
        tmp_path / "企业名录_2024.xlsx",
        [["统一社会信用代码", "企业名称", "区县", "行业代码"], [cell, "重庆甲电子有限公司", "万州", "3911"]],
        sheet="名录",
    )
    assert refusal(path, "registry", "registry/企业名录_2024.xlsx") == (
        f"registry/企业名录_2024.xlsx, sheet 名录, row 2: 统一社会信用代码: '{shown}' is a credit code stored as a "
        "number, which keeps only 15 digits of the 18: format the column as text and type the code again; "
        "correct the cell and send the file again"
    )


def test_bad_number_names_file_sheet_row_and_column(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "万州_2024-10.xlsx",
        [
            ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"],
            ["915000007339743120", "2024-10", "12,3a4", 1],
        ],
        sheet="月报",
    )
    assert refusal(path, "filings", "filings/万州_2024-10.xlsx") == (
        "filings/万州_2024-10.xlsx, sheet 月报, row 2: 营业收入本年累计: '12,3a4' is not a number; "
        "correct the cell and send the file again"
    )


def test_bureau_table_in_filings_folder_is_named(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [["行业", "营业收入本年累计"], ["C39", 1]])
    with pytest.raises(
        FileRejected, match=r"looks like a 统计局月报 \(bureau\) file, which belongs in raw/bureau/"
    ):
        parse_file(path, "filings", "filings/x.xlsx")


def test_truncated_workbook_is_rejected(tmp_path: Path) -> None:
    good = write_xlsx(
        tmp_path / "good.xlsx", [["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]]
    )
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[:300])
    with pytest.raises(FileRejected, match="broken.xlsx cannot be opened as a workbook"):
        parse_file(broken, "filings")


CUT_NOTE = (
    "企业月报_2024-10.csv: its last line (row 3) has no line break after it, as a file cut short in copying "
    "ends; it was read, its last field as '{}': check that figure against the sender's file, and if it is "
    "short, copy the whole file again"
)


@pytest.mark.parametrize(
    ("tail", "cut", "notes"),
    [
        ("91110000802085421K,2024-10,2442.32,36.2\r\n", False, []),
        # whole, or cut inside its last field (36.2 arriving as 36): read, and said
        ("91110000802085421K,2024-10,2442.32,36.2", False, [CUT_NOTE.format("36.2")]),
        ("91110000802085421K,2024-10,2442.32,3", False, [CUT_NOTE.format("3")]),
        ("91110000802085421K,2024-10,244", True, None),  # still being copied
        # a note under the table is the last line: the figures above it are whole
        ("91110000802085421K,2024-10,2442.32,36.2\r\n注：本表由企业填报", False, []),
    ],
)
def test_a_csv_cut_short_is_rejected_or_said(
    tmp_path: Path, tail: str, cut: bool, notes: list[str] | None
) -> None:
    path = tmp_path / "企业月报_2024-10.csv"
    path.write_text(
        "统一社会信用代码,报告期,营业收入本年累计,研发费用本年累计\r\n915000007339743120,2024-10,100,1\r\n"
        + tail,
        encoding="utf-8",
    )
    if cut:
        with pytest.raises(
            FileRejected, match=r"row 3 has 3 of the 4 columns .* cut short, perhaps still being copied"
        ):
            parse_file(path, "filings")
    else:
        parsed = parse_file(path, "filings")
        assert [row["revenue_ytd_wan"] for row in parsed.rows] == [100, Decimal("2442.32")]
        assert parsed.notes == notes


@pytest.mark.parametrize("name", ["企业月报_2024-10.csv", "企业月报_2024-10.xlsx"])
def test_an_empty_file_is_called_empty(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(FileRejected, match=r"is empty \(0 bytes\): nothing to read"):
        parse_file(tmp_path / name, "filings")


def test_header_without_rows_is_rejected(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "empty.xlsx", [["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"], []]
    )
    with pytest.raises(FileRejected, match="no data rows"):
        parse_file(path, "filings")


def test_a_dash_in_an_optional_district_or_chain_is_a_blank(tmp_path: Path) -> None:
    """Offices write — for "nothing here" in text columns too: a registry's 产业链 and a filing's 区县
    so written are empty, as an empty cell is, not text naming no chain (DQ16) or district (DQ15)."""
    registry = tmp_path / "registry" / "2025年规上企业名录.xlsx"
    write_xlsx(
        registry,
        [
            ["2025年规模以上电子信息制造业企业名录"],
            ["统一社会信用代码", "企业名称", "所属区县", "行业代码", "产业链", "是否规上"],
            ["915000007339743120", "重庆甲电子有限公司", "万州区", "3911", "—", "是"],
            ["91110000802085421K", "重庆乙电器有限公司", "江北区", "3851", "智能家居", "是"],
            ["91500101MA5U7XQ21K", "重庆丙电子有限公司", "江北区", "3912", None, "是"],
        ],
    )
    assert [(r["chain_raw"], r["chain_code"]) for r in parse_file(registry, "registry").rows] == [
        (None, None),
        ("智能家居", "smart_home"),
        (None, None),
    ]
    filings = tmp_path / "filings" / "企业月报_2025年1-3月.csv"
    filings.parent.mkdir(parents=True)
    filings.write_bytes(
        (
            "统一社会信用代码,企业名称,区县,报告期,营业收入本年累计,研发费用本年累计\n"
            "915000007339743120,重庆甲电子有限公司,—,2025年1-3月,1520.5,30\n"
            "91110000802085421K,重庆乙电器有限公司,－,2025年1-3月,880,—\n"
            "91500101MA5U7XQ21K,重庆丙电子有限公司,江北,2025年1-3月,310,2\n"
        ).encode("gb18030")
    )
    assert [(r["district_raw"], r["district_code"]) for r in parse_file(filings, "filings").rows] == [
        (None, None),
        (None, None),
        ("江北", "500105"),
    ]


@pytest.mark.parametrize("chunk", [7, 13, 64, 1 << 20])
def test_hidden_rows_and_unsaved_formulas_are_found_whatever_the_reads_cut(chunk: int) -> None:
    """The sheet XML is read a block at a time: a row tag or a cell cut between two blocks is still
    found, once. Rows 4 and 9 are hidden; E3 (<v/>, as openpyxl writes it) and E7 (no <v>, as other
    writers do) are formulas with no saved result; E5's is saved, and E6's is Excel's empty text."""
    formulas = {
        3: b"<f>D3*0.02</f><v/>",
        5: b"<f>D5*0.02</f><v>3.5</v>",
        6: b'<f>IF(D6&gt;0,"","x")</f><v></v>',
        7: b'<f t="shared" si="0"/>',
    }
    rows = (
        b'<row r="%d" spans="1:5"%s><c r="A%d"><v>1</v></c><c r="E%d">%s</c></row>'
        % (n, b' hidden="1"' if n in (4, 9) else b"", n, n, formulas.get(n, b"<v>2</v>"))
        for n in range(1, 12)
    )
    scan = _scan(io.BytesIO(b"<sheetData>" + b"".join(rows) + b"</sheetData>"), chunk)
    assert (scan.hidden_rows, scan.unsaved_formulas) == ([4, 9], [(3, "E3"), (7, "E7")])


@pytest.mark.parametrize(
    ("source_file", "periods", "said"),
    [
        # February's table sent again as March: said, with the month it counts for
        ("districts/万州_2025-03.csv", ["2025-02"], "its name says 2025-03, but its lines are of 2025-02"),
        ("bureau/规上工业_2026年1-10月.xlsx", ["2026-08", "2026-09"], "lines are of 2026-08, 2026-09"),
        # the named month among the lines (one line typed ten years off is DQ14's)
        ("filings/企业月报_2026-10.xlsx", ["2026-10", "2036-10"], None),
        # a correction or a late report names the month it was sent and carries earlier ones
        ("filings/企业月报_2026-10(更正).xlsx", ["2026-09"], None),
        ("filings/企业月报_2026-10_补报.xlsx", ["2026-08"], None),
        ("filings/Filings_2026-10_revised.csv", ["2026-09"], None),
        # a name without a month, or a file without lines
        ("filings/九月企业月报.xlsx", ["2026-09"], None),
        ("districts/万州_2025-03.csv", [], None),
        ("districts/万州_2025-03.csv", [""], None),
    ],
)
def test_a_file_named_for_a_month_none_of_its_lines_is_of_is_said(
    source_file: str, periods: list[str], said: str | None
) -> None:
    note = misnamed_month(source_file, periods)
    if said is None:
        assert note is None
    else:
        assert note is not None and note.startswith(f"{source_file}: ") and said in note


def test_two_years_side_by_side_are_refused_not_read_as_the_first(tmp_path: Path) -> None:
    """An office puts last year beside this year, last year first, the labels repeated under each year:
    营业收入本年累计 heads D and F. The first column was read, so 2025's figures went in as 2026's
    (and DQ02 then blamed 30 districts)."""
    path = write_xlsx(
        tmp_path / "区县报送_2026-10.xlsx",
        [
            ["区县", "报告期", "企业个数", "2025年1-10月", None, "2026年1-10月", None],
            [
                "区县",
                "报告期",
                "企业个数",
                "营业收入本年累计",
                "研发费用本年累计",
                "营业收入本年累计",
                "研发费用本年累计",
            ],
            ["万州区", "2026-10", 41, 160000, 3000, 183250.5, 3120],
        ],
        sheet="区县报送",
        merges=("D1:E1", "F1:G1"),
    )
    assert refusal(path, "districts", "districts/区县报送_2026-10.xlsx") == (
        "districts/区县报送_2026-10.xlsx, sheet 区县报送: 营业收入本年累计 heads 2 columns (D 营业收入本年累计, "
        "F 营业收入本年累计), and planwatch cannot tell which is this table's: keep one (last year's figures "
        "belong in last year's file) and send the file again"
    )


@pytest.mark.parametrize(
    ("line", "read"),
    [
        # a CSV written by a program that formats numbers with separators and does not quote them:
        # the number split, R&D became 145.79 and the real R&D fell off the table
        ("万州区,2026-10,10,219,145.79,4499.97", None),
        ('万州区,2026-10,10,"219,145.79",4499.97', Decimal("219145.79")),
        # an empty field at the end (a trailing comma) shifts nothing
        ("万州区,2026-10,10,219145.79,4499.97,", Decimal("219145.79")),
    ],
)
def test_a_csv_line_split_by_a_thousands_separator_is_refused(
    tmp_path: Path, line: str, read: Decimal | None
) -> None:
    path = tmp_path / "万州_2026-10.csv"
    path.write_bytes(f"区县,报告期,企业个数,营业收入本年累计,研发费用本年累计\r\n{line}\r\n".encode("gbk"))
    if read is not None:
        assert parse_file(path, "districts", "districts/万州_2026-10.csv").rows[0]["revenue_ytd_wan"] == read
        return
    assert refusal(path, "districts", "districts/万州_2026-10.csv") == (
        "districts/万州_2026-10.csv: row 2 has 6 fields, 1 more than the header, so its figures cannot be "
        "placed: a number written with a thousands separator (219,145.79) splits in two in a CSV unless it is "
        "quoted, shifting the figures after it, and a note in a column without a header is a field too many; "
        "write numbers without separators, give a note's column a header (or send .xlsx), and send the file "
        "again"
    )


@pytest.mark.parametrize(
    "written",
    [
        "91500101ma5u7xq21k",  # lower case
        "915001 01MA5U 7XQ21K",  # spaces, as the licence prints it
        "'91500101MA5U7XQ21K",  # Excel's text prefix, kept by a CSV export
        '="91500101MA5U7XQ21K"',  # a formula that keeps a CSV cell text
        "91500101MA5U7XQ21K\u200b",  # a zero-width space, pasted from a web page or a chat
        "\t91500101MA5U7XQ21K",  # a tab before it
    ],
)
def test_a_credit_code_is_read_the_way_offices_keep_it_text(tmp_path: Path, written: str) -> None:
    """Each way of writing the code was read as another code (the enterprise left the figures, and
    DQ09 asked for the business licence, whose code looks the same)."""
    path = write_csv(
        tmp_path / "企业月报_2026-10.csv",
        [["统一社会信用代码", "企业名称", "报告期", "营业收入本年累计", "研发费用本年累计"],
         [written, "重庆甲电子有限公司", "2026-10", "1520.5", "30"]],
    )  # fmt: skip
    assert parse_file(path, "filings", "filings/企业月报_2026-10.csv").rows[0]["uscc"] == "91500101MA5U7XQ21K"


DISTRICT_HEADER = ["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"]
INSTRUCTIONS = [
    ["填报说明"],
    ["1. 金额单位为万元，保留两位小数。"],
    ["填报示例："],
    DISTRICT_HEADER,
    ["万州区", "2026-08", 12, 123456.78, 2345.67],
]


def test_the_instructions_sheet_s_example_line_is_not_read(tmp_path: Path) -> None:
    """The form's first sheet, 填报说明, shows an example line for 万州区; it was read as data and won
    over 万州's real line (and DQ02 then cited row 5 with no sheet: the data sheet's row 5)."""
    path = write_workbook(
        tmp_path / "区县报送_2026-08.xlsx",
        {"填报说明": INSTRUCTIONS, "区县报送": [DISTRICT_HEADER, ["万州区", "2026-08", 41, 169229.92, 3120]]},
    )
    parsed = parse_file(path, "districts")
    assert [(r["source_sheet"], r["revenue_ytd_wan"]) for r in parsed.rows] == [
        ("区县报送", Decimal("169229.92"))
    ]
    assert parsed.set_aside_tables == ["填报说明 (instructions for filling in the form)"]
    # the example alone is no data: refused, saying where the table it found is
    only = write_workbook(
        tmp_path / "区县报送_2026-09.xlsx", {"填报说明": INSTRUCTIONS, "区县报送": [["区县"]]}
    )
    # no "no header … of any sheet" before "the sheet 填报说明 has such a table"
    assert " in the first 30 rows of any sheet planwatch reads; " in refusal(only, "districts")
    assert refusal(only, "districts", "districts/区县报送_2026-09.xlsx").endswith(
        "; the sheet 填报说明 (instructions for filling in the form) has such a table, but its name says it is "
        "not the data: rename the sheet if it is"
    )


def test_a_registry_s_sheet_of_enterprises_that_left_is_not_read(tmp_path: Path) -> None:
    """名录 with a second sheet, 本年退库企业, listing the enterprises that left the list this year: they
    were read as members, and stayed in scope."""
    header = ["统一社会信用代码", "企业名称", "区县", "行业代码"]
    path = write_workbook(
        tmp_path / "企业名录_2026.xlsx",
        {
            "2026年规上企业名录": [header, ["91500101MA5U7XQ21K", "重庆甲电子有限公司", "万州", "3971"]],
            "本年退库企业": [header, ["91500101MA5U8B3D4P", "重庆乙科技有限公司", "万州", "3971"]],
        },
    )
    parsed = parse_file(path, "registry")
    assert [r["uscc"] for r in parsed.rows] == ["91500101MA5U7XQ21K"]
    assert parsed.set_aside_tables == ["本年退库企业 (enterprises that left the list)"]


@pytest.mark.parametrize(
    ("title", "revenue"),
    [
        # the unit in the title's closing bracket: read as 万元, the figures were 10^4 too small and
        # DQ02 and DQ06 told the district to fix a unit it had stated
        ("2026年1-10月各区县电子信息制造业主要指标（亿元）", Decimal("317900")),
        ("2026年1-10月各区县电子信息制造业主要指标(亿元)", Decimal("317900")),
        # a bracket that names no unit leaves the statistical default, 万元
        ("2026年1-10月各区县电子信息制造业主要指标（快报）", Decimal("31.79")),
    ],
)
def test_a_title_that_ends_in_its_unit_gives_the_table_s_unit(
    tmp_path: Path, title: str, revenue: Decimal
) -> None:
    path = write_xlsx(
        tmp_path / "区县报送_2026-10.xlsx",
        [[title], DISTRICT_HEADER, ["万州区", "2026-10", 41, 31.79, 0.312]],
    )
    assert parse_file(path, "districts").rows[0]["revenue_ytd_wan"] == revenue


def test_formulas_with_no_saved_result_are_refused(tmp_path: Path) -> None:
    """A system export writes 研发费用 as formulas and does not calculate them: calamine reads those
    cells empty, and R&D was NULL for every district that month without a word. A 合计 line's =SUM
    with no result is no figure the table needs, and stops nothing."""
    path = write_xlsx(
        tmp_path / "区县报送_2026-07.xlsx",
        [
            DISTRICT_HEADER,
            ["万州区", "2026-07", 41, 183250, "=ROUND(D2*0.0171,2)"],
            ["涪陵区", "2026-07", 20, 90000, 1500],
            ["合计", None, "=SUM(C2:C3)", "=SUM(D2:D3)", None],
        ],
    )
    assert refusal(path, "districts", "districts/区县报送_2026-07.xlsx") == (
        "districts/区县报送_2026-07.xlsx, sheet Sheet1: cell E2 holds a formula with no saved result (the "
        "file was written by a program that does not calculate formulas), so the values cannot be read: open "
        "the file in Excel or WPS and save it, or send the values, and send it again"
    )
    fixed = write_xlsx(
        tmp_path / "区县报送_2026-08.xlsx",
        [DISTRICT_HEADER, ["万州区", "2026-08", 41, 183250, 3120], ["合计", None, "=SUM(C2:C2)", None, None]],
    )
    assert [row["rd_ytd_wan"] for row in parse_file(fixed, "districts").rows] == [Decimal("3120")]


@pytest.mark.parametrize(
    ("marks", "said"),
    [
        # ticked as the form asks (请在已实现数字化的环节打√), the rest left blank
        (["√", None, "√", None], True),
        # 否 written where not: a blank is an unanswered question
        (["√", "否", "√", None], False),
        (["是", "否", "是", "否"], False),
    ],
)
def test_a_survey_ticked_with_only_yes_marks_says_a_blank_is_not_a_no(
    tmp_path: Path, marks: list[str | None], said: bool
) -> None:
    """An enterprise that ticked nothing is read as not having answered, and leaves the
    digitalization rate (4 of 740 moved it from 60.23% to 60.49%): planwatch cannot know that the
    office meant 否, and says so."""
    path = write_xlsx(
        tmp_path / "数字化调查_2026.xlsx",
        [
            ["2026年制造业企业数字化转型调查（请在已实现数字化的环节打√）"],
            ["统一社会信用代码", "调查年度", "研发设计", "生产制造", "经营管理", "销售服务"],
            ["91500101MA5U7XQ21K", 2026, marks[0], marks[1], None, None],
            ["91500101MA5U8B3D4P", 2026, None, None, marks[2], marks[3]],
        ],
    )
    notes = parse_file(path, "surveys", "surveys/数字化调查_2026.xlsx").notes
    assert notes == (
        [
            "surveys/数字化调查_2026.xlsx: its columns 研发设计、生产制造、经营管理、销售服务 hold only yes marks and "
            "blanks, no 否: a blank is read as not answered, not as 否; if a blank means 否 there, write 否 (or ×) "
            "and send the file again"
        ]
        if said
        else []
    )


@pytest.mark.parametrize(
    ("sheet", "aside"),
    [
        ("填报说明", "instructions for filling in the form"),
        ("填报示例", "an example"),
        ("本年退库企业", "enterprises that left the list"),
        ("退出企业名录", "enterprises that left the list"),
        # data whose name says something about it, in brackets or as another word: read (they were set
        # aside, and an 80-line month dropped with one log line)
        ("11月（已剔除注销企业）", None),
        ("10月（含说明）", None),
        ("名录（含迁出企业标注）", None),
        ("说明书数据", None),
        ("区县报送", None),
    ],
)
def test_a_sheet_is_set_aside_only_when_its_name_says_it_is_no_data(sheet: str, aside: str | None) -> None:
    assert set_aside(sheet) == aside
