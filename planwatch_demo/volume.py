"""A raw folder at benchmark volume (up to hundreds of thousands of enterprises), quickly.

The same enterprises and figures as `generate()` with the same seed and no faults (the same
`build_enterprises` and `simulate` on the same random streams), but every monthly filings file is a
clean UTF-8 CSV written straight from the figure arrays: no per-row objects, no messy layouts, so no
legacy .xls sheet (65,536 rows at most) and no per-cell rendering. Registry, survey, district and
bureau files are written as `generate()` writes its clean ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from planwatch_demo.generator import (
    KIND_FOLDERS,
    REGISTRY_HEADER,
    _bureau_values,
    _registry_rows,
    _write_surveys,
    bureau_tables,
    demo_periods,
    district_tables,
    period_label,
    unit_members,
)
from planwatch_demo.layouts import COLUMNS, DEFAULT_ORDER
from planwatch_demo.population import (
    FIRST_YEAR,
    REFERENCE_DIR,
    build_enterprises,
    load_chains,
    load_scope,
    load_units,
    simulate,
)
from planwatch_demo.render import write_table, write_xlsx

FILINGS_HEADER = tuple(COLUMNS["filings"][key].zh for key in DEFAULT_ORDER["filings"])
"""The clean filings header, as the demo generator's clean layout writes it."""


def _cents_texts(cents: np.ndarray) -> list[str]:
    """Exact decimal text of amounts in cents of 万元 (12345678 → '123456.78'), as cents_text gives."""
    return [f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in cents.tolist()]


def generate_volume(out: Path, enterprises: int, months: int, seed: int = 20231113) -> dict[str, int]:
    """Write a clean raw folder under `out`; returns the rows written per kind."""
    periods = demo_periods(months)
    if enterprises < 1 or not periods:
        raise ValueError(f"need at least 1 enterprise and 2 months, got {enterprises} and {months}")
    out = Path(out)
    units = load_units(REFERENCE_DIR)
    streams = [np.random.default_rng([seed, stream]) for stream in range(5)]
    firms = build_enterprises(
        streams[0], enterprises, units, load_scope(REFERENCE_DIR), load_chains(REFERENCE_DIR)
    )
    figures = simulate(streams[1], firms, periods)
    order = streams[2].permutation(len(firms))
    labels = [period_label(year, month) for year, month in periods]
    members_by_unit = unit_members(units, firms)
    districts = district_tables(units, members_by_unit, figures, periods)
    bureau = bureau_tables(periods, _bureau_values(streams[3], firms, figures, periods))

    for folder in KIND_FOLDERS:
        (out / folder).mkdir(parents=True, exist_ok=True)
    registry_rows = _registry_rows(firms, order)
    write_xlsx(out / f"registry/企业名录_{labels[-1]}.xlsx", "企业名录", [REGISTRY_HEADER, *registry_rows])
    for table in (*districts, *bureau):
        write_table(out, table)
    survey_rows = _write_surveys(out, streams[4], firms, order, list(range(FIRST_YEAR, periods[-1][0] + 1)))

    # Per enterprise, in registry order, the cells that do not change from month to month.
    fixed = [f"{firms[e].uscc},{firms[e].name},{firms[e].unit.name}," for e in order]
    for p, label in enumerate(labels):
        revenue = _cents_texts(figures.revenue_cents[order, p])
        rd_cents = _cents_texts(figures.rd_cents[order, p])
        missing = figures.rd_missing[order, p].tolist()
        employees = figures.employees[order, p].tolist()
        lines = [
            f"{head}{label},{rev},{'' if gap else rd},{staff}\r\n"
            for head, rev, rd, gap, staff in zip(fixed, revenue, rd_cents, missing, employees, strict=True)
        ]
        path = out / "filings" / f"企业月报_{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow(FILINGS_HEADER)
            handle.writelines(lines)
    return {
        "registry": len(registry_rows),
        "filings": len(order) * len(labels),
        "surveys": survey_rows,
        "districts": sum(len(table.lines) for table in districts),
        "bureau": sum(len(table.lines) for table in bureau),
    }
