"""Reading the briefing's figures for one period from the published snapshot (read-only)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from orchestration.locking import connect_snapshot
from orchestration.report.model import (
    INDICATOR_ORDER,
    MARTS,
    TIER_ZH,
    Briefing,
    Row,
    disclosure_rule,
)


def latest_period(analytics_db: Path) -> dt.date:
    """The latest period the snapshot (the latest publish) holds: what a briefing is about by default."""
    if not analytics_db.is_file():
        raise FileNotFoundError(f"analyst snapshot not found: {analytics_db}; run `planwatch run` first")
    with connect_snapshot(analytics_db) as con:
        _check_marts(con, analytics_db)
        (latest,) = con.execute("select max(period) from marts.indicator_progress").fetchone()
    if latest is None:
        raise ValueError(f"the snapshot {analytics_db} holds no periods yet; run `planwatch run` first")
    return latest


def parse_period(value: dt.date | str) -> dt.date:
    """'2024-06' or a date -> the first day of that month."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", str(value))
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"period {value!r} is not a month written YYYY-MM, e.g. 2024-06")
    return dt.date(int(match[1]), int(match[2]), 1)


HISTORY_SQL = """
    select plan_id, indicator_code, indicator_name_zh, unit, period, actual_value, yoy_growth_pct,
           projected_annual, baseline_year, baseline_value, target_year, target_value,
           trajectory_value, required_growth_pct, required_growth_unit, status, {kind} as indicator_kind,
           {doubt} as lines_in_doubt
    from marts.indicator_progress
    where period <= ?
    order by plan_id, indicator_code, period
"""
CHAINS_SQL = """
    select chain_code, chain_name_zh, tier, enterprise_count, revenue_ytd_yi, revenue_yoy_pct,
           rd_ytd_yi, rd_intensity_pct, suppressed, {digitalization} as digitalization_rate_pct
    from marts.chain_monthly
    where period = ?
"""
DISTRICTS_SQL = """
    select district_code, district_name, enterprise_count, revenue_ytd_yi, revenue_yoy_pct,
           rd_intensity_pct, digitalization_rate_pct, findings_error, findings_warn, suppressed
    from marts.district_monthly
    where period = ?
"""
FINDINGS_SQL = """
    select finding_id, rule_id, severity, district_code, period, subject, expected, actual,
           message, source_file, source_row, {withheld} as figures_withheld
    from marts.dq_findings
    where {filed} = ? or {filed} is null
"""
OUTLOOK_SQL = """
    select plan_id, indicator_code, target_year, is_plan_target_year, point_forecast, lower_80,
           upper_80, lower_95, upper_95, target_value, probability_meets_target, note,
           {path} as plan_path_value
    from marts.indicator_outlook
    where as_of_period = ?
    order by plan_id, indicator_code, target_year
"""
CELL_REVISIONS_SQL = """
    select cell_table, unit_code, period, measure, revision_kind, old_value, new_value, change, caused_by
    from marts.cell_revisions
    where published_at = (select max(published_at) from marts.publish_log)
    order by cell_table, period, unit_code, measure
"""
REVISIONS_SQL = """
    select plan_id, indicator_code, period, revision_kind, old_value, new_value, change, caused_by
    from marts.indicator_revisions
    where published_at = (select max(published_at) from marts.publish_log)
    order by plan_id, indicator_code, period
"""


def load_briefing(analytics_db: Path, period: dt.date | str) -> Briefing:
    """Read what the briefing needs for the period from the snapshot (read-only)."""
    month = parse_period(period)
    if not analytics_db.is_file():
        raise FileNotFoundError(f"analyst snapshot not found: {analytics_db}; run `planwatch run` first")
    with connect_snapshot(analytics_db) as con:
        _check_marts(con, analytics_db)
        periods = [
            row[0]
            for row in con.execute(
                "select distinct period from marts.indicator_progress order by 1"
            ).fetchall()
        ]
        if month not in periods:
            raise ValueError(missing_period_message(month, periods, analytics_db))
        # snapshots published before the marts carried the indicator kind, the plan path ahead and
        # the disclosure thresholds have none of them: the kind then follows the unit (% is a ratio)
        kind = (
            "indicator_kind"
            if "indicator_kind" in _columns(con, "indicator_progress")
            else ("case when unit = '%' then 'ratio' else 'flow' end")
        )
        progress_columns = _columns(con, "indicator_progress")
        doubt = "lines_in_doubt" if "lines_in_doubt" in progress_columns else "null"
        history = _records(con, HISTORY_SQL.format(kind=kind, doubt=doubt), [month])
        chain_columns = _columns(con, "chain_monthly")
        outlook_columns = _columns(con, "indicator_outlook")
        path = "plan_path_value" if "plan_path_value" in outlook_columns else "null"
        # snapshots published before chains carried the survey's rate, or before the outlook and the
        # revisions existed, have none of them
        digitalization = "digitalization_rate_pct" if "digitalization_rate_pct" in chain_columns else "null"
        return Briefing(
            period=month,
            snapshot=analytics_db,
            indicators=sorted((row for row in history if row["period"] == month), key=_indicator_key),
            history=history,
            chains=_records(con, CHAINS_SQL.format(digitalization=digitalization), [month]),
            districts=sorted(_records(con, DISTRICTS_SQL, [month]), key=_revenue_rank_key),
            findings=_findings(con, month),
            rule_titles=dict(con.execute("select rule_id, title from marts.dq_rules").fetchall()),
            district_names=dict(
                con.execute(
                    "select district_code, arg_max(district_name, period) from marts.district_monthly group by 1"
                ).fetchall()
            ),
            last_publish=next(
                iter(_records(con, "select * from marts.publish_log order by published_at desc limit 1", [])),
                None,
            ),
            disclosure_rule=disclosure_rule(
                *_thresholds(con, chain_columns, month), wider="suppression_reason" in chain_columns
            ),
            outlook=_records(con, OUTLOOK_SQL.format(path=path), [month]) if outlook_columns else [],
            revisions=_records(con, REVISIONS_SQL, []) if _columns(con, "indicator_revisions") else None,
            cell_revisions=_records(con, CELL_REVISIONS_SQL, []) if _columns(con, "cell_revisions") else None,
        )


def _findings(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Row]:
    """The findings of the period and the undated ones, errors first."""
    columns = _columns(con, "dq_findings")
    # a finding counts under the month of its file (filed_period); older snapshots have only its period
    filed = "filed_period" if "filed_period" in columns else "period"
    # snapshots published before findings were withheld print every finding's figures
    withheld = "figures_withheld" if "figures_withheld" in columns else "false"
    return sorted(
        _records(con, FINDINGS_SQL.format(filed=filed, withheld=withheld), [month]), key=_finding_key
    )


def _thresholds(
    con: duckdb.DuckDBPyConnection, chain_columns: set[str] | list[str], month: dt.date
) -> tuple[int | None, float | None]:
    """The disclosure thresholds the period's cells were published under (None, None for a snapshot
    from before the marts carried them)."""
    if "min_cell_enterprises" not in chain_columns:
        return None, None
    found = con.execute(
        "select any_value(min_cell_enterprises), any_value(dominance_share) from marts.chain_monthly where period = ?",
        [month],
    ).fetchone()
    return (found[0], found[1]) if found else (None, None)


def missing_period_message(month: dt.date, periods: Sequence[dt.date], snapshot: Path) -> str:
    """Why a period cannot be reported, naming what the snapshot holds."""
    if not periods:
        return f"the snapshot {snapshot} holds no periods yet; run `planwatch run` first"
    first, last = periods[0], periods[-1]
    message = (
        f"period {month:%Y-%m} is not in the snapshot {snapshot}: it holds {len(periods)} periods, "
        f"{first:%Y-%m}..{last:%Y-%m}"
    )
    held = set(periods)
    gaps = [gap for gap in _months(first, last) if gap not in held]
    if gaps:
        shown = ", ".join(f"{gap:%Y-%m}" for gap in gaps[:12]) + (" …" if len(gaps) > 12 else "")
        why = (
            ": January has no report of its own, its figures come with 1-2月"
            if all(gap.month == 1 for gap in gaps)
            else ""
        )
        message += f" (none for {shown}{why})"
    return message


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _check_marts(con: duckdb.DuckDBPyConnection, snapshot: Path) -> None:
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    missing = [table for table in MARTS if table not in present]
    if missing:
        raise ValueError(f"{snapshot} is not a planwatch snapshot: marts.{', marts.'.join(missing)} missing")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchall()
    }


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[Row]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _indicator_key(row: Row) -> tuple:
    code = row["indicator_code"]
    order = INDICATOR_ORDER.index(code) if code in INDICATOR_ORDER else len(INDICATOR_ORDER)
    return (row["plan_id"], order, code)


def _revenue_rank_key(row: Row) -> tuple:
    """By revenue, largest first; rows without a published revenue after them and suppressed ones
    last, each by code."""
    revenue = row["revenue_ytd_yi"]
    code = row.get("district_code") or row.get("chain_code") or ""
    return (bool(row["suppressed"]), revenue is None, -(revenue or 0.0), code)


def _chain_key(row: Row) -> tuple:
    """By tier in the plan's order, then by revenue."""
    tiers = list(TIER_ZH)
    tier = tiers.index(row["tier"]) if row["tier"] in tiers else len(tiers)
    return (tier, *_revenue_rank_key(row))


def _finding_key(row: Row) -> tuple:
    """Errors first, then by rule, district, file and row; stable by id."""
    return (
        row["severity"] != "error",
        row["rule_id"] or "",
        row["district_code"] or "",
        row["source_file"] or "",
        row["source_row"] or 0,
        row["finding_id"] or "",
    )
