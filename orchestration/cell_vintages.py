"""What each publish said for every chain and district, and what a publish changed in those cells.

As for the indicators (vintages.py): every publish keeps the cells it published
(marts.cell_vintages: one row per table, unit and period, with the values as published, NULL where
disclosure control suppressed them), and a published value of a period the previous publish covered
that a publish changes, fills (a cell published again), clears (suppressed now), adds or removes is a
revision (marts.cell_revisions), with the files that feed it. Both tables only grow. A suppressed
value is NULL in the vintage as in the mart, so neither holds a figure the snapshot did not publish.
"""

from __future__ import annotations

import duckdb

from orchestration.vintages import (
    CHANGED_FILES,
    REVISION_CHANGE,
    REVISION_KIND,
    REVISION_WHEN,
    History,
    coalesced,
    feeds,
    matched,
    revisions_sql,
    schema_has,
)

VINTAGES_DDL = """
create table marts.cell_vintages (
    published_at timestamp not null,
    run_id varchar not null,
    cell_table varchar not null,
    unit_code varchar not null,
    period date not null,
    enterprise_count double,
    revenue_ytd_yi double,
    rd_ytd_yi double,
    rd_intensity_pct double,
    digitalization_rate_pct double
)
"""
REVISIONS_DDL = (
    "create table marts.cell_revisions ("
    + REVISION_WHEN
    + """
    cell_table varchar not null,
    unit_code varchar not null,
    period date not null,
    measure varchar not null,"""
    + REVISION_CHANGE
)
# The cells of one publish, as the snapshot publishes them.
VINTAGE_SQL = """
insert into marts.cell_vintages
select $now, $run_id, 'chain_monthly', chain_code, period, enterprise_count, revenue_ytd_yi, rd_ytd_yi,
    rd_intensity_pct, digitalization_rate_pct
from marts.chain_monthly
union all
select $now, $run_id, 'district_monthly', district_code, period, enterprise_count, revenue_ytd_yi, rd_ytd_yi,
    rd_intensity_pct, digitalization_rate_pct
from marts.district_monthly
"""
_CELL_KEYS = ("cell_table", "unit_code", "period", "measure")
# Values of periods the previous publish covered that differ between the two vintages, one row per
# cell and measure. A row that came or went is a revision only where it held a published value.
CHANGED_SQL = (
    """
with
measures as (
    select *
    from (select * exclude (run_id) from marts.cell_vintages where published_at in ($previous, $now))
    unpivot include nulls (
        actual_value
        for measure in (enterprise_count, revenue_ytd_yi, rd_ytd_yi, rd_intensity_pct, digitalization_rate_pct)
    )
),
old as (select * from measures where published_at = $previous),
new as (select * from measures where published_at = $now),
covered as (select max(period) as last_period from old)
select
"""
    + coalesced(_CELL_KEYS)
    + REVISION_KIND
    + """
from old
full outer join new
    on """
    + matched(_CELL_KEYS)
    + """
cross join covered
where (old.period is null and new.period <= covered.last_period and new.actual_value is not null)
    or (new.period is null and old.actual_value is not null)
    or (old.period is not null and new.period is not null and old.actual_value is distinct from new.actual_value)
"""
)
# The changed files that feed a cell's value, as for the indicators: the filings of its month (for a
# district's value that changed, the files that name the district, or name none, when there are
# such; a period that came or went came or went with all of them), the survey of its year for the
# digitalization rate, and the registries in force for its year or before it. A rate that is cleared
# or filled may be the filings' doing too: they decide whether the cell is suppressed.
CAUSES_SQL = (
    "with"
    + CHANGED_FILES
    + """,
feeds as (
    select revisions.cell_table, revisions.unit_code, revisions.period, revisions.measure,
        changed_files.source_file, changed_files.what,
        changed_files.kind <> 'filings' or revisions.cell_table = 'chain_monthly'
            or revisions.revision_kind in ('added', 'removed') or changed_files.units = ['']
            or list_contains(changed_files.units, revisions.unit_code) as names_unit
    from revisions
    join changed_files
        on """
    + feeds(
        "revisions.measure <> 'digitalization_rate_pct' or revisions.revision_kind <> 'changed'",
        "revisions.measure = 'digitalization_rate_pct'",
    )
    + """
),
-- a filing's 区县 is what the enterprise wrote, not always its registry district (DQ11): when no file
-- names the district, every changed file of its month is named rather than none, which would read
-- as "no file of this period changed"
named as (
    select * from feeds
    qualify names_unit or not bool_or(names_unit) over (partition by cell_table, unit_code, period, measure)
)
select cell_table, unit_code, period, measure,
    string_agg(source_file || ' (' || what || ')', '; ' order by what <> 'arrived', source_file) as files
from named
group by all
"""
)
REVISIONS_SQL = revisions_sql("cell_revisions", _CELL_KEYS, _CELL_KEYS)
CELLS = History(
    "cell_vintages", "cell_revisions", (VINTAGES_DDL, REVISIONS_DDL), VINTAGE_SQL, CHANGED_SQL, CAUSES_SQL,
    REVISIONS_SQL,
)  # fmt: skip


def latest_cell_revisions(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[tuple]:
    """The cell revisions of the latest publish: table, unit, period, measure, kind, old, new, caused_by."""
    if not schema_has(con, schema, "cell_revisions"):
        return []
    return con.execute(
        f"""
        select cell_table, unit_code, period, measure, revision_kind, old_value, new_value, caused_by
        from {schema}.cell_revisions
        where published_at = (select max(published_at) from {schema}.publish_log)
        order by cell_table, period, unit_code, measure
        """
    ).fetchall()
