"""A sensor that notices files dropped under raw/ and asks for one refresh of the months they cover.

A file counts as new only when the ingest ledger has not seen it (by path and content): switched on
over a loaded warehouse, the sensor asks for nothing, whatever the files' times. It looks at the
files changed since its last tick and at those whose path the ledger does not know, whatever their
time (an unzipped file keeps the time it was zipped with); a file put in place of one of the same
name with a time older than its last tick is not noticed (`planwatch run` and the monthly schedule
take it). It opens build.duckdb only when the folder's listing (paths and times) changed. It asks for at most
one run per tick, over the range of months the new files touch (a new registry or survey: the
latest month). It never opens build.duckdb while a run holds the warehouse (even a read-only look
would stop that run from opening the file to write); it looks again on the next tick.
"""

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import locking, preflight
from orchestration.constants import MONTHLY_INGEST_OPS, MONTHLY_KINDS, RAW_KIND_FOLDERS, monthly_partitions
from orchestration.ingest.files import RawFile, file_sha256
from orchestration.ingest.parsing import file_periods
from orchestration.settings import Settings


def _raw_files(raw_dir: Path) -> list[tuple[str, Path, int]]:
    """(kind, path, mtime) of the regular files under raw/<kind>/, oldest first."""
    found = []
    for kind in RAW_KIND_FOLDERS:
        folder = raw_dir / kind
        if not folder.is_dir() or folder.is_symlink():
            continue
        # os.walk without following links: the ingest refuses links and lists them, never reads them
        for current, _dirs, names in os.walk(folder, followlinks=False):
            for name in names:
                path = Path(current) / name
                info = path.lstat()
                if stat.S_ISREG(info.st_mode) and not name.startswith(("~$", ".")):
                    found.append((kind, path, info.st_mtime_ns))
    return sorted(found, key=lambda item: item[2])


def _seen(build_db: Path) -> set[tuple[str, str]]:
    """(sha256, path under raw/) of every file the ledger holds, withdrawn ones aside."""
    if not build_db.exists():
        return set()
    with duckdb.connect(str(build_db), read_only=True) as con:
        if not con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'ingest_ledger'"
        ).fetchone()[0]:
            return set()
        rows = con.execute(
            "select file_sha256, source_file from raw.ingest_ledger where status <> 'withdrawn'"
        ).fetchall()
    return set(rows)


def months_of(files: list[RawFile]) -> list[str]:
    """The monthly partitions new files touch; a registry or survey, or a month the partitions lack
    (from the future), asks for the latest month, whose run also refreshes every month's figures."""
    valid = set(monthly_partitions.get_partition_keys())
    latest = monthly_partitions.get_last_partition_key()
    keys: set[str] = set()
    for raw_file in files:
        months = (
            {f"{month}-01" for month in file_periods(raw_file)} if raw_file.kind in MONTHLY_KINDS else set()
        )
        keys |= (months & valid) or ({latest} if latest else set())
    return sorted(keys)


@dg.sensor(
    job_name="refresh",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts one refresh of the months covered by files under raw/ that the ingest has not seen.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = Settings.resolve()
    if locking.current_holder(settings.warehouse_dir) is None:
        # no live run holds the lock: a run 'in progress' lost its process, and the queue would wait for it
        for run_id in preflight.fail_dead_runs(context.instance):
            context.log.warning(f"marked run {run_id} failed: a killed process had left it in progress")
    cursor = json.loads(context.cursor) if context.cursor else {"mtime_ns": 0}
    files = _raw_files(settings.raw_dir)
    # nothing added, removed, renamed or touched under raw/ since the last tick: build.duckdb is not
    # opened (a read-only look, however short, stops a run starting then from opening it to write)
    listing = hashlib.sha256("\n".join(f"{path}\t{mtime}" for _, path, mtime in files).encode()).hexdigest()
    if listing == cursor.get("listing"):
        return dg.SkipReason(f"no new file under {settings.raw_dir}")
    holder = locking.current_holder(settings.warehouse_dir)
    if holder is not None:
        return dg.SkipReason(f"{locking.describe_run_in_progress(settings.warehouse_dir, holder)}: next tick")
    seen = _seen(settings.build_db)
    seen_paths = {rel for _, rel in seen}
    # changed since the last tick, or at a path the ledger does not know: a file unzipped, or copied
    # with `cp -p` or `rsync -a`, keeps a time older than the cursor and was never looked at
    candidates = [
        (kind, path, mtime)
        for kind, path, mtime in files
        if mtime > cursor["mtime_ns"] or path.relative_to(settings.raw_dir).as_posix() not in seen_paths
    ]
    if not candidates:
        return dg.SensorResult(
            skip_reason=f"no new file under {settings.raw_dir}",
            cursor=json.dumps({"mtime_ns": cursor["mtime_ns"], "listing": listing}),
        )
    unseen = [
        raw_file
        for kind, path, _ in candidates
        if (raw_file := RawFile(kind, path, path.relative_to(settings.raw_dir).as_posix(), file_sha256(path)))
        and (raw_file.sha256, raw_file.rel) not in seen
    ]
    advanced = json.dumps({"mtime_ns": max(cursor["mtime_ns"], candidates[-1][2]), "listing": listing})
    keys = months_of(unseen)
    if not keys:
        return dg.SensorResult(
            skip_reason=f"{len(candidates)} files changed, all already ingested", cursor=advanced
        )
    # the files themselves name the run: their times need not be new
    files_key = hashlib.sha256("".join(sorted(f.sha256 + f.rel for f in unseen)).encode()).hexdigest()[:16]
    request = dg.RunRequest(
        run_key=f"{keys[0]}..{keys[-1]}:{files_key}",
        # what `planwatch run` does: the months' new files only, not a reload of those already in
        run_config={"ops": {op: {"config": {"only_new_files": True}} for op in MONTHLY_INGEST_OPS}},
        tags={
            "planwatch/trigger": "raw_files_sensor",
            "dagster/asset_partition_range_start": keys[0],
            "dagster/asset_partition_range_end": keys[-1],
        },
    )
    context.log.info(
        f"{len(unseen)} files the ledger has not seen at {dt.datetime.now():%Y-%m-%d %H:%M}: one run for "
        f"{keys[0][:7]}..{keys[-1][:7]}"
    )
    return dg.SensorResult(run_requests=[request], cursor=advanced)
