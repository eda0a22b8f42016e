"""The Dagster code location: it validates, and its lineage, schedule and sensor are what we expect."""

import datetime as dt
import functools
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration import locking
from orchestration.constants import MONTHLY_INGEST_OPS
from tests.sheets import write_csv

DAGSTER = str(Path(sys.executable).with_name("dagster"))


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dg.Definitions]:
    root = tmp_path_factory.mktemp("defs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANWATCH_RAW_DIR", str(root / "raw"))
        patch.setenv("PLANWATCH_WAREHOUSE_DIR", str(root / "warehouse"))
        from orchestration.definitions import defs

        yield defs()


def test_importing_the_code_location_loads_nothing() -> None:
    """Loading is Dagster's call (or planwatch run's): the import itself parses no dbt project and
    imports no asset module."""
    code = (
        "import sys, orchestration.definitions as d; "
        "print(sorted(m for m in sys.modules if m.startswith(('orchestration.assets', 'dagster_dbt'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_dagster_definitions_validate(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PLANWATCH_RAW_DIR": str(tmp_path / "raw"),
        "PLANWATCH_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "DAGSTER_HOME": str(tmp_path),
    }
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    result = subprocess.run(
        [DAGSTER, "definitions", "validate", "-m", "orchestration.definitions"],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_lineage_snapshot(defs: dg.Definitions) -> None:
    """Every change to the asset graph shows here in review."""
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    assert keys == {
        "raw/registry", "raw/filings", "raw/surveys", "raw/district_submissions", "raw/bureau",
        "reference/reporting_units", "reference/industry_scope", "reference/chains", "reference/plan_indicators",
        "reference/dq_rule_catalogue", "reference/industry_divisions", "reference/header_synonyms",
        "reference/district_aliases", "reference/file_name_markers", "reference/sheet_name_markers",
        "reference/total_labels",
        "staging/stg_raw__registry", "staging/stg_raw__filings", "staging/stg_raw__surveys",
        "staging/stg_raw__district_submissions", "staging/stg_raw__bureau",
        "intermediate/int_registry_vintages", "intermediate/int_enterprises_in_scope",
        "intermediate/int_enterprise_months",
        "intermediate/int_enterprise_months_yoy", "intermediate/int_enterprise_surveys",
        "intermediate/int_survey_years", "intermediate/int_indicator_values", "intermediate/int_indicator_annuals",
        "intermediate/int_district_submission_months", "intermediate/int_enterprise_filings",
        "intermediate/int_filings__latest", "intermediate/int_registry_rows_in_force",
        "intermediate/int_reported_figures", "intermediate/int_district_reconciliation",
        "intermediate/int_period_window", "intermediate/int_filed_periods", "intermediate/int_registry__latest",
        "intermediate/int_file_months", "intermediate/int_mistyped_periods", "intermediate/int_lines_in_doubt",
        "intermediate/int_mistyped_codes",
        "intermediate/int_chain_cells", "intermediate/int_district_cells",
        "intermediate/int_indicator_series", "intermediate/int_indicator_outlook",
        "intermediate/int_dq__dq01_missing_submission", "intermediate/int_dq__dq02_revenue_mismatch",
        "intermediate/int_dq__dq03_enterprise_count_mismatch", "intermediate/int_dq__dq04_ytd_decrease",
        "intermediate/int_dq__dq05_yoy_growth_outlier", "intermediate/int_dq__dq06_unit_mixup",
        "intermediate/int_dq__dq07_implausible_values", "intermediate/int_dq__dq08_conflicting_filings",
        "intermediate/int_dq__dq09_invalid_credit_code", "intermediate/int_dq__dq10_registry_coverage",
        "intermediate/int_dq__dq11_district_mismatch", "intermediate/int_dq__dq12_division39_bureau_mismatch",
        "intermediate/int_dq__dq13_copied_submission", "intermediate/int_dq__dq14_period_out_of_range",
        "intermediate/int_dq__dq15_unknown_district", "intermediate/int_dq__dq16_unknown_chain",
        "marts/indicator_progress", "marts/indicator_outlook", "marts/chain_monthly", "marts/district_monthly", "marts/dq_findings",
        "marts/dq_findings_published",
        "marts/dq_rules", "published/analytics_snapshot", "reports/district_feedback", "reports/dbt_docs",
    }  # fmt: skip
    upstream = {
        key.to_user_string() for key in graph.get(dg.AssetKey(["staging", "stg_raw__filings"])).parent_keys
    }
    assert upstream == {"raw/filings"}
    monthly = {key.to_user_string() for key in keys_partitioned(graph)}
    assert monthly == {"raw/filings", "raw/district_submissions", "raw/bureau"}


def keys_partitioned(graph) -> list[dg.AssetKey]:
    return [key for key in graph.get_all_asset_keys() if graph.get(key).partitions_def is not None]


def test_rule_families_and_expectations_are_checks(defs: dg.Definitions) -> None:
    checks = {
        (key.asset_key.to_user_string(), key.name) for key in defs.resolve_asset_graph().asset_check_keys
    }
    families = {name for asset, name in checks if asset == "marts/dq_findings" and name.startswith("dq_")}
    assert families == {
        "dq_completeness", "dq_cross_table", "dq_history", "dq_unit", "dq_within_table", "dq_identity", "dq_coverage",
    }  # fmt: skip
    assert ("staging/stg_raw__filings", "great_expectations") in checks


def test_dbt_tests_are_asset_checks(defs: dg.Definitions) -> None:
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "relationships_indicator_progress_indicator_code__indicator_code__ref_plan_indicators_" in checks
    # an enterprise table's grain stays a test (README, Data quality: a unique key's index costs more)
    assert "unique_combination_of_columns_int_enterprise_months_uscc__period" in checks
    assert {"chain_monthly_partitions_city_total", "district_monthly_partitions_city_total"} <= checks
    assert {"chain_monthly_no_lone_suppressed_cell", "district_monthly_no_lone_suppressed_cell"} <= checks
    assert len(checks) > 100


def test_monthly_schedule_in_beijing_time_for_previous_month(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("monthly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "0 6 20 * *",
        "Asia/Shanghai",
        "refresh",
    )
    job = defs.resolve_job_def("refresh")
    assert job.partitions_def.get_partition_keys()[0] == "2022-01-01"


def test_the_monthly_schedule_takes_in_every_new_file_as_planwatch_run_does(defs: dg.Definitions) -> None:
    """The tick of 2026-12-20 06:00 Beijing time asks for November's partition, with every monthly
    ingest told to take only new files, so that a correction of May that came in since is taken in
    too (a partition run's own reading skipped the files of other months)."""
    schedule = defs.resolve_schedule_def("monthly_refresh")
    tick = dt.datetime(2026, 12, 20, 6, tzinfo=ZoneInfo("Asia/Shanghai"))
    with dg.instance_for_test() as instance:
        [request] = schedule.evaluate_tick(
            dg.build_schedule_context(
                instance=instance, scheduled_execution_time=tick, repository_def=defs.get_repository_def()
            )
        ).run_requests
    assert request.partition_key == "2026-11-01"
    assert {op: config["config"] for op, config in request.run_config["ops"].items()} == dict.fromkeys(
        MONTHLY_INGEST_OPS, {"only_new_files": True}
    )


def test_raw_files_sensor_targets_refresh(defs: dg.Definitions) -> None:
    sensor = defs.resolve_sensor_def("raw_files_sensor")
    assert sensor.job_name == "refresh"


def _range(request: dg.RunRequest) -> tuple[str, str]:
    return request.tags["dagster/asset_partition_range_start"], request.tags[
        "dagster/asset_partition_range_end"
    ]


def test_sensor_asks_for_one_run_over_the_months_of_new_files(
    defs: dg.Definitions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = tmp_path / "raw"
    (raw / "filings").mkdir(parents=True)
    (raw / "filings" / "企业月报_2024-10.csv").write_text(
        "统一社会信用代码,报告期,营业收入本年累计,研发费用本年累计\n", encoding="utf-8"
    )
    (raw / "districts").mkdir()
    (raw / "districts" / "万州_2024年1-9月.csv").write_text("区县,报告期\n", encoding="utf-8")
    monkeypatch.setenv("PLANWATCH_RAW_DIR", str(raw))
    monkeypatch.setenv("PLANWATCH_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    sensor = defs.resolve_sensor_def("raw_files_sensor")
    with dg.instance_for_test() as instance:
        result = sensor(dg.build_sensor_context(instance=instance, definitions=defs))
        assert [_range(request) for request in result.run_requests] == [("2024-09-01", "2024-10-01")]
        assert result.run_requests[0].run_config["ops"]["raw__filings"]["config"] == {"only_new_files": True}
        again = sensor(dg.build_sensor_context(instance=instance, definitions=defs, cursor=result.cursor))
    # nothing changed under raw/ since: no second request, and build.duckdb is not opened
    assert isinstance(again, dg.SkipReason)


@pytest.mark.slow
def test_sensor_over_a_loaded_warehouse_asks_only_for_what_the_ledger_has_not_seen(
    defs: dg.Definitions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_first_run
) -> None:
    """Switched on for the first time (no cursor) over a warehouse that ingested every file: no run.
    One new filings file of 2022-03: one run, for that month. While a run holds the warehouse: none.
    A file with a time older than the cursor at a new path (unzipped): asked for too, with the first,
    which no run has taken in yet."""
    raw, warehouse = demo_first_run.copy_to(tmp_path)
    monkeypatch.setenv("PLANWATCH_RAW_DIR", str(raw))
    monkeypatch.setenv("PLANWATCH_WAREHOUSE_DIR", str(warehouse))
    sensor = defs.resolve_sensor_def("raw_files_sensor")
    with dg.instance_for_test() as instance:
        first = sensor(dg.build_sensor_context(instance=instance, definitions=defs))
        assert first.run_requests == [] and "all already ingested" in first.skip_reason.skip_message
        (raw / "filings" / "企业月报_2022-03_补报.csv").write_text(
            "统一社会信用代码,报告期,营业收入本年累计,研发费用本年累计\n", encoding="utf-8"
        )
        with locking.run_lock(warehouse, "planwatch run --raw elsewhere"):
            busy = sensor(dg.build_sensor_context(instance=instance, definitions=defs, cursor=first.cursor))
        assert isinstance(busy, dg.SkipReason) and "a run is in progress" in busy.skip_message
        second = sensor(dg.build_sensor_context(instance=instance, definitions=defs, cursor=first.cursor))
        assert [_range(request) for request in second.run_requests] == [("2022-03-01", "2022-03-01")]
        # a file unzipped (or copied with cp -p) keeps an old time, older than the cursor: its path is
        # new to the ledger, so it is looked at all the same
        unzipped = raw / "districts" / "区县报送_2022-04_更正.csv"
        unzipped.write_text("区县,报告期,企业个数\n", encoding="utf-8")
        os.utime(unzipped, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
        third = sensor(dg.build_sensor_context(instance=instance, definitions=defs, cursor=second.cursor))
    assert [_range(request) for request in third.run_requests] == [("2022-03-01", "2022-04-01")]


def test_the_dbt_resource_skips_only_what_planwatch_does_not_use() -> None:
    """PlanwatchDbtCliResource overrides two private members of dagster-dbt's DbtCliResource: they
    must still exist there (a dagster-dbt upgrade that renames them would silently bring the cost
    back), and the version it reports must be the one `dbt --version` prints."""
    from dagster_dbt import DbtCliResource

    from orchestration.project import PlanwatchDbtCliResource, dbt_executable, dbt_project

    assert isinstance(DbtCliResource.__dict__["_cli_version"], functools.cached_property)
    assert callable(DbtCliResource.__dict__["_initialize_dbt_core_adapter"])
    resource = PlanwatchDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, timeout=120)
    assert f"installed: {resource._cli_version}" in printed.stdout
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_an_ad_hoc_selection_runs_in_one_process(defs: dg.Definitions) -> None:
    """Assets selected together in the UI (or `dagster asset materialize --select a,b,c`) run as a job
    Dagster makes with the code location's executor. With its default, a process per step, each
    step's warehouse resource took the run lock that its own run already held: an operator's review
    saw raw/bureau fail with RunInProgress after two other ingests had run (the steps overlap only
    when they take long, so this checks the executor, which decides it)."""
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.executor_def is dg.in_process_executor
    assert defs.resolve_job_def("refresh").executor_def is dg.in_process_executor


@pytest.mark.parametrize(
    ("checks", "imports"),
    [
        (None, True),  # a whole-graph run (refresh) selects every check
        (
            frozenset({dg.AssetCheckKey(dg.AssetKey(["staging", "stg_raw__bureau"]), "great_expectations")}),
            True,
        ),
        (frozenset({dg.AssetCheckKey(dg.AssetKey(["marts", "dq_findings"]), "not_null_x")}), False),
        (frozenset(), False),  # dbt's models alone, materialized from the UI
    ],
)
def test_great_expectations_is_imported_while_dbt_builds_only_for_a_run_that_validates(
    monkeypatch: pytest.MonkeyPatch, checks: frozenset | None, imports: bool
) -> None:
    """The dbt step starts importing GX on a thread (3 to 5 s a run that it would otherwise pay at the
    start of the expectations check), when the run validates the staged inputs."""
    from orchestration.checks import staged_inputs

    monkeypatch.setattr(staged_inputs, "_gx_import", None)
    staged_inputs.import_great_expectations_in_background(
        dg.DagsterRun(job_name="refresh", run_id="test", asset_check_selection=checks)
    )
    thread = staged_inputs._gx_import
    assert (thread is not None) is imports
    if thread is not None:
        thread.join(timeout=120)
        assert not thread.is_alive() and "great_expectations.core" in sys.modules


def test_a_run_of_one_partition_reloads_its_month(tmp_path: Path) -> None:
    """The UI's launch of one partition and the monthly schedule tag the run with that partition
    alone (dagster/partition), not a range: its month's files are read again, as a backfill's are.
    They were not (files_reloaded 0) while the asset looked for a range only."""
    from orchestration.assets.ingest import ingest_assets
    from orchestration.resources import WarehouseResource

    raw, warehouse = tmp_path / "raw", tmp_path / "warehouse"
    warehouse.mkdir()
    write_csv(
        raw / "filings" / "企业月报_2024-03.csv",
        [["统一社会信用代码", "企业名称", "报告期", "营业收入本年累计（万元）", "研发费用本年累计（万元）"],
         ["915000007339743120", "重庆甲电子有限公司", "2024年3月", "1520.5", "30"]],
    )  # fmt: skip
    [filings] = [asset for asset in ingest_assets if asset.key == dg.AssetKey(["raw", "filings"])]
    resources = {"warehouse": WarehouseResource(raw_dir=str(raw), warehouse_dir=str(warehouse))}
    with dg.DagsterInstance.ephemeral() as instance:
        for expected in (
            {"files_ingested": 1, "files_reloaded": 0},
            {"files_ingested": 0, "files_reloaded": 1},
        ):
            result = dg.materialize(
                [filings], instance=instance, resources=resources, partition_key="2024-03-01"
            )
            [materialization] = result.asset_materializations_for_node(filings.node_def.name)
            assert {name: materialization.metadata[name].value for name in expected} == expected


@pytest.mark.parametrize("change", ["delete", "rename", "edit", "none", "lock link"])
def test_the_manifest_is_parsed_again_after_a_file_of_the_project_changes_or_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """A dbt test deleted left the manifest 'fresh' by the files' times: every later run then waited
    for the check the manifest still held ('did not yield expected outputs'). A deletion or a rename
    changes its folder's time, which counts too."""
    from orchestration import project

    for folder in ("models/marts", "macros", "seeds", "tests/generic"):
        (tmp_path / folder).mkdir(parents=True)
    for name in (
        "dbt_project.yml",
        "profiles.yml",
        "models/marts/a.sql",
        "tests/zz_review.sql",
        "macros/m.sql",
    ):
        (tmp_path / name).write_text("select 1\n", encoding="utf-8")
    manifest = tmp_path / "target" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text("{}", encoding="utf-8")
    # the project as it was a while ago, the manifest parsed from it since: the change comes now
    now = time.time()
    for path in [*tmp_path.rglob("*"), tmp_path]:
        os.utime(path, (now - 100, now - 100))
    os.utime(manifest, (now - 10, now - 10))
    monkeypatch.setattr(project, "DBT_PROJECT_DIR", tmp_path)
    assert project._fresh(manifest)
    if change == "delete":
        (tmp_path / "tests" / "zz_review.sql").unlink()
    elif change == "rename":
        (tmp_path / "macros" / "m.sql").rename(tmp_path / "macros" / "n.sql")
    elif change == "edit":
        (tmp_path / "models" / "marts" / "a.sql").write_text("select 2\n", encoding="utf-8")
    elif change == "lock link":  # Emacs's lock while a.sql is edited, pointing nowhere: no crash
        (tmp_path / "models" / "marts" / ".#a.sql").symlink_to("user@host.1234")
    assert project._fresh(manifest) is (change == "none")


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the dbt project that orchestration.project parses instead of the real one; its
    target/manifest.json is returned."""
    import shutil

    from orchestration import project
    from orchestration.settings import DBT_PROJECT_DIR

    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setattr(project, "DBT_PROJECT_DIR", copy)
    monkeypatch.setenv("PLANWATCH_BUILD_DB", str(tmp_path / "build.duckdb"))
    (copy / "target").mkdir()
    return copy / "target" / "manifest.json"


def test_a_parse_replaces_the_manifest_whole_so_a_reader_never_meets_half_of_it(project_copy: Path) -> None:
    """CI: one test worker's `planwatch run` read target/manifest.json while the other worker's `dbt
    parse` wrote it ("unexpected end of data"), the freshness check taking no lock. A parse now goes to
    a folder of its own and each file replaces the old one in one step: a reader that opened the old
    manifest reads it whole, and one that opens the path meets the old or the new, never a part."""
    import json
    import threading

    from orchestration import project

    manifest = project_copy
    old = json.dumps({"metadata": {"old": True}, "padding": "x" * 1_000_000})
    manifest.write_text(old, encoding="utf-8")
    opened_before = manifest.open(encoding="utf-8")
    killed = manifest.parent / ".parse-killed"  # what a parse killed earlier left
    killed.mkdir()
    (killed / "manifest.json").write_text('{"metadata": ', encoding="utf-8")
    parse = threading.Thread(target=project._parse, args=(manifest,))
    parse.start()
    while parse.is_alive():
        json.loads(manifest.read_bytes())  # raises on a part
    parse.join()
    with opened_before:
        assert opened_before.read() == old
    assert "nodes" in json.loads(manifest.read_bytes())
    assert sorted(path.name for path in manifest.parent.iterdir()) == [
        "dbt.log",
        "manifest.json",
        "partial_parse.msgpack",
        "perf_info.json",
        "semantic_manifest.json",
    ]  # the parse's own folder is gone, and the killed one's


def test_a_model_saved_while_dbt_parses_makes_the_new_manifest_stale(project_copy: Path) -> None:
    """dbt may have read the model before the save: a manifest dated when dbt wrote it would look
    fresh and miss the change until the next edit. Dated when the parse began, it is parsed again."""
    import threading

    from orchestration import project

    parse = threading.Thread(target=project._parse, args=(project_copy,))
    parse.start()
    time.sleep(0.5)  # dbt has started; it reads the project and writes the manifest seconds later
    model = project_copy.parents[1] / "models" / "marts" / "indicator_progress.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    parse.join()
    assert project_copy.exists()
    assert not project._fresh(project_copy)
    project._parse(project_copy)
    assert project._fresh(project_copy)
