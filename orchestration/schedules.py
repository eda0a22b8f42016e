"""The monthly refresh: each month, in Beijing time, a run for the previous month's partition that
does what `planwatch run` does: every file that came in since, of any month, and no file read again.

Built by hand rather than with build_schedule_from_partitioned_job: that run would be a partition
run, which reads its month's files again and leaves every new file of another month (a correction of
May arriving in July) for a run nobody starts."""

import datetime as dt

import dagster as dg

from orchestration.constants import (
    MONTHLY_INGEST_OPS,
    REFRESH_DAY_OF_MONTH,
    REFRESH_HOUR,
    TIMEZONE,
    monthly_partitions,
)
from orchestration.jobs import refresh_job


def previous_month_key(tick: dt.datetime) -> str | None:
    """The partition of the month before the tick's (Beijing time), if the partitions hold it."""
    first = tick.date().replace(day=1)
    key = (first - dt.timedelta(days=1)).replace(day=1).isoformat()
    return key if key in monthly_partitions.get_partition_keys(current_time=tick) else None


@dg.schedule(
    name="monthly_refresh",
    job=refresh_job,
    cron_schedule=f"0 {REFRESH_HOUR} {REFRESH_DAY_OF_MONTH} * *",
    execution_timezone=TIMEZONE,
    description="Refresh the indicators for the previous month once districts and the bureau have "
    "reported: every new file of any month, as `planwatch run` takes them.",
)
def monthly_refresh_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    key = previous_month_key(context.scheduled_execution_time)
    if key is None:
        return dg.SkipReason("the previous month is not among the monthly partitions")
    return dg.RunRequest(
        run_key=key,
        partition_key=key,
        # what `planwatch run` does: new files only, of every month; none read again
        run_config={"ops": {op: {"config": {"only_new_files": True}} for op in MONTHLY_INGEST_OPS}},
        tags={"planwatch/trigger": "monthly_refresh"},
    )
