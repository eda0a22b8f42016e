"""Scale benchmark: what a full build, an added month and a no-op run cost, against a bare DuckDB floor.

Not a test: it prints figures. Usage:

    .venv/bin/python bench/scale.py --enterprises 20000 --months 36 [--keep DIR]
    .venv/bin/python bench/scale.py --quick          # 2,000 enterprises × 14 months, about a minute

It writes a clean raw folder of N enterprises × M months (planwatch_demo/volume.py: the demo
generator's enterprises and figures without faults, filings as CSV; `--generator demo` uses
`planwatch demo-data --no-faults` instead, which cannot go above about 60,000 enterprises). Writing it
is not part of any figure. Then, each as its own `planwatch run` process against its own warehouse:

- full:       months 1..M into an empty warehouse;
- add-month:  a warehouse built (untimed) with months 1..M-1, then month M's files added;
- no-op:      the full warehouse run again with nothing new;
- floor:      a bare DuckDB SQL over the full warehouse's raw tables (opened read-only) that computes
              the same enterprise-month, chain, district and cluster year-to-date totals.

For each run: wall time; peak RSS of the whole process tree (the sum of the resident sets of every
process in the run's process group, sampled every 0.2 s, so a peak shorter than that can be missed)
and, beside it, the largest single process (ru_maxrss from wait4, exact); raw rows per second (rows
the run loaded into raw.* / wall; for the no-op run, the rows in raw.* / wall); and the stage times
read from the run's Dagster event log: start-up (process start to the first step), ingest, dbt build,
dbt docs and Great Expectations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.ingest.kinds import KINDS

ROOT = Path(__file__).resolve().parents[1]
PLANWATCH = [sys.executable, "-m", "orchestration"]
MONTHLY_FOLDERS = tuple(name for name, kind in KINDS.items() if kind.monthly)
RAW_TABLES = tuple(kind.table for kind in KINDS.values())
PAGE = os.sysconf("SC_PAGE_SIZE")

# The floor: what the dbt models compute for the chain, district and cluster cells, in one plain SQL
# over the raw tables. Latest filing per enterprise and period; the registry's latest row per enterprise
# (the benchmark's folder has one registry, so one vintage), above designated size and in an in-scope
# industry; chain from the registry, else the industry's default; last year's same month for the
# like-for-like growth; sums by period × chain, period × district and period.
FLOOR_SQL = """
create temp table industry_scope as select * from read_csv('{scope}', header = true, all_varchar = true);
create temp table enterprise_months as
with filings as (
    select uscc, period, revenue_ytd_wan, rd_ytd_wan
    from raw.filings
    qualify row_number() over (
        partition by uscc, period order by ingested_at desc, source_file desc, source_row desc
    ) = 1
),
registry as (
    select * from raw.registry
    qualify row_number() over (
        partition by uscc order by ingested_at desc, source_file desc, source_row desc
    ) = 1
),
in_scope as (
    select registry.uscc, registry.district_code,
           coalesce(registry.chain_code, industry_scope.default_chain) as chain_code
    from registry join industry_scope using (industry_code)
    where registry.above_scale
)
select filings.*, in_scope.district_code, in_scope.chain_code
from filings join in_scope using (uscc);
create temp table yoy as
select this.*, prior.revenue_ytd_wan as prior_revenue_ytd_wan
from enterprise_months as this
left join enterprise_months as prior
    on prior.uscc = this.uscc and prior.period = this.period - interval 12 month;
{cells}
create temp table cluster_cells as
select period, count(*) as enterprises, sum(revenue_ytd_wan) as revenue_ytd_wan,
       sum(rd_ytd_wan) as rd_ytd_wan, sum(rd_ytd_wan) / sum(revenue_ytd_wan) * 100 as rd_intensity_pct
from yoy group by all;
"""
CELLS_SQL = """
create temp table {name}_cells as
select period, {name}_code, count(*) as enterprises, sum(revenue_ytd_wan) as revenue_ytd_wan,
       sum(rd_ytd_wan) as rd_ytd_wan,
       sum(revenue_ytd_wan) filter (where prior_revenue_ytd_wan is not null)
           / sum(prior_revenue_ytd_wan) * 100 - 100 as revenue_yoy_pct,
       max(revenue_ytd_wan) / sum(revenue_ytd_wan) as top_share
from yoy group by all;
"""
FLOOR_SQL = FLOOR_SQL.replace(
    "{cells}", "".join(CELLS_SQL.format(name=name) for name in ("chain", "district"))
)


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


def floor(warehouse: Path, logs: Path) -> Measured:
    """The bare DuckDB SQL in a process of its own, over the raw schema opened read-only."""
    code = (
        "import duckdb, json, sys, time\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "start = time.perf_counter()\n"
        "con.execute(sys.argv[2].replace('{scope}', sys.argv[3].replace(\"'\", \"''\")))\n"
        "elapsed = time.perf_counter() - start\n"
        "counts = [con.execute(f'select count(*) from {t}').fetchone()[0]\n"
        "          for t in ('enterprise_months', 'chain_cells', 'district_cells', 'cluster_cells')]\n"
        "print(json.dumps({'seconds': elapsed, 'counts': counts}))\n"
    )
    scope = str(ROOT / "dbt_project" / "seeds" / "industry_scope.csv")
    log = logs / "floor.log"
    result = measure(
        "floor",
        [sys.executable, "-c", code, str(warehouse / "build.duckdb"), FLOOR_SQL, scope],
        dict(os.environ),
        log,
    )
    try:
        report = json.loads(log.read_text().strip().splitlines()[-1])
        result.stages = {"query": report["seconds"]}
        result.note = "cells: {} enterprise-months, {} chain, {} district, {} cluster".format(
            *report["counts"]
        )
    except (ValueError, IndexError, KeyError):
        result.note = f"failed, see {log}"
    result.rows = raw_rows(warehouse)
    return result


def last_month_files(raw: Path) -> list[Path]:
    """The monthly files of the latest period (by the period in their names)."""
    dated = [
        (path.stem.rsplit("_", 1)[-1], path)
        for folder in MONTHLY_FOLDERS
        for path in (raw / folder).glob("*")
        if path.is_file()
    ]
    latest = max(label for label, _ in dated)
    return [path for label, path in dated if label == latest]


def generate(raw: Path, enterprises: int, months: int, generator: str) -> tuple[float, str]:
    start = time.perf_counter()
    if generator == "demo":
        subprocess.run(
            [
                *PLANWATCH,
                "demo-data",
                "--out",
                str(raw),
                "--enterprises",
                str(enterprises),
                "--months",
                str(months),
                "--no-faults",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        rows = "see demo-data"
    else:
        from planwatch_demo.volume import generate_volume

        counts = generate_volume(raw, enterprises, months)
        rows = ", ".join(f"{kind} {count:,}" for kind, count in counts.items())
    return time.perf_counter() - start, rows


def mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def print_table(results: list[Measured]) -> None:
    stage_names = ["start-up", "ingest", "dbt build", "dbt docs", "GX", "other steps"]
    header = (
        f"| run | wall s | peak RSS (tree) | largest process | rows | rows/s | {' | '.join(stage_names)} |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in results:
        if r.name == "floor":
            stages = [f"query {r.stages.get('query', float('nan')):.2f}"] + [""] * (len(stage_names) - 1)
        else:
            stages = [f"{r.stages[s]:.1f}" if s in r.stages else "" for s in stage_names]
        print(
            f"| {r.name} | {r.wall:.1f} | {mb(r.tree_peak)} | {mb(r.largest)} | {r.rows:,} | "
            f"{r.rows / r.wall:,.0f} | {' | '.join(stages)} |"
        )
    for r in results:
        if r.note:
            print(f"  {r.name}: {r.note}")
    print()
    print(f"| peak RSS (tree) within | {' | '.join(stage_names)} |")
    print("|" + "---|" * (len(stage_names) + 1))
    for r in results:
        if r.stage_peaks:
            print(
                f"| {r.name} | {' | '.join(mb(r.stage_peaks[s]) if s in r.stage_peaks else '' for s in stage_names)} |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--months", type=int, default=14)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 enterprises × 14 months, the full build and the floor only",
    )
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (raw folders, warehouses, logs)"
    )
    parser.add_argument("--generator", choices=("volume", "demo"), default="volume")
    parser.add_argument(
        "--runs", default="full,noop,add,floor", help="which to measure, comma-separated: full,noop,add,floor"
    )
    parser.add_argument(
        "--memory-limit", help="PLANWATCH_DUCKDB_MEMORY_LIMIT for the runs (default: planwatch's own)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` and the run's group end
    if args.quick:
        args.enterprises, args.months, args.runs = 2000, 14, "full,floor"
    wanted = set(args.runs.split(","))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep.resolve()
    else:
        work = Path(tempfile.mkdtemp(prefix="planwatch-scale-"))
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    raw_full = work / "raw_full"
    results: list[Measured] = []
    try:
        print(
            f"planwatch scale benchmark {dt.date.today()}: {args.enterprises:,} enterprises × {args.months} months, "
            f"{os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * PAGE / 2**30:.0f} GB, "
            f"python {platform.python_version()}, duckdb {duckdb.__version__}, load average "
            f"{os.getloadavg()[0]:.1f} at start; work folder {work}",
            flush=True,
        )
        if not raw_full.exists():
            seconds, rows = generate(raw_full, args.enterprises, args.months, args.generator)
            print(f"generated the raw folder in {seconds:.1f} s (not part of any figure): {rows}", flush=True)
        if wanted & {"full", "noop", "floor"}:
            wh_full = work / "wh_full"
            shutil.rmtree(wh_full, ignore_errors=True)
            results.append(planwatch_run("full", raw_full, wh_full, logs, args.memory_limit))
            print(f"full: {results[-1].wall:.1f} s", flush=True)
            if "noop" in wanted:
                results.append(planwatch_run("no-op", raw_full, wh_full, logs, args.memory_limit))
                print(f"no-op: {results[-1].wall:.1f} s", flush=True)
            if "floor" in wanted:
                results.append(floor(wh_full, logs))
                print(f"floor: {results[-1].stages.get('query', float('nan')):.2f} s of SQL", flush=True)
        if "add" in wanted:
            raw_add = work / "raw_add"
            wh_add = work / "wh_add"
            shutil.rmtree(raw_add, ignore_errors=True)
            shutil.rmtree(wh_add, ignore_errors=True)
            shutil.copytree(raw_full, raw_add, copy_function=os.link)  # hard links: no file is written twice
            aside = work / "last_month"
            shutil.rmtree(aside, ignore_errors=True)
            moved = []
            for path in last_month_files(raw_add):
                target = aside / path.relative_to(raw_add)
                target.parent.mkdir(parents=True, exist_ok=True)
                path.rename(target)
                moved.append((target, path))
            prepared = planwatch_run("prepare", raw_add, wh_add, logs, args.memory_limit)
            print(f"months 1..M-1 built (untimed) in {prepared.wall:.1f} s", flush=True)
            for target, path in moved:
                target.rename(path)
            results.append(planwatch_run("add-month", raw_add, wh_add, logs, args.memory_limit))
            print(f"add-month: {results[-1].wall:.1f} s ({len(moved)} files)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        report(results, args)  # also what was measured before a stop (Ctrl-C, SIGTERM) or a failure
    return 0 if all(r.returncode == 0 for r in results) else 1


def report(results: list[Measured], args: argparse.Namespace) -> None:
    print()
    print(f"Scale benchmark, {args.enterprises:,} enterprises × {args.months} months ({dt.date.today()})")
    print_table(results)
    by_name = {r.name: r for r in results}
    full, noop, add, low = (by_name.get(n) for n in ("full", "no-op", "add-month", "floor"))
    print()
    if full and low and "dbt build" in full.stages and low.stages.get("query"):
        print(
            f"dbt build / bare DuckDB floor: {full.stages['dbt build'] / low.stages['query']:.1f}× "
            f"({full.stages['dbt build']:.1f} s / {low.stages['query']:.2f} s)"
        )
    if full and add:
        print(f"add-one-month / full: {add.wall / full.wall:.0%}")
    if full and noop:
        print(f"no-op / full: {noop.wall / full.wall:.0%}")
    print(
        "peak RSS (tree): the sum over the run's process group sampled every 0.2 s; largest process: "
        "ru_maxrss from wait4",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
