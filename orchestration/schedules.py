"""The monthly refresh: each month, in Beijing time, the previous month's partition."""

import dagster as dg

from orchestration.constants import REFRESH_DAY_OF_MONTH, REFRESH_HOUR
from orchestration.jobs import refresh_job

monthly_refresh_schedule = dg.build_schedule_from_partitioned_job(
    refresh_job,
    name="monthly_refresh",
    day_of_month=REFRESH_DAY_OF_MONTH,
    hour_of_day=REFRESH_HOUR,
    description="Refresh the indicators for the previous month once districts and the bureau have reported.",
)
