"""The planwatch code location: `dagster dev -m orchestration.definitions` shows all of it."""

import os
import warnings

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.project import dbt_executable, dbt_project, ensure_manifest
from orchestration.settings import QUIET_ENV

# However the code location is started (planwatch run, dagster dev, a deployment), it and the dbt
# processes it starts send no telemetry and make no version check over the network.
for _name, _value in QUIET_ENV.items():
    os.environ.setdefault(_name, _value)

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

dbt_project.prepare_if_dev()
ensure_manifest()

from orchestration.assets.dbt import planwatch_dbt  # noqa: E402 - needs the manifest prepared above
from orchestration.assets.ingest import ingest_assets  # noqa: E402
from orchestration.assets.publish import analytics_snapshot  # noqa: E402
from orchestration.assets.reports import dbt_docs, district_feedback  # noqa: E402
from orchestration.checks.dq import dq_family_checks  # noqa: E402
from orchestration.checks.expectations import staged_input_expectations  # noqa: E402
from orchestration.jobs import refresh_job  # noqa: E402
from orchestration.resources import WarehouseResource  # noqa: E402
from orchestration.schedules import monthly_refresh_schedule  # noqa: E402
from orchestration.sensors import raw_files_sensor  # noqa: E402

defs = dg.Definitions(
    assets=[*ingest_assets, planwatch_dbt, analytics_snapshot, district_feedback, dbt_docs],
    asset_checks=[*dq_family_checks, staged_input_expectations],
    jobs=[refresh_job],
    schedules=[monthly_refresh_schedule],
    sensors=[raw_files_sensor],
    resources={
        "warehouse": WarehouseResource(
            raw_dir=dg.EnvVar("PLANWATCH_RAW_DIR"),
            warehouse_dir=dg.EnvVar("PLANWATCH_WAREHOUSE_DIR"),
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    },
)
