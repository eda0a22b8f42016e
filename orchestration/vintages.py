"""What each publish said, and what a publish changed in figures published before.

Every publish keeps the indicator figures it published (marts.indicator_vintages). A figure of a
period the previous publish already covered that a publish changes, fills, clears, adds or removes is
a revision (marts.indicator_revisions): old and new value, and the files that feed that period and
arrived, were superseded or were withdrawn since the previous publish (from raw.ingest_ledger).
Both tables only grow: revisions are derived from two vintages, so no published figure can change
without its row. Money is exact decimal up to the marts, so an unchanged input gives the identical
double and the comparison is exact (no tolerance that could hide a small revision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

VINTAGES_DDL = """
create table marts.indicator_vintages (
    published_at timestamp not null,
    run_id varchar not null,
    plan_id varchar not null,
    indicator_code varchar not null,
    period date not null,
    actual_value double,
    yoy_growth_pct double,
    status varchar
)
"""
# A revisions table's columns before the figure's key (which publish, against which) and after it
# (how the figure changed and why); indicators and cells share them.
REVISION_WHEN = """
    published_at timestamp not null,
    run_id varchar not null,
    previous_published_at timestamp not null,
"""
REVISION_CHANGE = """
    revision_kind varchar not null,
    old_value double,
    new_value double,
    change double,
    caused_by varchar,
    cause_note varchar not null
)
"""
REVISIONS_DDL = (
    "create table marts.indicator_revisions ("
    + REVISION_WHEN
    + """
    plan_id varchar not null,
    indicator_code varchar not null,
    period date not null,"""
    + REVISION_CHANGE
)
# The figures of one publish: the indicator values as the snapshot publishes them.
VINTAGE_SQL = """
insert into marts.indicator_vintages
select $now, $run_id, plan_id, indicator_code, period, actual_value, yoy_growth_pct, status
from marts.indicator_progress
"""
# A figure of the previous publish (old) against this one's (new), rows of a full join on its key:
# its kind of revision, old and new value (each vintage's `actual_value`).
REVISION_KIND = """
    case
        when old.period is null then 'added'
        when new.period is null then 'removed'
        when old.actual_value is null then 'filled'
        when new.actual_value is null then 'cleared'
        else 'changed'
    end as revision_kind,
    old.actual_value as old_value,
    new.actual_value as new_value"""


def coalesced(keys: tuple[str, ...]) -> str:
    """The select list of a vintage's keys, from whichever side of the full outer join has the row."""
    return "".join(f"    coalesce(new.{key}, old.{key}) as {key},\n" for key in keys)


def matched(keys: tuple[str, ...], left: str = "old", right: str = "new") -> str:
    """The join condition of two relations on the same `keys` (the histories' own names)."""
    return " and ".join(f"{left}.{key} = {right}.{key}" for key in keys)


_KEYS = ("plan_id", "indicator_code", "period")
# Figures of periods the previous publish covered that differ between the two vintages.
CHANGED_SQL = (
    """
with
old as (select * from marts.indicator_vintages where published_at = $previous),
new as (select * from marts.indicator_vintages where published_at = $now),
covered as (select max(period) as last_period from old)
select
"""
    + coalesced(_KEYS)
    + REVISION_KIND
    + """
from old
full outer join new
    on """
    + matched(_KEYS)
    + """
cross join covered
where (old.period is null and new.period <= covered.last_period)
    or new.period is null
    or (old.period is not null and old.actual_value is distinct from new.actual_value)
"""
)
# The files that arrived, were superseded or were withdrawn since the previous publish ($previous):
# what happened to each, the periods (or years) it keys and the reporting units it names.
CHANGED_FILES = """
changed_files as (
    select
        kind,
        source_file,
        superseded_by,
        case
            when status = 'superseded' then 'superseded by ' || coalesce(superseded_by, 'a newer file')
            when status = 'withdrawn' then 'withdrawn'
            else 'arrived'
        end as what,
        string_split(coalesce(periods, ''), ',') as keys,
        string_split(coalesce(districts, ''), ',') as units
    from build.raw.ingest_ledger
    where status in ('ingested', 'superseded', 'withdrawn')
        and coalesce(status_changed_at, first_seen_at) > $previous
)
"""


def feeds(filings_feed: str, is_rate: str) -> str:
    """The join condition of a changed file (changed_files) and a revised value (revisions) it feeds:
    a filings file the values of its month that `filings_feed` holds for, a survey the digitalization
    rate (`is_rate`) of its year, a registry every period of its year and after (which enterprises are
    in scope). Both histories join this way; the arguments are fixed SQL, never input."""
    return f"""(changed_files.kind = 'filings'
                and ({filings_feed})
                and list_contains(changed_files.keys, strftime(revisions.period, '%Y-%m')))
        or (changed_files.kind = 'surveys' and {is_rate}
                and list_contains(changed_files.keys, cast(year(revisions.period) as varchar)))
        or (changed_files.kind = 'registry'
                and (changed_files.keys = [''] or list_min(changed_files.keys) <= cast(year(revisions.period) as varchar)))"""


# Files that changed since the previous publish and feed a figure's period: the enterprise filings of
# that month (revenue and R&D; for every indicator when the period itself came or went, as the
# filings make the periods), the survey of its year (digitalization rate), and the registries in
# force for its year or before it (which enterprises are in scope).
CAUSES_SQL = (
    "with"
    + CHANGED_FILES
    + """,
feeds as (
    select revisions.indicator_code, revisions.period, changed_files.source_file, changed_files.what
    from revisions
    join changed_files
        on """
    + feeds(
        "revisions.indicator_code <> 'digitalization_rate' or revisions.revision_kind in ('added', 'removed')",
        "revisions.indicator_code = 'digitalization_rate'",
    )
    + """
)
select indicator_code, period, string_agg(source_file || ' (' || what || ')', '; ' order by what <> 'arrived', source_file) as files
from feeds
group by all
"""
)


def revisions_sql(table: str, keys: tuple[str, ...], cause_keys: tuple[str, ...]) -> str:
    """This publish's revisions into marts.`table`, from the two temporary tables `record` makes: each
    revised value by its `keys`, with the files that caused it, found by `cause_keys`. The names are
    the histories' own, never input."""
    return f"""
insert into marts.{table}
select
    $now, $run_id, $previous, {", ".join(f"revisions.{key}" for key in keys)},
    revisions.revision_kind, revisions.old_value, revisions.new_value,
    revisions.new_value - revisions.old_value, causes.files,
    case when causes.files is null then $unexplained else $explained end
from revisions
left join causes
    on {matched(cause_keys, "revisions", "causes")}
"""


REVISIONS_SQL = revisions_sql("indicator_revisions", _KEYS, ("indicator_code", "period"))


@dataclass(frozen=True)
class History:
    """One kept history: a vintage table (what each publish published) and a revision table (what a
    publish changed), with the statements that fill them. Each statement reads named parameters:
    $now and $run_id (this publish), $previous (the one before), $explained and $unexplained."""

    vintages: str
    revisions: str
    ddl: tuple[str, str]
    vintage_sql: str
    changed_sql: str
    causes_sql: str
    revisions_sql: str


INDICATORS = History(
    "indicator_vintages", "indicator_revisions", (VINTAGES_DDL, REVISIONS_DDL), VINTAGE_SQL, CHANGED_SQL,
    CAUSES_SQL, REVISIONS_SQL,
)  # fmt: skip


def record(
    con: duckdb.DuckDBPyConnection,
    published_at: dt.datetime,
    run_id: str,
    history: str | None,
    kept: History = INDICATORS,
) -> int:
    """Carry the earlier vintages and revisions of `kept` from `history` (a schema holding them, or
    None on a first publish), add this publish's vintage and its revisions against the previous one;
    returns the number of revisions this publish made. `con` has the new snapshot's marts and `build`
    attached. A history from before `kept` existed starts with this publish: nothing to compare with."""
    for ddl in kept.ddl:
        con.execute(ddl)
    for table in (kept.vintages, kept.revisions):
        if history is not None and schema_has(con, history, table):
            con.execute(f"insert into marts.{table} by name select * from {history}.{table}")
    previous = con.execute(f"select max(published_at) from marts.{kept.vintages}").fetchone()[0]
    con.execute(kept.vintage_sql, {"now": published_at, "run_id": run_id})
    if previous is None:
        return 0
    con.execute(
        f"create temporary table revisions as {kept.changed_sql}", {"previous": previous, "now": published_at}
    )
    con.execute(f"create temporary table causes as {kept.causes_sql}", {"previous": previous})
    con.execute(
        kept.revisions_sql,
        {
            "now": published_at,
            "run_id": run_id,
            "previous": previous,
            "explained": cause_note("named"),
            "unexplained": cause_note(None),
        },
    )
    count = con.execute("select count(*) from revisions").fetchone()[0]
    con.execute("drop table revisions; drop table causes")
    return count


def cause_note(files: str | None) -> str:
    """What a reader should make of a revision's cause, in words that stay true when no file is named."""
    if files:
        return "the files named in caused_by changed since the previous publish and feed this period"
    return (
        "no file of this period arrived, was superseded or was withdrawn since the previous publish: the "
        "change comes from reference data (seeds), planwatch's definitions or a file of another period"
    )


def latest_revisions(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> list[tuple]:
    """The revisions of the latest publish: indicator, period, kind, old, new, caused_by."""
    if not schema_has(con, schema, "indicator_revisions"):
        return []
    return con.execute(
        f"""
        select indicator_code, period, revision_kind, old_value, new_value, caused_by
        from {schema}.indicator_revisions
        where published_at = (select max(published_at) from {schema}.publish_log)
        order by indicator_code, period
        """
    ).fetchall()


def schema_has(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    catalog, _, name = schema.rpartition(".")
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    params = [name, table]
    if catalog:
        query += " and table_catalog = ?"
        params.append(catalog)
    return bool(con.execute(query, params).fetchone()[0])
