"""Documented faults in the demo folder: at least one for every data-quality rule of docs/rules.md.

The faults are laid on top of consistent data, each in a district or period of its own where the run
has enough of them, and written down in demo_faults.csv (at the root of the demo folder, where the
ingest does not look): which rule, where (district, period, file, row), what was done, and every
district-period on which the fault may cause error findings of any rule, knock-on effects included.
Anything not listed there has no error.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from orchestration.demo.layouts import CLEAN, FilingLine, Table, Unit
from orchestration.identity import USCC_ALPHABET, is_valid_uscc

if TYPE_CHECKING:
    from orchestration.demo.generator import Enterprise, Figures

MANIFEST_NAME = "demo_faults.csv"
MANIFEST_COLUMNS = (
    "fault_id",
    "rule_id",
    "severity",
    "district_code",
    "period",
    "file",
    "row",
    "description",
    "affects",
)


@dataclass
class DemoData:
    """What the faults are laid into: the clean tables of a demo run and what they were made from."""

    units: list[Unit]
    firms: list[Enterprise]
    figures: Figures
    periods: list[tuple[int, int]]
    members: dict[str, list[int]]  # active unit → its in-scope enterprises
    filings: list[Table]  # one per period
    districts: list[Table]
    bureau: list[Table]
    registry_rows: list[tuple]  # without the header: row i of the list is row i + 2 of the sheet
    registry_file: str
    inactive_host: str  # a unit without in-scope enterprises
    out_of_scope_industry: str
    new_code: Callable[[Unit], str]  # a fresh valid credit code registered in the unit's area
    new_name: Callable[[str], str]  # a fresh enterprise name for an industry class
    extra_tables: list[Table] = field(default_factory=list)  # files the faults add


@dataclass
class Fault:
    """One documented fault; file and row are read from the table once it is written."""

    rule_id: str
    severity: str
    district_code: str
    period: str
    description: str
    affects: list[tuple[str, str]]
    table: Table | None = None
    line: object | None = None  # the line the row column points at; None for a line taken out
    file: str = ""
    row: int | None = None

    def location(self) -> tuple[str, str]:
        """(file, row) as the manifest gives them: the row is empty when no row holds the fault."""
        if self.table is None:
            return self.file, "" if self.row is None else str(self.row)
        row = "" if self.line is None else str(self.table.row_of(self.line))
        return self.table.rel, row


def _label(period: tuple[int, int]) -> str:
    return f"{period[0]:04d}-{period[1]:02d}"


def _wan(cents: int) -> str:
    """Cents of 万元 as '12,345.67 万元'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d} 万元"


def transposed_code(code: str) -> str:
    """A credit code with two neighbouring characters of the organisation code swapped: the check fails."""
    for i in range(8, 16):
        if code[i] != code[i + 1]:
            typo = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            if not is_valid_uscc(typo):
                return typo
    raise ValueError(f"{code}: no transposition breaks the check character")


def wrong_check_code(code: str) -> str:
    """A credit code whose check character is the next one of the alphabet: the check fails."""
    return code[:-1] + USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % len(USCC_ALPHABET)]


def future_year(year: int) -> int:
    """The year with its last two digits swapped (2023 → 2032), a typo that lands in the future."""
    swapped = int(f"{year}"[:2] + f"{year}"[3] + f"{year}"[2])
    return swapped if swapped > year + 3 else year + 10


class _Planner:
    """Picks periods, districts and enterprises for the faults so that they do not meet."""

    def __init__(self, data: DemoData, rng: np.random.Generator) -> None:
        self.data = data
        self.rng = rng
        self.units = {unit.code: unit for unit in data.units}
        active = list(data.members)
        self.unit_order = [active[i] for i in rng.permutation(len(active))]
        self.index = {period: p for p, period in enumerate(data.periods)}
        self.used_units: set[str] = set()
        self.used_firms: set[int] = set()
        self.used_pairs: set[tuple[str, str]] = set()
        self.filing_lines = {
            (line.firm, p): line for p, table in enumerate(data.filings) for line in table.lines
        }
        self.submissions = {
            (line.unit.code, p): line for p, table in enumerate(data.districts) for line in table.lines
        }

    # ---------- periods

    def label(self, p: int) -> str:
        return _label(self.data.periods[p])

    def year_ago(self, p: int) -> int | None:
        year, month = self.data.periods[p]
        return self.index.get((year - 1, month))

    def year_later(self, p: int) -> int | None:
        year, month = self.data.periods[p]
        return self.index.get((year + 1, month))

    def previous_in_year(self, p: int) -> int | None:
        year, month = self.data.periods[p]
        return self.index.get((year, month - 1))

    def next_in_year(self, p: int) -> int | None:
        year, month = self.data.periods[p]
        return self.index.get((year, month + 1))

    def period(self, candidates: list[int], fraction: float) -> int | None:
        return candidates[round(fraction * (len(candidates) - 1))] if candidates else None

    def all_periods(self) -> list[int]:
        return list(range(len(self.data.periods)))

    def with_year_ago(self) -> list[int]:
        return [p for p in self.all_periods() if self.year_ago(p) is not None]

    def with_previous(self) -> list[int]:
        return [p for p in self.all_periods() if self.previous_in_year(p) is not None]

    def around(self, code: str, p: int, *, later: bool = False) -> list[tuple[str, str]]:
        """A changed value at p may put errors on: p itself; the next month of the year, whose step up
        is measured from p (DQ04, and DQ06's month-increment test); the month after that when it has no
        year-earlier value, since DQ06 then sets its increment against the distorted one; and, with
        `later`, the same month a year later, whose year-on-year ratio has p below it (DQ05, DQ06)."""
        pairs = [(code, self.label(p))]
        following = self.next_in_year(p)
        if following is not None:
            pairs.append((code, self.label(following)))
            after = self.next_in_year(following)
            if after is not None and self.year_ago(after) is None:
                pairs.append((code, self.label(after)))
        later_p = self.year_later(p) if later else None
        if later_p is not None:
            pairs.append((code, self.label(later_p)))
        return pairs

    # ---------- districts and enterprises

    def unit(self, p: int, accept: Callable[[str], bool] = lambda code: True) -> str | None:
        """An active unit, one no other fault uses if there is one, else one free in period p."""
        fresh = [c for c in self.unit_order if c not in self.used_units and accept(c)]
        reused = [c for c in self.unit_order if (c, self.label(p)) not in self.used_pairs and accept(c)]
        for code in fresh or reused:
            self.used_units.add(code)
            return code
        return None

    def tails(self, code: str, p: int, accept: Callable[[int], bool] = lambda e: True) -> list[int]:
        """The unit's in-scope non-assembler enterprises filing in period p, not used by a fault yet."""
        return [
            e
            for e in self.data.members[code]
            if self.data.firms[e].role == "tail"
            and e not in self.used_firms
            and (e, p) in self.filing_lines
            and accept(e)
        ]

    def enterprise(self, p: int, accept: Callable[[int], bool] = lambda e: True) -> tuple[str, int] | None:
        code = self.unit(p, lambda c: bool(self.tails(c, p, accept)))
        if code is None:
            return None
        candidates = self.tails(code, p, accept)
        e = candidates[int(self.rng.integers(len(candidates)))]
        self.used_firms.add(e)
        return code, e

    def record(self, fault: Fault | None) -> Fault | None:
        if fault is not None:
            self.used_pairs |= set(fault.affects) | {(fault.district_code, fault.period)}
        return fault


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


def inject_faults(data: DemoData, rng: np.random.Generator) -> list[Fault]:
    """Lay the faults into the tables (in place) and return them, numbered in rule order."""
    plan = _Planner(data, rng)
    makers: list[Callable[[_Planner], Fault | None]] = [
        # the most demanding picks first, while every district is still free
        _dq05_implausible_growth,
        _dq06_submission_in_yuan,
        _dq06_filing_in_thousands,
        _dq13_copied_forward,
        _dq04_ytd_drop,
        _dq01_missing_submission,
        _dq02_revenue_off,
        _dq03_count_off,
        _dq07_negative_rd,
        _dq08_conflicting_filing,
        _dq09_filing_code_typo,
        _dq10_unregistered_filing,
        _dq10_stopped_filing,
        _dq11_other_district,
        lambda plan: _dq14_wrong_year(plan, future=True),
        lambda plan: _dq14_wrong_year(plan, future=False),
        _dq12_bureau_off,
        _dq09_registry_code,
    ]
    faults = [fault for make in makers if (fault := plan.record(make(plan))) is not None]
    return sorted(faults, key=lambda fault: fault.rule_id)


def manifest_text(faults: list[Fault]) -> str:
    """demo_faults.csv: one row per fault, affects as 'district|YYYY-MM' pairs joined by ';'."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for number, fault in enumerate(faults, start=1):
        file, row = fault.location()
        affects = ";".join(f"{code}|{period}" for code, period in dict.fromkeys(fault.affects))
        writer.writerow(
            (
                f"F{number:02d}",
                fault.rule_id,
                fault.severity,
                fault.district_code,
                fault.period,
                file,
                row,
                fault.description,
                affects,
            )
        )
    return text.getvalue()


def write_manifest(out: Path, faults: list[Fault]) -> Path:
    path = out / MANIFEST_NAME
    path.write_text(manifest_text(faults), encoding="utf-8")
    return path
