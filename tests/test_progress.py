"""planwatch run's progress lines (orchestration/progress.py): the stage of each step, and a line per
message that says when, which stage, which step and what."""

import logging
import re

import pytest

from orchestration.progress import progress_line, stage_of, step_label


@pytest.mark.parametrize(
    ("step_key", "stage_and_label"),
    [
        ("raw__filings", "ingest raw/filings"),
        ("raw__district_submissions", "ingest raw/district_submissions"),
        ("planwatch_dbt", "dbt planwatch_dbt"),
        ("marts__dq_findings_dq_unit", "checks marts/dq_findings_dq_unit"),
        ("published__analytics_snapshot", "publish published/analytics_snapshot"),
        ("reports__district_feedback", "reports reports/district_feedback"),
        ("staged_input_expectations", "quality staged_input_expectations"),
        (None, "run refresh"),
        ("something_new", "run something_new"),
    ],
)
def test_each_step_has_its_stage(step_key: str | None, stage_and_label: str) -> None:
    assert f"{stage_of(step_key)} {step_label(step_key)}" == stage_and_label


def _record(level: int, message: str, step_key: str | None) -> logging.LogRecord:
    """A log record as Dagster hands it to a logger: the message and the step in `dagster_meta`."""
    record = logging.LogRecord(
        "dagster", level, __file__, 1, f"refresh - run - {step_key} - {message}", None, None
    )
    record.created = 1764900000.0  # 2025-12-05 02:00:00 UTC
    record.dagster_meta = {"step_key": step_key, "orig_message": message, "dagster_event": None}
    return record


@pytest.mark.parametrize(
    ("level", "message", "step_key", "expected"),
    [
        (logging.INFO, "filings: 10/54 files looked at, 8800 rows loaded", "raw__filings",
         r"\d\d:\d\d:\d\d  ingest   raw/filings: filings: 10/54 files looked at, 8800 rows loaded"),
        (logging.WARNING, "rejected filings/坏.xlsx: no header row", "raw__filings",
         r"\d\d:\d\d:\d\d  ingest   raw/filings: warning: rejected filings/坏.xlsx: no header row"),
        (logging.INFO, "A dbt subsetted execution is not being performed. Using the default", "planwatch_dbt", None),
        (logging.INFO, "Copying `target/partial_parse.msgpack` to `warehouse/dbt`", "planwatch_dbt", None),
        (logging.DEBUG, "a debug line", "planwatch_dbt", None),
        # a step Dagster does not run because one before it failed: said as such, not as its error
        (logging.ERROR,
         "Dependencies for step reports__district_feedback failed: ['published__analytics_snapshot']. Not executing.",
         "reports__district_feedback",
         r"\d\d:\d\d:\d\d  reports  reports/district_feedback not run: published/analytics_snapshot did not succeed"),
        (logging.ERROR,
         "Dependencies for step reports__dbt_docs failed: ['planwatch_dbt'] were not executed: "
         "['published__analytics_snapshot']. Not executing.",
         "reports__dbt_docs",
         r"\d\d:\d\d:\d\d  reports  reports/dbt_docs not run: planwatch_dbt, published/analytics_snapshot "
         r"did not succeed"),
    ],
)  # fmt: skip
def test_a_message_becomes_one_short_line(
    level: int, message: str, step_key: str, expected: str | None
) -> None:
    line = progress_line(_record(level, message, step_key))
    if expected is None:
        assert line is None
    else:
        assert line is not None and re.fullmatch(expected, line), line


def test_the_first_run_printed_progress_by_stage_and_nothing_else_of_dagsters(demo_first_run) -> None:
    """The shared demo run's stderr: a line per step by stage, no Dagster default prefix, no leak
    report from DuckDB's bindings at exit."""
    stderr = (demo_first_run.built / "first.stderr").read_text(encoding="utf-8")
    stages = re.findall(r"^\d\d:\d\d:\d\d  (\w+) +\S+ done \(\d+\.\d s\)$", stderr, re.M)
    assert set(stages) == {"ingest", "dbt", "publish", "reports", "quality"}
    assert stages.index("ingest") < stages.index("dbt") < stages.index("publish")
    assert " - dagster - INFO - " not in stderr
    assert "nanobind" not in stderr and "leaked" not in stderr
