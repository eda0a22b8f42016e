"""`planwatch status`: what the warehouse holds, from the ledger in build.duckdb and the published
snapshot; it opens with a summary, and never opens build.duckdb while a run holds the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration import locking, preflight
from orchestration.cell_vintages import latest_cell_revisions
from orchestration.ingest.entities import loaded_entities, note_partial_repeat
from orchestration.ingest.kinds import KINDS
from orchestration.ingest.layout import misnamed_month
from orchestration.settings import Settings
from orchestration.summary import files_changed
from orchestration.vintages import latest_revisions

EXIT_OK = 0


class NoWarehouse(Exception):
    """`planwatch status` before any run."""


def status(settings: Settings, kind: str | None = None, period: str | None = None) -> int:
    """A summary first, then files by kind, period and status (only `kind` and `period` when given)
    with the rejected, superseded, refused and withdrawn files, the last publish and the figures it
    revised, and findings by district."""
    if not settings.build_db.exists():
        raise NoWarehouse(f"no warehouse at {settings.warehouse_dir}; run `planwatch run` first")
    ledger, files_note = _read_ledger(settings, kind, period)
    published, published_note = _read_published(settings.analytics_db)
    last = published[0] if published is not None else None
    pending = files_changed(settings.build_db, last[0]) if ledger is not None and last else 0
    for line in summary(
        ledger,
        published,
        unread=published_note is not None and settings.analytics_db.exists(),
        pending=pending,
    ):
        print(line)
    print()
    if files_note:
        print(files_note)
    if ledger is not None:
        _print_ledger(*ledger[:5], settings)
        if ledger[7]:
            print("Files that repeat part of an earlier file and leave out the rest (both count):")
            for note in ledger[7]:
                print(f"  {note}")
        if ledger[8]:
            print(
                "Files whose name gives a month none of their lines is of (they count for their lines' month):"
            )
            for note in ledger[8]:
                print(f"  {note}")
        if ledger[9]:
            print("Files that count with something left unread or read with a doubt (the reader's notes):")
            for note in ledger[9]:
                print(f"  {note}")
        if ledger[6]:
            print(ledger[6])
    docs = settings.data_docs_dir / "index.html"
    print(f"Great Expectations Data Docs: {docs if docs.exists() else 'not written yet'}")
    workbooks = sorted(settings.feedback_dir.glob("*/*.xlsx")) if settings.feedback_dir.is_dir() else []
    print(f"District feedback workbooks: {len(workbooks)} under {settings.feedback_dir}")
    if published_note:
        print(published_note)
    if published is not None:
        _print_published(*published, settings)
    return EXIT_OK


# The code column of the findings that name no district (DQ12 is city-wide).
CITY_WIDE = "—"
# How many revised chain and district values the status lists (a corrected month revises dozens).
CELLS_SHOWN = 12


def summary(
    ledger: tuple | None, published: tuple | None, unread: bool = False, pending: int = 0
) -> list[str]:
    """Three lines: the files by status, the last publish, the findings. `unread`: there is a snapshot
    that could not be read now (locked, or a stray .wal), which is not "nothing published". `pending`:
    files ingested, replaced or withdrawn after the last publish (a run refused, or killed, after its
    ingest), which the snapshot does not show."""
    lines = ["Summary"]
    if ledger is not None:
        by_status = ", ".join(f"{count} {state}" for state, count in ledger[5])
        lines.append(f"  files: {by_status or 'none'}")
    if published is None:
        lines.append("  published snapshot: not read now (why: below)" if unread else "  nothing published")
        return lines
    last, revisions, findings, cells = published
    if last:
        lines.append(
            f"  published {last[0]:%Y-%m-%d %H:%M}, periods {last[2]:%Y-%m}..{last[3]:%Y-%m}, "
            f"{len(revisions)} figures revised, {len(cells)} chain and district values revised"
        )
        if pending:
            lines.append(
                f"  {pending} files came in, were replaced or left raw/ after that publish: the snapshot does "
                "not show them yet (the next `planwatch run` that publishes will)"
            )
    errors, warns = sum(row[2] for row in findings), sum(row[3] for row in findings)
    # as the run's summary counts them: the city-wide findings (no district) are no district's
    districts = sum(1 for row in findings if row[0] != CITY_WIDE)
    city_wide = " and city-wide" if any(row[0] == CITY_WIDE for row in findings) else ""
    lines.append(f"  findings: {errors} errors, {warns} warnings in {districts} districts{city_wide}")
    return lines


def _read_ledger(settings: Settings, kind: str | None, period: str | None) -> tuple[tuple | None, str | None]:
    """The ledger's lists, or why they are not shown."""
    holder = locking.current_holder(settings.warehouse_dir)
    if holder is not None:
        # even a read-only connection would stop the run from opening build.duckdb to write
        return None, (
            f"A run is in progress: {locking.describe_run_in_progress(settings.warehouse_dir, holder)}.\n"
            "Files: not shown while it runs (reading build.duckdb now could stop it); run `planwatch "
            "status` again when it has finished."
        )
    try:
        return _ledger(settings.build_db, kind, period), None
    except duckdb.BinderException:
        # a column a later planwatch added, which `planwatch run` adds to an older warehouse
        return None, (
            "Files: not shown: build.duckdb was written by an older planwatch; `planwatch run` brings it "
            "up to date."
        )
    except duckdb.Error as exc:
        if locking.is_lock_error(str(exc)):
            return None, f"Files: not shown, {locking.describe_locked_file(settings.build_db, str(exc))}."
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"Files: not shown: {preflight.damaged_build_message(settings.build_db, reason)}."


def _read_published(analytics_db: Path) -> tuple[tuple | None, str | None]:
    if not analytics_db.exists():
        return None, "Nothing published yet."
    try:
        return _published(analytics_db), None
    except locking.SnapshotUnreadable as exc:
        return None, f"Published snapshot: not shown, {exc}."


# A version of a file rejected, then replaced at the same path by content that came later: the fix
# is in, so the rejection is no longer something to act on (the ledger keeps it, status leaves it out).
NOT_REPLACED = """not (entry.status = 'rejected' and exists (
    select 1 from raw.ingest_ledger as later
    where later.source_file = entry.source_file and later.first_seen_at > entry.first_seen_at
))"""


def _ledger(build_db: Path, kind: str | None = None, period: str | None = None) -> tuple[list, ...]:
    """Files by kind, period and status; the rejected, superseded, refused and withdrawn files; only
    those of `kind` and covering `period` (YYYY-MM, or a registry's or survey's year) when given."""
    # a file that could not be read has no periods of its own: the month its name gives is its period
    where = (
        "(? is null or kind = ?) and (? is null or list_contains(string_split(coalesce(periods, named_period, ''), "
        f"','), ?)) and {NOT_REPLACED}"
    )
    params = [kind, kind, period, period]
    with duckdb.connect(str(build_db), read_only=True) as con:
        counts = con.execute(
            f"""
            with files as (
                select kind, status, unnest(string_split(coalesce(periods, named_period, '—'), ',')) as period
                from raw.ingest_ledger as entry
                where {where}
            )
            select kind, period, status, count(*) from files
            where ? is null or period = ?
            group by all order by kind, period, status
            """,
            [*params, period, period],
        ).fetchall()
        lists = [
            con.execute(f"select {columns} from raw.ingest_ledger as entry where status = ? and {where} "
                        "order by source_file",
                        [state, *params]).fetchall()
            for columns, state in (
                ("source_file, reason", "rejected"),
                ("source_file, superseded_by", "superseded"),
                ("reason", "refused"),
                ("source_file, status_changed_at", "withdrawn"),
            )
        ]  # fmt: skip
        totals = con.execute(
            f"select status, count(*) from raw.ingest_ledger as entry where {where} group by status order by status",
            params,
        ).fetchall()
        in_force = registry_in_force(con, period) if kind in (None, "registry") and period else None
        repeats = partial_repeats(con, kind, period)
        named = con.execute(
            f"select kind, source_file, periods from raw.ingest_ledger as entry where status = 'ingested' and {where} "
            "order by source_file",
            params,
        ).fetchall()
        read_with_notes = reader_notes(con, where, params)
    misnamed = [
        note
        for kind_name, source_file, periods in named
        if KINDS[kind_name].monthly and (note := misnamed_month(source_file, (periods or "").split(",")))
    ]
    return (counts, *lists, totals, in_force, repeats, misnamed, read_with_notes)


def reader_notes(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[str]:
    """What the reader said of the files that count (sheets not read, rows hidden), one note each; none
    from a ledger an older planwatch wrote (the next run adds the column)."""
    has_notes = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' "
        "and table_name = 'ingest_ledger' and column_name = 'reader_notes'"
    ).fetchone()[0]
    if not has_notes:
        return []
    rows = con.execute(
        "select reader_notes from raw.ingest_ledger as entry "
        f"where status = 'ingested' and reader_notes is not null and {where} order by source_file",
        params,
    ).fetchall()
    return [note for (notes,) in rows for note in notes.splitlines()]


def partial_repeats(con: duckdb.DuckDBPyConnection, kind: str | None, period: str | None) -> list[str]:
    """Files in that repeat part of an earlier file of the same months and leave out the rest, both
    counting (`note_partial_repeat`): read now, so that a note goes when either file does."""
    pairs = con.execute(
        """
        select later.kind, earlier.file_sha256, earlier.source_file, later.file_sha256, later.source_file
        from raw.ingest_ledger as later
        join raw.ingest_ledger as earlier
            on later.kind = earlier.kind and later.periods = earlier.periods
            and later.first_seen_at > earlier.first_seen_at
        where later.status = 'ingested' and earlier.status = 'ingested'
            and (? is null or later.kind = ?)
            and (? is null or list_contains(string_split(later.periods, ','), ?))
        order by later.source_file, earlier.source_file
        """,
        [kind, kind, period, period],
    ).fetchall()
    notes = []
    for kind_name, earlier_sha, earlier_file, later_sha, later_file in pairs:
        kind_def = KINDS[kind_name]
        note = note_partial_repeat(
            kind_def,
            earlier_file,
            later_file,
            loaded_entities(con, kind_def, earlier_sha, earlier_file),
            loaded_entities(con, kind_def, later_sha, later_file),
        )
        if note:
            notes.append(note)
    return notes


def registry_in_force(con: duckdb.DuckDBPyConnection, period: str) -> str | None:
    """Which registry list the figures of `period`'s year use (README: a registry is a list as of a
    year), as the last build decided it; None before the first build."""
    year = int(period[:4])
    built = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'intermediate' and table_name = 'int_registry_vintages'"
    ).fetchone()[0]
    if not built:
        return None
    row = con.execute(
        "select registry_vintage from intermediate.int_registry_vintages where scope_year = ?", [year]
    ).fetchone()
    if row is None or row[0] is None:
        return f"Registry in force for {year}: none (the last build had no registry list for that year)"
    files = (
        "" if row[0] == year else f"; `planwatch status --kind registry --period {row[0]}` lists its files"
    )
    return f"Registry in force for {year}: the list of {row[0]}{files}"


def _print_ledger(
    counts: list, rejected: list, superseded: list, refused: list, withdrawn: list, settings: Settings
) -> None:
    print("Files by kind, period and status (a file covering several periods counts in each):")
    print(f"  {'kind':<12}{'period':<10}{'status':<12}{'files':>6}")
    for kind, period, state, count in counts:
        print(f"  {kind:<12}{period:<10}{state:<12}{count:>6}")
    if superseded:
        print("Superseded by a corrected file:")
        for source, newer in superseded:
            print(f"  {source} → {newer}")
    if rejected:
        print(f"Rejected files (copies and reasons in {settings.quarantine_dir}):")
        for _source, reason in rejected:
            print(f"  {reason}")
    if refused:
        print("Refused unread (links, pipes, folders named like files, hidden and lock files):")
        for (reason,) in refused:
            print(f"  {reason}")
    if withdrawn:
        print("Withdrawn (ingested, then removed from raw/ or changed in place; their rows left the marts):")
        for source, when in withdrawn:
            print(f"  {source}" + (f" (noticed {when:%Y-%m-%d %H:%M})" if when else ""))


def _print_revisions(revisions: list) -> None:
    """The figures the last publish changed in periods published before, and the files behind them."""
    if not revisions:
        print("  It revised no figure published before (marts.indicator_revisions).")
        return
    print(f"  It revised {len(revisions)} figures published before (marts.indicator_revisions):")
    for indicator, period, kind, old, new, caused_by in revisions:
        old_text, new_text = ("—" if v is None else f"{v:,.8g}" for v in (old, new))
        print(f"    {indicator} {period:%Y-%m}: {old_text} → {new_text} ({kind})")
        print(f"      {'files: ' + caused_by if caused_by else 'no file of this period changed'}")


def _print_cell_revisions(cells: list) -> None:
    """The chain and district values the last publish changed, the first CELLS_SHOWN of them."""
    if not cells:
        print("  It revised no chain or district value published before (marts.cell_revisions).")
        return
    print(f"  It revised {len(cells)} chain and district values published before (marts.cell_revisions):")
    for table, unit, period, measure, kind, old, new, caused_by in cells[:CELLS_SHOWN]:
        old_text, new_text = ("—" if v is None else f"{v:,.8g}" for v in (old, new))
        files = "files: " + caused_by if caused_by else "no file of this period changed"
        print(f"    {table} {unit} {period:%Y-%m} {measure}: {old_text} → {new_text} ({kind}; {files})")
    if len(cells) > CELLS_SHOWN:
        print(
            f"    … and {len(cells) - CELLS_SHOWN} more: select * from marts.cell_revisions "
            "where published_at = (select max(published_at) from marts.publish_log)"
        )


def _published(analytics_db: Path) -> tuple[tuple | None, list, list, list]:
    """The last publish, the figures it revised, the findings by district and the chain and district
    values it revised, from the snapshot."""
    with locking.connect_snapshot(analytics_db) as con:
        last = con.execute(
            "select published_at, run_id, first_period, last_period from marts.publish_log "
            "order by published_at desc limit 1"
        ).fetchone()
        findings = con.execute(
            """
            with names as (select distinct district_code, district_name from marts.district_monthly)
            select
                coalesce(findings.district_code, ?),
                coalesce(names.district_name, '全市 city-wide'),
                count(*) filter (where findings.severity = 'error'),
                count(*) filter (where findings.severity = 'warn')
            from marts.dq_findings as findings
            left join names on findings.district_code = names.district_code
            group by all
            order by 3 desc, 4 desc, 1
            """,
            [CITY_WIDE],
        ).fetchall()
        revisions = latest_revisions(con)
        cells = latest_cell_revisions(con)
    return last, revisions, findings, cells


def _print_published(
    last: tuple | None, revisions: list, findings: list, cells: list, settings: Settings
) -> None:
    if last:
        print(
            f"Last publish: {last[0]:%Y-%m-%d %H:%M} (run {last[1]}), periods {last[2]:%Y-%m}..{last[3]:%Y-%m}"
        )
        _print_revisions(revisions)
        _print_cell_revisions(cells)
    if findings:
        print(f"Findings by district (feedback workbooks in {settings.feedback_dir}):")
        print(f"  {'code':<8}{'errors':>7}{'warns':>7}  district")
    else:
        print("No findings.")
    for district, name, errors, warns in findings:
        print(f"  {district:<8}{errors:>7}{warns:>7}  {name}")
