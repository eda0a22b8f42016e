"""Analysts keep querying analytics.duckdb while a refresh publishes new months: no reader is locked
out or sees an error, and every answer comes from one complete snapshot (old or new, never a mix)."""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# A reader as an analyst runs it: a read-only connection per round of queries, and now and then one
# kept open across a refresh. Each answer must be internally consistent: every mart covers the same
# periods and has every cell of them, and the publish log's last row describes what is there.
READER = r"""
import json, sys, time
import duckdb

snapshot, log, stop = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
out = open(log, "w")
held = None
round_ = 0
while not Path(stop).exists():
    round_ += 1
    try:
        con = held or duckdb.connect(snapshot, read_only=True)
        con.execute("begin transaction")
        periods = con.execute("select count(distinct period), max(period) from marts.indicator_progress").fetchone()
        counts = {
            table: con.execute(f"select count(*), count(distinct period), max(period) from marts.{table}").fetchone()
            for table in ("indicator_progress", "chain_monthly", "district_monthly")
        }
        chains, units = 11, 41  # every chain and every reporting unit, for every period
        last = con.execute("select run_id, last_period from marts.publish_log order by published_at desc, run_id limit 1").fetchone()
        con.execute("commit")
        answer = {
            "run_id": last[0],
            "periods": periods[0],
            "consistent": (
                counts["indicator_progress"][0] == 4 * periods[0]
                and counts["chain_monthly"][0] == chains * periods[0]
                and counts["district_monthly"][0] == units * periods[0]
                and len({c[2] for c in counts.values()}) == 1
                and str(last[1]) == str(periods[1])
            ),
        }
        out.write(json.dumps(answer) + "\n")
        if held is None and round_ % 7 == 0:
            held = con  # keep this one open for a few rounds, across whatever happens meanwhile
        elif held is not None and round_ % 7 == 3:
            held = None
            con.close()
        elif held is None:
            con.close()
    except Exception as exc:  # any error at all is a failure of the snapshot's promise
        out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        held = None
    out.flush()
    time.sleep(0.05)
"""


def copy_months(source: Path, target: Path, months: set[str]) -> None:
    """Copy the raw files of the given months (and the registry and surveys) from source to target."""
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.parent == source:
            continue
        kind = path.parent.name
        if kind in ("registry", "surveys") or any(month in path.stem for month in months):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def test_readers_never_see_errors_or_half_a_snapshot(tmp_path: Path, planwatch) -> None:
    full, raw, warehouse = tmp_path / "full", tmp_path / "raw", tmp_path / "warehouse"
    made = planwatch("demo-data", "--out", str(full), "--enterprises", "60", "--months", "20", "--no-faults")
    assert made.returncode == 0, made.stderr
    first_months = {f"2022-{m:02d}" for m in range(2, 13)}
    copy_months(full, raw, first_months)
    first = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stderr[-3000:]

    copy_months(full, raw, {f"2023-{m:02d}" for m in range(2, 9)})
    log, stop = tmp_path / "reader.jsonl", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse / "analytics.duckdb"), str(log), str(stop)]
    )
    try:
        time.sleep(1.0)
        second = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
        time.sleep(1.0)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert second.returncode == 0, second.stderr[-3000:]
    answers = [json.loads(line) for line in log.read_text().splitlines()]
    errors = [answer["error"] for answer in answers if "error" in answer]
    assert errors == []
    assert all(answer["consistent"] for answer in answers)
    # the reader saw the old snapshot (11 months of 2022) and then the new one (7 more months)
    assert {answer["periods"] for answer in answers} == {11, 18}
    assert answers[0]["periods"] == 11 and answers[-1]["periods"] == 18
    assert len(answers) > 20
