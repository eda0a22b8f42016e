"""The few lines a `planwatch run` ends with: what came in, what was found, what was published, and
where to look next. Read from the ledger in build.duckdb and from the published snapshot, after the
job, so they say what the files on disk say."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from orchestration.locking import SnapshotUnreadable, connect_snapshot, describe_locked_file, is_lock_error
from orchestration.settings import Settings

# Ledger statuses in the order a person reads them, and how the summary names them.
STATUS_WORDS = (
    ("ingested", "ingested"),
    ("duplicate", "duplicate (same content as a file already in)"),
    ("superseded", "superseded by a corrected file"),
    ("rejected", "rejected"),
    ("refused", "refused unread"),
    ("withdrawn", "withdrawn (removed from raw/, or changed in place)"),
)


def file_counts(build_db: Path, since: dt.datetime) -> dict[str, int]:
    """Files by ledger status whose status this run set: first seen, or changed, at `since` or later."""
    if not build_db.exists():
        return {}
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute(
            "select status, count(*) from raw.ingest_ledger "
            "where coalesce(status_changed_at, first_seen_at) >= ? group by status",
            [since],
        ).fetchall()
    return dict(rows)


def carried_files(settings: Settings, since: dt.datetime) -> int:
    """Files ingested, superseded or withdrawn after the publish before this run and before this run
    began: an earlier run took them in and did not publish."""
    try:
        with connect_snapshot(settings.analytics_db) as con:
            (previous,) = con.execute(
                "select max(published_at) from marts.publish_log where published_at < ?", [since]
            ).fetchone()
    except (SnapshotUnreadable, duckdb.Error):
        return 0
    return files_changed(settings.build_db, previous, since)


def files_changed(build_db: Path, after: dt.datetime | None, before: dt.datetime | None = None) -> int:
    """Files whose ingest, supersession or withdrawal (what changes figures) came after `after` (all
    when None) and before `before` (when given): the one count the run summary and status make."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        (count,) = con.execute(
            "select count(*) from raw.ingest_ledger where status in ('ingested', 'superseded', 'withdrawn') "
            "and coalesce(status_changed_at, first_seen_at) > coalesce(?::timestamp, '-infinity'::timestamp) "
            "and coalesce(status_changed_at, first_seen_at) < coalesce(?::timestamp, 'infinity'::timestamp)",
            [after, before],
        ).fetchone()
    return count


def snapshot_facts(analytics_db: Path) -> tuple[str, int, int, str] | None:
    """Periods covered, error and warning findings, and districts with findings, of the snapshot."""
    if not analytics_db.exists():
        return None
    with connect_snapshot(analytics_db) as con:
        first, last, periods = con.execute(
            "select min(period), max(period), count(distinct period) from marts.indicator_progress"
        ).fetchone()
        errors, warns, districts, city_wide = con.execute(
            "select count(*) filter (where severity = 'error'), count(*) filter (where severity = 'warn'), "
            "count(distinct district_code), count(*) filter (where district_code is null) "
            "from marts.dq_findings"
        ).fetchone()
    covered = f"{first:%Y-%m}..{last:%Y-%m} ({periods} periods)" if first else "no period"
    # worded as `planwatch status` words the same counts: findings of no district are city-wide
    return covered, errors, warns, f"{districts} districts" + (" and city-wide" if city_wide else "")


def summary_lines(
    settings: Settings,
    since: dt.datetime,
    published: str,
    revised: int = 0,
    log: Path | None = None,
    feedback_written: bool = True,
    published_now: bool = False,
) -> list[str]:
    """The run's summary; `published` says what happened to the snapshot, in words that are true.
    `feedback_written`: this run wrote the feedback workbooks (they are written only after a publish).
    `published_now`: this run published, so files an earlier run took in without publishing are in."""
    try:
        counts = file_counts(settings.build_db, since)
        files = ", ".join(f"{counts[status]} {words}" for status, words in STATUS_WORDS if counts.get(status))
    except duckdb.Error as exc:
        if not is_lock_error(str(exc)):
            raise
        # this run holds the warehouse, so the holder is a process it started and could not stop
        counts, files = (
            {},
            f"not counted, {describe_locked_file(settings.build_db, str(exc), run_may_hold=False)}",
        )
    lines = ["Summary", f"  files this run: {files or 'none new, none changed'}"]
    earlier = carried_files(settings, since) if published_now and counts is not None else 0
    if earlier:
        lines[-1] += (
            f"; {earlier} files taken in by an earlier run that did not publish (refused, failed or "
            "killed): published now"
        )
    try:
        facts = snapshot_facts(settings.analytics_db)
    except SnapshotUnreadable as exc:
        facts = None
        lines.append(f"  snapshot: not readable: {exc}")
    if facts is not None:
        covered, errors, warns, districts = facts
        lines.append(f"  snapshot: {covered}; findings {errors} errors, {warns} warnings in {districts}")
    lines.append(f"  {published}" + (f"; it revised {revised} figures published before" if revised else ""))
    if counts.get("rejected") or counts.get("refused"):
        lines.append(
            f"  rejected files and their reasons: planwatch status, copies in {settings.quarantine_dir}"
        )
    if log is not None:
        lines.append(f"  dbt's line per model and test: {log} (planwatch run --verbose prints them)")
    feedback = f"feedback workbooks in {settings.feedback_dir} · " if feedback_written else ""
    lines.append(
        f"  next: planwatch status (files, revisions, findings) · planwatch report (the briefing) · "
        f"{feedback}make dev (the Dagster UI)"
    )
    if not feedback_written and any(settings.feedback_dir.glob("*/*.xlsx")):
        lines.append(
            f"  feedback workbooks in {settings.feedback_dir}: not rewritten by this run (they are from an "
            "earlier publish)"
        )
    return lines
