"""The publish materialized on its own (Dagster's UI, `dagster asset materialize`) publishes only the
marts of a whole dbt build that passed after the last file came in (orchestration/build_log.py).

Found by an operator's review: an ingest of one partition, then the publish alone, published marts
that did not show the new file while publish_log counted it; the next run then revised the month and
said no file had caused it. After a build whose blocking test failed, the publish alone published
what the test had rejected."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.build_log import FAILED, PASSED, STOPPED, build_finished, build_started, unbuilt_reason
from orchestration.ingest.ledger import ensure_schema
from tests.sheets import FILING_HEADER, write_csv

DAGSTER = str(Path(sys.executable).with_name("dagster"))


def dagster(raw: Path, warehouse: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PLANWATCH_RAW_DIR": str(raw),
        "PLANWATCH_WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(home),
    }
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [DAGSTER, "asset", "materialize", "-m", "orchestration.definitions", *args],
        capture_output=True, text=True, env=env, timeout=600, cwd=home,
    )  # fmt: skip


@pytest.mark.slow
def test_an_ingest_then_the_publish_alone_is_refused_until_a_build(
    tmp_path: Path, planwatch, demo_first_run
) -> None:
    """The demo's 2022-04 gets a 更正 line for one enterprise, taken in by raw/filings alone: the
    publish alone is refused and the snapshot stays byte for byte; `planwatch run` then builds and
    publishes it, and the publish alone is accepted after that build."""
    raw, warehouse = demo_first_run.copy_to(tmp_path)
    snapshot = warehouse / "analytics.duckdb"
    before = snapshot.read_bytes()
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        code, name = con.execute(
            "select uscc, enterprise_name from raw.filings where period = date '2022-04-01' order by uscc limit 1"
        ).fetchone()
    write_csv(
        raw / "filings" / "企业月报_2022-04_更正.csv",
        [FILING_HEADER, [code, name, "2022年4月", 98765.4, 321]],
    )
    home = tmp_path / "dagster_home"
    ingested = dagster(raw, warehouse, home, "--select", "raw/filings", "--partition", "2022-04-01")
    assert ingested.returncode == 0, ingested.stderr[-3000:]

    alone = dagster(raw, warehouse, home, "--select", "published/analytics_snapshot")
    assert alone.returncode != 0
    assert "1 files were ingested, superseded or withdrawn after the last whole dbt build" in alone.stderr
    assert snapshot.read_bytes() == before

    run = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert run.returncode == 0, run.stderr[-3000:]
    with duckdb.connect(str(snapshot), read_only=True) as con:
        revised = con.execute(
            "select caused_by from marts.indicator_revisions where indicator_code = 'revenue'"
        ).fetchall()
    assert revised == [("filings/企业月报_2022-04_更正.csv (arrived)",)]
    again = dagster(raw, warehouse, home, "--select", "published/analytics_snapshot")
    assert again.returncode == 0, again.stderr[-3000:]


def ledger_change(build_db: Path, at: dt.datetime) -> None:
    with duckdb.connect(str(build_db)) as con:
        ensure_schema(con)
        con.execute(
            "insert into raw.ingest_ledger (file_sha256, source_file, kind, status, first_seen_at) "
            "values (?, ?, 'filings', 'ingested', ?)",
            [at.isoformat(), f"filings/企业月报_{at:%H%M%S%f}.csv", at],
        )


def state_after(build_db: Path, steps: str) -> None:
    """Play `steps` on a fresh build database: f a file comes in, W/w a whole/selected build that
    passes, X a whole build that fails, S one stopped from the UI, K one whose process was killed."""
    for step in steps:
        if step == "f":
            ledger_change(build_db, dt.datetime.now())
        else:
            build_id = build_started(build_db, whole=step in "WXSK")
            if step != "K":
                build_finished(build_db, build_id, {"X": FAILED, "S": STOPPED}.get(step, PASSED))


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ("fW", None),
        ("fWw", None),  # a selection after a whole build that saw every file
        ("fWf", "1 files were ingested, superseded or withdrawn after the last whole dbt build"),
        ("fWfw", "1 files were ingested, superseded or withdrawn after the last whole dbt build"),
        ("fWfW", None),
        ("fWX", "failed (a model, or a blocking test"),
        ("fWXw", "failed (a model, or a blocking test"),  # a selection may not rebuild what X rejected
        ("fWXW", None),
        ("fWK", "did not finish"),
        ("fWKW", None),
        ("fWS", "was stopped before it finished"),
        ("fWSW", None),
        ("fw", "no dbt build of the whole project has passed"),
        ("f", "holds no record of a dbt build"),
        ("", "there is no build database"),
    ],
)
def test_what_a_publish_alone_goes_by(tmp_path: Path, steps: str, reason: str | None) -> None:
    build_db = tmp_path / "build.duckdb"
    state_after(build_db, steps)
    found = unbuilt_reason(build_db)
    assert (found is None) if reason is None else (reason in (found or "")), found
