"""Faults planted in enterprise filings and the registry (DQ06–DQ11, DQ14). A fault on one filing line
is a row of FILING_FAULTS: where it goes and what its change does (laid by lay_fault); the two
that add a line of their own (an unregistered filing, a registry code) are functions."""

from __future__ import annotations

from collections.abc import Callable

from planwatch_demo.layouts import CLEAN, FilingLine, Table
from planwatch_demo.planning import (
    Changed,
    Fault,
    LineFault,
    _label,
    _Planner,
    _wan,
    future_year,
    transposed_code,
    wrong_check_code,
)


def _steady(spread: float) -> Callable[[_Planner, int, int], bool]:
    """An enterprise whose revenue is within `spread` of its own a year earlier."""

    def accept(plan: _Planner, p: int, e: int) -> bool:
        revenue, ago = plan.data.figures.revenue_cents, plan.year_ago(p)
        return revenue[e, ago] > 0 and abs(revenue[e, p] / revenue[e, ago] - 1) <= spread

    return accept


def _in_thousands(plan: _Planner, p: int, code: str, line: FilingLine) -> Changed:
    """One filing typed in 千元 into the 万元 table: ten times its value a year earlier."""
    old = line.revenue
    line.revenue = old * 10
    line.rd = None if line.rd is None else line.rd * 10
    return Changed(
        f"{line.name}（{line.uscc}）{plan.label(p)}按千元填入万元表：营业收入本年累计 {_wan(line.revenue)}"
        f"（应为 {_wan(old)}），研发费用同样放大 10 倍；区县报送按实际数，与企业月报合计不符。",
        plan.around(code, p, later=True),
    )


def _negative_rd(plan: _Planner, p: int, code: str, line: FilingLine) -> Changed:
    line.rd = -line.rd
    return Changed(
        f"{line.name}（{line.uscc}）{plan.label(p)}研发费用本年累计填成负数 {_wan(line.rd)}；区县报送按实际数。",
        plan.around(code, p),
    )


def _filed_twice(plan: _Planner, p: int, code: str, first: FilingLine) -> Changed:
    """A second file for the month with one enterprise's row again, different; it names one district,
    so it covers another set of districts than the month's file and the ingest keeps both."""
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
    return Changed(
        f"{first.name}（{first.uscc}）{plan.label(p)}有两份不同的月报：{plan.data.filings[p].stem} 中营业收入本年累计 "
        f"{_wan(first.revenue)}，补报文件中为 {_wan(second.revenue)}。",
        plan.around(code, p),
        table=table,
        line=second,
    )


def _code_transposed(plan: _Planner, p: int, code: str, line: FilingLine) -> Changed:
    right = line.uscc
    line.uscc = transposed_code(right)
    return Changed(
        f"{line.name}{plan.label(p)}月报中的统一社会信用代码两位颠倒：{line.uscc}（应为 {right}，校验位不符）；"
        "该行因此对不上名录，区县报送按实际数。",
        plan.around(code, p, later=True),
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


def _not_filed(plan: _Planner, p: int, code: str, line: FilingLine) -> Changed:
    plan.data.filings[p].lines.remove(line)
    submission = plan.submissions[(code, p)]
    submission.count -= 1
    submission.revenue -= line.revenue
    submission.rd -= line.rd or 0
    return Changed(
        f"名录内规上企业 {line.name}（{line.uscc}）{plan.label(p)}没有报送月报；区县报送按收到的月报汇总"
        f"（企业个数 {submission.count}）。",
        plan.around(code, p, later=True),
        removed=True,
    )


def _other_district(plan: _Planner, p: int, code: str, line: FilingLine) -> Changed | None:
    other = plan.unit(p, lambda c: c != code)
    if other is None:
        return None
    registered = line.unit
    line.unit = plan.units[other]
    return Changed(
        f"{line.name}（{line.uscc}）{plan.label(p)}月报的区县填为 {line.unit.name}，企业名录为 {registered.name}；"
        "金额无误，区县报送按名录区县计入。",
        [(code, plan.label(p)), (other, plan.label(p))],
    )


def _first_year_periods(plan: _Planner) -> list[int]:
    return [p for p in plan.all_periods() if plan.data.periods[p][0] == plan.data.periods[0][0]]


def _wrong_year(future: bool) -> Callable[[_Planner, int, str, FilingLine], Changed]:
    """A filing whose period has the wrong year: digits swapped into the future, or last year's (2021)."""

    def change(plan: _Planner, p: int, code: str, line: FilingLine) -> Changed:
        year, month = line.period
        line.period = (future_year(year) if future else year - 1, month)
        written = _label(line.period)
        why = "年份两位颠倒，落在将来" if future else "年份填成上一年，早于规划基期"
        return Changed(
            f"{line.name}（{line.uscc}）{plan.label(p)}的月报报告期填为 {written}（{why}）；该企业本月因此缺报，"
            "区县报送按实际数。",
            plan.around(code, p, later=True) + [(unit, written) for unit in plan.data.members],
            period=written,
        )

    return change


# ---------- the table: one row per fault on a filing line (lay_fault lays each)

FILING_FAULTS = {
    "dq06_in_thousands": LineFault(
        "DQ06", "error", "filing", 0.10, _in_thousands,
        eligible=(_steady(0.05), _steady(0.10)), periods=_Planner.with_year_ago,
    ),
    "dq07_negative_rd": LineFault(
        "DQ07", "error", "filing", 0.65, _negative_rd,
        eligible=(lambda plan, p, e: (plan.filing_lines[(e, p)].rd or 0) > 0,),
    ),
    "dq08_filed_twice": LineFault("DQ08", "error", "filing", 0.20, _filed_twice),
    "dq09_code_transposed": LineFault("DQ09", "error", "filing", 0.90, _code_transposed),
    "dq10_not_filed": LineFault(
        "DQ10", "warn", "filing", 0.70, _not_filed,
        eligible=(lambda plan, p, e: len(plan.data.members[plan.data.firms[e].unit.code]) >= 2,),
    ),
    "dq11_other_district": LineFault("DQ11", "warn", "filing", 0.50, _other_district),
    "dq14_future_year": LineFault("DQ14", "error", "filing", 0.95, _wrong_year(future=True)),
    "dq14_year_before": LineFault(
        "DQ14", "error", "filing", 0.25, _wrong_year(future=False), periods=_first_year_periods
    ),
}  # fmt: skip
