"""The whole pipeline on a tiny hand-made raw folder, checked against numbers worked out by hand.

Three in-scope enterprises in two districts (万州区 500101, 涪陵区 500102), filings for 2022-12,
2023-12 and 2024-06 in 万元:

    period   E1 3911 万州 (rev / R&D)   E2 3974 万州        E3 3973 涪陵
    2022-12  600000 / 6000             300000 / 6000       100000 / 3000
    2023-12  660000 / 7000             310000 / 6200       130000 / 3800
    2024-06  330000 / 3300             150000 / 3000        70000 / —  (missing)

plus one out-of-scope enterprise (class 3311) and one below designated size that must not count.

revenue (亿元): 2022-12 100, 2023-12 110, 2024-06 55. Baseline (computed, 2022) 100.
  yoy 2023-12 = 110/100 − 1 = 10 %; 2024-06 has no 2023-06 to compare with → NULL.
  projected annual: at December the actual (100, 110); 2024-06 none → status no_data.
  trajectory 100 × (10000/100)^((y−2022)/5): 2022 100; 2023 251.188643150958; 2024 630.957344480193.
  status: 2022-12 100 ≥ 100 on_track; 2023-12 110 < 251.19 behind.
  required growth: 2022-12 (10000/100)^(1/5) − 1 = 151.188643150958 %;
  2023-12 and 2024-06 (latest complete year 2023) (10000/110)^(1/4) − 1 = 208.781895396345 %.
rd_spend (亿元): 1.5, 1.7, 0.63 (E3's missing R&D adds nothing, and rd_missing_enterprises 0, 0, 1 say
  so); yoy 2023-12 = 13.3333 %;
  trajectory 2023 = 1.5 × (200/1.5)^(1/5) = 3.99097499139296 → behind.
rd_intensity (%): 2022-12 15000/1000000 = 1.5; 2023-12 17000/1100000 = 1.54545454545455;
  2024-06 leaves E3 out of both sums: 6300/480000 = 1.3125, and says so: rd_missing_enterprises
  0, 0, 1 (NULL for revenue and digitalization_rate).
  trajectory 1.5 + (2 − 1.5) × (y − 2022)/5: 1.5, 1.6, 1.7 → on_track, behind, behind.
  required step in percentage points per year (a ratio's, not a relative growth):
  2022-12 (2 − 1.5)/5 = 0.1; 2023-12 and 2024-06 (2 − 17/11)/4 = (5/11)/4 = 0.113636363636364.
digitalization_rate (%): survey 2022 E1 yes, E2 one 否, E3 yes → 2/3 = 66.6667; 2023 all yes → 100;
  2024 E1, E2 yes, E3 not surveyed → 2/2 = 100. trajectory 66.6667 + (65 − 66.6667)(y − 2022)/5:
  2022 66.6667, 2023 66.3333, 2024 66.0 → on_track at every period.
  required step: 2022-12 (65 − 200/3)/5 = −1/3 = −0.333333333333333 points a year (above the
  target already); 2023-12 and 2024-06 (65 − 100)/4 = −8.75.
Chains and districts say how many enterprises their R&D ratio left out: 2024-06 power_semi_ic (E3)
  and 涪陵区 1, every other cell 0; shown although every cell is suppressed (a count, not a value).
District submissions: 涪陵区 sends nothing for 2022-12 and 2023-12 (two DQ01 findings for 500102);
its one-line table of 2024-06, 涪陵区_2024年6月.xlsx under a title row, has 报告期 2042年6月: DQ14 on that
line, filed under 2024-06, and a DQ01 of 2024-06 that cites the line instead of saying nothing came in;
the workbook shows the two as one problem, DQ14 first. 万州区 sends consistent
figures, except that its 2023-12 revenue was typed in 元 into the 万元 table, as happens:
9,700,000,000 for 970,000 万元. That one mistake breaks four rules on the same line: DQ06 (about
10^4 times 2022-12's 900,000: 10,777.8, within 15% of 10^4), DQ02 (against the filings' 970,000),
DQ05 (growth far above 100%) and DQ07 (above 1e8 万元). The feedback workbook
2023-12/500101_万州区.xlsx shows them as one problem, the unit mix-up first, its 应为 970,000.
"""

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.identity import uscc_check_char
from tests.builds import fetch
from tests.sheets import write_csv, write_xlsx


def uscc(serial: str) -> str:
    first17 = "91500101" + serial
    return first17 + uscc_check_char(first17)


E1, E2, E3, OUT, SMALL = (uscc(f"MA{n:07d}") for n in range(1, 6))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, planwatch) -> Path:
    root = tmp_path_factory.mktemp("handmade")
    raw = root / "raw"
    write_xlsx(
        raw / "registry" / "企业名录.xlsx",
        [
            ["统一社会信用代码", "企业名称", "区县", "行业代码", "规模以上"],
            [E1, "重庆甲电脑有限公司", "万州区", "3911", "是"],
            [E2, "重庆乙显示有限公司", "万州", "3974", "是"],
            [E3, "重庆丙芯片有限公司", "500102", "3973", ""],
            [OUT, "重庆丁机械有限公司", "万州区", "3311", "是"],
            [SMALL, "重庆戊电子有限公司", "涪陵区", "3982", "否"],
        ],
    )
    filings = {
        "2022-12": [(E1, 600000, 6000), (E2, 300000, 6000), (E3, 100000, 3000)],
        "2023-12": [(E1, 660000, 7000), (E2, 310000, 6200), (E3, 130000, 3800)],
        "2024-06": [(E1, 330000, 3300), (E2, 150000, 3000), (E3, 70000, "—")],
    }
    header = ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]
    for period, rows in filings.items():
        extra = [[OUT, period, 999999, 9999], [SMALL, period, 1500, 15]]
        write_csv(
            raw / "filings" / f"企业月报_{period}.csv",
            [header, *[[u, period, r, d] for u, r, d in rows], *extra],
        )
        wanzhou = [rows[0], rows[1]]
        revenue = sum(r for _, r, _ in wanzhou) * (10_000 if period == "2023-12" else 1)  # 元 typed in
        write_xlsx(
            raw / "districts" / f"万州区_{period}.xlsx",
            [
                ["区县", "报告期", "企业个数", "营业收入本年累计（万元）", "研发费用本年累计（万元）"],
                ["万州区", period, 2, revenue, sum(d for _, _, d in wanzhou)],
            ],
        )
    # a tired officer's table: a title, the unit under it, the year typed 2042 for 2024
    write_xlsx(
        raw / "districts" / "涪陵区_2024年6月.xlsx",
        [
            ["涪陵区规模以上电子信息制造业主要指标（2024年1-6月）"],
            ["填报单位：涪陵区经济和信息化委员会", None, None, "单位：万元"],
            ["区县", "报告期", "企业个数", "营业收入本年累计", "研发费用本年累计"],
            ["涪陵区", "2042年6月", 1, 70000, 0],
        ],
    )
    survey_header = ["统一社会信用代码", "调查年度", "研发设计", "生产制造", "经营管理", "销售服务"]
    surveys = {
        2022: [
            [E1, 2022, "是", "是", "是", "是"],
            [E2, 2022, "是", "否", "是", "是"],
            [E3, 2022, 1, 1, 1, 1],
        ],
        2023: [
            [E1, 2023, "是", "是", "是", "是"],
            [E2, 2023, "是", "是", "是", "是"],
            [E3, 2023, 1, 1, 1, 1],
        ],
        2024: [[E1, 2024, "是", "是", "是", "是"], [E2, 2024, "是", "是", "是", "是"]],
    }
    for year, rows in surveys.items():
        write_xlsx(raw / "surveys" / f"数字化调查_{year}.xlsx", [survey_header, *rows])
    warehouse = root / "warehouse"
    result = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr[-3000:]
    return warehouse / "analytics.duckdb"


def progress(snapshot: Path) -> dict[tuple[str, str], dict]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        cursor = con.execute("select * from marts.indicator_progress")
        names = [column[0] for column in cursor.description]
        return {
            (row["indicator_code"], f"{row['period']:%Y-%m}"): row
            for row in (dict(zip(names, r, strict=True)) for r in cursor.fetchall())
        }


EXPECTED = [
    # indicator, period, actual, yoy %, projected, trajectory, required growth %, status
    ("revenue", "2022-12", 100.0, None, 100.0, 100.0, 151.188643150958, "on_track"),
    ("revenue", "2023-12", 110.0, 10.0, 110.0, 251.188643150958, 208.781895396345, "behind"),
    ("revenue", "2024-06", 55.0, None, None, 630.957344480193, 208.781895396345, "no_data"),
    ("rd_spend", "2022-12", 1.5, None, 1.5, 1.5, 166.064999426197, "on_track"),
    ("rd_spend", "2023-12", 1.7, 13.3333333333333, 1.7, 3.99097499139296, 229.340597116918, "behind"),
    ("rd_spend", "2024-06", 0.63, None, None, 10.6185875879493, 229.340597116918, "no_data"),
    ("rd_intensity", "2022-12", 1.5, None, 1.5, 1.5, 0.1, "on_track"),
    ("rd_intensity", "2023-12", 1.54545454545455, None, 1.54545454545455, 1.6, 0.113636363636364, "behind"),
    ("rd_intensity", "2024-06", 1.3125, None, 1.3125, 1.7, 0.113636363636364, "behind"),
    (
        "digitalization_rate",
        "2022-12",
        66.6666666666667,
        None,
        66.6666666666667,
        66.6666666666667,
        -0.333333333333333,
        "on_track",
    ),
    ("digitalization_rate", "2023-12", 100.0, None, 100.0, 66.3333333333333, -8.75, "on_track"),
    ("digitalization_rate", "2024-06", 100.0, None, 100.0, 66.0, -8.75, "on_track"),
]
RD_MISSING = {
    (indicator, period): missing
    for indicator in ("rd_spend", "rd_intensity")
    for period, missing in (("2022-12", 0), ("2023-12", 0), ("2024-06", 1))
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("indicator", "period", "actual", "yoy", "projected", "trajectory", "required", "status"), EXPECTED
)
def test_indicator_progress_by_hand(
    published: Path,
    indicator: str,
    period: str,
    actual: float,
    yoy: float | None,
    projected: float | None,
    trajectory: float,
    required: float,
    status: str,
) -> None:
    row = progress(published)[(indicator, period)]
    assert row["actual_value"] == pytest.approx(actual, rel=1e-12)
    assert row["projected_annual"] == (None if projected is None else pytest.approx(projected, rel=1e-12))
    assert row["trajectory_value"] == pytest.approx(trajectory, rel=1e-12)
    assert row["status"] == status
    assert row["plan_id"] == "cq-ei-2023-2027"
    assert (row["baseline_year"], row["target_year"]) == (2022, 2027)
    assert row["period"] == dt.date.fromisoformat(f"{period}-01")
    assert row["yoy_growth_pct"] == (None if yoy is None else pytest.approx(yoy, rel=1e-12))
    assert row["required_growth_pct"] == pytest.approx(required, rel=1e-12)
    ratio = indicator in ("rd_intensity", "digitalization_rate")
    assert row["required_growth_unit"] == ("pp_per_year" if ratio else "pct_per_year")
    assert row["rd_missing_enterprises"] == RD_MISSING.get((indicator, period))


@pytest.mark.slow
def test_baselines_and_targets(published: Path) -> None:
    rows = progress(published)
    assert {
        code: rows[(code, "2023-12")]["baseline_value"] for code in ("revenue", "rd_spend", "rd_intensity")
    } == {
        "revenue": pytest.approx(100.0),
        "rd_spend": pytest.approx(1.5),
        "rd_intensity": pytest.approx(1.5),
    }
    assert {
        code: rows[(code, "2023-12")]["target_value"]
        for code in ("revenue", "rd_spend", "rd_intensity", "digitalization_rate")
    } == {
        "revenue": 10000,
        "rd_spend": 200,
        "rd_intensity": 2.0,
        "digitalization_rate": 65,
    }


@pytest.mark.slow
def test_small_cells_suppressed_and_missing_district_found(published: Path) -> None:
    """万州 has 2 enterprises, 涪陵 1: both cells describe fewer than 3 enterprises and are suppressed."""
    districts = fetch(
        published,
        "select district_code, enterprise_count, revenue_ytd_yi, suppressed from marts.district_monthly "
        "where period = '2023-12-01' and enterprise_count > 0 order by 1",
    )
    findings = fetch(
        published,
        "select rule_id, severity, district_code, strftime(period, '%Y-%m') from marts.dq_findings order by 4, 1, 3",
    )
    assert districts == [("500101", 2, None, True), ("500102", 1, None, True)]
    assert findings == [
        ("DQ01", "error", "500102", "2022-12"),
        ("DQ01", "error", "500102", "2023-12"),
        ("DQ02", "error", "500101", "2023-12"),
        ("DQ05", "error", "500101", "2023-12"),
        ("DQ06", "error", "500101", "2023-12"),
        ("DQ07", "error", "500101", "2023-12"),
        ("DQ01", "error", "500102", "2024-06"),
        ("DQ14", "error", "500102", "2042-06"),
    ]


@pytest.mark.slow
def test_findings_on_a_suppressed_district_reach_analysts_without_figures(published: Path) -> None:
    """万州's cell is suppressed (2 enterprises): its four findings of 2023-12 print its revenue, which
    the snapshot must not show; they say where the full text is. DQ01 prints counts only."""
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select rule_id, expected, actual, message, figures_withheld from marts.dq_findings "
            "where strftime(period, '%Y-%m') = '2023-12' order by rule_id"
        ).fetchall()
    assert [(rule, withheld) for rule, *_, withheld in rows] == [
        ("DQ01", False), ("DQ02", True), ("DQ05", True), ("DQ06", True), ("DQ07", True)
    ]  # fmt: skip
    assert rows[0][1:3] == ("1", "0")
    for _, expected, actual, message, _ in rows[1:]:
        assert (expected, actual) == (None, None)
        assert not any(figure in message for figure in ("9,700,000,000", "970,000", "900,000")), message
        assert message.startswith("万州区2023年12月：") and "完整说明（含数值）见该区县的反馈表" in message
        assert message.endswith("来源：districts/万州区_2023-12.xlsx 第 2 行。"), message


@pytest.mark.slow
def test_the_feedback_workbook_shows_one_unit_mix_up_as_one_problem_cause_first(published: Path) -> None:
    """A district statistician reads one problem with its cause first, the value it should be under 应为
    (a number, shown with separators), and the rule sheet in Chinese."""
    book = openpyxl.load_workbook(
        published.parent / "reports" / "feedback" / "2023-12" / "500101_万州区.xlsx"
    )
    sheet = book["需要更正"]
    header = [cell.value for cell in sheet[3]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert sheet["A2"].value.startswith("共 1 个问题：错误 4 条")
    assert [row["问题"] for row in rows] == [1, 1, 1, 1]
    assert [row["规则"][:4] for row in rows] == ["DQ06", "DQ02", "DQ05", "DQ07"]
    cause = rows[0]
    assert (cause["应为"], cause["实际"]) == (970_000, 9_700_000_000)  # in 万元, what the filings add up to
    assert sheet["E4"].number_format == "#,##0" and sheet["F4"].number_format == "#,##0"
    assert cause["处理建议"] == "先更正此项；下面 3 条可能由此引起，更正后请复核"
    assert all(row["说明"].startswith("（可能由本问题第一条“疑似计量单位错误”引起）") for row in rows[1:])
    assert rows[1]["应为"] == 970_000  # DQ02: the filings' sum agrees with the corrected value
    assert rows[2]["应为"] == "450,000 至 1,350,000"  # DQ05: 2022-12's 900,000 ± 50%
    rules = list(book["规则说明"].iter_rows(min_row=2, values_only=True))
    assert [rule[0] for rule in rules] == ["DQ02", "DQ05", "DQ06", "DQ07"]
    assert rules[0][4] == "相差超过 1%" and rules[1][4] == "同比增减超过 50% 为提示，超过 100% 为错误"
    for rule in rules:  # Chinese, without the warehouse's internal names
        assert not any(word in (rule[3] + rule[4]) for word in ("raw.", "revenue_ytd", "where:", "var("))


@pytest.mark.slow
def test_a_table_with_its_year_mistyped_is_one_problem_and_no_missing_table(published: Path) -> None:
    """涪陵区's table of 2024-06 came in dated 2042年6月: its workbook of 2024-06 lists the period as the
    problem and the missing month as what it causes, citing the same line."""
    book = openpyxl.load_workbook(
        published.parent / "reports" / "feedback" / "2024-06" / "500102_涪陵区.xlsx"
    )
    sheet = book["需要更正"]
    header = [cell.value for cell in sheet[3]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert [(row["问题"], row["规则"][:4]) for row in rows] == [(1, "DQ14"), (1, "DQ01")]
    assert "2042年6月" in rows[0]["说明"]
    assert rows[1]["说明"].startswith("（可能由本问题第一条“报告期不合理”引起）")
    assert "很可能就是本期月报、报告期填错" in rows[1]["说明"] and "实际收到 0 份" not in rows[1]["说明"]
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute(
            "select findings_error from marts.district_monthly where district_code = '500102' "
            "and period = '2024-06-01'"
        ).fetchall() == [(2,)]


@pytest.mark.slow
def test_cells_count_enterprises_left_out_of_the_rd_ratio(published: Path) -> None:
    """E3 filed 2024-06 without R&D: its chain (power_semi_ic) and district (涪陵区) say 1, shown
    although both cells are suppressed; every other cell with enterprises says 0."""
    chains, districts = (
        fetch(
            published,
            f"select strftime(period, '%Y-%m'), {unit}, rd_missing_enterprises, suppressed "
            f"from marts.{mart} where enterprise_count > 0 order by 1, 2",
        )
        for unit, mart in (("chain_code", "chain_monthly"), ("district_code", "district_monthly"))
    )
    assert chains == [
        (period, chain, 1 if (period, chain) == ("2024-06", "power_semi_ic") else 0, True)
        for period in ("2022-12", "2023-12", "2024-06")
        for chain in ("new_display", "power_semi_ic", "smart_terminal")
    ]
    assert districts == [
        (period, district, 1 if (period, district) == ("2024-06", "500102") else 0, True)
        for period in ("2022-12", "2023-12", "2024-06")
        for district in ("500101", "500102")
    ]


# A corrected 2024-06 filings file (更正) replaces the first: same enterprises, E1's revenue 330000 →
# 340000 万元. Revised: revenue 2024-06 55 → 56 亿元 and rd_intensity 2024-06 6300/480000 = 1.3125 →
# 6300/490000 = 1.28571428571429 %; rd_spend (0.63) and every earlier figure unchanged.
CORRECTED = "filings/企业月报_2024-06_更正.csv"
ORIGINAL = "filings/企业月报_2024-06.csv"


@pytest.fixture(scope="module")
def corrected(published: Path, tmp_path_factory: pytest.TempPathFactory, planwatch) -> dict:
    first_root, root = published.parent.parent, tmp_path_factory.mktemp("corrected")
    shutil.copytree(first_root / "raw", root / "raw")
    shutil.copytree(first_root / "warehouse", root / "warehouse")
    header = ["统一社会信用代码", "报告期", "营业收入本年累计", "研发费用本年累计"]
    rows = [[E1, "2024-06", 340000, 3300], [E2, "2024-06", 150000, 3000], [E3, "2024-06", 70000, "—"]]
    rows += [[OUT, "2024-06", 999999, 9999], [SMALL, "2024-06", 1500, 15]]
    write_csv(root / "raw" / CORRECTED, [header, *rows])
    run = planwatch("run", "--raw", str(root / "raw"), "--warehouse", str(root / "warehouse"))
    assert run.returncode == 0, run.stderr[-3000:]
    status = planwatch("status", "--warehouse", str(root / "warehouse"))
    assert status.returncode == 0, status.stderr[-3000:]
    return {"snapshot": root / "warehouse" / "analytics.duckdb", "run": run, "status": status, "root": root}


@pytest.mark.slow
def test_a_superseding_file_revises_exactly_the_figures_it_changed(corrected: dict) -> None:
    with duckdb.connect(str(corrected["snapshot"]), read_only=True) as con:
        revisions = con.execute(
            "select indicator_code, strftime(period, '%Y-%m'), revision_kind, old_value, new_value, caused_by "
            "from marts.indicator_revisions order by indicator_code"
        ).fetchall()
        vintages = con.execute(
            "select count(*), count(distinct published_at) from marts.indicator_vintages"
        ).fetchone()
        first_vintage = con.execute(
            "select actual_value from marts.indicator_vintages where indicator_code = 'revenue' "
            "and period = '2024-06-01' order by published_at"
        ).fetchall()
    caused_by = f"{CORRECTED} (arrived); {ORIGINAL} (superseded by {CORRECTED})"
    assert revisions == [
        (
            "rd_intensity",
            "2024-06",
            "changed",
            1.3125,
            pytest.approx(6300 / 490000 * 100, rel=1e-12),
            caused_by,
        ),
        ("revenue", "2024-06", "changed", 55.0, 56.0, caused_by),
    ]
    assert vintages == (24, 2)  # 4 indicators × 3 periods, for each publish
    assert first_vintage == [(55.0,), (56.0,)]  # the first publish's figure is kept as it was


@pytest.mark.slow
def test_status_and_the_run_name_the_revisions(corrected: dict) -> None:
    assert "this publish revised 2 figures published before" in corrected["run"].stderr
    status = corrected["status"].stdout
    assert "It revised 2 figures published before" in status
    assert "revenue 2024-06: 55 → 56 (changed)" in status
    assert f"files: {CORRECTED} (arrived)" in status


@pytest.mark.slow
def test_the_readme_revisions_query_lists_them(corrected: dict) -> None:
    from tests.test_pipeline_demo import readme_queries

    query = next(query for query in readme_queries() if "indicator_revisions" in query)
    with duckdb.connect(str(corrected["snapshot"]), read_only=True) as con:
        rows = con.execute(query).fetchall()
    assert len(rows) == 3  # the first publish (nothing revised) and the two figures of the second


@pytest.mark.slow
def test_digitalization_outlook_by_hand(published: Path) -> None:
    """The surveys give 200/3, 100 and 100 % for 2022–2024: yearly changes 100/3 and 0, drift 50/3
    points a year, standard deviation 50/3 × √2, one degree of freedom, two independent years. As of
    2024-06 (the 2024 survey counts from January) 2027 is H = 3 years away: centre 100 + 3 × 50/3 =
    150, scale sd × √(H + H²/2) = sd × √7.5, so P(rate > 65) = 1 − T₁((65 − 150)/scale) = ½ + atan(85 /
    scale)/π. The point and the bounds are held inside 0..100. As of 2023-12 there is a single yearly
    change: no forecast, and the note says so. Revenue has one moving annual total (2023-12): none."""
    with duckdb.connect(str(published), read_only=True) as con:
        rows = {
            (code, f"{as_of:%Y-%m}"): (point, low, high, probability, note)
            for code, as_of, point, low, high, probability, note in con.execute(
                "select indicator_code, as_of_period, point_forecast, lower_95, upper_95, probability_meets_target, "
                "note from marts.indicator_outlook where is_plan_target_year"
            ).fetchall()
        }
    scale = 50 / 3 * 2**0.5 * 7.5**0.5
    assert rows[("digitalization_rate", "2024-06")][:4] == (
        100.0,
        0.0,
        100.0,
        pytest.approx(0.5 + math.atan(85 / scale) / math.pi, rel=1e-9),
    )
    assert rows[("digitalization_rate", "2023-12")][:4] == (None, None, None, None)
    assert "needs" in rows[("digitalization_rate", "2023-12")][4]
    assert rows[("revenue", "2024-06")][0] is None and rows[("revenue", "2024-06")][4]
