"""Great Expectations suites on the staged inputs (shape, ranges, code sets), with Data Docs.

The suites are JSON files in expectations/, one per staged model. GX gets each model as a pandas frame
read from the build DuckDB through Arrow: its SQL datasource over duckdb-engine fails every
expectation (DESIGN.md; GX issues #10738, #11579). The Dagster asset checks call
`validate_staged_inputs`; nothing here imports Dagster.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa

from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.data_context import AbstractDataContext

# No usage statistics leave this process. GX itself is imported inside the functions below: it
# takes seconds to import, and the Dagster code location imports this module on every load.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
DOCS_SITE = "planwatch"
DATASOURCE = "staging"
RUN_NAME = "planwatch-staged-inputs"
RESULT_FORMAT = "SUMMARY"  # counts and up to 20 unexpected values per expectation

# DuckDB → Arrow → pandas: integers and booleans keep NULLs as pandas' nullable types instead of
# turning into floats; DATE stays datetime.date, so GX compares it with the suites' date bounds.
_NULLABLE_TYPES = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


class FailedExpectation(NamedTuple):
    """One expectation a staged model did not meet."""

    expectation_type: str
    column: str | None  # "uscc, period" for a compound key; None for a table-level expectation
    unexpected_count: int | None  # None where GX counts no rows (row count, column set, types, errors)
    description: str


@dataclass(frozen=True)
class SuiteResult:
    """The outcome of one suite on one staged model."""

    suite_name: str
    model: str  # schema.name in the build database, e.g. staging.stg_raw__filings
    success: bool
    evaluated: int  # expectations evaluated (0 when the model could not be read)
    docs_index: Path  # the Data Docs page that lists this run
    failed: list[FailedExpectation] = field(default_factory=list)
    row_count: int | None = None
    reason: str | None = None  # why the suite could not run at all

    def summary(self) -> str:
        """One line for a log or an asset check's description."""
        if self.reason:
            return f"{self.suite_name}: not validated: {self.reason}"
        met = self.evaluated - len(self.failed)
        text = f"{self.suite_name}: {met} of {self.evaluated} expectations met on {self.row_count} rows"
        if self.failed:
            text += "; " + "; ".join(failure.description for failure in self.failed)
        return text


def load_suites(folder: Path = EXPECTATIONS_DIR) -> dict[str, ExpectationSuite]:
    """The suites in folder (*.json, GX 1.x suite format), by name; each names its model in meta.model."""
    from great_expectations.core import ExpectationSuite

    folder = Path(folder)
    suites: dict[str, ExpectationSuite] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            suite = ExpectationSuite(**json.loads(path.read_text(encoding="utf-8")))
        except Exception as exc:
            raise ValueError(f"{path}: not a Great Expectations suite: {exc}") from exc
        if suite.name != path.stem:
            raise ValueError(
                f"{path}: the suite is named '{suite.name}', expected '{path.stem}' (the file name)"
            )
        model = suite.meta.get("model")
        if not isinstance(model, str) or model.count(".") != 1:
            raise ValueError(f"{path}: meta.model must name the staged model as schema.name, got {model!r}")
        suites[suite.name] = suite
    if not suites:
        raise FileNotFoundError(f"no expectation suites (*.json) in {folder}")
    return suites


def reference_parameters(seeds_dir: Path = SEEDS_DIR) -> dict[str, list[str]]:
    """Code sets the suites name as {"$PARAMETER": ...}, read from the dbt seeds (one copy of each list)."""
    return {
        "reporting_unit_codes": _seed_column(seeds_dir / "reporting_units.csv", "district_code"),
        "chain_codes": _seed_column(seeds_dir / "chains.csv", "chain_code"),
    }


def validate_staged_inputs(
    build_db: Path, docs_dir: Path, suites_dir: Path = EXPECTATIONS_DIR
) -> list[SuiteResult]:
    """Validate every staged model against its suite and write Data Docs to docs_dir/index.html.

    The build database is opened read-only and closed before GX runs. A model that is missing or
    cannot be read gives a failed SuiteResult with a reason. The docs are written beside docs_dir and
    swapped in, so docs_dir always holds one complete run.
    """
    build_db, docs_dir = Path(build_db), Path(docs_dir)
    if not build_db.is_file():
        raise FileNotFoundError(f"build database not found: {build_db}")
    suites = load_suites(suites_dir)
    frames = _read_models(build_db, sorted({suite.meta["model"] for suite in suites.values()}))
    parameters = reference_parameters()
    docs_index = docs_dir / "index.html"

    _check_replaceable_docs(docs_dir)
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    building = docs_dir.with_name(f".{docs_dir.name}.building-{uuid.uuid4().hex[:8]}")
    try:
        context = _ephemeral_context(building)
        results = [
            _validate_one(context, suite, frames[suite.meta["model"]], parameters, docs_index)
            for suite in suites.values()
        ]
        context.build_data_docs(site_names=[DOCS_SITE])
        _swap_folder(building, docs_dir)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return results


def staged_frame(con: duckdb.DuckDBPyConnection, model: str) -> pd.DataFrame:
    """A staged model as the pandas frame GX validates: DECIMAL as float64, nullable ints and booleans.

    Money becomes float64 because GX's range checks need numbers; exact sums are dbt's business.
    """
    table = con.table(model).to_arrow_table()
    schema = pa.schema(
        [
            column.with_type(pa.float64()) if pa.types.is_decimal(column.type) else column
            for column in table.schema
        ]
    )
    return table.cast(schema).to_pandas(types_mapper=_NULLABLE_TYPES.get)


def _seed_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def _read_models(build_db: Path, models: list[str]) -> dict[str, pd.DataFrame | str]:
    """Each model's frame, or the reason it could not be read."""
    frames: dict[str, pd.DataFrame | str] = {}
    with duckdb.connect(str(build_db), read_only=True) as con:
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for model in models:
            if model not in present:
                frames[model] = f"{model} is not in {build_db} (dbt has not built it)"
                continue
            try:
                frames[model] = staged_frame(con, model)
            except duckdb.Error as exc:
                frames[model] = f"{model} in {build_db} could not be read: {exc}"
    return frames


def _ephemeral_context(docs_dir: Path) -> AbstractDataContext:
    """An in-memory GX context whose one Data Docs site is docs_dir; no progress bars, no analytics."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.data_sources.add_pandas(DATASOURCE)
    return context


def _validate_one(
    context: AbstractDataContext,
    suite: ExpectationSuite,
    frame: pd.DataFrame | str,
    parameters: dict[str, list[str]],
    docs_index: Path,
) -> SuiteResult:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    model = suite.meta["model"]
    suite = context.suites.add(suite)  # listed in the docs even when its model is missing
    if isinstance(frame, str):
        return SuiteResult(suite.name, model, success=False, evaluated=0, docs_index=docs_index, reason=frame)

    asset = context.data_sources.get(DATASOURCE).add_dataframe_asset(name=model.split(".")[1])
    batch_definition = asset.add_batch_definition_whole_dataframe("whole table")
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=suite)
    )
    outcome = validation.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        result_format=RESULT_FORMAT,
        run_id=RunIdentifier(run_name=RUN_NAME, run_time=dt.datetime.now(dt.UTC)),
    )
    return SuiteResult(
        suite_name=suite.name,
        model=model,
        success=bool(outcome.success),
        evaluated=int(outcome.statistics["evaluated_expectations"]),
        failed=_failures(suite, outcome),
        docs_index=docs_index,
        row_count=len(frame),
    )


def _failures(suite: ExpectationSuite, outcome: ExpectationSuiteValidationResult) -> list[FailedExpectation]:
    """Failed expectations in the suite's order (GX returns them in the order it computed them)."""
    order = {expectation.id: position for position, expectation in enumerate(suite.expectations)}
    failed = [result for result in outcome.results if not result.success]
    failed.sort(key=lambda result: order.get(result.expectation_config.id, len(order)))
    return [_failure(result) for result in failed]


def _failure(result: ExpectationValidationResult) -> FailedExpectation:
    config = result.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or (", ".join(kwargs["column_list"]) if "column_list" in kwargs else None)
    details = result.result or {}
    error = _exception_message(result)
    count = details.get("unexpected_count") if not error else None
    return FailedExpectation(
        config.type,
        column,
        None if count is None else int(count),
        _describe(config.type, kwargs, details, error),
    )


def _exception_message(result: ExpectationValidationResult) -> str | None:
    """GX reports an error either flat or keyed by the metric that raised it."""
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("exception_message"):
            return str(value["exception_message"])
    return None


def _describe(kind: str, kwargs: dict[str, Any], details: dict[str, Any], error: str | None) -> str:
    """A short sentence: where, how many, what was expected, and a few of the values found."""
    column = kwargs.get("column") or ", ".join(kwargs.get("column_list", [])) or "table"
    if error:
        return f"{column}: could not be evaluated: {error.strip().splitlines()[0]}"
    observed = details.get("observed_value")
    if kind == "expect_table_row_count_to_be_between":
        return f"the table has {observed} rows, expected {_bounds(kwargs)}"
    if kind == "expect_table_columns_to_match_set":
        mismatched = (details.get("details") or {}).get("mismatched") or {}
        parts = [
            f"{label} {', '.join(map(str, mismatched[key]))}"
            for key, label in (("missing", "missing"), ("unexpected", "unexpected"))
            if mismatched.get(key)
        ]
        return f"the columns differ from the staged model's: {'; '.join(parts) or observed}"
    if kind in ("expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"):
        expected = kwargs.get("type_") or " or ".join(kwargs.get("type_list") or [])
        return f"{column}: type is {observed}, expected {expected}"

    what = {
        "expect_column_values_to_not_be_null": "are empty",
        "expect_column_values_to_be_in_set": f"are not among the {len(kwargs.get('value_set') or [])} allowed values",
        "expect_column_values_to_be_between": f"are {_bounds(kwargs, outside=True)}",
        "expect_column_value_lengths_to_equal": f"are not {kwargs.get('value')} characters long",
        "expect_column_values_to_match_regex": f"do not match {kwargs.get('regex')}",
        "expect_compound_columns_to_be_unique": "share their key with another row",
        "expect_column_values_to_be_unique": "are not unique",
    }.get(kind, f"fail {kind}")
    unit = "rows" if "column_list" in kwargs else "values"
    text = f"{column}: {details.get('unexpected_count')} of {details.get('element_count')} {unit} {what}"
    if kwargs.get("mostly") is not None:
        text += f" ({details.get('unexpected_percent', 0):.1f}%, at most {1 - kwargs['mostly']:.0%} allowed)"
    examples = list(dict.fromkeys(_example(value) for value in details.get("partial_unexpected_list") or []))
    if examples and kind != "expect_column_values_to_not_be_null":
        text += ", e.g. " + "; ".join(examples[:3])
    return text


def _bounds(kwargs: dict[str, Any], outside: bool = False) -> str:
    low, high = (_plain(kwargs.get(key)) for key in ("min_value", "max_value"))
    if low is not None and high is not None:
        return f"outside {low} … {high}" if outside else f"between {low} and {high}"
    if low is not None:
        return f"below {low}" if outside else f"at least {low}"
    return f"above {high}" if outside else f"at most {high}"


def _plain(value: object) -> object:
    """0.0 as 0: GX turns the suites' whole-number bounds into floats."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _example(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in value.items())
    return str(value)


def _check_replaceable_docs(docs_dir: Path) -> None:
    """Refuse to swap away a folder that is not an earlier Data Docs site (a mistyped path)."""
    if docs_dir.exists() and any(docs_dir.iterdir()) and not (docs_dir / "index.html").is_file():
        raise ValueError(f"{docs_dir} exists and is not a Data Docs folder (no index.html); not replacing it")


def _swap_folder(new: Path, target: Path) -> None:
    """Put new in target's place; the old folder is removed only once new is in place."""
    retired = target.with_name(f".{target.name}.retired-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(retired)
    new.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
