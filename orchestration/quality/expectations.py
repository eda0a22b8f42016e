"""Great Expectations suites on the staged inputs (shape, ranges, code sets), with Data Docs.

The suites are JSON files in expectations/, one per staged model. GX gets each model as a pandas frame
read from the build DuckDB through Arrow: its SQL datasource over duckdb-engine fails every
expectation (docs/architecture.md, Decisions; GX issues #10738, #11579). The Dagster asset checks call
`validate_staged_inputs`; nothing here imports Dagster.
"""

from __future__ import annotations

import csv
import ctypes
import ctypes.util
import datetime as dt
import gc
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa

from orchestration.folders import replacing
from orchestration.quality import batches, offline_docs
from orchestration.quality.descriptions import FailedExpectation, failures
from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
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

# A batch from which the memory is given back at once (_give_memory_back): the cycle collection
# costs about 0.15 s each time, and a small batch leaves little behind.
_LARGE_BATCH_ROWS = 100_000

# glibc's malloc_trim: hands freed heap pages back to the system (see _give_memory_back); None
# where the C library has none (macOS, musl).
_MALLOC_TRIM = (
    getattr(ctypes.CDLL(ctypes.util.find_library("c")), "malloc_trim", None)
    if sys.platform == "linux"
    else None
)

# Rows DuckDB hands over at a time while a column is read (staged_frame), not the whole result.
_READ_BATCH_ROWS = 200_000

# DuckDB → Arrow → pandas: integers and booleans keep NULLs as pandas' nullable types instead of
# turning into floats; DATE stays datetime.date, so GX compares it with the suites' date bounds.
_NULLABLE_TYPES = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


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
    batches: tuple[str, ...] = ()  # the model's batch keys: years, or "all"
    validated_now: tuple[str, ...] = ()  # those validated by this call; the others' findings were reused

    def summary(self) -> str:
        """One line for a log or an asset check's description."""
        if self.reason:
            return f"{self.suite_name}: not validated: {self.reason}"
        met = self.evaluated - len({(failure.expectation_type, failure.column) for failure in self.failed})
        text = f"{self.suite_name}: {met} of {self.evaluated} expectations met on {self.row_count} rows"
        if len(self.batches) > 1 or set(self.batches) != set(self.validated_now):
            text += f" ({self._batches_text()})"
        if self.failed:
            text += "; " + "; ".join(failure.description for failure in self.failed)
        return text

    def _batches_text(self) -> str:
        where = f"{len(self.batches)} years" if len(self.batches) > 1 else "one batch"
        if not self.validated_now:
            return f"{where}, unchanged since the last validation"
        if set(self.validated_now) == set(self.batches):
            return f"{where}, all validated now"
        return f"{where}; validated now: {', '.join(self.validated_now)}, the others unchanged"


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
    build_db: Path,
    docs_dir: Path,
    suites_dir: Path = EXPECTATIONS_DIR,
    state_file: Path | None = None,
    code_digest: str = "",
) -> list[SuiteResult]:
    """Validate every staged model against its suite and write Data Docs to docs_dir/index.html.

    Each model is validated in batches, by year where its suite names a year column
    (orchestration/quality/batches.py). With a state_file, only the batches that changed since the
    validation it records are validated, the others' findings are reused, and the Data Docs are
    rebuilt only when some batch was validated; without one, everything is. The build database is
    opened read-only for each read and closed before GX runs. A model that is missing or cannot be
    read gives a failed SuiteResult with a reason. The docs are written beside docs_dir and swapped
    in, so docs_dir always holds one complete validation.
    """
    build_db, docs_dir = Path(build_db), Path(docs_dir)
    if not build_db.is_file():
        raise FileNotFoundError(f"build database not found: {build_db}")
    suites = load_suites(suites_dir)
    parameters = reference_parameters()
    state_digest = batches.digest(suites_dir, parameters, code_digest)
    docs_index = docs_dir / "index.html"
    recorded = batches.load_state(state_file, state_digest) if docs_index.is_file() else {}
    plans = _plan(build_db, suites)
    work = [
        (suite, plans[suite.meta["model"]], batch)
        for suite in suites.values()
        if isinstance(plans[suite.meta["model"]], _Plan)
        for batch in batches.stale(plans[suite.meta["model"]].batches, recorded.get(suite.meta["model"], {}))
    ]
    found: dict[str, dict[str, Any]] = {}
    failed_reads: dict[str, str] = {}
    if work or not docs_index.is_file():
        found, failed_reads = _validate_batches(build_db, docs_dir, suites, work, parameters)
    results: list[SuiteResult] = []
    models_state: dict[str, dict[str, Any]] = {}
    for suite in suites.values():
        model = suite.meta["model"]
        plan = plans[model]
        reason = plan if isinstance(plan, str) else failed_reads.get(model)
        if reason is not None:
            results.append(
                SuiteResult(
                    suite.name, model, success=False, evaluated=0, docs_index=docs_index, reason=reason
                )
            )
            continue
        records = {**recorded.get(model, {}), **found.get(model, {})}
        models_state[model] = {batch.key: records[batch.key] for batch in plan.batches}
        results.append(
            _combine(suite.name, model, plan, models_state[model], found.get(model, {}), docs_index)
        )
    if state_file is not None:
        batches.save_state(state_file, state_digest, models_state)
    return results


class _Plan(NamedTuple):
    year_column: str | None
    is_date: bool
    batches: list[batches.Batch]


def _plan(build_db: Path, suites: dict[str, ExpectationSuite]) -> dict[str, _Plan | str]:
    """Each model's batches as the build database holds them, or the reason it cannot be read."""
    plans: dict[str, _Plan | str] = {}
    with duckdb.connect(str(build_db), read_only=True) as con:
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for suite in suites.values():
            model, year_column = suite.meta["model"], suite.meta.get("batch_year")
            if model not in present:
                plans[model] = f"{model} is not in {build_db} (dbt has not built it)"
                continue
            try:
                is_date = year_column is not None and batches.year_column_is_date(con, model, year_column)
                plans[model] = _Plan(year_column, is_date, batches.list_batches(con, model, year_column))
            except (duckdb.Error, KeyError) as exc:
                plans[model] = f"{model} in {build_db} could not be read: {exc}"
    return plans


def _validate_batches(
    build_db: Path,
    docs_dir: Path,
    suites: dict[str, ExpectationSuite],
    work: list[tuple[ExpectationSuite, _Plan, batches.Batch]],
    parameters: dict[str, list[str]],
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Validate the batches in `work` and build the Data Docs of this validation (every suite is
    listed, validated this time or not); the findings by model and batch key, and the models that
    could not be read."""
    found: dict[str, dict[str, Any]] = {}
    failed_reads: dict[str, str] = {}
    _check_replaceable_docs(docs_dir)
    with replacing(docs_dir) as building:
        context = _ephemeral_context(building)
        added = {name: context.suites.add(suite) for name, suite in suites.items()}
        for suite, plan, batch in work:
            model = suite.meta["model"]
            if model in failed_reads:
                continue
            try:
                with duckdb.connect(str(build_db), read_only=True) as con:
                    frame = staged_frame(
                        con, model, batch.where(plan.year_column, plan.is_date), regex_columns(suite)
                    )
            except duckdb.Error as exc:
                failed_reads[model] = f"{model} in {build_db} could not be read: {exc}"
                continue
            found.setdefault(model, {})[batch.key] = _validate_one(
                context, added[suite.name], frame, parameters, batch
            )
            large = len(frame) >= _LARGE_BATCH_ROWS
            del frame  # one batch's rows in memory at a time
            if large:
                _give_memory_back()
        context.build_data_docs(site_names=[DOCS_SITE])
        offline_docs.make_offline(building)  # no CDN, a static index, no credit code
    return found, failed_reads


def _combine(
    suite_name: str,
    model: str,
    plan: _Plan,
    records: dict[str, dict[str, Any]],
    validated_now: dict[str, Any],
    docs_index: Path,
) -> SuiteResult:
    """One result over every batch; a finding names its year when the model has more than one."""
    several = len(plan.batches) > 1
    failed = [
        FailedExpectation(kind, column, count, f"{key}: {text}" if several else text)
        for key, record in records.items()
        for kind, column, count, text in record["failed"]
    ]
    return SuiteResult(
        suite_name=suite_name,
        model=model,
        success=all(record["success"] for record in records.values()),
        evaluated=max(record["evaluated"] for record in records.values()),
        failed=failed,
        docs_index=docs_index,
        row_count=sum(record["rows"] for record in records.values()),
        batches=tuple(records),
        validated_now=tuple(key for key in records if key in validated_now),
    )


def staged_frame(
    con: duckdb.DuckDBPyConnection,
    model: str,
    where: str | None = None,
    plain_text: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """A staged model (the rows `where` selects) as the pandas frame GX validates: text as categories
    (but the columns in `plain_text`), DECIMAL as float64, nullable ints and booleans.

    Read one column at a time and text kept as categories: a year of filings at 200,000 enterprises
    is 2.4 million rows whose credit codes, names, file names and digests repeat, and the whole
    batch as Arrow plus its pandas copy was most of the run's peak memory (bench/scale.py).
    Categories hold each distinct text once; GX's null, set and length checks read them as they
    read text. A column GX matches against a regex stays plain text: GX converts it with
    astype(str) first, which turns categories back into 2.4 million strings at once (half a
    gigabyte for the file digests), and is free on text. Money becomes float64 because GX's range
    checks need numbers; exact sums are dbt's business.
    """
    relation = con.table(model)
    if where:
        relation = relation.filter(where)
    columns = {
        name: _pandas_column(
            relation.select(duckdb.ColumnExpression(name)), categories=name not in plain_text
        )
        for name in relation.columns
    }
    return pd.DataFrame(columns)


def regex_columns(suite: ExpectationSuite) -> frozenset[str]:
    """The columns a suite matches against a regex (staged_frame keeps them plain text)."""
    return frozenset(
        expectation.column
        for expectation in suite.expectations
        if expectation.expectation_type == "expect_column_values_to_match_regex"
    )


def _pandas_column(relation: duckdb.DuckDBPyRelation, categories: bool) -> pd.Series | pd.Categorical:
    """The one column of `relation` as pandas (see staged_frame)."""
    column = relation.to_arrow_reader(_READ_BATCH_ROWS).read_all().column(0)
    if pa.types.is_decimal(column.type):
        column = column.cast(pa.float64())
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        # pandas' own text type, kept in Arrow: given a types_mapper, pyarrow makes a Python string
        # of every value first (+450 MB for a year of file digests at 200,000 enterprises)
        text = column.to_pandas()
        return pd.Categorical(text) if categories else text
    return column.to_pandas(types_mapper=_NULLABLE_TYPES.get)


def _give_memory_back() -> None:
    """Free what a batch left and return it to the system. GX's validation leaves reference cycles
    that hold the batch's columns until Python's cycle collector happens to run, and Arrow's pool and
    the C heap keep freed memory for reuse. Over the three years of filings at 200,000 enterprises,
    resident memory between batches grew from 315 MB to 789 and 1,283 MB without this, and stayed
    at 315 to 333 MB with it."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _seed_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


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
    return gx.get_context(mode="ephemeral", project_config=config)


def _validate_one(
    context: AbstractDataContext,
    suite: ExpectationSuite,
    frame: pd.DataFrame,
    parameters: dict[str, list[str]],
    batch: batches.Batch,
) -> dict[str, Any]:
    """Validate one batch; its findings as the state file keeps them."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    model_name = suite.meta["model"].split(".")[1]
    # one data asset per batch: each gets its own validation page in the Data Docs
    asset_name = model_name if batch.key == batches.WHOLE else f"{model_name}_{batch.key.replace(' ', '_')}"
    # A data source of its own for each batch, dropped after: the pandas engine keeps every frame it
    # has loaded and every metric it has computed for the life of its data source, and with one data
    # source for all batches a year of filings stayed in memory per year validated (+450 MB each at
    # 200,000 enterprises, bench/scale.py). The results stay in the context for the Data Docs.
    source = context.data_sources.add_pandas(DATASOURCE)
    batch_definition = source.add_dataframe_asset(name=asset_name).add_batch_definition_whole_dataframe(
        "whole table"
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite.name} {batch.key}", data=batch_definition, suite=suite)
    )
    try:
        outcome = validation.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format=RESULT_FORMAT,
            run_id=RunIdentifier(run_name=RUN_NAME, run_time=dt.datetime.now(dt.UTC)),
        )
    finally:
        context.validation_definitions.delete(validation.name)
        context.data_sources.delete(DATASOURCE)
    return {
        "fingerprint": batch.fingerprint,
        "rows": len(frame),
        "success": bool(outcome.success),
        "evaluated": int(outcome.statistics["evaluated_expectations"]),
        "failed": [list(failure) for failure in failures(suite, outcome)],
        "validated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _check_replaceable_docs(docs_dir: Path) -> None:
    """Refuse to swap away a folder that is not an earlier Data Docs site (a mistyped path)."""
    if docs_dir.exists() and any(docs_dir.iterdir()) and not (docs_dir / "index.html").is_file():
        raise ValueError(f"{docs_dir} exists and is not a Data Docs folder (no index.html); not replacing it")
