"""The monthly briefing for one period: an .xlsx workbook for print and a self-contained .html page with
charts, both read from the published analyst snapshot (analytics.duckdb, read-only). No Dagster here.

The same table definitions (`Table`) feed the workbook and the page, so both show the same numbers.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from orchestration.feedback import safe_cell
from orchestration.report.charts import (
    Band,
    Bar,
    LineSeries,
    bar_chart,
    escape,
    line_chart,
)
from orchestration.report.lead import lead_paragraph

Row = dict[str, Any]

TITLE = "重庆市新一代电子信息制造业集群 月度简报"
SUPPRESSED = "—(保密)"
MISSING = "—"
FINDINGS_ON_PAGE = 20
MARTS = ("indicator_progress", "chain_monthly", "district_monthly", "dq_findings", "dq_rules", "publish_log")
# The plan's order (docs/indicators.md, Targets); an indicator of a later plan follows by code.
INDICATOR_ORDER = ("revenue", "digitalization_rate", "rd_intensity", "rd_spend")
RATIO_UNITS = ("%",)
STATUS_ZH = {"on_track": "达标进度", "behind": "落后", "no_data": "无数据"}
STATUS_COLOR = {"on_track": "1E7B34", "behind": "C00000", "no_data": "7F7F7F"}
SEVERITY_ZH = {"error": "错误", "warn": "提示"}
TIER_ZH = {"core": "核心优势产业", "growth": "高成长性产业", "future": "未来产业", "other": "其他"}
TIER_COLOR = {"core": "#2f5f98", "growth": "#4e9a6f", "future": "#9467bd", "other": "#8c8c8c"}
ERROR_COLOR, WARN_COLOR = "#c00000", "#c77c00"
DISCLOSURE_RULE = (
    "描述的企业少于 3 家的单元格（产业链、区县）不公布数值，显示为“—(保密)”，以免推算出单个企业的数据；"
    "企业个数照常显示。"
)
# Snapshots whose marts carry suppression_reason also suppress dominated cells and a complement.
DISCLOSURE_RULE_EXTENDED = DISCLOSURE_RULE + (
    "由单一企业主导（其营业收入占该单元格绝大部分）的单元格同样不公布；某期只有一个单元格被隐藏时，"
    "另隐藏一个单元格，以免用全市合计减去其余单元格推算出被隐藏的数值。"
)
# indicator_progress.required_growth_unit: flows grow by a percentage, ratios by percentage points.
REQUIRED_GROWTH_UNIT_ZH = {"pct_per_year": "%/年", "pp_per_year": "百分点/年"}
DEFINITIONS = (
    "范围：电子信息制造业行业范围内的规模以上企业（主营业务收入 2000 万元及以上）；金额为本年累计，单位亿元；"
    "同比为同口径（两年都填报的企业）增速。",
    "全年预计 = 上年全年值 ×（1 + 本期同比增速），12 月为实际值；规划路径：总量指标（营业收入、研发投入）为"
    "基期 2022 年到目标年的等速增长路径，比率指标（研发强度、数字化比例）为直线路径。",
    "状态：全年预计（比率为本年最新值）不低于当年规划路径为“达标进度”，否则为“落后”，缺少所需数据为“无数据”；"
    "所需年均增速为自最近完整年度起实现目标每年需要的增速：总量指标为每年增长的百分比（%/年），"
    "比率指标为每年需要提高的百分点（百分点/年），不是比率本身的增长率。",
)


@dataclass(frozen=True)
class ReportFiles:
    """The two files of a briefing."""

    xlsx: Path
    html: Path


@dataclass(frozen=True)
class Column:
    """A table column: header, width in the workbook, and decimals for numbers (None: text)."""

    header: str
    width: float
    decimals: int | None = None
    wrap: bool = False
    grouped: bool = True  # thousands separators; False for years, ranks and row numbers

    @property
    def number_format(self) -> str:
        if self.decimals is None:
            return "General"
        return ("#,##0" if self.grouped else "0") + ("." + "0" * self.decimals if self.decimals else "")

    def display(self, value: Any) -> str:
        """The value as the page shows it: numbers with the column's decimals, None as — or blank."""
        if value is None:
            return MISSING if self.decimals is not None else ""
        if self.decimals is None or isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        return f"{value:{',' if self.grouped else ''}.{self.decimals}f}"


@dataclass(frozen=True)
class Table:
    """Rows under columns, shared by the workbook sheet and the page table."""

    columns: tuple[Column, ...]
    rows: list[list[Any]]
    # Scorecard only: each row's status code, and the columns (0-based) it colours.
    status: list[str] = field(default_factory=list)
    status_columns: tuple[int, ...] = ()


@dataclass(frozen=True)
class Briefing:
    """Everything the briefing shows for one period, read from the snapshot."""

    period: dt.date
    snapshot: Path
    indicators: list[Row]  # one row per plan and indicator at the period
    history: list[Row]  # indicator rows up to the period, for the charts
    chains: list[Row]
    districts: list[Row]
    findings: list[Row]
    rule_titles: dict[str, str]
    district_names: dict[str, str]
    last_publish: Row | None
    disclosure_rule: str = DISCLOSURE_RULE
    outlook: list[Row] = field(default_factory=list)  # marts.indicator_outlook as of the period
    # what the snapshot's publish revised; None for a snapshot published before revisions were kept
    revisions: list[Row] | None = None


# ---------- entry point


def build_report(analytics_db: Path, period: dt.date | str, out_dir: Path) -> ReportFiles:
    """Write out_dir/planwatch_briefing_<YYYY-MM>.xlsx and .html for the period; return their paths.

    Reads only the published snapshot. Raises ValueError (naming the periods the snapshot holds) when
    the period is not in it. Each file is written under a temporary name and renamed into place.
    """
    briefing = load_briefing(Path(analytics_db), period)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"planwatch_briefing_{briefing.period:%Y-%m}"
    files = ReportFiles(xlsx=out_dir / f"{stem}.xlsx", html=out_dir / f"{stem}.html")
    _write_atomically(files.xlsx, lambda path: build_workbook(briefing).save(path))
    _write_atomically(files.html, lambda path: path.write_text(render_html(briefing), encoding="utf-8"))
    return files


def latest_period(analytics_db: Path) -> dt.date:
    """The latest period the snapshot (the latest publish) holds: what a briefing is about by default."""
    if not analytics_db.is_file():
        raise FileNotFoundError(f"analyst snapshot not found: {analytics_db}; run `planwatch run` first")
    with duckdb.connect(str(analytics_db), read_only=True) as con:
        _check_marts(con, analytics_db)
        (latest,) = con.execute("select max(period) from marts.indicator_progress").fetchone()
    if latest is None:
        raise ValueError(f"the snapshot {analytics_db} holds no periods yet; run `planwatch run` first")
    return latest


def parse_period(value: dt.date | str) -> dt.date:
    """'2024-06' or a date -> the first day of that month."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", str(value))
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"period {value!r} is not a month written YYYY-MM, e.g. 2024-06")
    return dt.date(int(match[1]), int(match[2]), 1)


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# ---------- reading the snapshot


def load_briefing(analytics_db: Path, period: dt.date | str) -> Briefing:
    """Read what the briefing needs for the period from the snapshot (read-only)."""
    month = parse_period(period)
    if not analytics_db.is_file():
        raise FileNotFoundError(f"analyst snapshot not found: {analytics_db}; run `planwatch run` first")
    with duckdb.connect(str(analytics_db), read_only=True) as con:
        _check_marts(con, analytics_db)
        periods = [
            row[0]
            for row in con.execute(
                "select distinct period from marts.indicator_progress order by 1"
            ).fetchall()
        ]
        if month not in periods:
            raise ValueError(missing_period_message(month, periods, analytics_db))
        history = _records(
            con,
            """
            select plan_id, indicator_code, indicator_name_zh, unit, period, actual_value, yoy_growth_pct,
                   projected_annual, baseline_year, baseline_value, target_year, target_value,
                   trajectory_value, required_growth_pct, required_growth_unit, status
            from marts.indicator_progress
            where period <= ?
            order by plan_id, indicator_code, period
            """,
            [month],
        )
        return Briefing(
            period=month,
            snapshot=analytics_db,
            indicators=sorted((row for row in history if row["period"] == month), key=_indicator_key),
            history=history,
            chains=_records(
                con,
                """
                select chain_code, chain_name_zh, tier, enterprise_count, revenue_ytd_yi, revenue_yoy_pct,
                       rd_ytd_yi, rd_intensity_pct, suppressed
                from marts.chain_monthly
                where period = ?
                """,
                [month],
            ),
            districts=sorted(
                _records(
                    con,
                    """
                    select district_code, district_name, enterprise_count, revenue_ytd_yi, revenue_yoy_pct,
                           rd_intensity_pct, digitalization_rate_pct, findings_error, findings_warn, suppressed
                    from marts.district_monthly
                    where period = ?
                    """,
                    [month],
                ),
                key=_revenue_rank_key,
            ),
            findings=sorted(
                _records(
                    con,
                    """
                    select finding_id, rule_id, severity, district_code, period, subject, expected, actual,
                           message, source_file, source_row
                    from marts.dq_findings
                    where period = ? or period is null
                    """,
                    [month],
                ),
                key=_finding_key,
            ),
            rule_titles=dict(con.execute("select rule_id, title from marts.dq_rules").fetchall()),
            district_names=dict(
                con.execute(
                    "select district_code, arg_max(district_name, period) from marts.district_monthly group by 1"
                ).fetchall()
            ),
            last_publish=next(
                iter(_records(con, "select * from marts.publish_log order by published_at desc limit 1", [])),
                None,
            ),
            disclosure_rule=DISCLOSURE_RULE_EXTENDED
            if "suppression_reason" in _columns(con, "chain_monthly")
            else DISCLOSURE_RULE,
            # snapshots published before the outlook and the revisions existed have neither
            outlook=_records(
                con,
                """
                select plan_id, indicator_code, target_year, is_plan_target_year, point_forecast, lower_80,
                       upper_80, lower_95, upper_95, target_value, probability_meets_target, note
                from marts.indicator_outlook
                where as_of_period = ?
                order by plan_id, indicator_code, target_year
                """,
                [month],
            )
            if _columns(con, "indicator_outlook")
            else [],
            revisions=_records(
                con,
                """
                select plan_id, indicator_code, period, revision_kind, old_value, new_value, change, caused_by
                from marts.indicator_revisions
                where published_at = (select max(published_at) from marts.publish_log)
                order by plan_id, indicator_code, period
                """,
                [],
            )
            if _columns(con, "indicator_revisions")
            else None,
        )


def missing_period_message(month: dt.date, periods: Sequence[dt.date], snapshot: Path) -> str:
    """Why a period cannot be reported, naming what the snapshot holds."""
    if not periods:
        return f"the snapshot {snapshot} holds no periods yet; run `planwatch run` first"
    first, last = periods[0], periods[-1]
    message = (
        f"period {month:%Y-%m} is not in the snapshot {snapshot}: it holds {len(periods)} periods, "
        f"{first:%Y-%m}..{last:%Y-%m}"
    )
    held = set(periods)
    gaps = [gap for gap in _months(first, last) if gap not in held]
    if gaps:
        shown = ", ".join(f"{gap:%Y-%m}" for gap in gaps[:12]) + (" …" if len(gaps) > 12 else "")
        why = (
            ": January has no report of its own, its figures come with 1-2月"
            if all(gap.month == 1 for gap in gaps)
            else ""
        )
        message += f" (none for {shown}{why})"
    return message


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _check_marts(con: duckdb.DuckDBPyConnection, snapshot: Path) -> None:
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    missing = [table for table in MARTS if table not in present]
    if missing:
        raise ValueError(f"{snapshot} is not a planwatch snapshot: marts.{', marts.'.join(missing)} missing")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchall()
    }


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[Row]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _indicator_key(row: Row) -> tuple:
    code = row["indicator_code"]
    order = INDICATOR_ORDER.index(code) if code in INDICATOR_ORDER else len(INDICATOR_ORDER)
    return (row["plan_id"], order, code)


def _revenue_rank_key(row: Row) -> tuple:
    """By revenue, largest first; rows without a published revenue after them and suppressed ones
    last, each by code."""
    revenue = row["revenue_ytd_yi"]
    code = row.get("district_code") or row.get("chain_code") or ""
    return (bool(row["suppressed"]), revenue is None, -(revenue or 0.0), code)


def _chain_key(row: Row) -> tuple:
    """By tier in the plan's order, then by revenue."""
    tiers = list(TIER_ZH)
    tier = tiers.index(row["tier"]) if row["tier"] in tiers else len(tiers)
    return (tier, *_revenue_rank_key(row))


def _finding_key(row: Row) -> tuple:
    """Errors first, then by rule, district, file and row; stable by id."""
    return (
        row["severity"] != "error",
        row["rule_id"] or "",
        row["district_code"] or "",
        row["source_file"] or "",
        row["source_row"] or 0,
        row["finding_id"] or "",
    )


# ---------- labels


def period_label(month: dt.date) -> str:
    """2024-06-01 -> '2024年6月'."""
    return f"{month.year}年{month.month}月"


def ytd_label(month: dt.date) -> str:
    """2024-06-01 -> '2024年1-6月' (year to date)."""
    return f"{month.year}年{month.month}月" if month.month == 1 else f"{month.year}年1-{month.month}月"


def is_flow(unit: str | None) -> bool:
    """Flows (营业收入, 研发投入) are money; ratios are in %."""
    return unit not in RATIO_UNITS


def plan_path(row: Row, year: int) -> float | None:
    """Where the plan puts the indicator in `year`: the constant-growth path for flows, the straight
    path for ratios (docs/indicators.md), from the row's baseline and target."""
    base, target = row["baseline_value"], row["target_value"]
    base_year, target_year = row["baseline_year"], row["target_year"]
    if None in (base, target, base_year, target_year) or target_year == base_year:
        return None
    share = (year - base_year) / (target_year - base_year)
    if is_flow(row["unit"]):
        return base * (target / base) ** share if base > 0 and target > 0 else None
    return base + (target - base) * share


def _district_name(briefing: Briefing, code: str | None) -> str:
    if code is None:
        return "全市"
    return briefing.district_names.get(code) or code


def _masked(row: Row, value: Any) -> Any:
    """A value of a suppressed cell is shown as —(保密); a missing value, or a cell with no
    enterprise at all (nothing to hide), as —."""
    if row.get("suppressed") and row.get("enterprise_count"):
        return SUPPRESSED
    return MISSING if value is None else value


# ---------- tables (shared by the workbook and the page)


def scorecard_table(briefing: Briefing) -> Table:
    year = briefing.period.year
    columns = (
        Column("指标", 30, wrap=True),
        Column("单位", 7),
        Column(f"实际值（{ytd_label(briefing.period)}）", 16, 2),
        Column("同比增长 %", 11, 2),
        Column(f"{year}年全年预计", 14, 2),
        Column(f"规划路径（{year}年）", 14, 2),
        Column("目标值", 11, 2),
        Column("目标年份", 9, 0, grouped=False),
        Column("所需年均增速", 11, 2),
        Column("增速单位", 10),
        Column("状态", 9),
    )
    rows, status = [], []
    for row in briefing.indicators:
        rows.append(
            [
                row["indicator_name_zh"],
                row["unit"],
                _masked(row, row["actual_value"]),
                _masked(row, row["yoy_growth_pct"]),
                _masked(row, row["projected_annual"]),
                _masked(row, row["trajectory_value"]),
                _masked(row, row["target_value"]),
                row["target_year"],
                _masked(row, row["required_growth_pct"]),
                REQUIRED_GROWTH_UNIT_ZH.get(row["required_growth_unit"], row["required_growth_unit"]),
                STATUS_ZH.get(row["status"], row["status"]),
            ]
        )
        status.append(row["status"])
    # for an official: no codes, no plan id (the notes name the plan)
    return Table(columns, rows, status, status_columns=(10,))


def chain_table(briefing: Briefing) -> Table:
    columns = (
        Column("产业链", 20),
        Column("代码", 18),
        Column("层级", 14),
        Column("企业数", 9, 0),
        Column("营业收入 亿元", 14, 2),
        Column("同比增长 %", 11, 2),
        Column("研发费用 亿元", 14, 2),
        Column("研发强度 %", 11, 2),
    )
    rows = [
        [
            row["chain_name_zh"],
            row["chain_code"],
            f"{TIER_ZH.get(row['tier'], row['tier'])} {row['tier']}",
            row["enterprise_count"],
            _masked(row, row["revenue_ytd_yi"]),
            _masked(row, row["revenue_yoy_pct"]),
            _masked(row, row["rd_ytd_yi"]),
            _masked(row, row["rd_intensity_pct"]),
        ]
        for row in sorted(briefing.chains, key=_chain_key)
    ]
    return Table(columns, rows)


def district_table(briefing: Briefing) -> Table:
    columns = (
        Column("排名", 6, 0, grouped=False),
        Column("区县代码", 10),
        Column("区县", 22),
        Column("企业数", 9, 0),
        Column("营业收入 亿元", 14, 2),
        Column("同比增长 %", 11, 2),
        Column("研发强度 %", 11, 2),
        Column("数字化比例 %", 12, 2),
        Column("错误", 7, 0),
        Column("提示", 7, 0),
    )
    rows, rank = [], 0
    for row in briefing.districts:
        ranked = not row["suppressed"] and row["revenue_ytd_yi"] is not None
        rank += ranked
        rows.append(
            [
                rank if ranked else MISSING,
                row["district_code"],
                row["district_name"],
                row["enterprise_count"],
                _masked(row, row["revenue_ytd_yi"]),
                _masked(row, row["revenue_yoy_pct"]),
                _masked(row, row["rd_intensity_pct"]),
                _masked(row, row["digitalization_rate_pct"]),
                row["findings_error"],
                row["findings_warn"],
            ]
        )
    return Table(columns, rows)


REVISION_KIND_ZH = {
    "changed": "修订",
    "filled": "补充",
    "cleared": "撤回",
    "added": "新增",
    "removed": "删除",
}


def outlook_table(briefing: Briefing) -> Table:
    """The plan target year's forecast of each indicator, as of the period (marts.indicator_outlook)."""
    columns = (
        Column("指标", 30, wrap=True),
        Column("目标年份", 9, 0, grouped=False),
        Column("预测值", 12, 2),
        Column("80%区间下限", 12, 2),
        Column("80%区间上限", 12, 2),
        Column("95%区间下限", 12, 2),
        Column("95%区间上限", 12, 2),
        Column("目标值", 11, 2),
        Column("达标概率 %", 11, 0),
        Column("说明", 40, wrap=True),
    )
    names = {(row["plan_id"], row["indicator_code"]): row["indicator_name_zh"] for row in briefing.indicators}
    rows = [
        [
            names.get((row["plan_id"], row["indicator_code"]), row["indicator_code"]),
            row["target_year"],
            row["point_forecast"],
            row["lower_80"],
            row["upper_80"],
            row["lower_95"],
            row["upper_95"],
            row["target_value"],
            None if row["probability_meets_target"] is None else 100 * row["probability_meets_target"],
            "历史数据不足，暂不预测" if row["point_forecast"] is None else "",
        ]
        for row in sorted(briefing.outlook, key=_indicator_key)
        if row["is_plan_target_year"]
    ]
    return Table(columns, rows)


def revisions_table(briefing: Briefing) -> Table:
    """The figures this publish changed in periods published before, and the files behind them."""
    columns = (
        Column("指标代码", 18),
        Column("报告期", 9),
        Column("类型", 7),
        Column("原值", 12, 4),
        Column("新值", 12, 4),
        Column("变化", 12, 4),
        Column("原因（自上次发布以来变化的文件）", 60, wrap=True),
    )
    rows = [
        [
            row["indicator_code"],
            f"{row['period']:%Y-%m}",
            REVISION_KIND_ZH.get(row["revision_kind"], row["revision_kind"]),
            row["old_value"],
            row["new_value"],
            row["change"],
            row["caused_by"] or "本期无文件变化（参考数据、口径或其他报告期的文件）",
        ]
        for row in briefing.revisions or []
    ]
    return Table(columns, rows)


def findings_table(briefing: Briefing, limit: int | None = None) -> Table:
    columns = (
        Column("严重程度", 9),
        Column("规则", 28, wrap=True),
        Column("区县", 16),
        Column("报告期", 10),
        Column("说明", 60, wrap=True),
        Column("应为", 16, wrap=True),
        Column("实际", 16, wrap=True),
        Column("来源文件", 30, wrap=True),
        Column("行号", 7, 0, grouped=False),
    )
    rows = []
    for row in briefing.findings[:limit]:
        title = briefing.rule_titles.get(row["rule_id"], "")
        rows.append(
            [
                SEVERITY_ZH.get(row["severity"], row["severity"]),
                f"{row['rule_id']} {title}".strip(),
                _district_name(briefing, row["district_code"]),
                f"{row['period']:%Y-%m}" if row["period"] else "不分报告期",
                row["message"],
                row["expected"],
                row["actual"],
                row["source_file"],
                row["source_row"],
            ]
        )
    return Table(columns, rows)


def notes_table(briefing: Briefing) -> Table:
    columns = (Column("项目", 18), Column("内容", 100, wrap=True))
    rows: list[list[Any]] = [
        ["概述", lead(briefing)],
        ["报告期", f"{period_label(briefing.period)}（本年累计 {ytd_label(briefing.period)}）"],
        ["数据来源", f"分析快照 {briefing.snapshot.name}（只读，仅含汇总数据）"],
    ]
    last = briefing.last_publish
    if last:
        covered = (
            f"{last['first_period']:%Y-%m}..{last['last_period']:%Y-%m}（{last['periods_covered']} 个报告期）"
            if last["first_period"] and last["last_period"]
            else MISSING
        )
        rows += [
            ["最近一次发布", f"{last['published_at']:%Y-%m-%d %H:%M}（运行 {last['run_id']}）"],
            ["快照覆盖报告期", covered],
            ["入库文件", f"已入库 {last['files_ingested']} 个，拒收 {last['files_rejected']} 个"],
            [
                "数据质量问题（全部报告期）",
                f"错误 {last['findings_error']} 条，提示 {last['findings_warn']} 条",
            ],
        ]
    else:
        rows.append(["最近一次发布", "快照中没有发布记录"])
    rows += [["口径", line] for line in DEFINITIONS]
    rows.append(["保密规则", briefing.disclosure_rule])
    # Plans are data: name the ones the snapshot holds, not one written into code.
    rows.append(["规划", "、".join(sorted({row["plan_id"] for row in briefing.indicators})) or "—"])
    return Table(columns, rows)


# ---------- the workbook


HEADER_ROW = 3
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


def build_workbook(briefing: Briefing) -> Workbook:
    """Seven sheets, each a titled table set up for print."""
    workbook = Workbook()
    label = period_label(briefing.period)
    subtitle = f"报告期 {ytd_label(briefing.period)}（本年累计）；数据：{briefing.snapshot.name}"
    if briefing.last_publish:
        subtitle += f"，发布于 {briefing.last_publish['published_at']:%Y-%m-%d %H:%M}"
    sheets = [
        ("指标", "规划指标进度", scorecard_table(briefing), 2),
        ("产业链", "产业链", chain_table(briefing), 2),
        ("区县", "区县（按营业收入排名，保密区县列后）", district_table(briefing), 4),
        ("展望", "2027年展望（预测值与区间）", outlook_table(briefing), 1),
        ("修订", "本次发布修订的以往数据", revisions_table(briefing), 2),
        ("问题", "数据质量问题（本期及不分报告期，错误在前）", findings_table(briefing), 1),
        ("说明", "说明", notes_table(briefing), 1),
    ]
    for index, (name, heading, table, frozen_columns) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name
        write_sheet(sheet, f"{TITLE} {label} — {heading}", subtitle, table, frozen_columns)
    workbook.properties.creator = "planwatch"
    workbook.properties.title = f"{TITLE} {label}"
    return workbook


def write_sheet(sheet: Worksheet, title: str, subtitle: str, table: Table, frozen_columns: int = 1) -> None:
    """Title and subtitle rows, a bold header, values (text through safe_cell), formats and print setup."""
    last_column = get_column_letter(len(table.columns))
    for row, (text, font) in enumerate(
        ((title, Font(bold=True, size=14)), (subtitle, Font(color="595959"))), 1
    ):
        cell = sheet.cell(row=row, column=1, value=safe_cell(text))
        cell.font = font
        sheet.merge_cells(f"A{row}:{last_column}{row}")
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=safe_cell(column.header))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for offset, values in enumerate(table.rows, start=1):
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            _write_cell(sheet, HEADER_ROW + offset, index, column, value)
    for offset, status in enumerate(table.status, start=1):
        for index in table.status_columns:
            sheet.cell(row=HEADER_ROW + offset, column=index + 1).font = Font(
                bold=True, color=STATUS_COLOR.get(status)
            )
    _print_setup(sheet, last_column, len(table.rows), frozen_columns)


def _write_cell(sheet: Worksheet, row: int, column_index: int, column: Column, value: Any) -> None:
    cell = sheet.cell(row=row, column=column_index, value=safe_cell(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text stays text, whatever it starts with
    if column.decimals is not None:
        cell.number_format = column.number_format
        cell.alignment = Alignment(horizontal="right", vertical="top")
    else:
        cell.alignment = Alignment(vertical="top", wrap_text=column.wrap)


def _print_setup(sheet: Worksheet, last_column: str, rows: int, frozen_columns: int) -> None:
    """Landscape A4, one page wide, header row repeated, panes frozen below the header, page numbers."""
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + max(rows, 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{last_column}{HEADER_ROW + max(rows, 1)}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


# ---------- charts


def indicator_chart(history: Sequence[Row], month: dt.date, outlook: Sequence[Row] = ()) -> str:
    """One indicator over the plan years: complete years' December values, the report year's value
    (projected annual for flows) marked apart, the plan path, the target, and the outlook as of the
    month as a fan (80% and 95% intervals and the median of each year to the target year)."""
    latest = history[-1]
    flow = is_flow(latest["unit"])
    first_year = latest["baseline_year"] or min(row["period"].year for row in history)
    last_year = latest["target_year"] or max(row["period"].year for row in history)
    years = list(range(first_year, last_year + 1))
    december = {row["period"].year: row["actual_value"] for row in history if row["period"].month == 12}
    mart_path = {row["period"].year: row["trajectory_value"] for row in history}
    path = [
        (year, mart_path.get(year) if mart_path.get(year) is not None else plan_path(latest, year))
        for year in years
    ]
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
    median_label = "预测中位数" + (f"（达标概率 {probability:.0%}）" if probability is not None else "")
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
        row_height=18,
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


# ---------- the page


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
th { background: #e9e9e9; font-weight: bold; text-align: center; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
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
        "<section><h2>2027年展望</h2>",
        f'<p class="note">{escape(OUTLOOK_NOTE)}</p>',
        html_table(outlook_table(briefing)),
        "</section>",
        "<section><h2>本次发布修订的以往数据</h2>",
        f'<p class="note">{escape(_revisions_note(briefing))}</p>',
        html_table(revisions_table(briefing)) if briefing.revisions else "",
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


def lead(briefing: Briefing) -> str:
    """The opening paragraph (orchestration/report/lead.py), from the briefing's own rows."""
    return lead_paragraph(
        briefing.period,
        briefing.indicators,
        briefing.history,
        briefing.chains,
        briefing.districts,
        briefing.outlook,
        STATUS_ZH,
    )


def _page_meta(briefing: Briefing) -> str:
    plans = ", ".join(sorted({row["plan_id"] for row in briefing.indicators}))
    meta = f"报告期 {ytd_label(briefing.period)}（本年累计） · 规划 {plans} · 数据 {briefing.snapshot.name}"
    if briefing.last_publish:
        meta += f"，发布于 {briefing.last_publish['published_at']:%Y-%m-%d %H:%M}"
    return meta


OUTLOOK_NOTE = (
    "按截至本期的月度数据（营业收入、研发投入为最近 12 个月滚动合计，1 月因春节不计；数字化比例为年度调查）"
    "拟合带漂移的随机游走：总量取对数，比率取原值；区间与达标概率来自 t 分布，"
    "假定各年变化相互独立、趋势不变。方法与回测见 marts.indicator_outlook 的说明。"
)


def _revisions_note(briefing: Briefing) -> str:
    if briefing.revisions is None:
        return "此快照没有修订记录（发布时尚未保存各次发布的数据）。"
    if not briefing.revisions:
        return "本次发布没有修订以往发布的任何数据。"
    return (
        f"本次发布修订了以往发布的 {len(briefing.revisions)} 个数据；"
        "每次发布的数据都保留在 marts.indicator_vintages 中。"
    )


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
            if position in table.status_columns:
                classes.append(f"status-{table.status[index]}")
            if position == severity_column and value == SEVERITY_ZH["error"]:
                classes.append("sev-error")
            attribute = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attribute}>{escape(column.display(value))}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)
