"""The demo's documented faults, what they share: the data a fault changes (DemoData), the record of a
fault (Fault, written to demo_faults.csv), the planner that picks where each fault goes without two
faults touching the same district and month, and the small helpers the faults use."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from orchestration.identity import USCC_ALPHABET, is_valid_uscc
from planwatch_demo.layouts import Table, Unit

if TYPE_CHECKING:
    from planwatch_demo.population import Enterprise, Figures


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
    extra_tables: list[Table] = field(default_factory=list)  # files the faults add
    # a fresh valid credit code registered in the unit's area, a fresh name for an industry class: from
    # the faults' own random stream (generator._lay_faults sets them)
    new_code: Callable[[Unit], str] | None = None
    new_name: Callable[[str], str] | None = None


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


# ---------- faults laid on one line: what they share, once


def _anything(plan: _Planner, p: int, key: object) -> bool:
    return True


@dataclass(frozen=True)
class Changed:
    """What a fault's change did: its description and the district-periods it may cause errors on;
    `period` when the manifest names another than the line's (a mistyped one), `table` and `line`
    when the fault is in another file than the line's (a second file), `removed` when the line was
    taken out (the manifest then gives the file and no row)."""

    description: str
    affects: list[tuple[str, str]]
    period: str | None = None
    table: Table | None = None
    line: object | None = None
    removed: bool = False


@dataclass(frozen=True)
class LineFault:
    """A fault on one line of a monthly table, as a row of the fault table: which rule it trips, how
    bad, which kind of line it is `on`, where among `periods` it goes (`share`, 0 first .. 1 last), which lines may take it
    (`eligible`, tried in order until one finds a line) and what it does to the picked line
    (`change`, which returns None when the data has no room for it)."""

    rule_id: str
    severity: str
    on: Literal["filing", "submission"]
    share: float
    change: Callable[..., Changed | None]
    eligible: tuple[Callable[[_Planner, int, object], bool], ...] = (_anything,)
    periods: Callable[[_Planner], list[int]] = _Planner.all_periods
    usable: Callable[[_Planner, int], bool] = lambda plan, p: True


def lay_fault(plan: _Planner, spec: LineFault) -> Fault | None:
    """Lay one row of a fault table: pick the period, then the line (an enterprise's filing line when
    `spec.on` is "filing", `eligible(plan, p, e)`; a district's submission, `eligible(plan, p, code)`),
    then apply `change(plan, p, code, line)`."""
    p = plan.period(spec.periods(plan), spec.share)
    if p is None or not spec.usable(plan, p):
        return None
    found = None
    for accept in spec.eligible:
        found = found or (plan.enterprise if spec.on == "filing" else plan.unit)(
            p, lambda key, accept=accept: accept(plan, p, key)
        )
    if found is None:
        return None
    if spec.on == "filing":
        code, e = found
        table, line = plan.data.filings[p], plan.filing_lines[(e, p)]
    else:
        code = found
        table, line = plan.data.districts[p], plan.submissions[(code, p)]
    changed = spec.change(plan, p, code, line)
    return None if changed is None else _fault(plan, spec, changed, code, p, table, line)


def _fault(
    plan: _Planner, spec: LineFault, changed: Changed, code: str, p: int, table: Table, line: object
) -> Fault:
    if changed.table is not None:
        table, line = changed.table, changed.line
    return Fault(
        spec.rule_id,
        spec.severity,
        code,
        changed.period or plan.label(p),
        changed.description,
        changed.affects,
        table,
        None if changed.removed else line,
    )
