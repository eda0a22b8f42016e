"""Faults planted in what districts and the bureau send (DQ01–DQ06, DQ12, DQ13). A fault on one
submission line is a row of SUBMISSION_FAULTS (laid by lay_fault); the growth outlier and
the bureau's figure, which pick and change several lines, are functions."""

from __future__ import annotations

import math

from planwatch_demo.layouts import FilingLine, SubmissionLine
from planwatch_demo.planning import Changed, Fault, LineFault, _Planner, _wan

# ---------- the faults, one function per rule


def _submitted(plan: _Planner, p: int, code: str) -> bool:
    return (code, p) in plan.submissions


def _left_out(plan: _Planner, p: int, code: str, line: SubmissionLine) -> Changed:
    plan.data.districts[p].lines.remove(line)
    return Changed(
        f"{line.unit.name}{plan.label(p)}未报送：区县报送表中删去了该区县的一行（漏报）。",
        plan.around(code, p),
        removed=True,
    )


def _revenue_off(plan: _Planner, p: int, code: str, line: SubmissionLine) -> Changed:
    before = line.revenue
    line.revenue = round(before * 1.05)
    return Changed(
        f"{line.unit.name}{plan.label(p)}报送的营业收入本年累计比辖区企业月报合计多 5%"
        f"（{_wan(before)} → {_wan(line.revenue)}）。",
        plan.around(code, p),
    )


def _count_off(plan: _Planner, p: int, code: str, line: SubmissionLine) -> Changed:
    line.count += 1
    return Changed(
        f"{line.unit.name}{plan.label(p)}报送的企业个数多报 1 个（{line.count - 1} → {line.count}），金额无误。",
        [],
    )


def _had_revenue_the_month_before(plan: _Planner, p: int, e: int) -> bool:
    return plan.data.figures.revenue_cents[e, plan.previous_in_year(p)] > 0


def _ytd_drop(plan: _Planner, p: int, code: str, line: FilingLine) -> Changed:
    before = int(plan.data.figures.revenue_cents[line.firm, plan.previous_in_year(p)])
    old, new = line.revenue, before * 97 // 100
    line.revenue = new
    plan.submissions[(code, p)].revenue += new - old  # the district added up what it received
    return Changed(
        f"{line.name}（{line.uscc}）{plan.label(p)}营业收入本年累计填为 {_wan(new)}，比上月的 "
        f"{_wan(before)} 少 3%（应为 {_wan(old)}）；区县报送按企业所报汇总。",
        plan.around(code, p),
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


def _steady_submission(plan: _Planner, p: int, code: str) -> bool:
    """Within 10 % of its own submission a year earlier."""
    now, before = plan.submissions.get((code, p)), plan.submissions.get((code, plan.year_ago(p)))
    return bool(now and before and before.revenue > 0 and abs(now.revenue / before.revenue - 1) <= 0.10)


def _in_yuan(plan: _Planner, p: int, code: str, line: SubmissionLine) -> Changed:
    """One district submission in 元 under the table's 万元: 10,000 times its value a year earlier."""
    old = line.revenue
    line.revenue, line.rd = old * 10_000, line.rd * 10_000
    return Changed(
        f"{line.unit.name}{plan.label(p)}区县报送按元填入万元表：营业收入本年累计 {_wan(line.revenue)}"
        f"（应为 {_wan(old)}），研发费用同样放大 10000 倍。",
        plan.around(code, p, later=True),
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


def _copy_periods(plan: _Planner) -> list[int]:
    return [p for p in plan.with_year_ago() if plan.previous_in_year(p) is not None] or plan.with_previous()


def _sent_both_months(plan: _Planner, p: int, code: str) -> bool:
    return (code, p) in plan.submissions and (code, plan.previous_in_year(p)) in plan.submissions


def _copied_forward(plan: _Planner, p: int, code: str, line: SubmissionLine) -> Changed:
    before = plan.previous_in_year(p)
    previous = plan.submissions[(code, before)]
    old = line.revenue
    line.count, line.revenue, line.rd = previous.count, previous.revenue, previous.rd
    return Changed(
        f"{line.unit.name}{plan.label(p)}区县报送照抄上月：企业个数、营业收入、研发费用与 {plan.label(before)} 完全相同"
        f"（营业收入本年累计应为 {_wan(old)}）。",
        plan.around(code, p, later=True),
    )


# ---------- the table: one row per fault on a district submission line, and
# the fall in an enterprise's year-to-date figure; lay_fault lays each

SUBMISSION_FAULTS = {
    "dq01_left_out": LineFault(
        "DQ01", "error", "submission", 0.30, _left_out, eligible=(_submitted,),
        # a file with no row left would be rejected, not read
        usable=lambda plan, p: len(plan.data.districts[p].lines) >= 2,
    ),
    "dq02_revenue_off": LineFault("DQ02", "error", "submission", 0.55, _revenue_off, eligible=(_submitted,)),
    "dq03_count_off": LineFault("DQ03", "warn", "submission", 0.80, _count_off, eligible=(_submitted,)),
    "dq06_in_yuan": LineFault(
        "DQ06", "error", "submission", 0.60, _in_yuan, eligible=(_steady_submission,), periods=_Planner.with_year_ago
    ),
    "dq13_copied_forward": LineFault(
        "DQ13", "warn", "submission", 0.85, _copied_forward, eligible=(_sent_both_months,), periods=_copy_periods
    ),
}  # fmt: skip
YTD_DROP = LineFault(
    "DQ04", "error", "filing", 0.45, _ytd_drop, eligible=(_had_revenue_the_month_before,), periods=_Planner.with_previous
)  # fmt: skip
