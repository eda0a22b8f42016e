"""Great Expectations suites (expectations/*.json) on the staged inputs, as Dagster asset checks.

One validation pass covers every staged model and writes the Data Docs under
warehouse/reports/data_docs/. A model is validated year by year, and only the years whose rows
changed since the last validation (warehouse/reports/data_docs.validated.json keeps what each year
gave); a run that changed none leaves the Data Docs as they are and reports the recorded findings. Shape, range and set problems in what districts send are warnings for
a person to look at; the rule catalogue's findings say what each district must fix.
"""

import contextlib
import importlib
import threading

import dagster as dg

from orchestration.resources import WarehouseResource

CHECK_NAME = "great_expectations"

STAGED_MODELS = (
    "stg_raw__registry",
    "stg_raw__filings",
    "stg_raw__surveys",
    "stg_raw__district_submissions",
    "stg_raw__bureau",
)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            name=CHECK_NAME,
            asset=dg.AssetKey(["staging", model]),
            description=f"expectations/{model}.json: types, ranges, value sets and key uniqueness.",
        )
        for model in STAGED_MODELS
    ],
    can_subset=False,
)
def staged_input_expectations(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Validate every staged input with its suite (the years that changed) and write the Data Docs."""
    from orchestration.freshness import code_digest

    if _gx_import is not None:
        _gx_import.join()
    from orchestration.quality.expectations import validate_staged_inputs

    settings = warehouse.settings
    results = validate_staged_inputs(
        settings.build_db,
        settings.data_docs_dir,
        state_file=settings.data_docs_state,
        code_digest=code_digest(),
    )
    validated = sum(len(result.validated_now) for result in results)
    context.log.info(
        f"Data Docs: {settings.data_docs_dir / 'index.html'}"
        + (f" ({validated} batches validated)" if validated else " (unchanged: no staged year changed)")
    )
    for result in results:
        model = result.model.split(".")[-1]
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(["staging", model]),
            check_name=CHECK_NAME,
            passed=result.success,
            severity=dg.AssetCheckSeverity.WARN,
            description=result.summary(),
            metadata={
                "expectations_evaluated": result.evaluated,
                "expectations_failed": len(result.failed),
                "rows": result.row_count or 0,
                "batches_validated_now": ", ".join(result.validated_now) or "none",
                "data_docs": dg.MetadataValue.path(str(result.docs_index)),
                "failed": dg.MetadataValue.md(
                    "\n".join(f"- {failure.description}" for failure in result.failed) or "none"
                ),
            },
        )


# Importing Great Expectations takes 3 to 5 s, which every run paid at the start of the check above;
# the dbt step before it spends its time waiting for dbt's output, so a thread it starts imports GX
# meanwhile (127 MB in this process beside dbt's: see docs/architecture.md). The check joins the
# thread before it imports anything of GX, so the two never import it at once; a failed import is
# let go there, and the check's own import raises it with the reason. Not a daemon: a run that ends
# early (dbt failed, Ctrl-C) waits the few seconds the import has left rather than have the
# interpreter stop a thread in the middle of importing.
_gx_import: threading.Thread | None = None


def import_great_expectations_in_background(run: dg.DagsterRun) -> None:
    """Start importing GX when this run validates the staged inputs (every check, or this one)."""
    global _gx_import
    selected = run.asset_check_selection
    if _gx_import is None and (selected is None or any(key.name == CHECK_NAME for key in selected)):
        _gx_import = threading.Thread(target=_import_great_expectations, name="gx-import")
        _gx_import.start()


def _import_great_expectations() -> None:
    with contextlib.suppress(Exception):
        importlib.import_module("great_expectations")
