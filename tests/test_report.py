"""The monthly briefing (.xlsx and .html), from a small hand-made analytics snapshot.

The snapshot holds the periods 2022-12, 2023-12 and 2024-06 of plan cq-ei-2023-2027 (baseline 2022,
target 2027). Worked by hand for 2024-06:
    revenue   actual (1-6月) 2704.00 亿元, yoy +4.0 %, projected 5200 × 1.04 = 5408.00,
              path 5000 × (10000 / 5000) ^ (2 / 5) = 6597.54, so 落后 behind;
              required growth (10000 / 5200) ^ (1 / 4) − 1 = 17.76 %/年
    rd_spend  34.00, yoy +10.0 %, projected 66 × 1.1 = 72.60, path 60 × (200 / 60) ^ 0.4 = 97.12: behind
    rd_intensity  34 / 2704 × 100 = 1.2574 %, straight path 1.2 + 0.8 × 2 / 5 = 1.52: behind;
              required (2.0 − 66 / 5200 × 100) / 4 = (2.0 − 1.2692) / 4 = 0.1827 百分点/年
    digitalization_rate  no survey for 2024: 无数据 no_data; required (65 − 46) / 4 = 4.75 百分点/年
Chains: 智能终端 2000.00, 功率半导体及集成电路 300.00, 元宇宙 2 enterprises, suppressed.
Districts: 两江新区 1500.00 (1 error), 沙坪坝区 800.00 (1 warning), 合川区 1 enterprise, suppressed.
Findings: F2 DQ02 error 两江新区 2024-06 whose message is an injected =HYPERLINK formula, F3 DQ09 error
合川区 undated, F1 DQ03 warn 沙坪坝区 2024-06 whose message holds a URL, and F4 DQ04 of 2023-12, which the
2024-06 briefing leaves out. Errors first: F2, F3, F1.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from orchestration.report import ReportFiles, build_report
from orchestration.report.charts import Bar, LineSeries, bar_chart, escape, line_chart, nice_ticks
from orchestration.report.cumulative import cumulative_chart, measure, monthly_values
from orchestration.report.data import missing_period_message, parse_period
from orchestration.report.model import SUPPRESSED
from orchestration.report.page import plan_path_points
from orchestration.report.workbook import text_lines

PLAN = "cq-ei-2023-2027"
INJECTED = '=HYPERLINK("x")'
TITLE = "重庆市新一代电子信息制造业集群 月度简报 2024年6月"
NAMES = {
    "revenue": "新一代电子信息制造业营业收入",
    "digitalization_rate": "关键业务环节实现数字化的企业比例",
    "rd_intensity": "规模以上企业研发强度",
    "rd_spend": "研发投入",
}
D2212, D2312, D2406 = dt.date(2022, 12, 1), dt.date(2023, 12, 1), dt.date(2024, 6, 1)

# code: (unit, baseline, target, {period: (actual, yoy %, projected, status)})
INDICATORS = {
    "revenue": (
        "亿元",
        5000.0,
        10000.0,
        {
            D2212: (5000.0, None, 5000.0, "on_track"),
            D2312: (5200.0, 4.0, 5200.0, "behind"),
            D2406: (2704.0, 4.0, 5408.0, "behind"),
        },
    ),
    "rd_spend": (
        "亿元",
        60.0,
        200.0,
        {
            D2212: (60.0, None, 60.0, "on_track"),
            D2312: (66.0, 10.0, 66.0, "behind"),
            D2406: (34.0, 10.0, 72.6, "behind"),
        },
    ),
    "rd_intensity": (
        "%",
        1.2,
        2.0,
        {
            D2212: (1.2, None, 1.2, "on_track"),
            D2312: (66 / 5200 * 100, None, 66 / 5200 * 100, "behind"),
            D2406: (34 / 2704 * 100, None, 34 / 2704 * 100, "behind"),
        },
    ),
    "digitalization_rate": (
        "%",
        40.0,
        65.0,
        {
            D2212: (40.0, None, 40.0, "on_track"),
            D2312: (46.0, None, 46.0, "on_track"),
            D2406: (None, None, None, "no_data"),
        },
    ),
}
# fmt: off
CHAINS = [
    (D2312, "smart_terminal", "智能终端", "core", 41, 3900.0, 2.0, 46.0, 1.18, False, 55.0),
    (D2406, "smart_terminal", "智能终端", "core", 40, 2000.0, 3.5, 24.0, 1.2, False, 57.5),
    (D2406, "power_semi_ic", "功率半导体及集成电路", "core", 12, 300.0, 8.0, 6.0, 2.0, False, None),
    (D2406, "metaverse", "元宇宙", "future", 2, None, None, None, None, True, None),
]
DISTRICTS = [
    (D2312, "5001A1", "两江新区", 31, 2900.0, 3.0, 1.0, 58.0, 0, 0, False),
    (D2406, "500117", "合川区", 1, None, None, None, None, 0, 0, True),
    (D2406, "500106", "沙坪坝区", 20, 800.0, -2.5, 1.4, 45.0, 0, 1, False),
    (D2406, "5001A1", "两江新区", 30, 1500.0, 4.2, 1.1, 60.0, 1, 0, False),
]
FINDINGS = [
    ("f1", "DQ03", "warn", "500106", D2406, "企业个数", "20", "19",
     "沙坪坝区2024年6月区县报送的企业个数为 19，填报企业 20 家（口径见 http://x.example/dq03）",
     "districts/区县报送_2024-06.xlsx", 5),
    ("f2", "DQ02", "error", "5001A1", D2406, "营业收入本年累计", "15000000.00", "16000000.00", INJECTED,
     "districts/区县报送_2024-06.xlsx", 3),
    ("f3", "DQ09", "error", "500117", None, "统一社会信用代码", "校验码 5", "校验码 6",
     "合川区企业名录中一家企业的统一社会信用代码校验码有误", "registry/企业名录_2024-06.xlsx", 12),
    ("f4", "DQ04", "error", "500106", D2312, "营业收入本年累计", "≥ 900.00", "850.00",
     "沙坪坝区2023年12月营业收入本年累计比上月少", "districts/区县报送_2023-12.xlsx", 5),
]
RULES = [
    ("DQ02", "区县营业收入与企业月报合计不符", "error", "district total equals filings", "1%", "cross-table", None, 0.01),
    ("DQ03", "区县企业个数与填报企业数不符", "warn", "enterprise_count equals filers", "any", "cross-table", 0.0, None),
    ("DQ04", "本年累计值环比下降", "error", "ytd never falls", "0.5%", "history", None, 0.005),
    ("DQ09", "统一社会信用代码校验错误", "error", "GB 32100 check digit", "—", "identity", None, None),
]
PUBLISH = (dt.datetime(2024, 7, 20, 6, 0), "run-abc", D2212, D2406, 3, 12, 1, 3, 1)
# As of 2024-06: revenue forecast to 2027 (point, 80% low/high, 95% low/high), 3 % likely to break
# through 10,000; the digitalization rate has too little history.
OUTLOOK = [
    (PLAN, "revenue", D2406, 2024, False, 5400.0, 5200.0, 5600.0, 5000.0, 5800.0, None, None, None),
    (PLAN, "revenue", D2406, 2025, False, 6000.0, 5500.0, 6500.0, 5200.0, 6900.0, None, None, None),
    (PLAN, "revenue", D2406, 2026, False, 6700.0, 6000.0, 7400.0, 5600.0, 8000.0, None, None, None),
    (PLAN, "revenue", D2406, 2027, True, 7500.0, 6500.0, 8600.0, 6000.0, 9400.0, 10000.0, 0.03, None),
    (PLAN, "digitalization_rate", D2406, 2027, True, None, None, None, None, None, 65.0, None,
     "needs 2.0 years of yearly changes; has 1.0"),
]
REVISED_BY = (
    "filings/企业月报_2023-12_更正.xlsx (arrived); "
    "filings/企业月报_2023-12.xlsx (superseded by filings/企业月报_2023-12_更正.xlsx)"
)
REVISIONS = [(PUBLISH[0], PLAN, "rd_spend", D2312, "changed", 65.5, 66.0, 0.5, REVISED_BY)]
# fmt: on

DDL = """
create schema marts;
create table marts.indicator_progress (
    plan_id varchar, indicator_code varchar, indicator_name_zh varchar, unit varchar, period date,
    actual_value double, yoy_growth_pct double, projected_annual double, baseline_year integer,
    baseline_value double, target_year integer, target_value double, trajectory_value double,
    required_growth_pct double, status varchar, baseline_source varchar, required_growth_unit varchar
);
create table marts.chain_monthly (
    period date, chain_code varchar, chain_name_zh varchar, tier varchar, enterprise_count bigint,
    revenue_ytd_yi double, revenue_yoy_pct double, rd_ytd_yi double, rd_intensity_pct double, suppressed boolean,
    digitalization_rate_pct double
);
create table marts.district_monthly (
    period date, district_code varchar, district_name varchar, enterprise_count bigint, revenue_ytd_yi double,
    revenue_yoy_pct double, rd_intensity_pct double, digitalization_rate_pct double, findings_error bigint,
    findings_warn bigint, suppressed boolean
);
create table marts.dq_findings (
    finding_id varchar, rule_id varchar, severity varchar, district_code varchar, period date, subject varchar,
    expected varchar, actual varchar, message varchar, source_file varchar, source_row integer
);
create table marts.dq_rules (
    rule_id varchar, title varchar, severity varchar, checks varchar, threshold varchar, kind varchar,
    threshold_warn double, threshold_error double
);
create table marts.indicator_outlook (
    plan_id varchar, indicator_code varchar, as_of_period date, target_year integer, is_plan_target_year boolean,
    point_forecast double, lower_80 double, upper_80 double, lower_95 double, upper_95 double,
    target_value double, probability_meets_target double, note varchar
);
create table marts.indicator_revisions (
    published_at timestamp, plan_id varchar, indicator_code varchar, period date, revision_kind varchar,
    old_value double, new_value double, change double, caused_by varchar
);
create table marts.publish_log (
    published_at timestamp, run_id varchar, first_period date, last_period date, periods_covered integer,
    files_ingested integer, files_rejected integer, findings_error integer, findings_warn integer
);
"""


def path_value(unit: str, baseline: float, target: float, year: int) -> float:
    """docs/indicators.md: constant growth for flows, straight line for ratios, 2022 → 2027."""
    share = (year - 2022) / 5
    return (
        baseline * (target / baseline) ** share if unit == "亿元" else baseline + (target - baseline) * share
    )


def required_growth(unit: str, target: float, annual: float, year: int) -> float:
    """% per year for a flow (亿元), percentage points per year for a ratio (%)."""
    if unit == "%":
        return (target - annual) / (2027 - year)
    return ((target / annual) ** (1 / (2027 - year)) - 1) * 100


def indicator_rows() -> list[tuple]:
    rows = []
    for code, (unit, baseline, target, periods) in INDICATORS.items():
        for period, (actual, yoy, projected, status) in periods.items():
            latest_annual = periods[D2212 if period == D2212 else D2312][0]
            latest_year = 2022 if period == D2212 else 2023
            rows.append(
                (
                    PLAN, code, NAMES[code], unit, period, actual, yoy, projected, 2022, baseline, 2027, target,
                    path_value(unit, baseline, target, period.year),
                    required_growth(unit, target, latest_annual, latest_year), status, "computed",
                    "pp_per_year" if unit == "%" else "pct_per_year",
                )
            )  # fmt: skip
    return rows


def make_snapshot(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(DDL)
        con.executemany(
            f"insert into marts.indicator_progress values ({', '.join('?' * 17)})", indicator_rows()
        )
        con.executemany(f"insert into marts.chain_monthly values ({', '.join('?' * 11)})", CHAINS)
        con.executemany(f"insert into marts.district_monthly values ({', '.join('?' * 11)})", DISTRICTS)
        con.executemany(f"insert into marts.dq_findings values ({', '.join('?' * 11)})", FINDINGS)
        con.executemany(f"insert into marts.dq_rules values ({', '.join('?' * 8)})", RULES)
        con.execute(f"insert into marts.publish_log values ({', '.join('?' * 9)})", list(PUBLISH))
        con.executemany(f"insert into marts.indicator_outlook values ({', '.join('?' * 13)})", OUTLOOK)
        con.executemany(f"insert into marts.indicator_revisions values ({', '.join('?' * 9)})", REVISIONS)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    root = tmp_path_factory.mktemp("report")
    return build_report(make_snapshot(root / "analytics.duckdb"), "2024-06", root / "out")


@pytest.fixture(scope="module")
def workbook(report: ReportFiles) -> openpyxl.Workbook:
    return openpyxl.load_workbook(report.xlsx)


@pytest.fixture(scope="module")
def page(report: ReportFiles) -> str:
    return report.html.read_text(encoding="utf-8")


def table(sheet: Worksheet) -> list[tuple]:
    """Data rows under the header (row 3)."""
    return [
        row for row in sheet.iter_rows(min_row=4, values_only=True) if any(value is not None for value in row)
    ]


def test_files_are_named_for_the_period_and_no_temporary_file_is_left(report: ReportFiles) -> None:
    assert report.xlsx.name == "planwatch_briefing_2024-06.xlsx"
    assert report.html.name == "planwatch_briefing_2024-06.html"
    assert sorted(path.name for path in report.xlsx.parent.iterdir()) == [report.html.name, report.xlsx.name]


def test_sheets_are_titled_and_set_up_for_print(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == [
        "指标",
        "累计",
        "产业链",
        "区县",
        "展望",
        "修订",
        "单元修订",
        "问题",
        "说明",
    ]
    for sheet in workbook:
        assert sheet["A1"].value.startswith(TITLE)
        assert sheet["A3"].font.b
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$3:$3"
        assert re.fullmatch(r"[A-Z]4", sheet.freeze_panes)


def test_scorecard_holds_the_worked_numbers(workbook: openpyxl.Workbook) -> None:
    """Indicators in the plan's order, by name: no indicator code, status code or plan id for the
    official who reads it (the notes name the plan)."""
    sheet = workbook["指标"]
    assert sheet["C3"].value == "实际值（2024年1-6月）" and sheet["F3"].value == "规划路径（2024年）"
    assert [cell.value for cell in sheet[3]][-1] == "状态"
    codes = {name: code for code, name in NAMES.items()}
    rows = {codes[row[0]]: row for row in table(sheet)}
    assert list(rows) == ["revenue", "digitalization_rate", "rd_intensity", "rd_spend"]
    name, unit, actual, yoy, projected, path, target, year, required, per, status = rows["revenue"]
    assert (name, unit, actual, yoy, projected) == (NAMES["revenue"], "亿元", 2704.0, 4.0, 5408.0)
    assert (target, year) == (10000, 2027)
    assert path == pytest.approx(6597.54, abs=0.01)
    assert (required, per, status) == (pytest.approx(17.76, abs=0.01), "%/年", "落后")
    rd_spend, rd_intensity = rows["rd_spend"], rows["rd_intensity"]
    assert rd_spend[4] == pytest.approx(72.6) and rd_spend[5] == pytest.approx(97.12, abs=0.01)
    assert rd_intensity[2] == pytest.approx(1.2574, abs=1e-4) and rd_intensity[5] == pytest.approx(1.52)
    digitalization = rows["digitalization_rate"]
    assert rd_intensity[8:10] == (pytest.approx(0.1827, abs=1e-4), "百分点/年")
    assert digitalization[2] == "—" and digitalization[10] == "无数据"
    assert digitalization[8:10] == (pytest.approx(4.75), "百分点/年")
    assert sheet["C4"].number_format == "#,##0.00" and sheet["H4"].number_format == "0"


def test_chains_show_suppressed_cells_as_confidential(workbook: openpyxl.Workbook) -> None:
    rows = table(workbook["产业链"])
    assert [row[0] for row in rows] == ["智能终端", "功率半导体及集成电路", "元宇宙"]  # names, no codes
    assert rows[0][2:] == (40, 2000.0, 3.5, 24.0, 1.2, 57.5)  # the survey year's digitalization rate too
    assert rows[1][-1] == "—"  # no rate for the chain
    assert rows[2][1] == "未来产业"
    assert rows[2][2:] == (2, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert SUPPRESSED == "—(保密)"


def test_districts_are_ranked_by_revenue_with_suppressed_last(workbook: openpyxl.Workbook) -> None:
    rows = table(workbook["区县"])
    assert [row[:4] for row in rows] == [
        (1, "两江新区", 30, 1500.0),
        (2, "沙坪坝区", 20, 800.0),
        ("—", "合川区", 1, SUPPRESSED),
    ]
    assert [row[7:] for row in rows] == [(1, 0), (0, 1), (0, 0)]


def test_findings_are_the_period_and_undated_ones_errors_first(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["问题"]
    rows = table(sheet)
    assert [(row[0], row[1], row[2], row[3]) for row in rows] == [
        ("错误", "DQ02 区县营业收入与企业月报合计不符", "两江新区", "2024-06"),
        ("错误", "DQ09 统一社会信用代码校验错误", "合川区", "不分报告期"),
        ("提示", "DQ03 区县企业个数与填报企业数不符", "沙坪坝区", "2024-06"),
    ]
    assert rows[0][5:] == ("15000000.00", "16000000.00", "districts/区县报送_2024-06.xlsx", 3)


def test_an_injected_formula_is_stored_as_text(workbook: openpyxl.Workbook) -> None:
    cell = workbook["问题"]["E4"]
    assert cell.data_type == "s"
    assert cell.value == "'" + INJECTED or (cell.value == INJECTED and cell.quotePrefix)


def test_notes_name_the_last_publish_and_the_disclosure_rule(workbook: openpyxl.Workbook) -> None:
    notes = {key: value for key, value in table(workbook["说明"]) if key != "口径"}
    assert notes["最近一次发布"] == "2024-07-20 06:00（运行 run-abc）"
    assert notes["快照覆盖报告期"] == "2022-12..2024-06（3 个报告期）"
    assert notes["入库文件"] == "已入库 12 个，拒收 1 个"
    # this snapshot's marts know only the count rule, and not its threshold
    assert "少于规定家数" in notes["保密规则"] and "—(保密)" in notes["保密规则"]
    assert "单一企业主导" not in notes["保密规则"]


def test_page_is_self_contained_chinese_and_printable(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif' in page
    assert "@media print" in page and "@page" in page
    assert f"<h1>{TITLE}</h1>" in page
    lowered = page.lower()
    for forbidden in ("http://", "https://", "//cdn", "<script", "<link", "xmlns", "@import", "url("):
        assert forbidden not in lowered, forbidden


def test_page_shows_the_scorecard_charts_and_tables(page: str) -> None:
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 10  # four indicators over the plan years and month by month, chains, districts
    for name in NAMES.values():
        assert name in page
    revenue = next(svg for svg in svgs if f"<title>{NAMES['revenue']}（亿元）</title>" in svg)
    assert "2024年全年预计（据1-6月）" in revenue and ">5,408.00<" in revenue and ">10,000.00<" in revenue
    assert "规划路径" in revenue and "目标（2027年）" in revenue
    intensity = next(svg for svg in svgs if f"<title>{NAMES['rd_intensity']}（%）</title>" in svg)
    assert "2024年1-6月最新值" in intensity and ">1.26<" in intensity
    digitalization = next(svg for svg in svgs if NAMES["digitalization_rate"] in svg)
    assert "最新值" not in digitalization  # no survey for 2024 yet: nothing to mark
    chains = next(svg for svg in svgs if "产业链营业收入" in svg)
    assert ">2,000.00<" in chains and ">保密<" in chains
    districts = next(svg for svg in svgs if "区县营业收入排名" in svg)
    assert re.search(r">两江新区<.*>1,500.00<.*>沙坪坝区<.*>800.00<.*>合川区<.*>保密<", districts, re.S)
    assert '<td class="num">2,704.00</td>' in page and '<td class="num">5,408.00</td>' in page
    assert (
        '<td>元宇宙</td><td class="nw">未来产业</td><td class="num">2</td><td class="num">—(保密)</td>'
        in page
    )


def test_outlook_and_revisions_sheets(workbook: openpyxl.Workbook) -> None:
    outlook = table(workbook["展望"])
    assert outlook == [
        (NAMES["revenue"], 2027, 7500, 6500, 8600, 6000, 9400, 10000, "3%", None),  # as the scorecard says it
        (
            NAMES["digitalization_rate"],
            2027,
            None,
            None,
            None,
            None,
            None,
            65,
            "—",
            "历史数据不足，暂不预测",
        ),
    ]
    assert table(workbook["修订"]) == [("rd_spend", "2023-12", "修订", 65.5, 66, 0.5, REVISED_BY)]


def test_the_page_draws_the_fan_and_lists_the_revisions(page: str) -> None:
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    revenue = next(svg for svg in svgs if f"<title>{NAMES['revenue']}（亿元）</title>" in svg)
    bands = re.findall(r'<polygon points="[^"]*" fill="#2f5f98" fill-opacity="(0\.\d+)"', revenue)
    assert bands == ["0.12", "0.25"]  # the 95% band under the 80% one
    assert "预测中位数（达标概率 3%）" in revenue and "80%预测区间" in revenue
    digitalization = next(svg for svg in svgs if NAMES["digitalization_rate"] in svg)
    assert "预测中位数" not in digitalization and "fill-opacity" not in digitalization  # no forecast, no fan
    assert "本次发布修订了以往发布的 1 个数据" in page and "企业月报_2023-12_更正.xlsx (arrived)" in page


def test_a_snapshot_without_outlook_or_revisions_still_reports(tmp_path: Path) -> None:
    """Snapshots published before the outlook and the revisions existed."""
    snapshot = make_snapshot(tmp_path / "analytics.duckdb")
    with duckdb.connect(str(snapshot)) as con:
        con.execute("drop table marts.indicator_outlook; drop table marts.indicator_revisions")
    files = build_report(snapshot, "2024-06", tmp_path / "out")
    page = files.html.read_text(encoding="utf-8")
    assert "fill-opacity" not in page and table(openpyxl.load_workbook(files.xlsx)["展望"]) == []
    assert "此快照没有修订记录" in page  # not "nothing was revised": the snapshot cannot tell


def test_the_chain_and_district_values_revised_are_listed_by_name(tmp_path: Path) -> None:
    """The correction of 2023-12 also raised 智能终端's revenue and left 合川区 suppressed: the 单元修订
    sheet names them in Chinese, says 不再公布 (not 撤回) for the cleared value, and the page counts them.
    A snapshot without the table says it has no record, not that nothing was revised."""
    snapshot = make_snapshot(tmp_path / "analytics.duckdb")
    with duckdb.connect(str(snapshot)) as con:
        con.execute(
            "create table marts.cell_revisions (published_at timestamp, cell_table varchar, unit_code varchar, "
            "period date, measure varchar, revision_kind varchar, old_value double, new_value double, "
            "change double, caused_by varchar)"
        )
        con.executemany(
            "insert into marts.cell_revisions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (PUBLISH[0], "chain_monthly", "smart_terminal", D2312, "revenue_ytd_yi", "changed", 3890.0,
                 3900.0, 10.0, REVISED_BY),
                (PUBLISH[0], "district_monthly", "500117", D2312, "revenue_ytd_yi", "cleared", 40.0, None, None,
                 REVISED_BY),
            ],
        )  # fmt: skip
    files = build_report(snapshot, "2024-06", tmp_path / "out")
    assert table(openpyxl.load_workbook(files.xlsx)["单元修订"]) == [
        ("产业链 智能终端", "2023-12", "营业收入本年累计（亿元）", "修订", 3890, 3900, 10, REVISED_BY),
        ("区县 合川区", "2023-12", "营业收入本年累计（亿元）", "不再公布", 40, None, None, REVISED_BY),
    ]
    assert "本次发布修订了以往发布的产业链、区县数据 2 项" in files.html.read_text(encoding="utf-8")
    older = build_report(make_snapshot(tmp_path / "older.duckdb"), "2024-06", tmp_path / "older")
    assert "此快照没有产业链、区县数据的修订记录" in older.html.read_text(encoding="utf-8")
    assert table(openpyxl.load_workbook(older.xlsx)["单元修订"]) == []


def test_page_escapes_text_from_the_data(page: str) -> None:
    assert "=HYPERLINK(&quot;x&quot;)" in page and INJECTED not in page
    assert "http:&#47;&#47;x.example/dq03" in page  # shown as written, but no URL in the source


def test_december_needs_no_projection(tmp_path: Path) -> None:
    files = build_report(
        make_snapshot(tmp_path / "analytics.duckdb"), dt.date(2023, 12, 15), tmp_path / "out"
    )
    page = files.html.read_text(encoding="utf-8")
    assert files.html.name == "planwatch_briefing_2023-12.html"
    assert "全年预计（据" not in page and ">5,200.00<" in page
    assert len(table(openpyxl.load_workbook(files.xlsx)["问题"])) == 2  # F4 of 2023-12 and the undated F3


def test_notes_describe_the_wider_disclosure_rule_when_the_marts_give_reasons(tmp_path: Path) -> None:
    snapshot = make_snapshot(tmp_path / "analytics.duckdb")
    with duckdb.connect(str(snapshot)) as con:
        con.execute("alter table marts.chain_monthly add column suppression_reason varchar")
        con.execute("alter table marts.chain_monthly add column min_cell_enterprises integer default 4")
        con.execute("alter table marts.chain_monthly add column dominance_share double default 0.9")
    files = build_report(snapshot, "2024-06", tmp_path / "out")
    notes = {key: value for key, value in table(openpyxl.load_workbook(files.xlsx)["说明"]) if key != "口径"}
    # the thresholds the cells were published under (here not the defaults), not a copy of them
    assert (
        "少于 4 家" in notes["保密规则"] and "超过 90%" in notes["保密规则"] and "合计" in notes["保密规则"]
    )


def test_a_finding_whose_figures_are_withheld_shows_them_as_confidential(tmp_path: Path) -> None:
    """合川区 (1 enterprise, suppressed) has a DQ13 finding whose figures the snapshot withholds
    (expected and actual NULL): the sheet and the page say 保密 where the figures would be, as for a cell."""
    snapshot = make_snapshot(tmp_path / "analytics.duckdb")
    message = (
        "合川区2024年6月：区县报送与上月完全相同。该区县数值不公布，完整说明（含数值）见该区县的反馈表。"
    )
    with duckdb.connect(str(snapshot)) as con:
        con.execute("alter table marts.dq_findings add column figures_withheld boolean default false")
        con.execute(
            "insert into marts.dq_findings values ('f5', 'DQ13', 'warn', '500117', ?, '区县月报', null, null, ?, "
            "'districts/区县报送_2024-06.xlsx', 7, true)",
            [D2406, message],
        )
    files = build_report(snapshot, "2024-06", tmp_path / "out")
    rows = table(openpyxl.load_workbook(files.xlsx)["问题"])
    withheld = [row for row in rows if row[1].startswith("DQ13")]
    assert [row[4:7] for row in withheld] == [(message, SUPPRESSED, SUPPRESSED)]
    assert [row[5:7] for row in rows if row[1].startswith("DQ02")] == [("15000000.00", "16000000.00")]
    page = files.html.read_text(encoding="utf-8")
    assert f"{message}</td><td>{SUPPRESSED}</td><td>{SUPPRESSED}</td>" in page.replace("\n", "")


@pytest.mark.parametrize("period", ["2024-07", "2023-01", "2021-12"])
def test_a_period_not_in_the_snapshot_names_the_available_ones(tmp_path: Path, period: str) -> None:
    snapshot = make_snapshot(tmp_path / "analytics.duckdb")
    with pytest.raises(ValueError, match=r"it holds 3 periods, 2022-12\.\.2024-06") as raised:
        build_report(snapshot, period, tmp_path / "out")
    assert period in str(raised.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text", ["2024/06", "2024-13", "June", ""])
def test_a_malformed_period_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period(text)


def test_gaps_inside_the_range_are_named() -> None:
    periods = [dt.date(2023, 11, 1), dt.date(2023, 12, 1), dt.date(2024, 2, 1)]
    message = missing_period_message(dt.date(2024, 1, 1), periods, Path("analytics.duckdb"))
    assert "3 periods, 2023-11..2024-02 (none for 2024-01: January has no report of its own" in message


def test_plan_path_is_read_from_the_marts() -> None:
    """The path of the years with data is indicator_progress's trajectory_value, that of the years ahead
    indicator_outlook's plan_path_value; a year in neither has no point (nothing is recomputed)."""
    history = [
        {"period": dt.date(2023, 12, 1), "trajectory_value": 5743.49},
        {"period": dt.date(2024, 6, 1), "trajectory_value": 6597.54},
    ]
    outlook = [
        {"target_year": 2024, "plan_path_value": 6597.54},
        {"target_year": 2026, "plan_path_value": 8705.51},
        {"target_year": 2027, "plan_path_value": 10000.0},
    ]
    assert plan_path_points(history, outlook, range(2022, 2028)) == [
        (2022, None), (2023, 5743.49), (2024, 6597.54), (2025, None), (2026, 8705.51), (2027, 10000.0),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 610.4, [0, 200, 400, 600, 800]),
        (0, 10000, [0, 2500, 5000, 7500, 10000]),
        (0, 2.0, [0, 0.5, 1.0, 1.5, 2.0]),
        (0, 0, [0, 0.25, 0.5, 0.75, 1.0]),
        (-3.2, 8.1, [-5, 0, 5, 10]),
    ],
)
def test_nice_ticks(low: float, high: float, ticks: list[float]) -> None:
    assert nice_ticks(low, high) == ticks


def test_charts_escape_text_and_draw_what_they_are_given() -> None:
    line = line_chart(
        "<b>A&B</b>",
        [2022, 2023, 2024],
        [LineSeries("实际", ((2022, 1.0), (2023, None), (2024, 3.0)), "#000000", annotate_last=True)],
    )
    assert line.startswith("<svg ") and line.endswith("</svg>")
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in line and "<b>" not in line
    assert line.count("<circle") == 3  # two points and the legend swatch; no line across the gap
    assert "<polyline" not in line and ">3.00<" in line
    bars = bar_chart(
        "revenue",
        [Bar("甲", 10.0, counts=(2, 0)), Bar("=乙", None, note="保密", counts=(None, 1))],
        count_headers=(("错误", "#c00000"), ("提示", "#c77c00")),
    )
    assert bars.count("<rect") == 1 and ">10.00<" in bars and ">保密<" in bars and ">=乙<" in bars
    assert re.search(r'fill="#c00000" font-size="12" text-anchor="middle" font-weight="bold">2<', bars)
    assert escape("see https://cdn.example") == "see https:&#47;&#47;cdn.example"


def test_the_briefing_opens_with_a_lead_paragraph_from_the_figures(
    page: str, workbook: openpyxl.Workbook
) -> None:
    lead = (
        "2024年1-6月，全市新一代电子信息制造业营业收入2,704.00亿元，同比增长4.0%；研发投入34.00亿元，同比增长10.0%；"
        "研发强度1.26%。新一代电子信息制造业营业收入、规模以上企业研发强度、研发投入落后于规划路径。"
        "按截至本期的趋势，2027年营业收入实现10,000亿元目标的概率约为3%。"
        # 元宇宙 and 合川区 are suppressed: either may have grown faster than what is named
        "公布增速的产业链中，营业收入增长最快的是功率半导体及集成电路（同比+8.0%）；"
        "公布增速的区县中，营业收入增长最快的是两江新区（同比+4.2%）。"
    )
    assert f'<p class="lead">{lead}</p>' in page
    assert table(workbook["说明"])[0] == ("概述", lead)


@pytest.mark.parametrize(
    ("now", "before", "text"),
    [
        (4.0, None, ""),
        (4.0, 3.2, "，增速比1-5月加快0.8个百分点"),
        (2.5, 3.0, "，增速比1-5月回落0.5个百分点"),
        (3.04, 3.0, "，增速与1-5月持平"),
    ],
)
def test_growth_against_the_month_before(now: float, before: float | None, text: str) -> None:
    from orchestration.report.lead import growth_change

    assert growth_change(now, before, dt.date(2024, 5, 1)) == text


def test_a_flow_sentence_compares_with_the_month_before() -> None:
    from orchestration.report.lead import flow_sentence

    history = [
        {
            "indicator_code": "revenue",
            "period": dt.date(2024, 5, 1),
            "actual_value": 2200.0,
            "yoy_growth_pct": 3.2,
        },
        {
            "indicator_code": "revenue",
            "period": dt.date(2024, 6, 1),
            "actual_value": 2704.0,
            "yoy_growth_pct": -1.0,
        },
    ]
    assert flow_sentence(history, "revenue", "营业收入", dt.date(2024, 6, 1)) == (
        "营业收入2,704.00亿元，同比下降1.0%，增速比1-5月回落4.2个百分点"
    )
    assert flow_sentence(history, "revenue", "营业收入", dt.date(2024, 7, 1)) == ""


def test_the_cumulative_sheet_and_curves_show_the_months_of_the_year(workbook, page: str) -> None:
    """The fixture has 2024-06 only for the report year: each indicator's 2024 row ends in June's
    figure (growth for the flows, the value for the ratios), and 2023 has no month up to June."""
    rows = table(workbook["累计"])
    assert [row[:3] for row in rows[:4]] == [
        (NAMES["revenue"], "累计同比增速 %", "2024年"),
        (NAMES["revenue"], "累计同比增速 %", "2023年"),
        (NAMES["digitalization_rate"], "累计值 %", "2024年"),
        (NAMES["digitalization_rate"], "累计值 %", "2023年"),
    ]
    header = [cell.value for cell in workbook["累计"][3]]
    assert header == ["指标", "口径", "年份", "1月", "2月", "3月", "4月", "5月", "6月"]
    by_name = {(row[0], row[2]): row[3:] for row in rows}
    assert by_name[(NAMES["revenue"], "2024年")] == (None, None, None, None, None, 4.0)
    assert by_name[(NAMES["revenue"], "2023年")] == (None,) * 6
    assert by_name[(NAMES["rd_intensity"], "2024年")][-1] == pytest.approx(34 / 2704 * 100)
    curve = next(
        svg
        for svg in re.findall(r"<svg\b.*?</svg>", page, re.S)
        if "1月至各月累计同比增速" in svg and "营业收入" in svg
    )
    assert ">4.00<" in curve and ">2024年<" in curve and ">2023年<" in curve and ">12月<" in curve


def test_a_cumulative_curve_follows_growth_for_a_flow_and_the_value_for_a_ratio() -> None:
    """Worked: revenue grew 5.0 % in 1-2月, 6.5 % in 1-3月 of 2024; 2023 ran 1.0 .. 12.0; the ratio's
    curve is its value."""

    def row(code: str, unit: str, period: dt.date, value: float, growth: float | None) -> dict:
        return {"plan_id": PLAN, "indicator_code": code, "indicator_name_zh": code, "unit": unit,
                "period": period, "actual_value": value, "yoy_growth_pct": growth,
                "indicator_kind": "ratio" if unit == "%" else "flow"}  # fmt: skip

    flow = [row("revenue", "亿元", dt.date(2023, m, 1), 100.0 * m, float(m)) for m in range(1, 13)]
    flow += [
        row("revenue", "亿元", dt.date(2024, 2, 1), 210.0, 5.0),
        row("revenue", "亿元", dt.date(2024, 3, 1), 320.0, 6.5),
    ]
    assert monthly_values(flow, 2024, "yoy_growth_pct") == {2: 5.0, 3: 6.5}
    assert monthly_values(flow, 2023, "yoy_growth_pct")[12] == 12.0
    chart = cumulative_chart(flow, dt.date(2024, 3, 1))
    assert ">6.50<" in chart  # the report month's growth, written beside the last point
    assert "累计同比增速" in chart and ">1月<" in chart and ">12月<" in chart
    ratio = [row("rd_intensity", "%", dt.date(2024, m, 1), 1.0 + m / 10, None) for m in (1, 2, 3)]
    assert measure(ratio[-1]) == ("actual_value", "累计值 %")
    assert ">1.30<" in cumulative_chart(ratio, dt.date(2024, 3, 1))


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("目标值", 11, 1),
        ("实际值（2024年1-6月）", 16, 2),
        ("关键业务环节实现数字化的企业比例", 30, 1),
        ("关键业务环节实现数字化的企业比例", 16, 2),
        ("第一行\n第二行", 30, 2),
        ("", 10, 1),
    ],
)
def test_a_wrapped_cell_gets_the_lines_it_needs(text: str, width: float, lines: int) -> None:
    assert text_lines(text, width) == lines


def test_the_header_row_is_as_tall_as_its_longest_header(workbook: openpyxl.Workbook) -> None:
    """LibreOffice prints a wrapped header over the first row unless the row is given its height."""
    assert workbook["指标"].row_dimensions[3].height == 30  # 实际值（2024年1-6月）: two lines


@pytest.mark.parametrize(
    ("cells", "text"),
    [
        # the only chain published: nothing to compare it with
        ([("智能终端", 5, False, 12.8), ("新型显示", 2, True, None), ("元宇宙", 0, False, None)], ""),
        # a suppressed chain may have grown faster: said among those published
        ([("智能终端", 5, False, 12.8), ("服务器", 4, False, 3.0), ("新型显示", 2, True, None)],
         "公布增速的产业链中，营业收入增长最快的是智能终端（同比+12.8%）"),
        # every chain with enterprises published (an empty one is no chain to compare)
        ([("智能终端", 5, False, 12.8), ("服务器", 4, False, 3.0), ("元宇宙", 0, False, None)],
         "营业收入增长最快的产业链是智能终端（同比+12.8%）"),
    ],
)  # fmt: skip
def test_fastest_is_said_only_of_what_was_compared(cells: list[tuple], text: str) -> None:
    from orchestration.report.lead import fastest

    rows = [
        {
            "chain_name_zh": name,
            "enterprise_count": count,
            "suppressed": suppressed,
            "revenue_yoy_pct": growth,
        }
        for name, count, suppressed, growth in cells
    ]
    assert fastest(rows, "产业链", "chain_name_zh") == text
