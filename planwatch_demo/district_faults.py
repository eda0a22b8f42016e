"""Faults planted in what districts and the bureau send (DQ01–DQ06, DQ12, DQ13): one function per
fault, each changing the tables and returning its record, or None when the data has no room for it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass
from planwatch_demo.planning import Fault, _Planner, _wan

# ---------- the faults, one function per rule


def _dq01_missing_submission(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.30)
    if p is None or len(plan.data.districts[p].lines) < 2:
        return None  # a file with no row left would be rejected, not read
    code = plan.unit(p, lambda c: (c, p) in plan.submissions)
    if code is None:
        return None
    table, line = plan.data.districts[p], plan.submissions[(code, p)]
    table.lines.remove(line)
    return Fault(
        "DQ01",
        "error",
        code,
        plan.label(p),
        f"{line.unit.name}{plan.label(p)}未报送：区县报送表中删去了该区县的一行（漏报）。",
        plan.around(code, p),
        table,
    )


def _dq02_revenue_off(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.55)
    code = None if p is None else plan.unit(p, lambda c: (c, p) in plan.submissions)
    if code is None:
        return None
    line = plan.submissions[(code, p)]
    before = line.revenue
    line.revenue = round(before * 1.05)
    return Fault(
        "DQ02",
        "error",
        code,
        plan.label(p),
        f"{line.unit.name}{plan.label(p)}报送的营业收入本年累计比辖区企业月报合计多 5%"
        f"（{_wan(before)} → {_wan(line.revenue)}）。",
        plan.around(code, p),
        plan.data.districts[p],
        line,
    )


def _dq03_count_off(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.80)
    code = None if p is None else plan.unit(p, lambda c: (c, p) in plan.submissions)
    if code is None:
        return None
    line = plan.submissions[(code, p)]
    line.count += 1
    return Fault(
        "DQ03",
        "warn",
        code,
        plan.label(p),
        f"{line.unit.name}{plan.label(p)}报送的企业个数多报 1 个（{line.count - 1} → {line.count}），金额无误。",
        [],
        plan.data.districts[p],
        line,
    )


def _dq04_ytd_drop(plan: _Planner) -> Fault | None:
    p = plan.period(plan.with_previous(), 0.45)
    if p is None:
        return None
    before_p = plan.previous_in_year(p)
    revenue = plan.data.figures.revenue_cents
    picked = plan.enterprise(p, lambda e: revenue[e, before_p] > 0)
    if picked is None:
        return None
    code, e = picked
    line = plan.filing_lines[(e, p)]
    old, new = line.revenue, int(revenue[e, before_p]) * 97 // 100
    line.revenue = new
    plan.submissions[(code, p)].revenue += new - old  # the district added up what it received
    return Fault(
        "DQ04",
        "error",
        code,
        plan.label(p),
        f"{line.name}（{line.uscc}）{plan.label(p)}营业收入本年累计填为 {_wan(new)}，比上月的 "
        f"{_wan(int(revenue[e, before_p]))} 少 3%（应为 {_wan(old)}）；区县报送按企业所报汇总。",
        plan.around(code, p),
        plan.data.filings[p],
        line,
    )


def _dq05_implausible_growth(plan: _Planner) -> Fault | None:
    """An enterprise that dominates its district files 2.4 times or more its revenue: its own and its
    district's year-on-year growth are both above 100 %; the district adds up what it received."""
    p = plan.period(plan.with_year_ago(), 0.35)
    if p is None:
        return None
    ago = plan.year_ago(p)
    revenue = plan.data.figures.revenue_cents
    best: tuple[float, str, int, int] | None = None
    for code in plan.unit_order:
        if (
            code in plan.used_units
            or (code, p) not in plan.submissions
            or (code, ago) not in plan.submissions
        ):
            continue
        here, before = plan.submissions[(code, p)].revenue, plan.submissions[(code, ago)].revenue
        for e in plan.tails(code, p, lambda e: revenue[e, ago] > 0):
            e_now, e_ago = int(revenue[e, p]), int(revenue[e, ago])
            factor = max(2.0, 2.4 * e_ago / e_now, (2.4 * before - (here - e_now)) / e_now)
            factor = math.ceil(factor * 100) / 100
            new = round(e_now * factor)
            ratios = (new / e_ago, (here - e_now + new) / before)
            if (
                factor <= 6
                and all(2.3 <= ratio <= 8 for ratio in ratios)
                and (best is None or factor < best[0])
            ):
                best = (factor, code, e, new)
    if best is None:
        return None
    factor, code, e, new = best
    plan.used_units.add(code)
    plan.used_firms.add(e)
    line = plan.filing_lines[(e, p)]
    old = line.revenue
    line.revenue = new
    plan.submissions[(code, p)].revenue += new - old
    return Fault(
        "DQ05",
        "error",
        code,
        plan.label(p),
        f"{line.name}（{line.uscc}）{plan.label(p)}营业收入本年累计填为 {_wan(new)}，是实际的 {factor:g} 倍"
        f"（应为 {_wan(old)}），同比增长超过 100%；该企业占区县大头，区县报送按企业所报汇总，区县同比也超过 100%。",
        plan.around(code, p, later=True),
        plan.data.filings[p],
        line,
    )


def _dq06_submission_in_yuan(plan: _Planner) -> Fault | None:
    """One district submission in 元 under the table's 万元: 10,000 times its value a year earlier."""
    p = plan.period(plan.with_year_ago(), 0.60)
    if p is None:
        return None
    ago = plan.year_ago(p)

    def steady(code: str) -> bool:
        now, before = plan.submissions.get((code, p)), plan.submissions.get((code, ago))
        return bool(now and before and before.revenue > 0 and abs(now.revenue / before.revenue - 1) <= 0.10)

    code = plan.unit(p, steady)
    if code is None:
        return None
    line = plan.submissions[(code, p)]
    old = line.revenue
    line.revenue, line.rd = old * 10_000, line.rd * 10_000
    return Fault(
        "DQ06",
        "error",
        code,
        plan.label(p),
        f"{line.unit.name}{plan.label(p)}区县报送按元填入万元表：营业收入本年累计 {_wan(line.revenue)}"
        f"（应为 {_wan(old)}），研发费用同样放大 10000 倍。",
        plan.around(code, p, later=True),
        plan.data.districts[p],
        line,
    )


def _dq12_bureau_off(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.75)
    if p is None:
        return None
    table = plan.data.bureau[p]
    line = next(line for line in table.lines if line.code == "C39")
    old = line.value
    line.value = round(old * 1.05, 2)
    ago, later = plan.year_ago(p), plan.year_later(p)
    if ago is not None:
        previous = next(x for x in plan.data.bureau[ago].lines if x.code == "C39")
        line.yoy = round((line.value / previous.value - 1) * 100, 1)
    if later is not None:
        following = next(x for x in plan.data.bureau[later].lines if x.code == "C39")
        following.yoy = round((following.value / line.value - 1) * 100, 1)
    return Fault(
        "DQ12",
        "warn",
        "",
        plan.label(p),
        f"统计局{plan.label(p)}计算机、通信和其他电子设备制造业（39 大类）营业收入本年累计发布为 {line.value:,.2f} 万元，"
        f"比原数 {old:,.2f} 万元高 5%，与规上企业月报合计相差 2% 以上。",
        [],
        table,
        line,
    )


def _dq13_copied_forward(plan: _Planner) -> Fault | None:
    candidates = [
        p for p in plan.with_year_ago() if plan.previous_in_year(p) is not None
    ] or plan.with_previous()
    p = plan.period(candidates, 0.85)
    if p is None:
        return None
    before = plan.previous_in_year(p)
    code = plan.unit(p, lambda c: (c, p) in plan.submissions and (c, before) in plan.submissions)
    if code is None:
        return None
    line, previous = plan.submissions[(code, p)], plan.submissions[(code, before)]
    old = line.revenue
    line.count, line.revenue, line.rd = previous.count, previous.revenue, previous.rd
    return Fault(
        "DQ13",
        "warn",
        code,
        plan.label(p),
        f"{line.unit.name}{plan.label(p)}区县报送照抄上月：企业个数、营业收入、研发费用与 {plan.label(before)} 完全相同"
        f"（营业收入本年累计应为 {_wan(old)}）。",
        plan.around(code, p, later=True),
        plan.data.districts[p],
        line,
    )
