"""What the briefing shows, as plain data: the report's words and colours, the table shape shared by
the workbook and the page (`Column`, `Table`), everything read for one period (`Briefing`), and the
small calendar and plan-path helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Row = dict[str, Any]

TITLE = "重庆市新一代电子信息制造业集群 月度简报"
SUPPRESSED = "—(保密)"
MISSING = "—"
FINDINGS_ON_PAGE = 20
MARTS = ("indicator_progress", "chain_monthly", "district_monthly", "dq_findings", "dq_rules", "publish_log")
# The plan's order (docs/indicators.md, Targets); an indicator of a later plan follows by code.
INDICATOR_ORDER = ("revenue", "digitalization_rate", "rd_intensity", "rd_spend")
STATUS_ZH = {"on_track": "达标进度", "behind": "落后", "no_data": "无数据"}
STATUS_COLOR = {"on_track": "1E7B34", "behind": "C00000", "no_data": "7F7F7F"}
SEVERITY_ZH = {"error": "错误", "warn": "提示"}
TIER_ZH = {"core": "核心优势产业", "growth": "高成长性产业", "future": "未来产业", "other": "其他"}
TIER_COLOR = {"core": "#2f5f98", "growth": "#4e9a6f", "future": "#9467bd", "other": "#8c8c8c"}
ERROR_COLOR, WARN_COLOR = "#c00000", "#c77c00"


def disclosure_rule(min_cell_enterprises: int | None, dominance_share: float | None, wider: bool) -> str:
    """The confidentiality note, with the thresholds the snapshot's cells were published under
    (chain_monthly's min_cell_enterprises and dominance_share; a snapshot from before the marts
    carried them says "规定家数"). `wider`: the marts give a suppression_reason, so dominated cells
    and a complement are suppressed too."""
    fewer = f"少于 {min_cell_enterprises} 家" if min_cell_enterprises is not None else "少于规定家数"
    rule = (
        f"描述的企业{fewer}的单元格（产业链、区县）不公布数值，显示为“—(保密)”，以免推算出单个企业的数据；"
        "企业个数照常显示。"
    )
    if not wider:
        return rule
    share = f"超过 {dominance_share:.0%}" if dominance_share is not None else "占绝大部分"
    return rule + (
        f"由单一企业主导（其营业收入{share}）的单元格同样不公布；某期只有一个单元格被隐藏时，"
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
    disclosure_rule: str = field(default_factory=lambda: disclosure_rule(None, None, wider=False))
    outlook: list[Row] = field(default_factory=list)  # marts.indicator_outlook as of the period
    # what the snapshot's publish revised; None for a snapshot published before revisions were kept
    revisions: list[Row] | None = None
    # the chain and district values it revised; None for a snapshot from before they were kept
    cell_revisions: list[Row] | None = None


def period_label(month: dt.date) -> str:
    """2024-06-01 -> '2024年6月'."""
    return f"{month.year}年{month.month}月"


def ytd_label(month: dt.date) -> str:
    """2024-06-01 -> '2024年1-6月' (year to date)."""
    return f"{month.year}年{month.month}月" if month.month == 1 else f"{month.year}年1-{month.month}月"


def is_flow(row: Row) -> bool:
    """Flows (营业收入, 研发投入) are amounts summed over a year; ratios are in % (the marts' indicator_kind)."""
    return row["indicator_kind"] == "flow"
