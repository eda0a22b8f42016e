"""Synthetic raw folder for demos and tests: registry, filings, surveys, districts and bureau files.

The numbers are calibrated on Chongqing's electronic-information cluster (docs/indicators.md): a few
notebook and phone assemblers make most of the revenue, about 7,000 亿元 in 2022 growing 3–5 % a year,
R&D about 1.5 % of revenue. The same arguments always give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from orchestration.ingest.kinds import KINDS
from planwatch_demo.faults import inject_faults
from planwatch_demo.layouts import (
    BUREAU_CLEAN,
    BUREAU_MESSY,
    CLEAN,
    DISTRICTS_MESSY,
    FILINGS_MESSY,
    BureauLine,
    FilingLine,
    SubmissionLine,
    Table,
    Unit,
    assign_layouts,
    clean_filings_layout,
)
from planwatch_demo.planning import DemoData, write_manifest
from planwatch_demo.population import (
    BASE_YEAR,
    BUREAU_CODES,
    BUREAU_DIVISION_39,
    BUREAU_OTHER_LINES,
    FIRST_YEAR,
    INACTIVE_HOST,
    OUT_OF_SCOPE_INDUSTRIES,
    REFERENCE_DIR,
    SEASONALITY,
    Enterprise,
    Figures,
    _make_name,
    _make_uscc,
    build_enterprises,
    load_chains,
    load_scope,
    load_units,
    simulate,
)
from planwatch_demo.render import TITLES, write_table, write_xlsx

KIND_FOLDERS = tuple(KINDS)  # raw/<kind>/, from the kinds table


# ---------- results and reference data


@dataclass(frozen=True)
class DemoSummary:
    """What generate() wrote: counts, periods and files per folder."""

    out: Path
    periods: list[str]
    survey_years: list[int]
    registry_rows: int
    in_scope: int
    out_of_scope: int
    below_scale: int
    active_units: list[str]
    filing_rows: int
    survey_rows: int
    files: dict[str, int]
    revenue_ytd_yi: dict[str, float] = field(default_factory=dict)
    """In-scope revenue_ytd in 亿元 at each year's last period (clean figures, before any fault)."""
    faults: int = 0
    """Faults laid into the files, as listed in demo_faults.csv (0 with faults=False)."""
    manifest: Path | None = None
    layouts: dict[str, str] = field(default_factory=dict, repr=False)
    """File (relative to `out`) → the name of its layout ('clean' or one of the messy ones)."""
    clean_totals: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict, repr=False)
    """Kind → period → (revenue, R&D) in cents of 万元 summed over all rows before any fault."""
    file_totals: dict[str, tuple[int, int, int]] = field(default_factory=dict, repr=False)
    """File → (data rows, revenue, R&D in cents of 万元) as written, faults included."""


# ---------- small pure helpers


def demo_periods(months: int) -> list[tuple[int, int]]:
    """(year, month) for month i = 2022-01 + i, i < months, without January (no January report)."""
    periods = []
    for i in range(months):
        year, month = FIRST_YEAR + i // 12, i % 12 + 1
        if month != 1:
            periods.append((year, month))
    return periods


def period_label(year: int, month: int) -> str:
    """'2024-10'."""
    return f"{year:04d}-{month:02d}"


def bureau_title(year: int, month: int) -> str:
    """The bureau table's title row; February is '1-2月' because there is no January report."""
    return TITLES["bureau"].format(year=year, month=month)


def digitalization_threshold(year: int) -> float:
    """Share of enterprises digital in all four key processes: 40 % in 2022, +4.5 points a year."""
    return min(0.95, 0.40 + 0.045 * (year - BASE_YEAR))


# ---------- tables


REGISTRY_HEADER = ("统一社会信用代码", "企业名称", "区县", "行业代码", "产业链", "规模以上")
SURVEY_PROCESSES = ("研发设计", "生产制造", "经营管理", "销售服务")


def _registry_rows(firms: list[Enterprise], order: np.ndarray) -> list[tuple]:
    return [
        (f.uscc, f.name, f.district_text, f.industry, f.chain_text, "是" if f.above_scale else "否")
        for f in (firms[i] for i in order)
    ]


def _with_year_ago(periods: list[tuple[int, int]]) -> Iterator[tuple[int, int, int, int | None]]:
    """(index, year, month, index of the same month a year earlier or None) for each period."""
    index = {period: p for p, period in enumerate(periods)}
    for p, (year, month) in enumerate(periods):
        yield p, year, month, index.get((year - 1, month))


def filing_tables(
    firms: list[Enterprise], order: np.ndarray, figures: Figures, periods: list[tuple[int, int]]
) -> list[Table]:
    """One clean table per period: every enterprise of the registry, in registry order."""
    tables = []
    for p, year, month, ago in _with_year_ago(periods):
        lines = [
            FilingLine(
                firms[e].uscc,
                firms[e].name,
                firms[e].unit,
                (year, month),
                int(figures.revenue_cents[e, p]),
                None if figures.rd_missing[e, p] else int(figures.rd_cents[e, p]),
                int(figures.employees[e, p]),
                None if ago is None else int(figures.revenue_cents[e, ago]),
                int(e),
            )
            for e in order
        ]
        label = period_label(year, month)
        tables.append(
            Table("filings", f"企业月报_{label}", (year, month), clean_filings_layout(year, month), lines)
        )
    return tables


def unit_members(units: list[Unit], firms: list[Enterprise]) -> dict[str, list[int]]:
    """Active reporting unit code → indices of its in-scope enterprises, in reporting-unit order."""
    members = {
        unit.code: [e for e, firm in enumerate(firms) if firm.in_scope and firm.unit.code == unit.code]
        for unit in units
    }
    return {code: indices for code, indices in members.items() if indices}


def district_tables(
    units: list[Unit], members_by_unit: dict[str, list[int]], figures: Figures, periods: list[tuple[int, int]]
) -> list[Table]:
    """One clean table per period: each active unit's submission is the sum of its enterprises' filings."""
    rd_reported = np.where(figures.rd_missing, 0, figures.rd_cents)
    tables = []
    for p, year, month, ago in _with_year_ago(periods):
        lines = [
            SubmissionLine(
                unit,
                (year, month),
                len(members),
                int(figures.revenue_cents[members, p].sum()),
                int(rd_reported[members, p].sum()),
                None if ago is None else int(figures.revenue_cents[members, ago].sum()),
            )
            for unit in units
            if (members := members_by_unit.get(unit.code))
        ]
        label = period_label(year, month)
        tables.append(Table("districts", f"区县报送_{label}", (year, month), CLEAN, lines))
    return tables


def _bureau_values(
    rng: np.random.Generator, firms: list[Enterprise], figures: Figures, periods: list[tuple[int, int]]
) -> dict[str, list[float]]:
    """Bureau revenue_ytd per line and period, in 万元 rounded to 2 decimals."""
    division_39 = np.array([firm.in_scope and firm.industry.startswith("39") for firm in firms])
    factor = rng.uniform(0.992, 1.008, len(periods))
    values = {
        BUREAU_DIVISION_39: [
            round(int(figures.revenue_cents[division_39, p].sum()) * factor[p] / 100, 2)
            for p in range(len(periods))
        ]
    }
    cumulative = np.cumsum(SEASONALITY)
    for name, _, base, growth in BUREAU_OTHER_LINES:
        wobble = 1 + rng.normal(0, 0.004, len(periods))
        values[name] = [
            round(base * (1 + growth) ** (year - FIRST_YEAR) * cumulative[month - 1] * wobble[p], 2)
            for p, (year, month) in enumerate(periods)
        ]
    return values


def bureau_tables(periods: list[tuple[int, int]], values: dict[str, list[float]]) -> list[Table]:
    """One table per period: the bureau's industry lines with their published year-on-year growth."""
    tables = []
    for p, year, month, previous in _with_year_ago(periods):
        lines = [
            BureauLine(
                name,
                BUREAU_CODES[name],
                series[p],
                None if previous is None else round((series[p] / series[previous] - 1) * 100, 1),
            )
            for name, series in values.items()
        ]
        label = period_label(year, month)
        tables.append(Table("bureau", f"统计局月报_{label}", (year, month), BUREAU_CLEAN, lines))
    return tables


def _totals(tables: list[Table]) -> dict[str, tuple[int, int]]:
    """Period label → (revenue, R&D) in cents of 万元 over the tables' lines; missing R&D counts 0."""
    totals: dict[str, tuple[int, int]] = {}
    for table in tables:
        label = period_label(*table.period)
        revenue, rd = totals.get(label, (0, 0))
        totals[label] = (
            revenue + sum(line.revenue for line in table.lines),
            rd + sum(getattr(line, "rd", None) or 0 for line in table.lines),
        )
    return totals


def _write_surveys(
    out: Path, rng: np.random.Generator, firms: list[Enterprise], order: np.ndarray, years: list[int]
) -> int:
    """One workbook per year; each enterprise's processes only ever go from 否 to 是. Returns rows written."""
    n = len(firms)
    in_scope = np.array([firm.in_scope for firm in firms])
    leader = rng.random(n)  # digital in all four once below the year's threshold
    process_draw = rng.random((n, len(SURVEY_PROCESSES)))
    lagging = rng.integers(len(SURVEY_PROCESSES), size=n)  # stays 否 until the enterprise is a leader
    process_base = np.array([0.35, 0.55, 0.65, 0.45])
    surveyed = rng.random((n, len(years))) < np.where(in_scope, 0.9, 0.5)[:, None]
    header = ("统一社会信用代码", "调查年度", *SURVEY_PROCESSES)
    total = 0
    for y, year in enumerate(years):
        all_four = leader < digitalization_threshold(year)
        done = process_draw < process_base + 0.05 * (year - BASE_YEAR)
        done[np.arange(n), lagging] = False
        done[all_four] = True
        rows = [header]
        for e in order:
            if surveyed[e, y]:
                rows.append((firms[e].uscc, year, *("是" if flag else "否" for flag in done[e])))
        total += len(rows) - 1
        write_xlsx(out / "surveys" / f"数字化调查_{year}.xlsx", "数字化调查", rows)
    return total


# ---------- entry point


def generate(
    out: Path, enterprises: int = 800, months: int = 58, seed: int = 20231113, faults: bool = True
) -> DemoSummary:
    """Write a synthetic raw folder under `out` (registry, filings, surveys, districts, bureau).

    `enterprises` in-scope enterprises plus about 10 % out-of-scope or below-scale ones; periods are
    2022-01 + i for i < `months`, Januaries skipped. Files come in a deterministic mix of the layouts
    of docs/interface.md (Input files). With `faults`, documented faults for every rule of docs/rules.md
    are laid on top and listed in `out`/demo_faults.csv; the files they leave alone are the same bytes
    as without. The same arguments give byte-identical files.
    """
    if enterprises < 1:
        raise ValueError(f"enterprises must be at least 1, got {enterprises}")
    periods = demo_periods(months)
    if not periods:
        raise ValueError(f"months must be at least 2 (the first period is 2022-02), got {months}")
    out = Path(out)
    streams = [np.random.default_rng([seed, stream]) for stream in range(5)]
    data, order = _clean_data(streams, enterprises, periods)
    labels = [period_label(year, month) for year, month in periods]
    survey_years = list(range(FIRST_YEAR, periods[-1][0] + 1))
    clean_totals = {kind: _totals(getattr(data, kind)) for kind in ("filings", "districts", "bureau")}
    laid = _lay_faults(data, seed) if faults else []

    tables = [*data.filings, *data.extra_tables, *data.districts, *data.bureau]
    _write_files(out, data.registry_file, data.registry_rows, tables)
    survey_rows = _write_surveys(out, streams[4], data.firms, order, survey_years)
    manifest = write_manifest(out, laid) if faults else None

    counts = {
        "registry_rows": len(data.registry_rows),
        "survey_rows": survey_rows,
        "faults": len(laid),
        "manifest": manifest,
        "clean_totals": clean_totals,
    }
    return _summary(
        out, labels, periods, survey_years, data.firms, data.figures, data.members, tables, counts
    )


def _clean_data(
    streams: list[np.random.Generator], enterprises: int, periods: list[tuple[int, int]]
) -> tuple[DemoData, np.ndarray]:
    """The consistent data before any fault: enterprises, their figures and every table, from the
    reference lists; and the order enterprises are listed in."""
    units = load_units(REFERENCE_DIR)
    firms = build_enterprises(
        streams[0], enterprises, units, load_scope(REFERENCE_DIR), load_chains(REFERENCE_DIR)
    )
    figures = simulate(streams[1], firms, periods)
    order = streams[2].permutation(len(firms))
    members_by_unit = unit_members(units, firms)
    filings, districts, bureau = _monthly_tables(
        streams[3], units, firms, order, figures, periods, members_by_unit
    )
    data = DemoData(
        units=units,
        firms=firms,
        figures=figures,
        periods=periods,
        members=members_by_unit,
        filings=filings,
        districts=districts,
        bureau=bureau,
        registry_rows=_registry_rows(firms, order),
        registry_file=f"registry/企业名录_{period_label(*periods[-1])}.xlsx",
        inactive_host=INACTIVE_HOST,
        out_of_scope_industry=OUT_OF_SCOPE_INDUSTRIES[0],
    )
    return data, order


def _monthly_tables(
    rng: np.random.Generator,
    units: list[Unit],
    firms: list[Enterprise],
    order: np.ndarray,
    figures: Figures,
    periods: list[tuple[int, int]],
    members_by_unit: dict,
) -> tuple[list[Table], list[Table], list[Table]]:
    """The clean filings, district submissions and bureau tables of each period, each given its layout."""
    filings = filing_tables(firms, order, figures, periods)
    districts = district_tables(units, members_by_unit, figures, periods)
    bureau = bureau_tables(periods, _bureau_values(rng, firms, figures, periods))
    for tables, messy in ((filings, FILINGS_MESSY), (districts, DISTRICTS_MESSY), (bureau, BUREAU_MESSY)):
        for p, layout in assign_layouts(len(tables), messy).items():
            tables[p].layout = layout
    return filings, districts, bureau


def _write_files(out: Path, registry_file: str, registry_rows: list[tuple], tables: list[Table]) -> None:
    """The registry and every monthly table, in their folders."""
    for folder in KIND_FOLDERS:
        (out / folder).mkdir(parents=True, exist_ok=True)
    write_xlsx(out / registry_file, "企业名录", [REGISTRY_HEADER, *registry_rows])
    for table in tables:
        write_table(out, table)


def _summary(
    out: Path,
    labels: list[str],
    periods: list[tuple[int, int]],
    survey_years: list[int],
    firms: list[Enterprise],
    figures: Figures,
    members_by_unit: dict,
    tables: list[Table],
    counts: dict[str, object],
) -> DemoSummary:
    """What `generate` wrote: periods, files, rows and the totals the tests recompute."""
    in_scope = np.array([firm.in_scope for firm in firms])
    year_end = {year: p for p, (year, _) in enumerate(periods)}
    filing_files = [table for table in tables if table.kind == "filings"]
    return DemoSummary(
        out=out,
        periods=labels,
        survey_years=survey_years,
        registry_rows=counts["registry_rows"],
        in_scope=int(in_scope.sum()),
        out_of_scope=sum(firm.role == "out_of_scope" for firm in firms),
        below_scale=sum(firm.role == "below_scale" for firm in firms),
        active_units=list(members_by_unit),
        filing_rows=sum(len(table.lines) for table in filing_files),
        survey_rows=counts["survey_rows"],
        files={
            "registry": 1,
            "filings": sum(table.kind == "filings" for table in tables),
            "surveys": len(survey_years),
            "districts": sum(table.kind == "districts" for table in tables),
            "bureau": sum(table.kind == "bureau" for table in tables),
        },
        revenue_ytd_yi={
            labels[p]: int(figures.revenue_cents[in_scope, p].sum()) / 1_000_000 for p in year_end.values()
        },
        faults=counts["faults"],
        manifest=counts["manifest"],
        layouts={table.rel: table.layout.name for table in tables},
        clean_totals=counts["clean_totals"],
        file_totals={
            table.rel: (
                len(table.lines),
                sum(line.revenue for line in table.lines),
                sum(getattr(line, "rd", None) or 0 for line in table.lines),
            )
            for table in tables
        },
    )


def _lay_faults(data: DemoData, seed: int) -> list:
    """The documented faults, laid on `data`. They draw from a stream of their own, so that without
    them every other number stays the same; new codes and names come from that stream too."""
    fault_rng = np.random.default_rng([seed, 5])
    codes, names = {firm.uscc for firm in data.firms}, {firm.name for firm in data.firms}
    data.new_code = lambda unit: _make_uscc(fault_rng, unit, codes)
    data.new_name = lambda industry: _make_name(fault_rng, industry, "tail", names)
    return inject_faults(data, fault_rng)
