"""Reports for people outside the warehouse: the district feedback workbooks."""

import dagster as dg

from orchestration.feedback import write_feedback
from orchestration.resources import WarehouseResource


@dg.asset(
    key=["reports", "district_feedback"],
    group_name="reports",
    kinds={"excel"},
    deps=[dg.AssetKey(["marts", "dq_findings"]), dg.AssetKey(["marts", "dq_rules"])],
)
def district_feedback(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """One workbook per district and period with findings (warehouse/reports/feedback/<YYYY-MM>/):
    what to fix, in words a district officer can act on."""
    settings = warehouse.settings
    paths = write_feedback(settings.build_db, settings.feedback_dir)
    periods = sorted({path.parent.name for path in paths})
    context.log.info(f"{len(paths)} feedback workbooks under {settings.feedback_dir}")
    return dg.MaterializeResult(
        metadata={
            "workbooks": len(paths),
            "periods": ", ".join(periods[-6:]) + (" …" if len(periods) > 6 else ""),
            "folder": dg.MetadataValue.path(str(settings.feedback_dir)),
        }
    )
