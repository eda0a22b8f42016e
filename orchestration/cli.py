"""The `planwatch` command: run the pipeline through Dagster, show status, write demo data."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from orchestration.constants import MONTHLY_KINDS, RAW_KIND_FOLDERS
from orchestration.scorecard import revised_count, scorecard
from orchestration.settings import ConfigurationError, Settings
from orchestration.status import NoWarehouse, status

EXIT_PUBLISHED, EXIT_NOT_PUBLISHED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or configuration: exit status 2 with the message."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planwatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="ingest new files, build and test the models, publish the snapshot")
    run.add_argument("--raw", help="raw folder (default $PLANWATCH_RAW_DIR or raw/)")
    run.add_argument("--warehouse", help="warehouse folder (default $PLANWATCH_WAREHOUSE_DIR or warehouse/)")
    run.add_argument("--quiet", action="store_true", help="print only warnings and the scorecard")
    run.add_argument(
        "--verbose",
        action="store_true",
        help="print dbt's line per model and test too (by default they go to <warehouse>/logs/run.log)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental models from the raw tables (done by itself after a dbt change)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="run even when raw/, the code and the warehouse are as the last successful run left them",
    )
    run.add_argument(
        "--period",
        type=_month_key,
        help="re-run one month (YYYY-MM): load its files under raw/ again, rebuild and publish (a backfill)",
    )
    run.add_argument(
        "--accept-drop",
        metavar="REASON",
        help="publish even if the coverage gate refuses (no enterprise in scope, or the latest period "
        "losing more than var publish_max_drop_share); REASON is recorded in marts.publish_log",
    )
    status = commands.add_parser("status", help="a summary, files by status, the last publish, findings")
    status.add_argument(
        "--warehouse", help="warehouse folder (default $PLANWATCH_WAREHOUSE_DIR or warehouse/)"
    )
    status.add_argument("--kind", choices=RAW_KIND_FOLDERS, help="list only the files of this kind")
    status.add_argument(
        "--period", type=_period_key, help="list only the files covering this month (YYYY-MM) or year (YYYY)"
    )
    report = commands.add_parser("report", help="the monthly briefing: an .xlsx workbook and an .html page")
    report.add_argument("--period", help="the month to report, YYYY-MM (default: the latest published)")
    report.add_argument("--out", help="folder to write to (default <warehouse>/reports/briefing)")
    report.add_argument(
        "--warehouse", help="warehouse folder (default $PLANWATCH_WAREHOUSE_DIR or warehouse/)"
    )
    demo = commands.add_parser("demo-data", help="write a realistic synthetic raw folder")
    demo.add_argument("--out", required=True, help="folder to write (created if missing)")
    demo.add_argument("--enterprises", type=int, default=800, help="in-scope enterprises (default 800)")
    demo.add_argument("--months", type=int, default=58, help="months from 2022-01 (default 58: to 2026-10)")
    demo.add_argument("--seed", type=int, default=20231113, help="random seed (default 20231113)")
    demo.add_argument(
        "--no-faults",
        action="store_true",
        help="leave out the documented data-quality faults (listed in demo_faults.csv otherwise)",
    )
    return parser


def _period_key(text: str) -> str:
    """YYYY-MM or YYYY, as the ledger writes the periods a file covers."""
    if re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM or YYYY")


def _month_key(text: str) -> str:
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not a month written YYYY-MM, e.g. 2026-07")


def main(argv: Sequence[str] | None = None) -> int:
    # `planwatch status | head` should stop quietly, not with a BrokenPipeError traceback.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return run(
                Settings.resolve(args.raw, args.warehouse),
                quiet=args.quiet,
                verbose=args.verbose,
                accept_drop=args.accept_drop,
                force=args.force,
                full_refresh=args.full_refresh,
                period=args.period,
            )
        if args.command == "status":
            return status(Settings.resolve(None, args.warehouse), args.kind, args.period)
        if args.command == "report":
            return report(Settings.resolve(None, args.warehouse), args.period, args.out)
        if args.command == "demo-data":
            return demo_data(
                Path(args.out), args.enterprises, args.months, args.seed, faults=not args.no_faults
            )
    except (UsageError, ConfigurationError, NoWarehouse) as exc:
        print(f"planwatch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def report(settings: Settings, period: str | None, out: str | None) -> int:
    """Write the monthly briefing for `period` (default: the latest published) from the snapshot."""
    import duckdb

    from orchestration import locking
    from orchestration.report import build_report
    from orchestration.report.data import latest_period

    if not settings.analytics_db.exists():
        raise UsageError(f"no published snapshot at {settings.analytics_db}; run `planwatch run` first")
    folder = Path(out) if out else settings.reports_dir / "briefing"
    try:
        files = build_report(settings.analytics_db, period or latest_period(settings.analytics_db), folder)
    except duckdb.IOException as exc:
        if not locking.is_lock_error(str(exc)):
            raise
        print(
            f"planwatch: {locking.describe_locked_file(settings.analytics_db, str(exc))}; it was opened "
            "read-write: close that connection (analysts connect with read_only=True) and run the report again",
            file=sys.stderr,
        )
        return EXIT_NOT_PUBLISHED
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    print(f"wrote {files.xlsx}")
    print(f"wrote {files.html}")
    return EXIT_PUBLISHED


def demo_data(out: Path, enterprises: int, months: int, seed: int, faults: bool = True) -> int:
    from planwatch_demo.generator import generate

    if enterprises < 10 or months < 2:
        raise UsageError("--enterprises must be at least 10 and --months at least 2")
    summary = generate(out, enterprises=enterprises, months=months, seed=seed, faults=faults)
    counts = ", ".join(f"{kind} {count}" for kind, count in summary.files.items())
    print(
        f"wrote {out}: {len(summary.periods)} periods {summary.periods[0]}..{summary.periods[-1]}, files: {counts}"
    )
    if faults:
        print(f"injected data-quality faults are listed in {out / 'demo_faults.csv'}")
    return EXIT_PUBLISHED


def _partition_range(settings: Settings) -> tuple[str, str] | None:
    """First and last monthly partition that new files touch, clipped to the partitions that exist."""
    from orchestration import locking
    from orchestration.constants import monthly_partitions
    from orchestration.ingest.loader import file_periods, new_files

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


def _file_signature(path: Path) -> tuple[int, int, int] | None:
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
    if _file_signature(analytics_db) == before:
        return f"nothing published; {analytics_db} is unchanged"
    if _published_by(analytics_db, run_id):
        return f"{analytics_db} was published by this run, but a later step failed"
    return f"{analytics_db} changed during the run, but planwatch did not write it"


def run(
    settings: Settings,
    quiet: bool = False,
    verbose: bool = False,
    accept_drop: str | None = None,
    force: bool = False,
    full_refresh: bool = False,
    period: str | None = None,
) -> int:
    """Ingest, build, check and publish through Dagster, one run at a time per warehouse; print the
    scorecard. With `period` (YYYY-MM), the month's files are loaded again (a backfill of one month)."""
    from orchestration import locking

    if accept_drop is not None and not accept_drop.strip():
        raise UsageError("--accept-drop needs a reason, e.g. --accept-drop '名录按新口径调整'")
    if not settings.raw_dir.is_dir():
        raise UsageError(
            f"raw folder {settings.raw_dir} does not exist; write sample data with "
            f"`planwatch demo-data --out {settings.raw_dir}` or point --raw at your files"
        )
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    try:
        locking.acquire(settings.warehouse_dir, f"planwatch run --raw {settings.raw_dir}")
    except locking.RunInProgress as exc:
        print(
            f"planwatch: {exc}; nothing published by this command, {settings.analytics_db} is unchanged. "
            "Wait for that run to finish (or stop it) and run again.",
            file=sys.stderr,
        )
        return EXIT_NOT_PUBLISHED
    try:
        removed = locking.remove_leftovers(settings.warehouse_dir)
        if removed:
            print(
                f"planwatch: removed {len(removed)} temporary files a stopped run left under "
                f"{settings.warehouse_dir}: {', '.join(path.name for path in removed)}",
                file=sys.stderr,
            )
        return _run_locked(
            settings,
            quiet,
            accept_drop,
            force or full_refresh or period is not None,
            full_refresh,
            verbose=verbose,
            period=period,
        )
    finally:
        locking.release(settings.warehouse_dir)


def _run_locked(
    settings: Settings,
    quiet: bool,
    accept_drop: str | None,
    force: bool,
    full_refresh: bool,
    *,
    verbose: bool = False,
    period: str | None = None,
) -> int:
    from orchestration import freshness

    seen = freshness.fingerprint(settings)
    same = None if force or accept_drop is not None else freshness.unchanged_since(settings, seen)
    if same is not None:
        print(
            f"planwatch: nothing to do: raw/ holds the same {same.raw_entries} entries, the code is the same "
            f"and the warehouse is as run {same.run_id} left it at {same.finished_at}, so "
            f"{settings.analytics_db} is current. `planwatch run --force` runs anyway.",
            file=sys.stderr,
        )
        print(scorecard(settings.analytics_db))
        return EXIT_PUBLISHED
    why_full = "--full-refresh" if full_refresh else freshness.needs_full_refresh(settings, seen)
    if why_full:
        print(f"planwatch: rebuilding every model from the raw tables ({why_full})", file=sys.stderr)
    run_config, tags = _refresh_request(settings, quiet, accept_drop, bool(why_full), period)
    freshness.forget(settings)
    os.environ.update(settings.environment())
    settings.prepare_dagster_home()

    before = _file_signature(settings.analytics_db)
    since = dt.datetime.now().replace(microsecond=0)  # the ledger's resolution: what this run changed
    run_log = settings.warehouse_dir / "logs" / "run.log"
    result = _execute_refresh(run_config, tags, None if verbose else run_log)
    if not result.success:
        outcome = snapshot_outcome(settings.analytics_db, before, result.run_id)
        for line in [
            *failure_summary(result),
            f"{outcome}. Run {result.run_id} is in the Dagster UI (make dev).",
        ]:
            print(f"planwatch: {line}", file=sys.stderr)
        _print_summary(settings, since, outcome, log=None if verbose else run_log)
        return EXIT_NOT_PUBLISHED
    freshness.remember(settings, seen, result.run_id, f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}")
    revised = revised_count(settings.analytics_db)
    if revised:
        print(
            f"planwatch: this publish revised {revised} figures published before; `planwatch status` lists "
            "them with the files that caused them (marts.indicator_revisions)",
            file=sys.stderr,
        )
    _print_summary(
        settings, since, f"published {settings.analytics_db}", revised, log=None if verbose else run_log
    )
    print(scorecard(settings.analytics_db))
    return EXIT_PUBLISHED


def _execute_refresh(run_config: dict, tags: dict[str, str], run_log: Path | None):
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


def _refresh_request(
    settings: Settings, quiet: bool, accept_drop: str | None, full_refresh: bool, period: str | None
) -> tuple[dict, dict[str, str]]:
    """The run config and tags of one refresh: which months it covers and what its steps are told."""
    from orchestration.constants import MONTHLY_INGEST_OPS, monthly_partitions

    keys = monthly_partitions.get_partition_keys()
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}}
    ops: dict = {}
    if accept_drop is not None:
        ops["published__analytics_snapshot"] = {"config": {"accept_drop": accept_drop}}
    if period is not None:
        if f"{period}-01" not in keys:
            raise UsageError(
                f"--period {period} is outside the months the warehouse tracks, {keys[0][:7]}..{keys[-1][:7]}"
            )
        partitions = (f"{period}-01", f"{period}-01")
        print(
            f"planwatch: re-running {period}: its files under raw/ are loaded again (new files of other "
            "months wait for the next `planwatch run`)",
            file=sys.stderr,
        )
    elif found := _partition_range(settings):
        partitions = found
        print(f"planwatch: new monthly files for {partitions[0][:7]}..{partitions[1][:7]}", file=sys.stderr)
    else:
        # The monthly ingest steps still run (on the latest month, loading nothing old again): they are
        # where files that left raw/ are withdrawn and links or hidden files are refused and listed.
        partitions = (keys[-1], keys[-1])
        print(
            "planwatch: no new monthly files; refreshing the reference data, models and snapshot",
            file=sys.stderr,
        )
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
    return run_config, tags


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
        else:
            message = text.splitlines()[0] if text else "failed"
        lines.append(f"step {event.step_key} failed: {message}")
    return lines


def _print_summary(
    settings: Settings, since: dt.datetime, published: str, revised: int = 0, log: Path | None = None
) -> None:
    from orchestration.summary import summary_lines

    print("\n".join(summary_lines(settings, since, published, revised, log)), file=sys.stderr)
