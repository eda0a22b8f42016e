"""A sensor that notices files dropped under raw/ and asks for a refresh of the months they cover."""

import datetime as dt
import json
import os
import stat
from pathlib import Path

import dagster as dg

from orchestration.constants import MONTHLY_KINDS, RAW_KIND_FOLDERS, monthly_partitions
from orchestration.ingest.loader import RawFile, file_periods, file_sha256
from orchestration.settings import Settings


def _new_files(raw_dir: Path, since_ns: int) -> list[tuple[str, Path, int]]:
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
                regular = stat.S_ISREG(info.st_mode) and not name.startswith(("~$", "."))
                if regular and info.st_mtime_ns > since_ns:
                    found.append((kind, path, info.st_mtime_ns))
    return sorted(found, key=lambda item: item[2])


@dg.sensor(
    job_name="refresh",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts a refresh of the months covered by files newly dropped under raw/.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = Settings.resolve()
    cursor = json.loads(context.cursor) if context.cursor else {"mtime_ns": 0}
    files = _new_files(settings.raw_dir, cursor["mtime_ns"])
    if not files:
        return dg.SkipReason(f"no new file under {settings.raw_dir}")
    valid = set(monthly_partitions.get_partition_keys())
    latest = monthly_partitions.get_last_partition_key()
    keys: set[str] = set()
    for kind, path, _ in files:
        if kind in MONTHLY_KINDS:
            raw_file = RawFile(kind, path, path.relative_to(settings.raw_dir).as_posix(), file_sha256(path))
            months = file_periods(raw_file)
            keys |= {f"{month}-01" for month in months if f"{month}-01" in valid}
        elif latest:
            keys.add(latest)  # a new roster or survey changes every month's figures: refresh the latest
    newest = files[-1][2]
    requests = [
        dg.RunRequest(
            run_key=f"{key}:{newest}",
            partition_key=key,
            tags={"planwatch/trigger": "raw_files_sensor"},
        )
        for key in sorted(keys)
    ]
    context.log.info(f"{len(files)} new files at {dt.datetime.now():%Y-%m-%d %H:%M}; runs for {sorted(keys)}")
    return dg.SensorResult(run_requests=requests, cursor=json.dumps({"mtime_ns": newest}))
