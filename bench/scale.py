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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from measure import PAGE, PLANWATCH, Measured, measure, planwatch_run, raw_rows

from orchestration.ingest.kinds import KINDS

ROOT = Path(__file__).resolve().parents[1]
MONTHLY_FOLDERS = tuple(name for name, kind in KINDS.items() if kind.monthly)

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


def _arguments() -> argparse.Namespace:
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
    return parser.parse_args()


def main() -> int:
    args = _arguments()
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
            results.append(add_month(work, raw_full, logs, args.memory_limit))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        report(results, args)  # also what was measured before a stop (Ctrl-C, SIGTERM) or a failure
    return 0 if all(r.returncode == 0 for r in results) else 1


def add_month(work: Path, raw_full: Path, logs: Path, memory_limit: str | None) -> Measured:
    """Months 1..M-1 built untimed in a warehouse of their own, then the run that brings month M."""
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
    prepared = planwatch_run("prepare", raw_add, wh_add, logs, memory_limit)
    print(f"months 1..M-1 built (untimed) in {prepared.wall:.1f} s", flush=True)
    for target, path in moved:
        target.rename(path)
    measured = planwatch_run("add-month", raw_add, wh_add, logs, memory_limit)
    print(f"add-month: {measured.wall:.1f} s ({len(moved)} files)", flush=True)
    return measured


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
