"""One refresh of the warehouse through Dagster, as the command line asks for it: which months the
run covers and what its steps are told (`refresh_request`), the run itself (`execute_refresh`) and,
when it fails, what stopped it and what it did to the snapshot, in words that are true. No printing:
orchestration/cli.py prints what these return."""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration.constants import MONTHLY_INGEST_OPS, MONTHLY_KINDS, monthly_partitions
from orchestration.settings import Settings


class PeriodOutOfRange(ValueError):
    """A --period the warehouse does not track."""


@dataclass(frozen=True)
class RefreshRequest:
    """What one run of job `refresh` is given, and the line that says which months it covers."""

    run_config: dict
    tags: dict[str, str]
    announcement: str


def refresh_request(
    settings: Settings, quiet: bool, accept_drop: str | None, full_refresh: bool, period: str | None
) -> RefreshRequest:
    """The run config and tags of one refresh: which months it covers and what its steps are told."""
    keys = monthly_partitions.get_partition_keys()
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}}
    ops: dict = {}
    if accept_drop is not None:
        ops["published__analytics_snapshot"] = {"config": {"accept_drop": accept_drop}}
    if period is not None:
        if f"{period}-01" not in keys:
            raise PeriodOutOfRange(
                f"--period {period} is outside the months the warehouse tracks, {keys[0][:7]}..{keys[-1][:7]}"
            )
        partitions = (f"{period}-01", f"{period}-01")
        loaded = (
            "its files under raw/ are loaded again"
            if month_has_files(settings, period)
            else "no file under raw/ covers it, so nothing is loaded; the models are rebuilt"
        )
        announcement = (
            f"re-running {period}: {loaded} (new files of other months wait for the next `planwatch run`)"
        )
    elif found := partition_range(settings):
        partitions = found
        announcement = f"new monthly files for {partitions[0][:7]}..{partitions[1][:7]}"
    else:
        # The monthly ingest steps still run (on the latest month, loading nothing old again): they are
        # where files that left raw/ are withdrawn and links or hidden files are refused and listed.
        partitions = (keys[-1], keys[-1])
        announcement = "no new monthly files; refreshing the reference data, models and snapshot"
    # A backfill reloads the month's files already ingested; a refresh loads only files not yet seen.
    ops |= {op: {"config": {"only_new_files": period is None}} for op in MONTHLY_INGEST_OPS}
    if full_refresh:
        ops["planwatch_dbt"] = {"config": {"full_refresh": True}}
    run_config["ops"] = ops
    tags = {
        "planwatch/trigger": "cli",
        "dagster/asset_partition_range_start": partitions[0],
        "dagster/asset_partition_range_end": partitions[1],
    }
    return RefreshRequest(run_config, tags, announcement)


def partition_range(settings: Settings) -> tuple[str, str] | None:
    """First and last monthly partition that new files touch, clipped to the partitions that exist."""
    from orchestration import locking
    from orchestration.ingest.loader import new_files
    from orchestration.ingest.parsing import file_periods

    keys = monthly_partitions.get_partition_keys()
    if not keys:
        return None
    months: set[str] = set()
    with locking.connect_for_writing(settings.build_db) as con:
        for kind in MONTHLY_KINDS:
            for raw_file in new_files(con, settings.raw_dir, kind):
                months |= file_periods(raw_file) or {keys[-1][:7]}
    if not months:
        return None
    clipped = sorted(min(max(f"{month}-01", keys[0]), keys[-1]) for month in months)
    return clipped[0], clipped[-1]


def month_has_files(settings: Settings, period: str) -> bool:
    """Whether a backfill of `period` (YYYY-MM) has anything to load: a file the ledger has ingested
    for it, or a new file under raw/ covering it."""
    from orchestration import locking
    from orchestration.ingest.ledger import ensure_schema
    from orchestration.ingest.loader import new_files
    from orchestration.ingest.parsing import file_periods

    with locking.connect_for_writing(settings.build_db) as con:
        ensure_schema(con)
        ingested = con.execute(
            "select count(*) from raw.ingest_ledger where status = 'ingested' and kind in ? "
            "and list_contains(string_split(periods, ','), ?)",
            [list(MONTHLY_KINDS), period],
        ).fetchone()[0]
        return ingested > 0 or any(
            period in file_periods(raw_file)
            for kind in MONTHLY_KINDS
            for raw_file in new_files(con, settings.raw_dir, kind)
        )


def execute_refresh(run_config: dict, tags: dict[str, str], run_log: Path | None):
    """Job `refresh` in this process against the warehouse's Dagster instance. Dagster's progress by
    step goes to stderr and stdout carries only the scorecard; dbt's line per model and test (dagster-dbt
    writes them to stdout) go to `run_log`, or to stderr when it is None (--verbose)."""
    import dagster as dg

    from orchestration.definitions import defs

    job = defs().resolve_job_def("refresh")
    with dg.DagsterInstance.get() as instance, contextlib.ExitStack() as output:
        if run_log is None:
            target = sys.stderr
        else:
            run_log.parent.mkdir(parents=True, exist_ok=True)
            target = output.enter_context(run_log.open("w", encoding="utf-8"))
        output.enter_context(contextlib.redirect_stdout(target))
        return job.execute_in_process(
            instance=instance, run_config=run_config, tags=tags, raise_on_error=False
        )


def failure_summary(result) -> list[str]:
    """What stopped a run, in a few lines: failed blocking checks (dbt tests) first, then failed steps
    with the innermost error, which is the one that names the cause (Dagster's public result API)."""
    import dagster as dg

    lines = [
        f"check {evaluation.asset_key.to_user_string()} / {evaluation.check_name} failed"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None and error.cause is not None:
            error = error.cause
        text = error.message.strip() if error else ""
        if error is not None and error.cls_name == "PublishRefused":
            message = text.removeprefix("orchestration.publish.PublishRefused: ")
        elif error is not None and error.cls_name == "DagsterDbtCliRuntimeError" and dbt_errors(text):
            # dagster-dbt's first line says only that dbt failed; dbt's own words name the model
            message = "; ".join(dbt_errors(text))
        else:
            message = text.splitlines()[0] if text else "failed"
        lines.append(f"step {event.step_key} failed: {message}")
    return lines


# dbt's words for a node it could not build: "Runtime Error in model int_x (models/…/int_x.sql)",
# then the database's message on the next line. A failed test is not one: its check names it.
_DBT_NODE_ERROR = re.compile(
    r"^\s*(?:[\w ]+ )?Error in (?P<kind>model|seed|snapshot) (?P<name>\S+) \((?P<path>[^)]+)\)\s*\n\s*(?P<detail>\S.*)$",
    re.MULTILINE,
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def dbt_errors(text: str) -> list[str]:
    """The models (seeds, snapshots) dbt could not build, each with the database's reason, from the
    text of dagster-dbt's error (the dbt log's error lines follow "Errors parsed from dbt logs:")."""
    found: list[str] = []
    for match in _DBT_NODE_ERROR.finditer(_ANSI.sub("", text)):
        # a contract's table is built as <name>__dbt_tmp, then renamed: the column is the model's
        detail = match["detail"].strip().replace(f"{match['name']}__dbt_tmp.", f"{match['name']}.")
        line = f"dbt could not build {match['kind']} {match['name']} ({match['path']}): {detail}"
        if line not in found:
            found.append(line)
    return found


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """Inode, mtime and size: what changes when a file is replaced or written."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _published_by(analytics_db: Path, run_id: str) -> bool:
    import duckdb

    try:
        with duckdb.connect(str(analytics_db), read_only=True) as con:
            # a run id is unique; published_at has whole seconds, so two publishes can tie on it
            found = con.execute(
                "select count(*) from marts.publish_log where run_id = ?", [run_id]
            ).fetchone()
    except duckdb.Error:
        return False
    return bool(found and found[0])


def snapshot_outcome(analytics_db: Path, before: tuple[int, int, int] | None, run_id: str) -> str:
    """What a failed run did to the snapshot, in words that are true."""
    if file_signature(analytics_db) == before:
        return f"nothing published; {analytics_db} is unchanged"
    if _published_by(analytics_db, run_id):
        return f"{analytics_db} was published by this run, but a later step failed"
    return f"{analytics_db} changed during the run, but planwatch did not write it"
