"""A run refuses rather than misleads: a warehouse inside the raw folder or with a '$' in its path, a
damaged build database, a clock behind the warehouse's records; and a Dagster run that a killed
process left "in progress" is marked failed so that the run queue goes on."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from orchestration.ingest.loader import ingest
from orchestration.preflight import (
    DEAD_RUN_AFTER_SECONDS,
    ClockBehind,
    build_problem,
    clock_problem,
    fail_dead_runs,
    folder_problem,
)
from orchestration.settings import Settings
from orchestration.status import status
from tests.sheets import write_csv

NOON = dt.datetime(2026, 12, 1, 12, 0)


@pytest.mark.parametrize(
    ("raw", "warehouse", "problem"),
    [
        ("data/raw", "data/warehouse", None),
        ("data/raw", "data/raw/filings/wh", "is inside the raw folder"),
        ("data/raw", "data/raw", "is inside the raw folder"),
        ("data/warehouse/raw", "data/warehouse", None),  # raw/ under the warehouse reads nothing of it
        ("data/raw", "data/$x/warehouse", "has a '$' in its path"),
    ],
)
def test_folder_problem(tmp_path: Path, raw: str, warehouse: str, problem: str | None) -> None:
    found = folder_problem(tmp_path / raw, tmp_path / warehouse)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("latest", "refused"),
    [
        (None, False),  # nothing recorded yet
        (NOON - dt.timedelta(days=1), False),
        (NOON, False),
        (NOON + dt.timedelta(seconds=1), True),
        (NOON + dt.timedelta(days=240), True),  # an earlier run's clock was ahead
    ],
)
def test_clock_problem(latest: dt.datetime | None, refused: bool) -> None:
    found = clock_problem(NOON, latest)
    assert (found is not None) is refused
    if refused:
        assert found.startswith("the clock reads 2026-12-01 12:00:00, earlier than ")


def _ingested_once(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    write_csv(raw / "filings" / "企业月报_2026-10.csv", [["统一社会信用代码", "报告期", "营业收入本年累计"],
                                                     ["915000007339743120", "2026-10", 100]])  # fmt: skip
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        ingest(con, raw, tmp_path / "q", "filings")
    return raw


def test_an_ingest_with_the_clock_behind_the_ledger_reads_nothing(tmp_path: Path) -> None:
    """The reviewer's case: a run with the clock set ahead stamped its files in the future; a file
    taken after it, with the right clock, ranked below them and its correction never counted."""
    raw = _ingested_once(tmp_path)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("update raw.ingest_ledger set first_seen_at = first_seen_at + interval 240 days")
        write_csv(raw / "filings" / "企业月报_2026-10_补报.csv", [["统一社会信用代码", "报告期", "营业收入本年累计"],
                                                            ["91110000802085421K", "2026-10", 50]])  # fmt: skip
        with pytest.raises(ClockBehind, match="the clock reads .* earlier than .*set it right and run again"):
            ingest(con, raw, tmp_path / "q", "filings")
        assert con.execute("select count(*) from raw.ingest_ledger").fetchone() == (1,)
    assert "the clock reads" in build_problem(tmp_path / "build.duckdb", dt.datetime.now())


def test_a_damaged_build_database_is_named_with_what_to_do(tmp_path: Path, capsys) -> None:
    raw = _ingested_once(tmp_path)
    assert build_problem(tmp_path / "build.duckdb", dt.datetime.now()) is None
    (tmp_path / "build.duckdb").write_bytes(b"\x00" * 4096 + b"not a database any more")
    problem = build_problem(tmp_path / "build.duckdb", dt.datetime.now())
    assert "build.duckdb cannot be opened (DuckDB: " in problem
    assert "mv build.duckdb build.duckdb.damaged" in problem
    assert status(Settings(raw, tmp_path)) == 0
    out = capsys.readouterr().out
    assert "Files: not shown: " in out and "Move it aside" in out and "Traceback" not in out


def test_status_on_a_warehouse_of_an_older_release_says_to_run(tmp_path: Path, capsys) -> None:
    raw = _ingested_once(tmp_path)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("alter table raw.ingest_ledger drop column status_changed_at")
    assert status(Settings(raw, tmp_path)) == 0
    assert "written by an older planwatch; `planwatch run` brings it up to date" in capsys.readouterr().out


def _in_progress(instance: dg.DagsterInstance) -> str:
    run_id = str(uuid.uuid4())
    instance.add_run(DagsterRun(job_name="refresh", run_id=run_id, status=dg.DagsterRunStatus.STARTED))
    return run_id


def test_a_run_left_in_progress_by_a_killed_process_is_marked_failed(tmp_path: Path) -> None:
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        run_id = _in_progress(instance)
        assert fail_dead_runs(instance) == []  # it may still be taking the lock
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=DEAD_RUN_AFTER_SECONDS + 1)
        assert fail_dead_runs(instance, later) == [run_id]
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        assert fail_dead_runs(instance, later) == []


def test_planwatch_run_refuses_a_warehouse_inside_the_raw_folder(tmp_path: Path, planwatch) -> None:
    (tmp_path / "raw" / "filings").mkdir(parents=True)
    warehouse = tmp_path / "raw" / "filings" / "wh"
    refused = planwatch("run", "--raw", str(tmp_path / "raw"), "--warehouse", str(warehouse))
    assert refused.returncode == 2
    assert "is inside the raw folder" in refused.stderr
    assert not warehouse.exists()


def test_planwatch_run_with_the_clock_behind_stops_before_anything(tmp_path: Path, planwatch) -> None:
    raw = _ingested_once(tmp_path)
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("update raw.ingest_ledger set first_seen_at = first_seen_at + interval 1 day")
    refused = planwatch("run", "--raw", str(raw), "--warehouse", str(tmp_path))
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert "planwatch: the clock reads " in refused.stderr
    assert not (tmp_path / "analytics.duckdb").exists()


def test_planwatch_run_with_a_file_as_raw_folder_says_it_is_a_file(tmp_path: Path, planwatch) -> None:
    (tmp_path / "raw").write_text("not a folder")
    refused = planwatch("run", "--raw", str(tmp_path / "raw"), "--warehouse", str(tmp_path / "wh"))
    assert refused.returncode == 2
    assert "is a file, not a folder" in refused.stderr
