"""A month whose sums hold a line the rules say is wrong is published as filed, and said to be in
doubt where people read the figures: indicator_progress.lines_in_doubt, the scorecard under its
table, the briefing's opening paragraph.

Found by an operator's review: one enterprise's revenue typed in 元 into the 万元 table made the
cluster's revenue 8,672,901.82 亿元, the scorecard said on_track with a 97% chance of the 2027
target, and the briefing opened with it; DQ06 and DQ07 had found the line."""

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from orchestration.report.lead import doubt_sentence
from orchestration.scorecard import doubt_line
from tests.sheets import FILING_HEADER, write_csv


@pytest.mark.slow
def test_a_month_with_a_filing_in_yuan_is_published_in_doubt(
    tmp_path: Path, planwatch, demo_first_run
) -> None:
    """The demo's largest enterprise of 2022-04 sends its line again with the revenue in 元 (×10^4):
    DQ06 and DQ07 find it, the month's revenue and R&D intensity count one line in doubt (its R&D
    spend is not: the line's R&D is as it was), and
    the run's scorecard and the briefing say so; the other months count what they counted (the demo's
    own faults)."""
    raw, warehouse = demo_first_run.copy_to(tmp_path)
    query = (
        "select strftime(period, '%Y-%m'), indicator_code, lines_in_doubt from marts.indicator_progress "
        "where lines_in_doubt > 0 order by 1, 2"
    )
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        before = con.execute(query).fetchall()
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        code, name, revenue, rd = con.execute(
            "select uscc, enterprise_name, revenue_ytd_wan, rd_ytd_wan from raw.filings "
            "where period = date '2022-04-01' order by revenue_ytd_wan desc limit 1"
        ).fetchone()
    write_csv(
        raw / "filings" / "企业月报_2022-04_补报.csv",
        [FILING_HEADER, [code, name, "2022年4月", revenue * 10_000, rd]],
    )
    run = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert run.returncode == 0, run.stderr[-3000:]
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        doubted = con.execute(query).fetchall()
        survey = con.execute(
            "select count(*) from marts.indicator_progress "
            "where indicator_code = 'digitalization_rate' and lines_in_doubt is not null"
        ).fetchone()
    assert "2022-04" not in {row[0] for row in before}
    assert doubted == sorted([*before, *(("2022-04", code, 1) for code in ("rd_intensity", "revenue"))])
    assert survey == (0,)
    assert (
        "2022-04: 1 enterprises' filings counted in rd_intensity, revenue are flagged wrong"
        in run.stdout + run.stderr
    )
    report = planwatch("report", "--warehouse", str(warehouse), "--period", "2022-04")
    assert report.returncode == 0, report.stderr[-3000:]
    page = next((warehouse / "reports").rglob("*2022-04*.html")).read_text(encoding="utf-8")
    assert "有1家企业的月报被判为计量单位错误或数值不合理（DQ06、DQ07）" in page


@pytest.mark.parametrize(
    ("doubted", "line"),
    [
        ({}, None),
        (
            {"revenue": 2},
            "2024-06: 2 enterprises' filings counted in revenue are flagged wrong (a unit mix-up or an "
            "impossible value: DQ06, DQ07 errors in marts.dq_findings); these figures stand as filed and "
            "are not to be quoted until the enterprises correct them",
        ),
    ],
)
def test_the_scorecard_line(doubted: dict[str, int], line: str | None) -> None:
    assert doubt_line(doubted, dt.date(2024, 6, 1)) == line


def test_the_lead_sentence_names_the_indicators_in_doubt_only() -> None:
    rows = [
        {"indicator_name_zh": "营业收入", "lines_in_doubt": 1},
        {"indicator_name_zh": "研发投入", "lines_in_doubt": 1},
        {"indicator_name_zh": "数字化企业比例", "lines_in_doubt": None},
    ]
    assert doubt_sentence(rows, dt.date(2024, 6, 1)) == (
        "（注意：2024年1-6月有1家企业的月报被判为计量单位错误或数值不合理（DQ06、DQ07），已按原报计入营业收入、研发投入，"
        "相关数字待企业更正后为准，暂勿引用。）"
    )
    assert doubt_sentence([{"indicator_name_zh": "营业收入", "lines_in_doubt": 0}], dt.date(2024, 6, 1)) == ""
