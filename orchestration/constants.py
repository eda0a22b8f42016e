"""Names and calendar settings shared by the Dagster definitions."""

import dagster as dg

from orchestration.ingest.kinds import KINDS

TIMEZONE = "Asia/Shanghai"
# The first month the warehouse tracks: January of the plan's baseline year (2022).
FIRST_PERIOD = "2022-01-01"
# Districts and the bureau publish a month's figures in the middle of the next month.
REFRESH_DAY_OF_MONTH = 20
REFRESH_HOUR = 6

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_PERIOD, timezone=TIMEZONE, end_offset=0)

# The kinds of input, from the kinds table (orchestration/ingest/kinds.py): raw/<kind>/ folders, and
# those that come month by month (partitioned) rather than as snapshots.
RAW_KIND_FOLDERS = tuple(KINDS)
MONTHLY_KINDS = tuple(name for name, kind in KINDS.items() if kind.monthly)
# The ingest steps of the monthly kinds (op names of the raw/<table> assets): a refresh tells them to
# load only the files the ledger has not seen (IngestConfig.only_new_files).
MONTHLY_INGEST_OPS = tuple(
    dg.AssetKey(["raw", KINDS[name].table]).to_python_identifier() for name in MONTHLY_KINDS
)
# The snapshot's tables (marts.<name>), each copied from the build mart it maps to. The findings go
# out as dq_findings_published: figures the disclosure rule protects withheld. The build's dq_findings
# keeps them for the districts' feedback workbooks.
PUBLIC_MARTS = {
    "indicator_progress": "indicator_progress",
    "indicator_outlook": "indicator_outlook",
    "chain_monthly": "chain_monthly",
    "district_monthly": "district_monthly",
    "dq_findings": "dq_findings_published",
    "dq_rules": "dq_rules",
}
# The published snapshot and dbt's documentation are made from these marts.
PUBLIC_MART_KEYS = tuple(dg.AssetKey(["marts", model]) for model in PUBLIC_MARTS.values())
