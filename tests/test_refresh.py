"""What one `planwatch run` asks of job `refresh` (orchestration/refresh.py): the months it covers and
what each step is told, decided before anything runs; and what a failed dbt build is said to be."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.constants import MONTHLY_INGEST_OPS, MONTHLY_KINDS, monthly_partitions
from orchestration.refresh import PeriodOutOfRange, dbt_errors, refresh_request
from orchestration.settings import Settings
from tests.sheets import write_csv


def settings(tmp_path: Path) -> Settings:
    """A raw folder and a warehouse folder, as `planwatch run` makes them before it asks."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "warehouse").mkdir()
    return Settings.resolve(tmp_path / "raw", tmp_path / "warehouse")


def test_the_monthly_ingest_ops_are_the_monthly_kinds_assets() -> None:
    """The run config names the ingest steps by op; they are derived from the kinds table."""
    assert (
        tuple(
            dg.AssetKey(["raw", table]).to_python_identifier()
            for table in ("filings", "district_submissions", "bureau")
        )
        == MONTHLY_INGEST_OPS
    )
    assert len(MONTHLY_INGEST_OPS) == len(MONTHLY_KINDS)


def test_a_backfill_reloads_its_month_only(tmp_path: Path) -> None:
    request = refresh_request(
        settings(tmp_path), quiet=True, accept_drop=None, full_refresh=False, period="2024-03"
    )
    assert request.tags["dagster/asset_partition_range_start"] == "2024-03-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2024-03-01"
    ops = request.run_config["ops"]
    assert {op: ops[op]["config"]["only_new_files"] for op in MONTHLY_INGEST_OPS} == dict.fromkeys(
        MONTHLY_INGEST_OPS, False
    )
    assert "planwatch_dbt" not in ops and "published__analytics_snapshot" not in ops
    assert request.run_config["loggers"]["console"]["config"]["log_level"] == "WARNING"
    assert request.announcement.startswith(
        "re-running 2024-03: no file under raw/ covers it, so nothing is loaded; the models are rebuilt"
    )


def test_a_backfill_of_a_month_with_files_says_it_loads_them_again(tmp_path: Path) -> None:
    config = settings(tmp_path)
    write_csv(config.raw_dir / "filings" / "企业月报_2024-03.csv", [["统一社会信用代码", "报告期"]])
    request = refresh_request(config, quiet=True, accept_drop=None, full_refresh=False, period="2024-03")
    assert request.announcement.startswith("re-running 2024-03: its files under raw/ are loaded again")
    other = refresh_request(config, quiet=True, accept_drop=None, full_refresh=False, period="2024-04")
    assert other.announcement.startswith("re-running 2024-04: no file under raw/ covers it")


@pytest.mark.parametrize("period", ["2021-12", "2099-01"])
def test_a_month_the_warehouse_does_not_track_is_refused(tmp_path: Path, period: str) -> None:
    keys = monthly_partitions.get_partition_keys()
    with pytest.raises(PeriodOutOfRange, match=f"{keys[0][:7]}..{keys[-1][:7]}"):
        refresh_request(settings(tmp_path), quiet=False, accept_drop=None, full_refresh=False, period=period)


def test_new_files_decide_the_months_and_the_options_reach_their_steps(tmp_path: Path) -> None:
    """Two new filings files, of 2023-02 and 2024-05: the run covers 2023-02..2024-05, loads only new
    files, rebuilds every model (full refresh) and publishes whatever the coverage gate says."""
    config = settings(tmp_path)
    for month in ("2023-02", "2024-05"):
        write_csv(config.raw_dir / "filings" / f"企业月报_{month}.csv", [["统一社会信用代码", "报告期"]])
    request = refresh_request(config, quiet=False, accept_drop="名录更正中", full_refresh=True, period=None)
    assert (
        request.tags["dagster/asset_partition_range_start"],
        request.tags["dagster/asset_partition_range_end"],
    ) == (
        "2023-02-01",
        "2024-05-01",
    )
    ops = request.run_config["ops"]
    assert all(ops[op]["config"]["only_new_files"] for op in MONTHLY_INGEST_OPS)
    assert ops["planwatch_dbt"]["config"] == {"full_refresh": True}
    assert ops["published__analytics_snapshot"]["config"] == {"accept_drop": "名录更正中"}
    assert request.announcement == "new monthly files for 2023-02..2024-05"


def test_no_new_file_refreshes_the_latest_month(tmp_path: Path) -> None:
    request = refresh_request(
        settings(tmp_path), quiet=False, accept_drop=None, full_refresh=False, period=None
    )
    latest = monthly_partitions.get_partition_keys()[-1]
    assert request.tags["dagster/asset_partition_range_start"] == latest
    assert request.announcement.startswith("no new monthly files")


def test_a_model_dbt_cannot_build_is_named_with_the_database_reason() -> None:
    """dagster-dbt's error says only that dbt failed; the run's summary names the model and DuckDB's
    reason, read from the dbt log lines the error carries (as dbt 1.11 writes them, colours and all)."""
    text = (
        "dagster_dbt.errors.DagsterDbtCliRuntimeError: The dbt CLI process with command\n\n"
        "`planwatch-dbt build --select fqn:*`\n\nfailed with exit code `1`.\n\n"
        "Errors parsed from dbt logs:\n\n"
        "171 of 316 ERROR creating sql table model intermediate.int_filed_periods .... [\x1b[31mERROR\x1b[0m in 0.08s]\n\n"
        "\x1b[31mFailure in model int_filed_periods (models/intermediate/int_filed_periods.sql)\x1b[0m\n\n"
        "  Runtime Error in model int_filed_periods (models/intermediate/int_filed_periods.sql)\n"
        "  Constraint Error: NOT NULL constraint failed: int_filed_periods__dbt_tmp.period\n\n"
        "\x1b[31mFailure in test not_null_stg_raw__filings_uscc (models/staging/stg_raw__filings.yml)\x1b[0m\n"
        "  Got 1 result, configured to fail if != 0\n"
    )
    assert dbt_errors(text) == [
        "dbt could not build model int_filed_periods (models/intermediate/int_filed_periods.sql): "
        "Constraint Error: NOT NULL constraint failed: int_filed_periods.period"
    ]
    assert dbt_errors("The dbt CLI process with command `dbt build` failed with exit code `2`.") == []
