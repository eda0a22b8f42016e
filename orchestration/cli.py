"""The `planwatch` command: run the pipeline through Dagster, show status, write demo data."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration import preflight, refresh
from orchestration.constants import RAW_KIND_FOLDERS
from orchestration.locking import SnapshotUnreadable
from orchestration.scorecard import revised_count, scorecard
from orchestration.settings import ConfigurationError, Settings
from orchestration.status import NoWarehouse, status

if TYPE_CHECKING:
    import dagster as dg

EXIT_PUBLISHED, EXIT_NOT_PUBLISHED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or configuration: exit status 2 with the message."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planwatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="ingest new files, build and test the models, publish the snapshot")
    run.add_argument("--raw", help="raw folder (default $PLANWATCH_RAW_DIR or raw/)")
    run.add_argument("--warehouse", help="warehouse folder (default $PLANWATCH_WAREHOUSE_DIR or warehouse/)")
    run.add_argument("--quiet", action="store_true", help="warnings, the summary and the scorecard only")
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
        help="publish even if the coverage gate refuses (no enterprise in scope, a published month left "
        "without figures, or any period in common losing more than var publish_max_drop_share); REASON is "
        "recorded in marts.publish_log",
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
    except SnapshotUnreadable as exc:
        print(f"planwatch: {exc}", file=sys.stderr)
        return EXIT_NOT_PUBLISHED
    return EXIT_USAGE


def report(settings: Settings, period: str | None, out: str | None) -> int:
    """Write the monthly briefing for `period` (default: the latest published) from the snapshot."""
    from orchestration.report import build_report
    from orchestration.report.data import latest_period

    if not settings.analytics_db.exists():
        raise UsageError(f"no published snapshot at {settings.analytics_db}; run `planwatch run` first")
    folder = Path(out) if out else settings.reports_dir / "briefing"
    try:
        # a snapshot held read-write or beside a stray .wal: SnapshotUnreadable, exit 1 (main)
        files = build_report(settings.analytics_db, period or latest_period(settings.analytics_db), folder)
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


def _refuse_unusable_folders(settings: Settings) -> None:
    """A raw folder that is a file or missing, or a warehouse inside it: a usage error, before a lock."""
    if settings.raw_dir.exists() and not settings.raw_dir.is_dir():
        raise UsageError(
            f"raw folder {settings.raw_dir} is a file, not a folder; point --raw (or PLANWATCH_RAW_DIR) at "
            "the folder that holds registry/, filings/, districts/, bureau/ and surveys/"
        )
    if not settings.raw_dir.is_dir():
        raise UsageError(
            f"raw folder {settings.raw_dir} does not exist; write sample data with "
            f"`planwatch demo-data --out {settings.raw_dir}` or point --raw at your files"
        )
    folders = preflight.folder_problem(settings.raw_dir, settings.warehouse_dir)
    if folders:
        raise UsageError(folders)


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
    _refuse_unusable_folders(settings)
    try:
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        locking.acquire(settings.warehouse_dir, f"planwatch run --raw {settings.raw_dir}")
    except OSError as exc:  # a read-only mount (EROFS), another user's folder (EACCES)
        raise UsageError(
            f"cannot write in the warehouse folder {settings.warehouse_dir} ({exc.strerror}): a run writes its "
            "databases there; point --warehouse (or PLANWATCH_WAREHOUSE_DIR) at a folder you can write"
        ) from exc
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

    problem = preflight.build_problem(settings.build_db, dt.datetime.now())
    if problem:
        raise UsageError(problem)
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
    try:
        request = refresh.refresh_request(settings, quiet, accept_drop, bool(why_full), period)
    except refresh.PeriodOutOfRange as exc:
        raise UsageError(str(exc)) from exc
    print(f"planwatch: {request.announcement}", file=sys.stderr)
    freshness.forget(settings)
    os.environ.update(settings.environment())
    settings.prepare_dagster_home()
    _fail_dead_runs()

    before = refresh.file_signature(settings.analytics_db)
    since = dt.datetime.now().replace(microsecond=0)  # the ledger's resolution: what this run changed
    run_log = settings.warehouse_dir / "logs" / "run.log"
    result = refresh.execute_refresh(request.run_config, request.tags, None if verbose else run_log)
    return _print_outcome(settings, result, seen, before, since, None if verbose else run_log)


def _fail_dead_runs() -> None:
    """This process holds the run lock, so a run still 'in progress' in the instance lost its process:
    marked failed, the run queue (schedule, sensor) goes on instead of waiting for it forever."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        failed = preflight.fail_dead_runs(instance)
    if failed:
        print(
            f"planwatch: marked {len(failed)} Dagster runs failed that a killed process had left in "
            f"progress ({', '.join(run_id[:8] for run_id in failed)}): the run queue waited for them",
            file=sys.stderr,
        )


def _print_outcome(
    settings: Settings,
    result: dg.ExecuteInProcessResult,
    seen: dict,
    before: tuple[int, int, int] | None,
    since: dt.datetime,
    log: Path | None,
) -> int:
    """What the run did, on stderr, and the scorecard on stdout when it published; the exit status."""
    from orchestration import freshness

    if not result.success:
        outcome = refresh.snapshot_outcome(settings.analytics_db, before, result.run_id)
        for line in [
            *refresh.failure_summary(result),
            f"{outcome}. Run {result.run_id} is in the Dagster UI (make dev).",
        ]:
            print(f"planwatch: {line}", file=sys.stderr)
        _print_summary(settings, since, outcome, log=log, feedback_written=_wrote_feedback(result))
        return EXIT_NOT_PUBLISHED
    freshness.remember(settings, seen, result.run_id, f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}")
    revised, cells_revised = revised_count(settings.analytics_db)
    if revised:
        print(
            f"planwatch: this publish revised {revised} figures published before; `planwatch status` lists "
            "them with the files that caused them (marts.indicator_revisions)",
            file=sys.stderr,
        )
    if cells_revised:
        print(
            f"planwatch: it revised {cells_revised} chain and district values published before "
            "(marts.cell_revisions, with the files that caused them)",
            file=sys.stderr,
        )
    _print_summary(
        settings, since, f"published {settings.analytics_db}", revised, log=log, published_now=True
    )
    print(scorecard(settings.analytics_db))
    return EXIT_PUBLISHED


def _wrote_feedback(result: dg.ExecuteInProcessResult) -> bool:
    """Whether the run wrote the feedback workbooks: they come after the publish, so a run that failed
    before it or whose publish was refused did not."""
    from orchestration.assets.reports import district_feedback

    return any(
        event.asset_key == district_feedback.key for event in result.get_asset_materialization_events()
    )


def _print_summary(settings: Settings, since: dt.datetime, published: str, *args, **kwargs) -> None:
    """The run's summary on stderr (`orchestration/summary.py`: the arguments are summary_lines')."""
    from orchestration.summary import summary_lines

    print("\n".join(summary_lines(settings, since, published, *args, **kwargs)), file=sys.stderr)
