"""The briefing's tables, built once from a `Briefing` and shown by both the workbook and the page, so
that both show the same numbers; no codes or plan ids (the notes name the plan)."""

from __future__ import annotations

from typing import Any

from orchestration.report.data import _chain_key, _indicator_key
from orchestration.report.lead import lead_paragraph
from orchestration.report.model import (
    DEFINITIONS,
    MISSING,
    REQUIRED_GROWTH_UNIT_ZH,
    SEVERITY_ZH,
    STATUS_ZH,
    SUPPRESSED,
    TIER_ZH,
    Briefing,
    Column,
    Row,
    Table,
    period_label,
    ytd_label,
)
from orchestration.scorecard import chance_text

# columns that several tables share, so that one measure looks the same in each
_COUNT = Column("企业数", 9, 0)
_REVENUE = Column("营业收入 亿元", 14, 2)
_YOY = Column("同比增长 %", 11, 2)
_RD_INTENSITY = Column("研发强度 %", 11, 2)
_DIGITALIZATION = Column("数字化比例 %", 12, 2)


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


def scorecard_table(briefing: Briefing) -> Table:
    year = briefing.period.year
    columns = (
        Column("指标", 30, wrap=True),
        Column("单位", 7),
        Column(f"实际值（{ytd_label(briefing.period)}）", 16, 2),
        _YOY,
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
        Column("产业链", 20, wrap=True),
        Column("层级", 13),
        _COUNT,
        _REVENUE,
        _YOY,
        Column("研发费用 亿元", 14, 2),
        _RD_INTENSITY,
        _DIGITALIZATION,
    )
    rows = [
        [
            row["chain_name_zh"],
            TIER_ZH.get(row["tier"], row["tier"]),
            row["enterprise_count"],
            _masked(row, row["revenue_ytd_yi"]),
            _masked(row, row["revenue_yoy_pct"]),
            _masked(row, row["rd_ytd_yi"]),
            _masked(row, row["rd_intensity_pct"]),
            _masked(row, row["digitalization_rate_pct"]),
        ]
        for row in sorted(briefing.chains, key=_chain_key)
    ]
    return Table(columns, rows)


def district_table(briefing: Briefing) -> Table:
    columns = (
        Column("排名", 6, 0, grouped=False),
        Column("区县", 22),
        _COUNT,
        _REVENUE,
        _YOY,
        _RD_INTENSITY,
        _DIGITALIZATION,
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


def _change(row: Row) -> list[Any]:
    """A revision's old and new value, the change, and the files behind it (or why there are none)."""
    return [
        row["old_value"],
        row["new_value"],
        row["change"],
        row["caused_by"] or "本期无文件变化（参考数据、口径或其他报告期的文件）",
    ]


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
        Column("达标概率", 9),
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
            chance_text(row["probability_meets_target"]),  # as the scorecard and the lead say it
            "历史数据不足，暂不预测" if row["point_forecast"] is None else "",
        ]
        for row in sorted(briefing.outlook, key=_indicator_key)
        if row["is_plan_target_year"]
    ]
    return Table(columns, rows)


# A cell's value goes NULL when disclosure control suppresses it, and comes back when it no longer does.
CELL_REVISION_KIND_ZH = {**REVISION_KIND_ZH, "filled": "新公布", "cleared": "不再公布"}
MEASURE_ZH = {
    "enterprise_count": "企业个数",
    "revenue_ytd_yi": "营业收入本年累计（亿元）",
    "rd_ytd_yi": "研发费用本年累计（亿元）",
    "rd_intensity_pct": "研发强度（%）",
    "digitalization_rate_pct": "数字化企业比例（%）",
}


def cell_revisions_table(briefing: Briefing) -> Table:
    """The chain and district values this publish changed in periods published before."""
    columns = (
        Column("产业链或区县", 22),
        Column("报告期", 9),
        Column("数据项", 24),
        Column("类型", 9),
        Column("原值", 12, 4),
        Column("新值", 12, 4),
        Column("变化", 12, 4),
        Column("原因（自上次发布以来变化的文件）", 60, wrap=True),
    )
    chains = {row["chain_code"]: row["chain_name_zh"] for row in briefing.chains}
    rows = [
        [
            f"产业链 {chains.get(row['unit_code'], row['unit_code'])}"
            if row["cell_table"] == "chain_monthly"
            else f"区县 {_district_name(briefing, row['unit_code'])}",
            f"{row['period']:%Y-%m}",
            MEASURE_ZH.get(row["measure"], row["measure"]),
            CELL_REVISION_KIND_ZH.get(row["revision_kind"], row["revision_kind"]),
            *_change(row),
        ]
        for row in briefing.cell_revisions or []
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
            *_change(row),
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
                # a withheld finding's figures would undo a suppressed cell: shown as the cells are
                SUPPRESSED if row["figures_withheld"] else row["expected"],
                SUPPRESSED if row["figures_withheld"] else row["actual"],
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
