"""The briefing as one self-contained .html page: the lead paragraph, the tables and the SVG charts,
with no script and no external reference; every text escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from orchestration.report.charts import Band, Bar, LineSeries, bar_chart, escape, line_chart
from orchestration.report.cumulative import cumulative_charts
from orchestration.report.data import _revenue_rank_key
from orchestration.report.model import (
    ERROR_COLOR,
    FINDINGS_ON_PAGE,
    SEVERITY_ZH,
    TIER_COLOR,
    TIER_ZH,
    TITLE,
    WARN_COLOR,
    Briefing,
    Row,
    Table,
    is_flow,
    period_label,
    ytd_label,
)
from orchestration.report.tables import (
    chain_table,
    district_table,
    findings_table,
    lead,
    notes_table,
    outlook_table,
    revisions_table,
    scorecard_table,
)
from orchestration.scorecard import chance_text


def plan_path_points(history: Sequence[Row], outlook: Sequence[Row], years: Sequence[int]) -> list:
    """The plan's path over `years` as the marts give it: indicator_progress's trajectory_value for the
    years with data, indicator_outlook's plan_path_value for the years ahead; None where neither has one
    (a snapshot from before the outlook carried the path draws it only where there is data)."""
    path = {row["target_year"]: row.get("plan_path_value") for row in outlook}
    path |= {
        row["period"].year: row["trajectory_value"] for row in history if row["trajectory_value"] is not None
    }
    return [(year, path.get(year)) for year in years]


def indicator_chart(history: Sequence[Row], month: dt.date, outlook: Sequence[Row] = ()) -> str:
    """One indicator over the plan years: complete years' December values, the report year's value
    (projected annual for flows) marked apart, the plan path, the target, and the outlook as of the
    month as a fan (80% and 95% intervals and the median of each year to the target year)."""
    latest = history[-1]
    flow = is_flow(latest)
    first_year = latest["baseline_year"] or min(row["period"].year for row in history)
    last_year = latest["target_year"] or max(row["period"].year for row in history)
    years = list(range(first_year, last_year + 1))
    december = {row["period"].year: row["actual_value"] for row in history if row["period"].month == 12}
    path = plan_path_points(history, outlook, years)
    series = [
        LineSeries("规划路径", tuple(path), "#8c8c8c", dash="6 4", marker="none"),
        LineSeries(
            "实际（全年）" if flow else "实际（年末）",
            tuple((year, december.get(year)) for year in years if year <= month.year),
            "#2f5f98",
            annotate_last=month.month == 12,
        ),
    ]
    # A year-to-date flow is not comparable with annual values: without a projection it is left out.
    current = latest["projected_annual"] if flow else latest["actual_value"]
    if month.month != 12 and current is not None:
        label = f"{month.year}年全年预计（据1-{month.month}月）" if flow else f"{ytd_label(month)}最新值"
        points = ((month.year - 1, december.get(month.year - 1)), (month.year, current))
        series.append(
            LineSeries(
                label, points, "#2f5f98", dash="2 3", marker="ring", mark_first=False, annotate_last=True
            )
        )
    if latest["target_value"] is not None and latest["target_year"] in years:
        target = ((latest["target_year"], latest["target_value"]),)
        series.append(
            LineSeries(
                f"目标（{latest['target_year']}年）",
                target,
                "#c00000",
                marker="diamond",
                connect=False,
                annotate_last=True,
            )
        )
    bands, median = _fan(outlook, december.get(month.year - 1), month.year - 1)
    if median is not None:
        series.append(median)
    title = f"{latest['indicator_name_zh']}（{latest['unit']}）"
    return line_chart(title, years, series, unit=latest["unit"] or "", bands=bands)


def _fan(
    outlook: Sequence[Row], start: float | None, start_year: int
) -> tuple[list[Band], LineSeries | None]:
    """The outlook's intervals as bands, widening from last December's value (when there is one) to
    each forecast year, and the median as a dotted line; nothing without a forecast."""
    rows = [row for row in outlook if row["point_forecast"] is not None]
    if not rows:
        return [], None
    anchor = [(start_year, start, start)] if start is not None else []
    probability = next((row["probability_meets_target"] for row in rows if row["is_plan_target_year"]), None)
    median_label = "预测中位数" + (
        f"（达标概率 {chance_text(probability)}）" if probability is not None else ""
    )
    bands = [
        Band(f"{level}%预测区间", tuple(anchor + [(row["target_year"], row[f"lower_{level}"], row[f"upper_{level}"]) for row in rows]), "#2f5f98", opacity)
        for level, opacity in ((95, 0.12), (80, 0.25))
    ]  # fmt: skip
    points = tuple([(start_year, start)] if start is not None else []) + tuple(
        (row["target_year"], row["point_forecast"]) for row in rows
    )
    median = LineSeries(median_label, points, "#2f5f98", dash="1 3", marker="none", mark_first=False)
    return bands, median


def chain_chart(briefing: Briefing) -> str:
    """Revenue by chain, largest first, coloured by tier; suppressed chains labelled 保密."""
    chains = sorted(briefing.chains, key=_revenue_rank_key)
    bars = [
        Bar(
            label=row["chain_name_zh"],
            value=row["revenue_ytd_yi"],
            color=TIER_COLOR.get(row["tier"], TIER_COLOR["other"]),
            note="保密" if row["suppressed"] and row.get("enterprise_count") else "无数据",
        )
        for row in chains
    ]
    tiers = [tier for tier in TIER_ZH if any(row["tier"] == tier for row in chains)]
    legend = [(TIER_ZH[tier], TIER_COLOR[tier]) for tier in tiers]
    return bar_chart(
        f"产业链营业收入（{ytd_label(briefing.period)}，亿元）", bars, unit="亿元", legend=legend, width=720
    )


def district_chart(briefing: Briefing) -> str:
    """Districts ranked by revenue with their error and warning counts; suppressed ones labelled 保密."""
    bars = [
        Bar(
            label=row["district_name"],
            value=row["revenue_ytd_yi"],
            color="#2f5f98",
            note="保密" if row["suppressed"] and row.get("enterprise_count") else "无数据",
            counts=(row["findings_error"], row["findings_warn"]),
        )
        for row in briefing.districts
    ]
    return bar_chart(
        f"区县营业收入排名与数据质量问题（{ytd_label(briefing.period)}）",
        bars,
        unit="营业收入 亿元",
        count_headers=(("错误", ERROR_COLOR), ("提示", WARN_COLOR)),
        width=760,
        row_height=14,  # 41 reporting units on one A4 landscape page
    )


def indicator_charts(briefing: Briefing) -> list[str]:
    """One chart per indicator of the scorecard, in its order."""
    by_indicator: dict[tuple[str, str], list[Row]] = {}
    for row in briefing.history:
        by_indicator.setdefault((row["plan_id"], row["indicator_code"]), []).append(row)
    outlook: dict[tuple[str, str], list[Row]] = {}
    for row in briefing.outlook:
        outlook.setdefault((row["plan_id"], row["indicator_code"]), []).append(row)
    return [
        indicator_chart(
            by_indicator[(row["plan_id"], row["indicator_code"])],
            briefing.period,
            outlook.get((row["plan_id"], row["indicator_code"]), []),
        )
        for row in briefing.indicators
    ]


CSS = """
:root { color: #222; background: #fff; }
body { font-family: "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif;
       margin: 24px auto; max-width: 1180px; padding: 0 16px; line-height: 1.5; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid #2f5f98; padding-bottom: 2px; }
.meta { color: #595959; margin: 0 0 12px; font-size: 13px; }
.lead { font-size: 15px; margin: 8px 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 4px; }
th, td { border: 1px solid #cfcfcf; padding: 3px 6px; vertical-align: top; }
th { background: #e9e9e9; font-weight: bold; text-align: center; word-break: keep-all; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nw { white-space: nowrap; }
.status-on_track { color: #1e7b34; font-weight: bold; }
.status-behind { color: #c00000; font-weight: bold; }
.status-no_data { color: #7f7f7f; font-weight: bold; }
.sev-error { color: #c00000; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg.chart { max-width: 100%; height: auto; border: 1px solid #e3e3e3; background: #fff; }
.note { color: #595959; font-size: 12px; }
footer { margin-top: 28px; font-size: 12px; color: #595959; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  table { font-size: 11px; }
  th, td { padding: 2px 4px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  svg.chart, tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def render_html(briefing: Briefing) -> str:
    """One self-contained page: no script, no external reference; every text escaped."""
    label = period_label(briefing.period)
    findings_shown = findings_table(briefing, FINDINGS_ON_PAGE)
    body = [
        f"<header><h1>{escape(TITLE)} {escape(label)}</h1>",
        f'<p class="meta">{escape(_page_meta(briefing))}</p>',
        f'<p class="lead">{escape(lead(briefing))}</p></header>',
        "<section><h2>规划指标</h2>",
        html_table(scorecard_table(briefing)),
        "</section>",
        '<section><h2>指标走势</h2><div class="charts">',
        *indicator_charts(briefing),
        "</div>",
        '<p class="note">实线为已结束年度的全年（年末）值，空心点为本年按本期推算的全年预计（比率为本年最新值），'
        "虚线为规划路径，菱形为目标；阴影为截至本期的预测区间（深色 80%，浅色 95%），点线为预测中位数。</p></section>",
        '<section><h2>月度累计走势</h2><div class="charts">',
        *cumulative_charts(briefing),
        "</div>",
        f'<p class="note">{escape(CUMULATIVE_NOTE)}</p></section>',
        "<section><h2>2027年展望</h2>",
        f'<p class="note">{escape(OUTLOOK_NOTE)}</p>',
        html_table(outlook_table(briefing)),
        "</section>",
        "<section><h2>本次发布修订的以往数据</h2>",
        f'<p class="note">{escape(_counted(briefing.revisions, REVISIONS_NOTE))}</p>',
        html_table(revisions_table(briefing)) if briefing.revisions else "",
        f'<p class="note">{escape(_counted(briefing.cell_revisions, CELL_REVISIONS_NOTE))}</p>',
        "</section>",
        "<section><h2>产业链</h2>",
        chain_chart(briefing),
        html_table(chain_table(briefing)),
        "</section>",
        "<section><h2>区县</h2>",
        district_chart(briefing),
        html_table(district_table(briefing)),
        "</section>",
        "<section><h2>数据质量问题</h2>",
        f'<p class="note">{escape(_findings_note(briefing, len(findings_shown.rows)))}</p>',
        html_table(findings_shown, severity_column=0),
        "</section>",
        "<footer><h2>说明</h2>",
        html_table(notes_table(briefing)),
        "</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(TITLE)} {escape(label)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _page_meta(briefing: Briefing) -> str:
    plans = ", ".join(sorted({row["plan_id"] for row in briefing.indicators}))
    meta = f"报告期 {ytd_label(briefing.period)}（本年累计） · 规划 {plans} · 数据 {briefing.snapshot.name}"
    if briefing.last_publish:
        meta += f"，发布于 {briefing.last_publish['published_at']:%Y-%m-%d %H:%M}"
    return meta


CUMULATIVE_NOTE = (
    "营业收入、研发投入为 1 月至各月累计比上年同期的增速（%），研发强度、数字化比例为 1 月至各月的累计值；"
    "实线为本年，灰色虚线为上年。"
)
OUTLOOK_NOTE = (
    "按截至本期的月度数据（营业收入、研发投入为最近 12 个月滚动合计，1 月因春节不计；数字化比例为年度调查）"
    "拟合带漂移的随机游走：总量取对数，比率取原值；区间与达标概率来自 t 分布，"
    "假定各年变化相互独立、趋势不变。方法与回测见 marts.indicator_outlook 的说明。"
)


REVISIONS_NOTE = (
    "此快照没有修订记录（发布时尚未保存各次发布的数据）。",
    "本次发布没有修订以往发布的任何数据。",
    "本次发布修订了以往发布的 {n} 个数据；每次发布的数据都保留在 marts.indicator_vintages 中。",
)
"""What the page says of the indicator values revised: when the snapshot keeps no revisions, when
there are none, and how many there are."""
CELL_REVISIONS_NOTE = (
    "此快照没有产业链、区县数据的修订记录。",
    "本次发布没有修订以往发布的产业链、区县数据。",
    "本次发布修订了以往发布的产业链、区县数据 {n} 项，明细见简报工作簿“单元修订”表及 marts.cell_revisions。",
)
"""The same of the chain and district values revised (the workbook's 单元修订 sheet lists them)."""


def _counted(rows: list | None, note: tuple[str, str, str]) -> str:
    """The sentence of `note` for a list the snapshot may not keep: not kept, empty, or its length."""
    unrecorded, none, some = note
    if rows is None:
        return unrecorded
    return some.format(n=len(rows)) if rows else none


def _findings_note(briefing: Briefing, shown: int) -> str:
    errors = sum(row["severity"] == "error" for row in briefing.findings)
    total = len(briefing.findings)
    note = f"本期及不分报告期的问题共 {total} 条（错误 {errors} 条，提示 {total - errors} 条），错误在前"
    if shown < total:
        note += f"；此处列前 {shown} 条，完整清单见工作簿“问题”表"
    return note + "。"


def html_table(table: Table, *, severity_column: int | None = None) -> str:
    """A table with escaped text; numbers right-aligned with the column's decimals."""
    head = "".join(f"<th>{escape(column.header)}</th>" for column in table.columns)
    lines = [f"<table><thead><tr>{head}</tr></thead><tbody>"]
    for index, values in enumerate(table.rows):
        cells = []
        for position, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            classes = []
            if column.decimals is not None:
                classes.append("num")
            elif not column.wrap:
                classes.append("nw")  # a short text (单位, 状态, a name): never broken inside
            if position in table.status_columns:
                classes.append(f"status-{table.status[index]}")
            if position == severity_column and value == SEVERITY_ZH["error"]:
                classes.append("sev-error")
            attribute = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attribute}>{escape(column.display(value))}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)
