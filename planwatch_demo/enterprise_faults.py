"""Faults planted in enterprise filings and the registry (DQ06–DQ11, DQ14): one function per fault,
each changing the tables and returning its record, or None when the data has no room for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planwatch_demo.layouts import CLEAN, FilingLine, Table

if TYPE_CHECKING:
    pass
from planwatch_demo.planning import (
    Fault,
    _label,
    _Planner,
    _wan,
    future_year,
    transposed_code,
    wrong_check_code,
)


def _dq06_filing_in_thousands(plan: _Planner) -> Fault | None:
    """One filing typed in 千元 into the 万元 table: ten times its value a year earlier."""
    p = plan.period(plan.with_year_ago(), 0.10)
    if p is None:
        return None
    ago = plan.year_ago(p)
    revenue = plan.data.figures.revenue_cents

    def steady(e: int, spread: float) -> bool:
        return revenue[e, ago] > 0 and abs(revenue[e, p] / revenue[e, ago] - 1) <= spread

    picked = plan.enterprise(p, lambda e: steady(e, 0.05)) or plan.enterprise(p, lambda e: steady(e, 0.10))
    if picked is None:
        return None
    code, e = picked
    line = plan.filing_lines[(e, p)]
    old = line.revenue
    line.revenue = old * 10
    line.rd = None if line.rd is None else line.rd * 10
    return Fault(
        "DQ06",
        "error",
        code,
        plan.label(p),
        f"{line.name}（{line.uscc}）{plan.label(p)}按千元填入万元表：营业收入本年累计 {_wan(line.revenue)}"
        f"（应为 {_wan(old)}），研发费用同样放大 10 倍；区县报送按实际数，与企业月报合计不符。",
        plan.around(code, p, later=True),
        plan.data.filings[p],
        line,
    )


def _dq07_negative_rd(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.65)
    if p is None:
        return None
    picked = plan.enterprise(p, lambda e: (plan.filing_lines[(e, p)].rd or 0) > 0)
    if picked is None:
        return None
    code, e = picked
    line = plan.filing_lines[(e, p)]
    line.rd = -line.rd
    return Fault(
        "DQ07",
        "error",
        code,
        plan.label(p),
        f"{line.name}（{line.uscc}）{plan.label(p)}研发费用本年累计填成负数 {_wan(line.rd)}；区县报送按实际数。",
        plan.around(code, p),
        plan.data.filings[p],
        line,
    )


def _dq08_conflicting_filing(plan: _Planner) -> Fault | None:
    """A second file for the month with one enterprise's row again, different; it names one district,
    so it covers another set of districts than the month's file and the ingest keeps both."""
    p = plan.period(plan.all_periods(), 0.20)
    picked = None if p is None else plan.enterprise(p)
    if picked is None:
        return None
    code, e = picked
    first = plan.filing_lines[(e, p)]
    second = FilingLine(
        first.uscc,
        first.name,
        first.unit,
        first.period,
        round(first.revenue * 1.04),
        first.rd,
        first.employees,
        first.prior,
        first.firm,
    )
    table = Table("filings", f"{plan.data.filings[p].stem}_补报", first.period, CLEAN, [second])
    plan.data.extra_tables.append(table)
    return Fault(
        "DQ08",
        "error",
        code,
        plan.label(p),
        f"{first.name}（{first.uscc}）{plan.label(p)}有两份不同的月报：{plan.data.filings[p].stem} 中营业收入本年累计 "
        f"{_wan(first.revenue)}，补报文件中为 {_wan(second.revenue)}。",
        plan.around(code, p),
        table,
        second,
    )


def _dq09_filing_code_typo(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.90)
    picked = None if p is None else plan.enterprise(p)
    if picked is None:
        return None
    code, e = picked
    line = plan.filing_lines[(e, p)]
    right = line.uscc
    line.uscc = transposed_code(right)
    return Fault(
        "DQ09",
        "error",
        code,
        plan.label(p),
        f"{line.name}{plan.label(p)}月报中的统一社会信用代码两位颠倒：{line.uscc}（应为 {right}，校验位不符）；"
        "该行因此对不上名录，区县报送按实际数。",
        plan.around(code, p, later=True),
        plan.data.filings[p],
        line,
    )


def _dq09_registry_code(plan: _Planner) -> Fault | None:
    """A newly registered out-of-scope enterprise, not filing yet, whose code has a wrong check character."""
    data = plan.data
    host = plan.units.get(data.inactive_host)
    if host is None:
        return None
    code = wrong_check_code(data.new_code(host))
    name = data.new_name(data.out_of_scope_industry)
    position = len(data.registry_rows) // 2
    data.registry_rows.insert(position, (code, name, host.name, data.out_of_scope_industry, None, "是"))
    return Fault(
        "DQ09",
        "error",
        host.code,
        "",
        f"企业名录中新登记的 {name}（{host.name}，行业 {data.out_of_scope_industry}，不在统计范围，尚未报送）"
        f"统一社会信用代码 {code} 校验位错误。",
        [(host.code, "")],
        file=data.registry_file,
        row=position + 2,
    )


def _dq10_unregistered_filing(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.40)
    code = None if p is None else plan.unit(p)
    if code is None:
        return None
    unit = plan.units[code]
    revenue = int(plan.rng.integers(300_000, 900_000))  # 3,000–9,000 万元
    line = FilingLine(
        plan.data.new_code(unit),
        plan.data.new_name("3982"),
        unit,
        plan.data.periods[p],
        revenue,
        revenue * 2 // 100,
        int(plan.rng.integers(60, 240)),
    )
    table = plan.data.filings[p]
    table.lines.insert(len(table.lines) // 3, line)
    return Fault(
        "DQ10",
        "warn",
        code,
        plan.label(p),
        f"{line.name}（{line.uscc}）{plan.label(p)}报送了月报，但企业名录中没有这家企业；区县报送未计入。",
        [(code, plan.label(p))],
        table,
        line,
    )


def _dq10_stopped_filing(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.70)
    if p is None:
        return None
    picked = plan.enterprise(p, lambda e: len(plan.data.members[plan.data.firms[e].unit.code]) >= 2)
    if picked is None:
        return None
    code, e = picked
    line = plan.filing_lines[(e, p)]
    plan.data.filings[p].lines.remove(line)
    submission = plan.submissions[(code, p)]
    submission.count -= 1
    submission.revenue -= line.revenue
    submission.rd -= line.rd or 0
    return Fault(
        "DQ10",
        "warn",
        code,
        plan.label(p),
        f"名录内规上企业 {line.name}（{line.uscc}）{plan.label(p)}没有报送月报；区县报送按收到的月报汇总"
        f"（企业个数 {submission.count}）。",
        plan.around(code, p, later=True),
        plan.data.filings[p],
    )


def _dq11_other_district(plan: _Planner) -> Fault | None:
    p = plan.period(plan.all_periods(), 0.50)
    picked = None if p is None else plan.enterprise(p)
    if picked is None:
        return None
    code, e = picked
    other = plan.unit(p, lambda c: c != code)
    if other is None:
        return None
    line = plan.filing_lines[(e, p)]
    registered = line.unit
    line.unit = plan.units[other]
    return Fault(
        "DQ11",
        "warn",
        code,
        plan.label(p),
        f"{line.name}（{line.uscc}）{plan.label(p)}月报的区县填为 {line.unit.name}，企业名录为 {registered.name}；"
        "金额无误，区县报送按名录区县计入。",
        [(code, plan.label(p)), (other, plan.label(p))],
        plan.data.filings[p],
        line,
    )


def _dq14_wrong_year(plan: _Planner, *, future: bool) -> Fault | None:
    """A filing whose period has the wrong year: digits swapped into the future, or last year's (2021)."""
    first_year = plan.data.periods[0][0]
    candidates = (
        plan.all_periods()
        if future
        else [p for p in plan.all_periods() if plan.data.periods[p][0] == first_year]
    )
    p = plan.period(candidates, 0.95 if future else 0.25)
    picked = None if p is None else plan.enterprise(p)
    if picked is None:
        return None
    code, e = picked
    line = plan.filing_lines[(e, p)]
    year, month = line.period
    line.period = (future_year(year) if future else year - 1, month)
    written = _label(line.period)
    why = "年份两位颠倒，落在将来" if future else "年份填成上一年，早于规划基期"
    return Fault(
        "DQ14",
        "error",
        code,
        written,
        f"{line.name}（{line.uscc}）{plan.label(p)}的月报报告期填为 {written}（{why}）；该企业本月因此缺报，区县报送按实际数。",
        plan.around(code, p, later=True) + [(unit, written) for unit in plan.data.members],
        plan.data.filings[p],
        line,
    )
