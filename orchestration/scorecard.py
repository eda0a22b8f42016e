"""The scorecard `planwatch run` ends with: the latest period's indicators against the plan, and the
outlook's chance of each 2027 target, as a small text table read from the published snapshot."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.cell_vintages import latest_cell_revisions
from orchestration.coverage import partial_month, read_coverage
from orchestration.locking import connect_snapshot
from orchestration.settings import dbt_var
from orchestration.vintages import latest_revisions


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _cells(values: Sequence[str], widths: Sequence[int]) -> str:
    out = []
    for index, (value, width) in enumerate(zip(values, widths, strict=True)):
        pad = " " * max(width - _width(value), 0)
        out.append(value + pad if index < 2 or index == len(values) - 1 else pad + value)
    return "  ".join(out).rstrip()


def revised_count(analytics_db: Path) -> tuple[int, int]:
    """How many indicator figures (marts.indicator_revisions) and how many chain and district values
    (marts.cell_revisions) the snapshot's publish revised."""
    with connect_snapshot(analytics_db) as con:
        return len(latest_revisions(con)), len(latest_cell_revisions(con))


def chance_text(probability: float | None) -> str:
    """A probability as a whole percentage that never rounds a possibility to 0% or 100%."""
    if probability is None:
        return "—"
    if 0 < probability < 0.01:
        return "<1%"
    if 0.99 < probability < 1:
        return ">99%"
    return f"{probability:.0%}"


def _latest_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The latest period's indicator rows, each with the outlook's chance (None in a snapshot
    published before the outlook existed)."""
    has_outlook = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' "
        "and table_name = 'indicator_outlook'"
    ).fetchone()[0]
    outlook = (
        "select probability_meets_target from marts.indicator_outlook as outlook "
        "where outlook.plan_id = progress.plan_id and outlook.indicator_code = progress.indicator_code "
        "and outlook.as_of_period = progress.period and outlook.is_plan_target_year"
        if has_outlook
        else "select null"
    )
    return con.execute(
        f"""
        select plan_id, indicator_code, unit, period, actual_value, projected_annual, trajectory_value,
               target_value, target_year, ({outlook}) as probability, status
        from marts.indicator_progress as progress
        where period = (select max(period) from marts.indicator_progress)
        order by plan_id, indicator_code
        """
    ).fetchall()


def _lines_in_doubt(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The latest period's indicators whose sums hold lines the rules say are wrong, with how many
    (none in a snapshot published before indicator_progress counted them)."""
    has_column = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'indicator_progress' and column_name = 'lines_in_doubt'"
    ).fetchone()[0]
    if not has_column:
        return {}
    rows = con.execute(
        "select indicator_code, lines_in_doubt from marts.indicator_progress "
        "where period = (select max(period) from marts.indicator_progress) and lines_in_doubt > 0 "
        "order by indicator_code"
    ).fetchall()
    return dict(rows)


def doubt_line(doubted: dict[str, int], period: dt.date) -> str | None:
    """What the scorecard says under its table when the month's sums hold lines the rules say are wrong."""
    if not doubted:
        return None
    return (
        f"{period:%Y-%m}: {max(doubted.values())} enterprises' filings counted in {', '.join(doubted)} are "
        "flagged wrong (a unit mix-up or an impossible value: DQ06, DQ07 errors in marts.dq_findings); "
        "these figures stand as filed and are not to be quoted until the enterprises correct them"
    )


def scorecard(analytics_db: Path) -> str:
    """The latest period's indicators against the plan, and the outlook's chance of each target, as a
    small text table."""
    with connect_snapshot(analytics_db) as con:
        coverage = read_coverage(con, "marts")
        rows = _latest_rows(con)
        doubted = _lines_in_doubt(con)
    if not rows:
        return "planwatch: the snapshot has no indicator values yet"
    period: dt.date = rows[0][3]
    plans = ", ".join(sorted({row[0] for row in rows}))
    header = [
        "indicator",
        "unit",
        "actual (ytd)",
        "projected",
        f"path {period:%Y}",
        "target",
        "chance",
        "status",
    ]
    table = [header]
    for _plan, code, unit, _period, actual, projected, trajectory, target, target_year, chance, state in rows:
        table.append(
            [
                code,
                unit,
                _fmt(actual),
                _fmt(projected),
                _fmt(trajectory),
                f"{_fmt(target, 0)} ({target_year})",
                chance_text(chance),
                state,
            ]
        )
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [f"Scorecard for {period:%Y-%m} (plan {plans}), from {analytics_db}"]
    lines += [_cells(row, widths) for row in table]
    lines.append("chance: the outlook's probability of meeting the target (marts.indicator_outlook)")
    if doubt := doubt_line(doubted, period):
        lines.append(doubt)
    partial = partial_month(coverage, period, float(dbt_var("publish_max_drop_share")))
    if partial:
        lines.append(partial)
    return "\n".join(lines)
