"""The coverage gate: what a new snapshot covers, per month, against the last publish, and why a
snapshot that lost figures must not replace it (`coverage_refusal`); publish.py applies it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

# What the gate compares a new snapshot with: per period, enterprises and revenue of the last publish.
COVERAGE_SQL = """
with chains as (
    select period, sum(enterprise_count) as enterprises
    from {schema}.chain_monthly
    group by period
),
revenue as (
    select period, max(actual_value) as revenue_yi
    from {schema}.indicator_progress
    where indicator_code = 'revenue'
    group by period
)
select
    coalesce(chains.period, revenue.period) as period,
    coalesce(chains.enterprises, 0) as enterprises,
    revenue.revenue_yi
from chains
full outer join revenue on chains.period = revenue.period
order by 1
"""
# Ledger statuses that can shrink a snapshot, and how a person says what happened.
_CAUSE_WORDS = {
    "rejected": "was rejected",
    "refused": "was refused unread",
    "withdrawn": "was withdrawn (removed from raw/, or changed in place)",
    "superseded": "was replaced by a corrected file",
}
_KIND_WORDS = {
    "registry": "the registry",
    "filings": "the filings file",
    "surveys": "the survey file",
    "districts": "the district submission",
    "bureau": "the bureau table",
}


Coverage = dict[dt.date, tuple[int, float | None]]  # period → (enterprises, revenue in 亿元)


def coverage_refusal(
    previous: Coverage | None, new: Coverage, max_drop_share: float, previous_label: str = "the last publish"
) -> str | None:
    """Why a snapshot with coverage `new` must not replace one with `previous`, or None.

    Refused: a snapshot with no enterprise in scope at all (also on a first publish); one that has no
    figures for a period the previous publish had figures for (the filings of a month left raw/: a
    drop of 100%, whichever the month); and one in which any period in common with the previous
    publish lost more than `max_drop_share` of its enterprises or of its revenue: a correction that
    replaces a past month's filings with a one-line 补报 rewrites history as surely as a missing
    month. Periods the previous publish did not have are not compared."""
    if not any(enterprises for enterprises, _revenue in new.values()):
        return "no enterprise is in scope: the snapshot would have no figures"
    missing = [period for period in sorted(previous or {}) if _has_figures(previous[period])]
    missing = [period for period in missing if not _has_figures(new.get(period, (0, None)))]
    if missing:
        enterprises, revenue = previous[missing[-1]]
        figures = f"{enterprises:,} enterprises" + (f", {revenue:,.2f} 亿元 of revenue" if revenue else "")
        if len(missing) > 1:
            figures = f"{missing[-1]:%Y-%m}: {figures}"
        return (
            f"{_month_ranges(missing)} would be missing against {previous_label}, which has figures for "
            f"{'them' if len(missing) > 1 else 'it'} ({figures.replace('.00 亿元', ' 亿元')}); "
            "the new snapshot has none"
        )
    drops = [
        drop
        for period in sorted(set(previous or {}) & set(new))
        if (drop := _drop(previous[period], new[period], period, max_drop_share))
    ]
    if not drops:
        return None
    period, label, share, old, now = drops[-1]
    limit = f"the limit is {max_drop_share:.0%}, dbt var publish_max_drop_share"
    change = f"{old:,.2f} → {now:,.2f}".replace(".00 →", " →").removesuffix(".00")
    if len(drops) == 1:
        return f"{period:%Y-%m} would lose {share:.0%} of its {label} against {previous_label} ({change}; {limit})"
    return (
        f"{_month_ranges([drop[0] for drop in drops])} would each lose more than {max_drop_share:.0%} of "
        f"their enterprises or revenue against {previous_label} ({period:%Y-%m}: {label} {change}, "
        f"{share:.0%} less; {limit})"
    )


def _drop(
    old: tuple[int, float | None], now: tuple[int, float | None], period: dt.date, max_drop_share: float
) -> tuple[dt.date, str, float, float, float] | None:
    """The first of a period's enterprises and revenue that lost more than `max_drop_share`, or None."""
    for label, before, after in (("enterprises", old[0], now[0]), ("revenue (亿元)", old[1], now[1])):
        if before is None or before <= 0:
            continue
        share = (before - (after or 0)) / before
        if share > max_drop_share:
            return period, label, share, before, after or 0
    return None


def _has_figures(coverage: tuple[int, float | None]) -> bool:
    enterprises, revenue = coverage
    return bool(enterprises) or bool(revenue)


def _month_ranges(periods: list[dt.date]) -> str:
    """Sorted months as a person lists them: 2024-08, 2024-10..2024-12."""
    runs: list[list[dt.date]] = []
    for period in periods:
        if runs and (period.year * 12 + period.month) - (runs[-1][-1].year * 12 + runs[-1][-1].month) == 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    return ", ".join(
        f"{run[0]:%Y-%m}" if len(run) == 1 else f"{run[0]:%Y-%m}..{run[-1]:%Y-%m}" for run in runs
    )


def partial_month(coverage: Coverage, period: dt.date, max_drop_share: float) -> str | None:
    """A note when `period` has fewer filers than the month before it by more than `max_drop_share`:
    the first batch of a month's filings (the gate compares only months published before, so a new
    month is published as it stands), whose totals are not yet the month's."""
    earlier = [month for month in sorted(coverage) if month < period and coverage[month][0]]
    if not earlier:
        return None
    before = earlier[-1]
    now, then = coverage.get(period, (0, None))[0], coverage[before][0]
    if now >= (1 - max_drop_share) * then:
        return None
    share = "<1%" if 0 < now / then < 0.01 else f"{now / then:.0%}"
    return (
        f"note: {period:%Y-%m} has filings from {now:,} enterprises, {share} of the {then:,} of "
        f"{before:%Y-%m}: its figures are partial until the rest of the month's filings arrive"
    )


def read_coverage(con: duckdb.DuckDBPyConnection, schema: str) -> Coverage:
    rows = con.execute(COVERAGE_SQL.format(schema=schema)).fetchall()
    return {period: (int(enterprises), revenue) for period, enterprises, revenue in rows}


def previous_coverage(con: duckdb.DuckDBPyConnection, analytics_db: Path) -> tuple[Coverage | None, str]:
    """The coverage of the last publish, from the build database's record of it (the pipeline's own
    file), or, for a warehouse published before that record existed, from the snapshot itself."""
    if has_table(con, "build", "meta", "publish_coverage"):
        rows = con.execute(
            "select period, enterprises, revenue_yi from build.meta.publish_coverage"
        ).fetchall()
        when = con.execute("select max(published_at) from build.meta.publish_log").fetchone()[0]
        label = f"the publish of {when:%Y-%m-%d %H:%M}" if when else "the last publish"
        return {period: (int(enterprises), revenue) for period, enterprises, revenue in rows}, label
    if not analytics_db.exists():
        return None, "the last publish"
    try:
        con.execute("attach ? as previous (read_only)", [str(analytics_db)])
    except duckdb.Error:
        return None, "the last publish"  # held read-write by an analyst: only the empty-scope rule applies
    try:
        if has_table(con, "previous", "marts", "chain_monthly"):
            return read_coverage(con, "previous.marts"), "the published snapshot"
        return None, "the last publish"
    finally:
        con.execute("detach previous")


def likely_causes(con: duckdb.DuckDBPyConnection, since: dt.datetime | None) -> list[str]:
    """Files rejected, refused, withdrawn or replaced since the last publish, the registry first: what a
    person should look at when the coverage fell."""
    rows = con.execute(
        """
        select kind, source_file, status, reason
        from build.raw.ingest_ledger
        where status in ('rejected', 'refused', 'withdrawn', 'superseded')
            and coalesce(status_changed_at, first_seen_at) >= coalesce(?::timestamp, '-infinity'::timestamp)
        order by kind <> 'registry', kind, source_file
        """,
        [since],
    ).fetchall()
    causes = []
    for kind, source_file, status, reason in rows[:5]:
        cause = f"{_KIND_WORDS.get(kind, kind)} {source_file} {_CAUSE_WORDS[status]}"
        if status in ("rejected", "refused") and reason:
            cause += f": {reason}"
        causes.append(cause)
    if len(rows) > 5:
        causes.append(f"and {len(rows) - 5} more files (planwatch status)")
    return causes


def has_table(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = ? and table_schema = ? and table_name = ?",
            [catalog, schema, table],
        ).fetchone()[0]
    )
