"""The planwatch code location: `dg dev` (make dev) or `dagster dev -m orchestration.definitions` shows all of it.

Importing this module does nothing but define `defs`; Dagster (or `planwatch run`) calls it to load
the definitions. Loading parses the dbt project only when its manifest is missing or older than a
file of the project (orchestration/project.py).
"""

import os
import warnings

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    """Every asset, check, job, schedule and sensor, with the resources they use."""
    from orchestration.instance import relax_history_fsync
    from orchestration.project import PlanwatchDbtCliResource, dbt_executable, dbt_project, ensure_manifest
    from orchestration.settings import QUIET_ENV

    # However the code location is started (planwatch run, dg dev, a deployment), it and the dbt
    # processes it starts send no telemetry and make no version check over the network.
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    relax_history_fsync()  # the run history's SQLite commits without fsync: orchestration/instance.py
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    # not dagster-dbt's prepare_if_dev: under `dagster dev` it parsed on every load, straight into
    # target/, where a run of `planwatch run` could read a manifest half written
    ensure_manifest()

    # These modules build their assets from the manifest prepared above.
    from orchestration.assets.dbt import planwatch_dbt
    from orchestration.assets.ingest import ingest_assets
    from orchestration.assets.publish import analytics_snapshot
    from orchestration.assets.reports import dbt_docs, district_feedback
    from orchestration.checks.dq import dq_family_checks
    from orchestration.checks.staged_inputs import staged_input_expectations
    from orchestration.jobs import refresh_job
    from orchestration.progress import progress_logger
    from orchestration.resources import WarehouseResource
    from orchestration.schedules import monthly_refresh_schedule
    from orchestration.sensors import raw_files_sensor

    return dg.Definitions(
        assets=[*ingest_assets, planwatch_dbt, analytics_snapshot, district_feedback, dbt_docs],
        asset_checks=[*dq_family_checks, staged_input_expectations],
        jobs=[refresh_job],
        # also for the jobs Dagster makes for an ad-hoc selection (materialize in the UI, `dagster asset
        # materialize`): a step in a process of its own took the warehouse's run lock its own run held
        executor=dg.in_process_executor,
        schedules=[monthly_refresh_schedule],
        sensors=[raw_files_sensor],
        # the console logger of every job: progress by stage (orchestration/progress.py)
        loggers={"console": progress_logger},
        resources={
            "warehouse": WarehouseResource(
                raw_dir=dg.EnvVar("PLANWATCH_RAW_DIR"),
                warehouse_dir=dg.EnvVar("PLANWATCH_WAREHOUSE_DIR"),
            ),
            "dbt": PlanwatchDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        },
    )
