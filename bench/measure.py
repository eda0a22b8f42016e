"""How bench/scale.py measures a `planwatch run`: wall time, the peak RSS of the whole process tree
(sampled), the time of each stage from the run's log, and the raw tables' row counts."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.ingest.kinds import KINDS

PLANWATCH = [sys.executable, "-m", "orchestration"]
RAW_TABLES = tuple(kind.table for kind in KINDS.values())
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    """One timed process."""

    name: str
    wall: float
    tree_peak: int  # bytes, sum over the process group, sampled
    largest: int  # bytes, ru_maxrss of the child and its waited-for descendants
    returncode: int
    rows: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    stage_peaks: dict[str, int] = field(default_factory=dict)  # bytes, tree RSS sampled within a stage
    samples: list[tuple[float, int]] = field(default_factory=list, repr=False)  # (epoch seconds, bytes)
    note: str = ""


def _group_rss(pgid: int) -> int:
    """Resident bytes of every live process in a process group."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != pgid:  # fields after "(comm)": state, ppid, pgrp, ...
                continue
            with open(f"/proc/{entry.name}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue  # the process ended between the listing and the read
    return total


def measure(name: str, command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `command` in its own process group; wall time, peak tree RSS, largest process."""
    samples: list[tuple[float, int]] = []
    done = threading.Event()
    with log.open("wb") as out:
        start = time.perf_counter()
        # in the log's folder, not the repository: `python -m` puts the working folder first on
        # sys.path, which would shadow a PYTHONPATH that points at another checkout
        process = subprocess.Popen(
            command, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

        def sample() -> None:
            while not done.is_set():
                samples.append((time.time(), _group_rss(process.pid)))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted or terminated: the run's whole process group goes too
            os.killpg(process.pid, signal.SIGTERM)
            raise
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    with log.with_suffix(".rss.csv").open("w") as handle:
        handle.write("epoch_seconds,tree_rss_bytes\n")
        handle.writelines(f"{when:.1f},{size}\n" for when, size in samples)
    peak = max((size for _, size in samples), default=0)
    return Measured(name, wall, peak, usage.ru_maxrss * 1024, process.returncode, samples=samples)


def run_env(raw: Path, warehouse: Path, memory_limit: str | None) -> dict[str, str]:
    env = {**os.environ, "PLANWATCH_RAW_DIR": str(raw), "PLANWATCH_WAREHOUSE_DIR": str(warehouse)}
    if memory_limit:
        env["PLANWATCH_DUCKDB_MEMORY_LIMIT"] = memory_limit
    return env


def planwatch_run(name: str, raw: Path, warehouse: Path, logs: Path, memory_limit: str | None) -> Measured:
    before = raw_rows(warehouse)
    started = dt.datetime.now(dt.UTC).timestamp()
    result = measure(
        name,
        [*PLANWATCH, "run", "--raw", str(raw), "--warehouse", str(warehouse)],
        run_env(raw, warehouse, memory_limit),
        logs / f"{name}.log",
    )
    after = raw_rows(warehouse)
    result.rows = after - before if after != before else after
    if after == before:
        result.note = "no rows loaded: rows/s over the rows in raw.*"
    result.stages, spans = stage_times(warehouse, started)
    result.stage_peaks = {
        stage: max(
            (size for when, size in result.samples if any(a <= when <= b for a, b in spans[stage])), default=0
        )
        for stage in spans
    }
    if result.returncode not in (0, 1):
        result.note = f"exit {result.returncode}, see {logs / f'{name}.log'}"
    elif result.returncode == 1:
        result.note = f"exit 1 (nothing published), see {logs / f'{name}.log'}"
    return result


def raw_rows(warehouse: Path) -> int:
    build = warehouse / "build.duckdb"
    if not build.exists():
        return 0
    with duckdb.connect(str(build), read_only=True) as con:
        return sum(
            con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in RAW_TABLES
            if con.execute(
                "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?",
                [table],
            ).fetchone()[0]
        )


def _stage(step: str) -> str:
    if step.startswith("raw__"):
        return "ingest"
    if "dbt_docs" in step:
        return "dbt docs"
    if "great_expectations" in step or "expectations" in step:
        return "GX"
    if step.startswith("planwatch_dbt"):
        return "dbt build"
    return "other steps"


def stage_times(
    warehouse: Path, started: float
) -> tuple[dict[str, float], dict[str, list[tuple[float, float]]]]:
    """Seconds per stage of the latest run in the warehouse's Dagster instance (its SQLite event log):
    start-up from process start to the first step, then each step's start-to-end, summed by stage;
    and each stage's (start, end) spans in epoch seconds."""
    runs = sorted(
        (
            path
            for path in (warehouse / ".dagster" / "history" / "runs").glob("*.db")
            # only a run this process started: a no-op run starts none, and has no stages
            if path.stem != "index" and path.stat().st_mtime >= started
        ),
        key=lambda path: path.stat().st_mtime,
    )
    if not runs:
        return {}, {}
    with sqlite3.connect(runs[-1]) as con:
        rows = con.execute(
            "select step_key, dagster_event_type, timestamp from event_logs "
            "where dagster_event_type in ('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE') order by id"
        ).fetchall()
    if not rows:
        return {}, {}
    to_seconds = _timestamp_parser(rows[0][2])
    begun: dict[str, float] = {}
    first = to_seconds(rows[0][2])
    stages: dict[str, float] = {"start-up": first - started}
    spans: dict[str, list[tuple[float, float]]] = {"start-up": [(started, first)]}
    for step, event, stamp in rows:
        if event == "STEP_START":
            begun[step] = to_seconds(stamp)
        elif step in begun:
            span = (begun.pop(step), to_seconds(stamp))
            stages[_stage(step)] = stages.get(_stage(step), 0.0) + span[1] - span[0]
            spans.setdefault(_stage(step), []).append(span)
    return stages, spans


def _timestamp_parser(sample: object):
    if isinstance(sample, int | float):
        return float
    # Dagster writes naive UTC datetimes ('2026-12-02 07:40:01.123456')
    return lambda text: dt.datetime.fromisoformat(str(text)).replace(tzinfo=dt.UTC).timestamp()
