"""What storing one Dagster event costs in the instance's SQLite files, as Dagster and as planwatch
configure the instance.

    .venv/bin/python bench/dagster_events.py [--events 300] [--repeat 2]

A `planwatch run` of the sample stores about 750 events (a planned and a finished event per asset,
three per dbt test). Prints milliseconds per event for Dagster's default storage and for the same storage as planwatch
runs it (orchestration/instance.py: no fsync, one engine per database file).
Each measurement runs in its own process and its own temporary instance.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import sys, time
import dagster as dg
if sys.argv[1] == "planwatch":
    from orchestration.instance import relax_history_fsync
    relax_history_fsync()
count = int(sys.argv[2])
with dg.DagsterInstance.get() as instance:
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key="warm_up"))
    start = time.perf_counter()
    for index in range(count):
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=f"asset_{index % 10}"))
    print((time.perf_counter() - start) / count * 1000)
"""
SETTINGS = {
    "dagster": "Dagster's default storage",
    "planwatch": "planwatch's (no fsync, engine kept)",
}


def measure(setting: str, events: int) -> float:
    with tempfile.TemporaryDirectory(prefix="planwatch-events-") as home:
        Path(home, "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        env = {**os.environ, "DAGSTER_HOME": home, "DO_NOT_TRACK": "1"}
        done = subprocess.run(
            [sys.executable, "-c", CHILD, setting, str(events)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="events to store in each measurement")
    parser.add_argument("--repeat", type=int, default=2, help="measurements of each setting")
    args = parser.parse_args()
    print(f"{'storage':<38}{'ms/event':>10}")
    started = time.perf_counter()
    for _ in range(args.repeat):
        for setting, label in SETTINGS.items():
            print(f"{label:<38}{measure(setting, args.events):>10.1f}", flush=True)
    print(f"({args.events} events a measurement, {time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
