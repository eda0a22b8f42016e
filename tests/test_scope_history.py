"""A newer registry changes the years it is for and leaves the earlier years, the baseline included,
as they were: two runs of the installed `planwatch` command on a hand-made raw folder.

Run 1: the registry of 2022 (`企业名录_2022.xlsx`, title row 2022年…) lists seven in-scope
enterprises, plus one outside the scope (class 3311) and one below designated size. Chains are
given in the registry. Filings (万元, revenue / R&D year to date):

    enterprise  chain           district  2022-12          2023-12          2024-06
    E1 3911     smart_terminal  万州       300000 / 6000    330000 / 6600    160000 / 3200
    E2 3911     smart_terminal  万州       250000 / 5000    275000 / 5500    140000 / 2800
    E3 3911     smart_terminal  涪陵       200000 / 4000    220000 / 4400    110000 / 2200
    E7 3911     smart_terminal  涪陵       150000 / 3000    165000 / 3300     80000 / 1600
    E4 3974     new_display     万州       250000 / 5000    275000 / 5500    140000 / 2800
    E5 3974     new_display     涪陵       200000 / 4000    220000 / 4400    110000 / 2200
    E6 3974     new_display     涪陵        50000 / 1000     55000 / 1100     30000 /  300

Run 2 adds the registry of 2024 (统计年度 column, a file name without a year): E6, the smallest,
is gone and E3 is moved to new_display; everyone else as in 2022. It also lists three enterprises
whose class is outside the industry scope, which a late 2024-06 filings file (补报) reports: H1, a
refrigerator maker (3851) tagged 智能家居, and M1 (4090) tagged 元宇宙, count through their tag
(the plan names 智能冰箱 makers, and the metaverse chain has no class); H2, another 3851 maker
without a tag, does not. The 2022 registry stays in force for 2022 and 2023, so every 2022-12 and
2023-12 value of both marts is unchanged. 2024-06:

    revenue (亿元)        run 1: 770000 万元 = 77.0      run 2: 770000 − 30000 + 20000 + 40000 = 800000 → 80.0
    rd_spend (亿元)       run 1: 15100 → 1.51            run 2: 15100 − 300 + 400 + 800 = 16000 → 1.6
    rd_intensity (%)      run 1: 15100 / 770000 = 1.96103896103896   run 2: 16000 / 800000 = 2.0
    smart_terminal        run 1: E1 E2 E3 E7: 4, 490000 → 49.0, R&D 9800 → 0.98, 2.0 %
                          run 2: E1 E2 E7:    3, 380000 → 38.0, R&D 7600 → 0.76, 2.0 %
    new_display           run 1: E4 E5 E6:    3, 280000 → 28.0, R&D 5300 → 0.53, 1.89285714285714 %
                          run 2: E3 E4 E5:    3, 360000 → 36.0, R&D 7200 → 0.72, 2.0 %
    smart_home, metaverse run 1: none;  run 2: one enterprise each (H1, M1), suppressed (< 3)

E6 still files for 2024-06 (through 涪陵区) after the 2024 registry dropped it: one DQ10 finding
(filing without a registry entry) for 涪陵 500102, 2024-06, naming E6. The 2024 drop is 1 of 7 enterprises (14 %) and 3.9 % of the
revenue, inside any publish gate on shrinking periods.
"""

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from orchestration.identity import uscc_check_char
from tests.sheets import write_xlsx


def uscc(serial: int) -> str:
    first17 = f"91500101MA{serial:07d}"
    return first17 + uscc_check_char(first17)


E1, E2, E3, E4, E5, E6, E7, OUT, SMALL, H1, H2, M1 = (uscc(n) for n in range(11, 23))

NAMES = {
    E1: "重庆甲电脑有限公司",
    E2: "重庆乙终端有限公司",
    E3: "重庆丙智能科技有限公司",
    E4: "重庆丁显示有限公司",
    E5: "重庆戊光电有限公司",
    E6: "重庆己显示器件有限公司",
    E7: "重庆庚电子有限公司",
}
DISTRICTS = {E1: "万州区", E2: "万州区", E3: "涪陵区", E7: "涪陵区", E4: "万州区", E5: "涪陵区", E6: "涪陵区"}
FILINGS = {
    "2022-12": {
        E1: (300000, 6000),
        E2: (250000, 5000),
        E3: (200000, 4000),
        E7: (150000, 3000),
        E4: (250000, 5000),
        E5: (200000, 4000),
        E6: (50000, 1000),
    },
    "2023-12": {
        E1: (330000, 6600),
        E2: (275000, 5500),
        E3: (220000, 4400),
        E7: (165000, 3300),
        E4: (275000, 5500),
        E5: (220000, 4400),
        E6: (55000, 1100),
    },
    "2024-06": {
        E1: (160000, 3200),
        E2: (140000, 2800),
        E3: (110000, 2200),
        E7: (80000, 1600),
        E4: (140000, 2800),
        E5: (110000, 2200),
        E6: (30000, 300),
    },
}


def write_raw(raw: Path) -> None:
    write_xlsx(
        raw / "registry" / "企业名录_2022.xlsx",
        [
            ["2022年重庆市规上电子信息制造业企业名录"],
            [],
            ["序号", "统一社会信用代码", "企业名称", "区县", "行业代码", "产业链", "规模以上"],
            [1, E1, NAMES[E1], "万州区", "3911", "智能终端", "是"],
            [2, E2, NAMES[E2], "万州", "3911", "智能终端", "是"],
            [3, E3, NAMES[E3], "涪陵区", "3911", "智能终端", "是"],
            [4, E7, NAMES[E7], "500102", "3911", "智能终端", "是"],
            [5, E4, NAMES[E4], "万州区", "3974", "新型显示", "是"],
            [6, E5, NAMES[E5], "涪陵区", "3974", "新型显示", "是"],
            [7, E6, NAMES[E6], "涪陵区", "3974", "新型显示", "是"],
            [8, OUT, "重庆辛机械有限公司", "万州区", "3311", "", "是"],
            [9, SMALL, "重庆壬电子有限公司", "涪陵区", "3982", "", "否"],
            ["注：名录由区县统计局核定。"],
        ],
    )
    for period, rows in FILINGS.items():
        write_xlsx(
            raw / "filings" / f"企业月报_{period}.xlsx",
            [
                [f"{period[:4]}年{int(period[5:])}月规上电子信息企业月报"],
                ["单位：万元"],
                ["统一社会信用代码", "企业名称", "区县", "报告期", "营业收入本年累计", "研发费用本年累计"],
                *[
                    [code, NAMES[code], DISTRICTS[code], period, revenue, rd]
                    for code, (revenue, rd) in rows.items()
                ],
                [OUT, "重庆辛机械有限公司", "万州区", period, 99999, 999],
                [SMALL, "重庆壬电子有限公司", "涪陵区", period, 1500, 15],
            ],
        )


def write_registry_2024(raw: Path) -> None:
    write_xlsx(
        raw / "registry" / "规上企业名录（更新）.xlsx",
        [
            ["统一社会信用代码", "企业名称", "区县", "行业代码", "产业链", "规模以上", "统计年度"],
            [E1, NAMES[E1], "万州区", "3911", "智能终端", "是", "2024年"],
            [E2, NAMES[E2], "万州区", "3911", "智能终端", "是", "2024年"],
            [E3, NAMES[E3], "涪陵区", "3911", "新型显示", "是", "2024年"],
            [E7, NAMES[E7], "涪陵区", "3911", "智能终端", "是", "2024年"],
            [E4, NAMES[E4], "万州区", "3974", "新型显示", "是", "2024年"],
            [E5, NAMES[E5], "涪陵区", "3974", "新型显示", "是", "2024年"],
            [OUT, "重庆辛机械有限公司", "万州区", "3311", "", "是", "2024年"],
            [SMALL, "重庆壬电子有限公司", "涪陵区", "3982", "", "否", "2024年"],
            [H1, "重庆癸电器有限公司", "万州区", "3851", "智能家居", "是", "2024年"],
            [H2, "重庆子冰箱有限公司", "万州区", "3851", "", "是", "2024年"],
            [M1, "重庆丑数字科技有限公司", "涪陵区", "4090", "元宇宙", "是", "2024年"],
        ],
    )
    write_xlsx(
        raw / "filings" / "企业月报_2024-06_补报.xlsx",
        [
            ["统一社会信用代码", "企业名称", "区县", "报告期", "营业收入本年累计", "研发费用本年累计"],
            [H1, "重庆癸电器有限公司", "万州区", "2024-06", 20000, 400],
            [H2, "重庆子冰箱有限公司", "万州区", "2024-06", 10000, 200],
            [M1, "重庆丑数字科技有限公司", "涪陵区", "2024-06", 40000, 800],
        ],
    )


def read_marts(snapshot: Path) -> dict[str, dict[tuple, dict]]:
    """indicator_progress by (plan, indicator, period) and chain_monthly by (period, chain)."""
    keys = {
        "indicator_progress": ("plan_id", "indicator_code", "period"),
        "chain_monthly": ("period", "chain_code"),
        "dq_findings": ("rule_id", "district_code", "period", "subject"),
    }
    out: dict[str, dict[tuple, dict]] = {}
    with duckdb.connect(str(snapshot), read_only=True) as con:
        for table, key in keys.items():
            cursor = con.execute(f"select * from marts.{table}")
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
            out[table] = {tuple(row[k] for k in key): row for row in rows}
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, planwatch) -> tuple[dict, dict]:
    root = tmp_path_factory.mktemp("scope_history")
    raw, warehouse = root / "raw", root / "warehouse"
    write_raw(raw)
    first = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    before = read_marts(warehouse / "analytics.duckdb") | read_registry_now(warehouse / "build.duckdb")
    write_registry_2024(raw)
    second = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-3000:]
    return before, read_marts(warehouse / "analytics.duckdb") | read_registry_now(warehouse / "build.duckdb")


def read_registry_now(build: Path) -> dict[str, dict[tuple, dict]]:
    """The registry as the identity rules (DQ09, DQ15) check it: code → the file of its row."""
    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute("select uscc, source_file from intermediate.int_registry__latest").fetchall()
    return {"registry_now": {(uscc,): {"source_file": source} for uscc, source in rows}}


JUNE_2024 = dt.date(2024, 6, 1)


@pytest.mark.slow
def test_the_identity_rules_check_the_newest_list(runs: tuple[dict, dict]) -> None:
    """After run 2 the registry as it stands is the 2024 list alone: E6, only in the 2022 list, is no
    longer checked, so a code an older list got wrong and the newer one corrects leaves no finding."""
    before, after = runs
    assert {row["source_file"] for row in before["registry_now"].values()} == {"registry/企业名录_2022.xlsx"}
    assert (E6,) in before["registry_now"]
    assert {row["source_file"] for row in after["registry_now"].values()} == {
        "registry/规上企业名录（更新）.xlsx"
    }
    assert (E6,) not in after["registry_now"] and (E1,) in after["registry_now"]


EARLIER = (dt.date(2022, 12, 1), dt.date(2023, 12, 1))


@pytest.mark.slow
@pytest.mark.parametrize("table", ["indicator_progress", "chain_monthly"])
def test_2022_and_2023_unchanged_by_the_2024_registry(runs: tuple[dict, dict], table: str) -> None:
    before, after = runs
    earlier_before = {key: row for key, row in before[table].items() if row["period"] in EARLIER}
    earlier_after = {key: row for key, row in after[table].items() if row["period"] in EARLIER}
    assert earlier_after == earlier_before
    # both years are there with figures, so the comparison compares numbers, not two empty sets
    if table == "indicator_progress":
        revenue = {
            key[2]: float(row["actual_value"])
            for key, row in earlier_after.items()
            if key[:2] == ("cq-ei-2023-2027", "revenue")
        }
        assert revenue == {EARLIER[0]: pytest.approx(140.0), EARLIER[1]: pytest.approx(154.0)}
    else:
        counts = {
            (row["period"], row["chain_code"]): row["enterprise_count"]
            for row in earlier_after.values()
            if row["enterprise_count"]
        }
        assert counts == {
            (EARLIER[0], "smart_terminal"): 4,
            (EARLIER[0], "new_display"): 3,
            (EARLIER[1], "smart_terminal"): 4,
            (EARLIER[1], "new_display"): 3,
        }


INDICATORS_2024 = [
    # indicator, run 1, run 2
    ("revenue", 77.0, 80.0),
    ("rd_spend", 1.51, 1.6),
    ("rd_intensity", 1.96103896103896, 2.0),
]


@pytest.mark.slow
@pytest.mark.parametrize(("indicator", "first", "second"), INDICATORS_2024)
def test_2024_indicators_follow_the_2024_registry(
    runs: tuple[dict, dict], indicator: str, first: float, second: float
) -> None:
    before, after = runs
    plan = "cq-ei-2023-2027"
    actual = [
        float(marts["indicator_progress"][(plan, indicator, JUNE_2024)]["actual_value"])
        for marts in (before, after)
    ]
    assert actual == [pytest.approx(first, rel=1e-12), pytest.approx(second, rel=1e-12)]


CHAINS_2024 = [
    # chain, run 1 (count, revenue 亿元, R&D 亿元, intensity %), run 2
    ("smart_terminal", (4, 49.0, 0.98, 2.0), (3, 38.0, 0.76, 2.0)),
    ("new_display", (3, 28.0, 0.53, 1.89285714285714), (3, 36.0, 0.72, 2.0)),
]


@pytest.mark.slow
@pytest.mark.parametrize(("chain", "first", "second"), CHAINS_2024)
def test_2024_chains_follow_the_2024_registry(
    runs: tuple[dict, dict], chain: str, first: tuple, second: tuple
) -> None:
    before, after = runs
    for marts, expected in ((before, first), (after, second)):
        row = marts["chain_monthly"][(JUNE_2024, chain)]
        assert not row["suppressed"]
        assert row["enterprise_count"] == expected[0]
        assert [float(row[column]) for column in ("revenue_ytd_yi", "rd_ytd_yi", "rd_intensity_pct")] == [
            pytest.approx(value, rel=1e-12) for value in expected[1:]
        ]


@pytest.mark.slow
def test_a_chain_tag_brings_in_a_class_outside_the_scope(runs: tuple[dict, dict]) -> None:
    """H1 (3851, 智能家居) and M1 (4090, 元宇宙) count in run 2 through their tag; H2 (3851, no tag)
    does not: the 2024-06 revenue above is 80.0 亿元, not 81.0."""
    before, after = runs
    counts = [
        marts["chain_monthly"][(JUNE_2024, chain)]["enterprise_count"] or 0
        for marts in (before, after)
        for chain in ("smart_home", "metaverse")
    ]
    assert counts == [0, 0, 1, 1]
    for chain in ("smart_home", "metaverse"):
        row = after["chain_monthly"][(JUNE_2024, chain)]
        assert row["suppressed"] and row["revenue_ytd_yi"] is None  # one enterprise: not published


@pytest.mark.slow
def test_dropped_enterprise_still_filing_is_a_coverage_finding(runs: tuple[dict, dict]) -> None:
    before, after = runs
    dq10_before = [key for key in before["dq_findings"] if key[0] == "DQ10"]
    dq10_after = [key for key in after["dq_findings"] if key[0] == "DQ10"]
    assert dq10_before == []
    assert [(rule, district, period) for rule, district, period, _ in dq10_after] == [
        ("DQ10", "500102", JUNE_2024)
    ]
    assert NAMES[E6] in dq10_after[0][3]
