"""The refresh job: ingest, dbt build (models and tests), publish. Its monthly partitions come from the
ingest assets."""

import dagster as dg

# One job over the whole graph. It runs in-process: a process per step costs ~3.5 s here, and one
# process keeps DuckDB to a single writer.
refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest new raw files, build and test every dbt model, publish analytics.duckdb.",
)
