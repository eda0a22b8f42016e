"""What storing one Dagster event costs in the instance's SQLite files, with and without fsync.

    .venv/bin/python bench/dagster_events.py [--events 300]

Prints milliseconds per event for Dagster's default SQLite settings and for planwatch's
(orchestration/instance.py: synchronous=OFF under $DAGSTER_HOME). Each measurement runs in its own
process and its own temporary instance, so nothing carries over between them.
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
import os, sys, time
relaxed = sys.argv[1] == "planwatch"
import dagster as dg
if relaxed:
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


def measure(mode: str, events: int) -> float:
    with tempfile.TemporaryDirectory(prefix="planwatch-events-") as home:
        Path(home, "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        env = {**os.environ, "DAGSTER_HOME": home, "DO_NOT_TRACK": "1"}
        done = subprocess.run(
            [sys.executable, "-c", CHILD, mode, str(events)],
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
    print(f"{'setting':<34}{'ms/event':>10}")
    started = time.perf_counter()
    for _ in range(args.repeat):
        for mode, label in (
            ("dagster", "Dagster default (fsync)"),
            ("planwatch", "planwatch (synchronous=OFF)"),
        ):
            print(f"{label:<34}{measure(mode, args.events):>10.1f}", flush=True)
    print(f"({args.events} events a measurement, {time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
