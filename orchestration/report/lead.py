"""The briefing's opening paragraph, written from the figures the way a statistics bureau opens its
monthly bulletin: the cluster's revenue and its growth against the month before, R&D, the indicators
behind the plan's path, the chance of the 2027 target, and the chain and district that grew fastest.
Pure functions over rows read from the snapshot; no number is written here that is not in them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from orchestration.scorecard import chance_text

Row = dict[str, Any]


def ytd_text(month: dt.date) -> str:
    """1-6月, or 1月 for January."""
    return f"{month.month}月" if month.month == 1 else f"1-{month.month}月"


def growth_change(now: float, before: float | None, before_month: dt.date) -> str:
    """'，比1-5月加快0.8个百分点' / '回落' / '持平'; nothing without the month before."""
    if before is None:
        return ""
    change = now - before
    if round(change, 1) == 0:
        return f"，增速与{ytd_text(before_month)}持平"
    word = "加快" if change > 0 else "回落"
    return f"，增速比{ytd_text(before_month)}{word}{abs(change):.1f}个百分点"


def _value(rows: Sequence[Row], code: str, column: str, period: dt.date) -> Any:
    return next(
        (row[column] for row in rows if row["indicator_code"] == code and row["period"] == period), None
    )


def flow_sentence(history: Sequence[Row], code: str, name: str, month: dt.date) -> str:
    """'营业收入2704.00亿元，同比增长4.0%，增速比1-5月加快…' for a flow indicator of the month."""
    actual = _value(history, code, "actual_value", month)
    if actual is None:
        return ""
    text = f"{name}{actual:,.2f}亿元"
    growth = _value(history, code, "yoy_growth_pct", month)
    if growth is None:
        return text
    text += f"，同比{'增长' if growth >= 0 else '下降'}{abs(growth):.1f}%"
    before = month.replace(month=month.month - 1) if month.month > 1 else None
    if before is not None:
        text += growth_change(growth, _value(history, code, "yoy_growth_pct", before), before)
    return text


def fastest(cells: Sequence[Row], label: str, name_column: str) -> str:
    """'营业收入增长最快的产业链是智能终端（同比+3.5%）' among the published cells with a growth; said
    "among those with a published growth" when a cell with enterprises has none published (a
    suppressed one may have grown faster), and not at all with fewer than two to compare."""
    active = [row for row in cells if row.get("enterprise_count")]
    shown = [row for row in active if not row.get("suppressed") and row.get("revenue_yoy_pct") is not None]
    if len(shown) < 2:
        return ""
    top = max(shown, key=lambda row: row["revenue_yoy_pct"])
    growth = f"{top[name_column]}（同比{top['revenue_yoy_pct']:+.1f}%）"
    if len(shown) < len(active):
        return f"公布增速的{label}中，营业收入增长最快的是{growth}"
    return f"营业收入增长最快的{label}是{growth}"


def doubt_sentence(indicators: Sequence[Row], month: dt.date) -> str:
    """'（注意：本期有1家企业的月报被判为计量单位错误或数值不合理……）' when lines the rules say are
    wrong count in the month's sums (indicator_progress.lines_in_doubt); nothing otherwise."""
    doubted = [row for row in indicators if row.get("lines_in_doubt")]
    if not doubted:
        return ""
    count = max(row["lines_in_doubt"] for row in doubted)
    names = "、".join(row["indicator_name_zh"] for row in doubted)
    return (
        f"（注意：{month.year}年{ytd_text(month)}有{count}家企业的月报被判为计量单位错误或数值不合理（DQ06、DQ07），"
        f"已按原报计入{names}，相关数字待企业更正后为准，暂勿引用。）"
    )


def lead_paragraph(
    month: dt.date,
    indicators: Sequence[Row],
    history: Sequence[Row],
    chains: Sequence[Row],
    districts: Sequence[Row],
    outlook: Sequence[Row],
    status_words: dict[str, str],
) -> str:
    """The opening paragraph of the briefing for `month`."""
    parts = [
        sentence
        for sentence in (
            flow_sentence(history, "revenue", "全市新一代电子信息制造业营业收入", month),
            flow_sentence(history, "rd_spend", "研发投入", month),
        )
        if sentence
    ]
    intensity = _value(history, "rd_intensity", "actual_value", month)
    if intensity is not None:
        parts.append(f"研发强度{intensity:.2f}%")
    text = f"{month.year}年{ytd_text(month)}，" + "；".join(parts) + "。" if parts else ""
    text = doubt_sentence(indicators, month) + text
    behind = [row["indicator_name_zh"] for row in indicators if row["status"] == "behind"]
    if behind:
        text += f"{'、'.join(behind)}{status_words['behind']}于规划路径。"
    chance = next(
        (row for row in outlook if row["indicator_code"] == "revenue" and row["is_plan_target_year"]), None
    )
    if chance is not None and chance["probability_meets_target"] is not None:
        text += (
            f"按截至本期的趋势，{chance['target_year']}年营业收入实现{chance['target_value']:,.0f}亿元目标的"
            f"概率约为{chance_text(chance['probability_meets_target'])}。"
        )
    movers = [
        sentence
        for sentence in (
            fastest(chains, "产业链", "chain_name_zh"),
            fastest(districts, "区县", "district_name"),
        )
        if sentence
    ]
    if movers:
        text += "；".join(movers) + "。"
    return text
