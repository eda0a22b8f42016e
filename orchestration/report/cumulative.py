"""Month by month through the report year, beside the year before: how a statistics bureau's monthly
bulletin shows an indicator. For a flow (营业收入, 研发投入, 亿元) the cumulative growth from January to
each month against the same months a year earlier (1-N月 累计同比, the marts' yoy_growth_pct); for a
ratio (研发强度, 数字化比例, %) its cumulative value. Read from `Briefing.history`, nothing recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from orchestration.report.charts import LineSeries, line_chart
from orchestration.report.model import Briefing, Column, Row, Table, is_flow

MONTHS = tuple(range(1, 13))
THIS_YEAR_COLOR, LAST_YEAR_COLOR = "#2f5f98", "#8c8c8c"


def measure(row: Row) -> tuple[str, str]:
    """The field a curve follows and how it is named: growth for a flow, the value for a ratio."""
    if is_flow(row):
        return "yoy_growth_pct", "累计同比增速 %"
    return "actual_value", f"累计值 {row['unit']}"


def monthly_values(history: Sequence[Row], year: int, field: str) -> dict[int, float | None]:
    """The field's value for each month of `year` the history holds (month number → value or None)."""
    return {row["period"].month: row[field] for row in history if row["period"].year == year}


def cumulative_chart(history: Sequence[Row], month: dt.date) -> str:
    """One indicator's curve: the report year to the report month (solid, last value written) and the
    whole year before (grey, dashed), over January to December."""
    latest = history[-1]
    field, measured = measure(latest)
    this_year = monthly_values(history, month.year, field)
    last_year = monthly_values(history, month.year - 1, field)
    series = [
        LineSeries(
            f"{month.year - 1}年",
            tuple((m, last_year.get(m)) for m in MONTHS),
            LAST_YEAR_COLOR,
            dash="6 4",
            marker="none",
        ),
        LineSeries(
            f"{month.year}年",
            tuple((m, this_year.get(m)) for m in MONTHS if m <= month.month),
            THIS_YEAR_COLOR,
            annotate_last=True,
        ),
    ]
    title = f"{latest['indicator_name_zh']}（1月至各月{measured}）"
    unit = "%" if field == "yoy_growth_pct" else latest["unit"] or ""
    return line_chart(title, list(MONTHS), series, unit=unit, x_label=lambda m: f"{m}月")


def _by_indicator(briefing: Briefing) -> list[list[Row]]:
    """The history of each indicator of the scorecard, in its order."""
    history: dict[tuple[str, str], list[Row]] = {}
    for row in briefing.history:
        history.setdefault((row["plan_id"], row["indicator_code"]), []).append(row)
    return [history[(row["plan_id"], row["indicator_code"])] for row in briefing.indicators]


def cumulative_charts(briefing: Briefing) -> list[str]:
    """One curve per indicator of the scorecard, in its order."""
    return [cumulative_chart(rows, briefing.period) for rows in _by_indicator(briefing)]


def cumulative_table(briefing: Briefing) -> Table:
    """The curves' numbers: two rows per indicator (the report year, the year before), a column per
    month up to the report month (a year before, the same months: what the growth compares)."""
    month = briefing.period
    columns = (
        Column("指标", 30, wrap=True),
        Column("口径", 16),
        Column("年份", 7),
        *(Column(f"{m}月", 9, 2) for m in MONTHS if m <= month.month),
    )
    rows = []
    for history in _by_indicator(briefing):
        field, measured = measure(history[-1])
        for year in (month.year, month.year - 1):
            values = monthly_values(history, year, field)
            rows.append(
                [
                    history[-1]["indicator_name_zh"],
                    measured,
                    f"{year}年",
                    *(values.get(m) for m in MONTHS if m <= month.month),
                ]
            )
    return Table(columns, rows)
