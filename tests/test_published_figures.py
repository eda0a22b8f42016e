"""Published figures a statistician checks by hand: growth against last year restated to this year's
enterprises, values that only one or two enterprises stand behind, a survey line nobody answered, a
gap of months in a series, a chain tag written with 产业链. One `planwatch run` on a hand-made folder.

Registry (统计年度 in the file, a title row above the header), all class 3911 (smart terminals) but Z:

    enterprise  district  2024 list          2025 list
    E1 E2       万州       above size         above size
    E3          万州       below size (否)     above size: it reached designated size in 2025
    E4          万州       above size         gone
    E5          万州       —                  new
    Z (3974)    万州       —                  tagged 智能终端产业链: counts in smart_terminal
    K1 K2 K3    涪陵       above size         above size
    G1 G2 G3    大渡口     above size         above size

Filings (万元, revenue / R&D year to date; 报告期 written 2025年1-3月):

    period   E1         E2        E3         E4          E5        Z       K1 K2 K3         G1 G2 G3
    2024-02  100 / 2    50 / 1    20 / 0.2   30 / 0.3
    2024-03  160 / 3    80 / 1.5  32 / 0.3   45 / 0.45
    2024-12  700 / 14   (a gap: April to November not filed)
    2025-02  110 / 2.2  55 / 1.1  30 / 0.3
    2025-03  180 / 3.6  —         50 / 0.5              40 / 0.8  60 / 1  300/9 250/— 200/—  500/5 400/4 —/—

Growth is like-for-like over this year's enterprises with last year's figures as they filed them,
E3's from when it was below designated size (上年同期按本年口径):
    revenue 2025-02 (E1 E2 E3) 195 / 170 − 1 = 14.7058823529 %   (E3 left out: 10 %)
    revenue 2025-03 (E1 E3)    230 / 192 − 1 = 19.7916666667 %   (E3 left out: 12.5 %)
    R&D 2025-03 (E1 E3)        4.1 / 3.3 − 1 = 24.2424242424 %
Disclosure (fewer than 3 enterprises behind a value), 2025-03:
    万州 revenue 180 + 50 + 40 + 60 = 330 is published; its growth compares E1 and E3 only: NULL.
    涪陵 has 3 filers, but only K1 reported R&D: the cell is suppressed ('count').
    大渡口 has 3 filers, but only G1 and G2 reported revenue: suppressed ('count').
Survey 2025: E1 all 是, E2 every answer blank (did not respond), E3 all 是, E5 one 否:
    2 of the 3 surveyed = 66.6666666667 % (counting E2: 50 %).
DQ06: E1's December 2024 increment, 540 over nine months (60 a month), is no unit mix-up against
March's 60: no finding (compared as one month against another, it was 9 ≈ 10 times).
"""

from pathlib import Path

import duckdb
import pytest

from orchestration.identity import uscc_check_char
from tests.sheets import write_csv, write_xlsx

pytestmark = pytest.mark.slow


def uscc(serial: int) -> str:
    first17 = f"91500101MA{serial:07d}"
    return first17 + uscc_check_char(first17)


E1, E2, E3, E4, E5, Z, K1, K2, K3, G1, G2, G3 = (uscc(n) for n in range(201, 213))
NAMES = dict(
    zip(
        (E1, E2, E3, E4, E5, Z, K1, K2, K3, G1, G2, G3),
        (
            "甲电脑",
            "乙终端",
            "丙智能",
            "丁电子",
            "戊电脑",
            "己显示",
            "涪甲",
            "涪乙",
            "涪丙",
            "渡甲",
            "渡乙",
            "渡丙",
        ),
        strict=True,
    )
)
FILINGS = {
    "2024-02": [(E1, 100, 2), (E2, 50, 1), (E3, 20, 0.2), (E4, 30, 0.3)],
    "2024-03": [(E1, 160, 3), (E2, 80, 1.5), (E3, 32, 0.3), (E4, 45, 0.45)],
    "2024-12": [(E1, 700, 14)],
    "2025-02": [(E1, 110, 2.2), (E2, 55, 1.1), (E3, 30, 0.3)],
    "2025-03": [
        (E1, 180, 3.6), (E3, 50, 0.5), (E5, 40, 0.8), (Z, 60, 1),
        (K1, 300, 9), (K2, 250, "—"), (K3, 200, "/"),
        (G1, 500, 5), (G2, 400, 4), (G3, "—", "—"),
    ],
}  # fmt: skip


def registry(year: int) -> list[list[object]]:
    header = ["统一社会信用代码", "企业名称", "区县", "行业代码", "产业链", "规模以上", "统计年度"]
    rows = [[E1, "万州区", "3911", "", "是"], [E2, "万州区", "3911", "", "是"]]
    if year == 2024:
        rows += [[E3, "万州区", "3911", "", "否"], [E4, "万州区", "3911", "", "是"]]
    else:
        rows += [[E3, "万州区", "3911", "", "是"], [E5, "万州", "3911", "", "是"]]
        rows += [[Z, "万州区", "3974", "智能终端产业链", "是"]]
    rows += [[code, "涪陵区", "3911", "", "是"] for code in (K1, K2, K3)]
    rows += [[code, "大渡口区", "3911", "", "是"] for code in (G1, G2, G3)]
    return [
        [f"{year}年规模以上电子信息制造业企业名录"],
        header,
        *[[code, f"重庆{NAMES[code]}有限公司", *rest, year] for code, *rest in rows],
    ]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory, planwatch) -> Path:
    root = tmp_path_factory.mktemp("figures")
    raw = root / "raw"
    for year in (2024, 2025):
        write_xlsx(raw / "registry" / f"{year}年规上企业名录.xlsx", registry(year), merges=("A1:G1",))
    header = ["统一社会信用代码", "企业名称", "报告期", "营业收入本年累计", "研发费用本年累计"]
    for period, rows in FILINGS.items():
        label = f"{period[:4]}年1-{int(period[5:])}月"
        write_csv(
            raw / "filings" / f"企业月报_{period}.csv",
            [header, *[[code, f"重庆{NAMES[code]}有限公司", label, rev, rd] for code, rev, rd in rows]],
        )
    write_xlsx(
        raw / "surveys" / "2025年数字化调查.xlsx",
        [
            ["统一社会信用代码", "调查年度", "研发设计", "生产制造", "经营管理", "销售服务"],
            [E1, 2025, "是", "是", "是", "是"],
            [E2, 2025, None, None, None, None],
            [E3, 2025, "是", "是", "是", "是"],
            [E5, 2025, "是", "否", "是", "是"],
        ],
    )
    result = planwatch("run", "--raw", str(raw), "--warehouse", str(root / "warehouse"))
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "warehouse" / "analytics.duckdb"


def query(snapshot: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_growth_compares_with_last_year_restated_to_this_years_enterprises(snapshot: Path) -> None:
    growth = dict(
        query(
            snapshot,
            "select indicator_code || ' ' || strftime(period, '%Y-%m'), yoy_growth_pct "
            "from marts.indicator_progress where period in ('2025-02-01', '2025-03-01') "
            "and indicator_code in ('revenue', 'rd_spend')",
        )
    )
    assert growth["revenue 2025-02"] == pytest.approx(195 / 170 * 100 - 100)
    assert growth["revenue 2025-03"] == pytest.approx(230 / 192 * 100 - 100)
    assert growth["rd_spend 2025-03"] == pytest.approx(4.1 / 3.3 * 100 - 100)
    wanzhou = query(
        snapshot,
        "select strftime(period, '%Y-%m'), revenue_yoy_pct from marts.district_monthly "
        "where district_code = '500101' and period in ('2025-02-01', '2025-03-01') order by 1",
    )
    assert wanzhou[0] == ("2025-02", pytest.approx(195 / 170 * 100 - 100))
    # four enterprises published, but the growth of two of them would be theirs
    assert wanzhou[1] == ("2025-03", None)


def test_a_value_behind_fewer_than_three_enterprises_is_not_published(snapshot: Path) -> None:
    cells = {
        code: rest
        for code, *rest in query(
            snapshot,
            "select district_code, enterprise_count, suppressed, suppression_reason, revenue_ytd_yi, "
            "rd_ytd_yi, rd_intensity_pct, rd_missing_enterprises, revenue_missing_enterprises "
            "from marts.district_monthly where period = '2025-03-01' and district_code in ('500101', '500102', '500104')",
        )
    }
    assert cells["500102"] == [3, True, "count", None, None, None, 2, 0]  # K1's R&D alone
    assert cells["500104"] == [3, True, "count", None, None, None, 1, 1]  # G1 + G2's revenue: G3's is blank
    assert cells["500101"][:4] == [4, False, None, pytest.approx(0.033)]
    assert cells["500101"][-2:] == [0, 0]


def test_a_blank_revenue_is_counted_where_it_is_left_out(snapshot: Path) -> None:
    """G3 filed 2025-03 with 营业收入 and 研发费用 both '—': the city's revenue holds nothing of it and
    says so, as the R&D spend and the R&D ratio say they left out K2, K3 and G3 (the spend said
    nothing: a sum short of three enterprises read as whole)."""
    rows = query(
        snapshot,
        "select indicator_code, actual_value, rd_missing_enterprises, revenue_missing_enterprises "
        "from marts.indicator_progress where period = '2025-03-01' order by 1",
    )
    assert rows == [
        ("digitalization_rate", pytest.approx(200 / 3), None, None),
        ("rd_intensity", pytest.approx((3.6 + 0.5 + 0.8 + 1 + 9 + 5 + 4) / (180 + 50 + 40 + 60 + 300 + 500 + 400) * 100),
         3, 1),
        ("rd_spend", pytest.approx((3.6 + 0.5 + 0.8 + 1 + 9 + 5 + 4) / 10000), 3, None),
        ("revenue", pytest.approx((180 + 50 + 40 + 60 + 300 + 250 + 200 + 500 + 400) / 10000), None, 1),
    ]  # fmt: skip


def test_a_survey_line_nobody_answered_is_not_a_surveyed_enterprise(snapshot: Path) -> None:
    (rate,) = query(
        snapshot,
        "select actual_value from marts.indicator_progress "
        "where indicator_code = 'digitalization_rate' and period = '2025-03-01'",
    )
    assert rate == (pytest.approx(200 / 3),)


def test_a_chain_tag_written_with_its_suffix_names_the_chain(snapshot: Path) -> None:
    counts = dict(
        query(
            snapshot,
            "select chain_code, enterprise_count from marts.chain_monthly where period = '2025-03-01'",
        )
    )
    assert (counts["smart_terminal"], counts["new_display"]) == (10, 0)


def test_an_increment_over_a_gap_of_months_is_no_unit_mixup(snapshot: Path) -> None:
    assert query(snapshot, "select count(*) from marts.dq_findings where rule_id = 'DQ06'") == [(0,)]
