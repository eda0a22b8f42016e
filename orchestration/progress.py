"""The refresh job's progress on the console, by stage: one short line per message and one per finished
step, instead of Dagster's default line (date, logger, level, job, run id, step key, then the message).

    11:48:50  ingest   raw/district_submissions: districts: 53/53 files looked at, 1642 rows loaded
    11:48:50  ingest   raw/district_submissions done (0.9 s)
    11:49:08  dbt      planwatch_dbt done (16.2 s)

The Dagster UI keeps every event as before: this is only how a run started from the command line (or
by the daemon) prints them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys

import dagster as dg

# The stage of each step, by the start of its key (in the order a refresh runs them).
STAGES = (
    ("raw__", "ingest"),
    ("planwatch_dbt", "dbt"),
    ("marts__dq_findings_", "checks"),
    ("published__", "publish"),
    ("reports__", "reports"),
    ("staged_input_expectations", "quality"),
)
# dagster-dbt's remarks that tell an operator nothing about this run.
QUIET_PREFIXES = (
    "A dbt subsetted execution is not being performed",
    "Copying `",
)
_DONE = {"STEP_SUCCESS": "done", "STEP_FAILURE": "failed (the summary below says why)"}
# Dagster's words, at error level, for a step it does not run because one before it failed (the
# feedback workbooks after a refused publish): not an error of that step.
_NOT_RUN = re.compile(
    r"Dependencies for step \S+(?: failed: \[(?P<failed>[^\]]*)\])?"
    r"(?: were not executed: \[(?P<abandoned>[^\]]*)\])?\. Not executing\."
)


def stage_of(step_key: str | None) -> str:
    """The stage a step belongs to: ingest, dbt, checks, publish, reports, quality; 'run' outside a step."""
    if not step_key:
        return "run"
    return next((stage for prefix, stage in STAGES if step_key.startswith(prefix)), "run")


def step_label(step_key: str | None) -> str:
    """The asset a step materializes, as the UI names it: raw__filings → raw/filings."""
    return (step_key or "refresh").replace("__", "/")


def progress_line(record: logging.LogRecord) -> str | None:
    """The line for one Dagster log record, or None when it is not worth a line: a finished step with
    its time, a message of the steps (info and above) with its level when it is a warning or worse."""
    meta = getattr(record, "dagster_meta", None) or {}
    step = meta.get("step_key")
    event = meta.get("dagster_event")
    when = dt.datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
    prefix = f"{when}  {stage_of(step):<8} {step_label(step)}"
    if event is not None:
        done = _DONE.get(event.event_type_value)
        if done is None or (done == "done" and stage_of(step) == "checks"):
            return None  # the rule-family checks take no time: their results are in the summary
        duration = getattr(event.event_specific_data, "duration_ms", None)
        return f"{prefix} {done}" + (f" ({duration / 1000:.1f} s)" if duration is not None else "")
    message = str(meta.get("orig_message", record.getMessage()))
    if record.levelno < logging.INFO or message.startswith(QUIET_PREFIXES):
        return None
    not_run = _NOT_RUN.fullmatch(message)
    if not_run:
        keys = ",".join(filter(None, not_run.groups())).replace("'", "").split(",")
        return f"{prefix} not run: {', '.join(step_label(key.strip()) for key in keys)} did not succeed"
    level = "" if record.levelno < logging.WARNING else f"{record.levelname.lower()}: "
    return f"{prefix}: {level}{message}"


class _ProgressHandler(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(logging.DEBUG)  # step events come at DEBUG; `level` applies to messages
        self.message_level = level

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is None and record.levelno < self.message_level:
            return
        quiet = self.message_level > logging.INFO  # planwatch run --quiet: only what went wrong
        if event is not None and quiet and event.event_type_value != "STEP_FAILURE":
            return
        line = progress_line(record)
        if line is not None:
            print(line, file=sys.stderr, flush=True)


@dg.logger(
    config_schema={"log_level": dg.Field(str, default_value="INFO", is_required=False)},
    description="planwatch's progress lines on stderr: time, stage, step, message; a line per finished step.",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    level = logging.getLevelName(init_context.logger_config["log_level"].upper())
    # a logger of this run only, as Dagster's own console logger is: one registered with logging (by
    # getLogger) would outlive the run, and what the run hangs on it with it (DuckDB then reports
    # leaked objects at exit)
    logger = logging.Logger("planwatch.progress", level=logging.DEBUG)
    logger.addHandler(_ProgressHandler(level if isinstance(level, int) else logging.INFO))
    return logger
