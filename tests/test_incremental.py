"""An incremental build equals a full build: the same generated raw folder (60 enterprises, 36 months,
with the documented faults, so every data-quality rule has findings) reaches the same tables by a
sequence of runs as by one run from scratch.

Seven runs on five warehouses, the sequence and the full builds side by side (two at a time):

    sequence  run 1  months 1..35 (the 2024-12 files of the monthly kinds set aside)
              run 2  + month 36                                      ≡  full      one run, months 1..36
              run 3  + a corrected 2023-06 filings file              ≡  corrected one run, months 1..36
                                                                                   and the correction
              run 4  − the 2023-03 filings file (withdrawn; published   ≡  withdrawn one run, as corrected
                       with --accept-drop, as the gate asks)                       without 2023-03

The correction repeats every line of 企业月报_2023-06.xlsx (same enterprises, districts and month,
so the loader marks the original superseded), puts the revenue of fault F04 back to what it should
have been (23,598.53 万元: its DQ04 finding goes), and raises the largest enterprise's revenue by
half: 2023-06 changes, and so do the year-on-year growth of 2024-06 and the district checks of
2023-06 and 2023-07 (DQ02 sums, DQ04 month to month), which an incremental build must redo.
Withdrawing every filing of 2023-03 leaves int_enterprise_months no row that marks a change, yet
the month must leave every model and March 2024 loses its prior-year values.

Compared row for row (all columns, sorted): every table of the published snapshot and every
intermediate table and meta.publish_coverage of build.duckdb. Left out, each for a reason:
  - loaded_at of the incremental models (int_enterprise_months, int_enterprise_months_yoy,
    int_chain_cells, int_district_cells, int_indicator_values): the high-water mark of the build
    that wrote the row, an ingest timestamp; instead, the test checks that a run leaves the older
    mark on every month it had no reason to rebuild (and so did not rebuild);
  - marts.publish_log and marts.indicator_vintages: published_at and run_id name the run; the
    sequence has a row (a vintage) per publish, so its latest is compared with the full build's;
    publish_log.coverage_override holds the reason the sequence's withdrawal was accepted with
    (checked on its own);
  - marts.indicator_revisions: the sequence revises what its earlier publishes said, the full build
    published once; instead, the test checks that the correction and the withdrawal revised exactly
    the figures they changed and name their files.
"""

import csv
import datetime as dt
import shutil
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.constants import MONTHLY_KINDS
from orchestration.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

LAST_MONTH = "2024-12"
CORRECTED = "filings/企业月报_2023-06.xlsx"
CORRECTION = "filings/企业月报_2023-06_更正.csv"
F04_ROW, F04_REVENUE = 7, Decimal("23598.53")
WITHDRAWN = "filings/企业月报_2023-03.csv"  # the only filings file of 2023-03

INCREMENTAL = (
    "int_enterprise_months",
    "int_enterprise_months_yoy",
    "int_chain_cells",
    "int_district_cells",
    "int_indicator_values",
)
DECEMBER_2024, JUNE_2023, JUNE_2024 = dt.date(2024, 12, 1), dt.date(2023, 6, 1), dt.date(2024, 6, 1)
MARCH_2023, MARCH_2024 = dt.date(2023, 3, 1), dt.date(2024, 3, 1)

# column names left out of the comparison, by table (see the module docstring for why)
EXCLUDED = {
    **{model: ("loaded_at",) for model in INCREMENTAL},
    # the sequence's withdrawal was published with --accept-drop: test_the_withdrawal_was_accepted
    "publish_log": ("published_at", "run_id", "coverage_override"),
    "indicator_vintages": ("published_at", "run_id"),
    "cell_vintages": ("published_at", "run_id"),
}
ACCEPTED = "2023年3月企业月报撤回"
LATEST_PUBLISH_ONLY = ("publish_log", "indicator_vintages", "cell_vintages")
NOT_COMPARED = ("marts.indicator_revisions", "marts.cell_revisions")


def tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        f"select schema_name || '.' || table_name from duckdb_tables() where schema_name in ({placeholders}) "
        "order by 1",
        list(schemas),
    ).fetchall()
    return [row[0] for row in rows]


def read_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    name = table.split(".")[1]
    excluded = EXCLUDED.get(name, ())
    columns = [row[0] for row in con.execute(f"describe {table}").fetchall() if row[0] not in excluded]
    select = ", ".join(f'"{column}"' for column in columns)
    if name in LATEST_PUBLISH_ONLY:
        # the latest publish only: the sequence published once per run
        latest = f"(select max(published_at) from {table})"
        return con.execute(
            f"select {select} from {table} where published_at = {latest} order by all"
        ).fetchall()
    return con.execute(f"select {select} from {table} order by all").fetchall()


def state(warehouse: Path) -> dict[str, list[tuple]]:
    """Every compared table of a warehouse, as sorted rows."""
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        for table in tables(con, ("marts",)):
            if table not in NOT_COMPARED:
                out[f"analytics:{table}"] = read_rows(con, table)
        out["coverage_override"] = con.execute(
            "select coverage_override from marts.publish_log order by published_at desc limit 1"
        ).fetchone()
        out["revisions"] = con.execute(
            "select run_id, indicator_code, strftime(period, '%Y-%m'), revision_kind, caused_by "
            "from marts.indicator_revisions order by all"
        ).fetchall()
        out["cell revisions"] = con.execute(
            "select run_id, cell_table, unit_code, strftime(period, '%Y-%m'), measure, revision_kind, caused_by "
            "from marts.cell_revisions order by all"
        ).fetchall()
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        for table in [*tables(con, ("intermediate",)), "meta.publish_coverage"]:
            out[f"build:{table}"] = read_rows(con, table)
        for model in INCREMENTAL:
            out[f"loaded_at by period:{model}"] = con.execute(
                f"select period, loaded_at from intermediate.{model} group by all order by all"
            ).fetchall()
        out["ledger"] = con.execute(
            "select source_file, status from raw.ingest_ledger order by source_file"
        ).fetchall()
    return out


def write_correction(raw: Path, full_build: Path) -> None:
    """The 2023-06 filings again, every line as the loader read it, with two revenues changed."""
    with duckdb.connect(str(full_build / "build.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select source_row, uscc, enterprise_name, district_raw, strftime(period, '%Y-%m'), "
            "revenue_ytd_wan, rd_ytd_wan from raw.filings where source_file = ? order by source_row",
            [CORRECTED],
        ).fetchall()
    assert len(rows) > 20, rows
    largest = max((row for row in rows if row[0] != F04_ROW), key=lambda row: row[5] or 0)[0]
    assert F04_ROW in {row[0] for row in rows}
    path = raw / CORRECTION
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["统一社会信用代码", "企业名称", "区县", "报告期", "营业收入本年累计", "研发费用本年累计"]
        )
        for source_row, code, name, district, period, revenue, rd in rows:
            if source_row == F04_ROW:
                revenue = F04_REVENUE
            elif source_row == largest:
                revenue = revenue * Decimal("1.5")
            out.writerow([code, name, district, period, revenue, rd])


def in_parallel(*steps: Callable[[], None]) -> None:
    """Each step in its own thread (each runs `planwatch` processes one after another); errors re-raised."""
    errors: list[BaseException] = []

    def guarded(step: Callable[[], None]) -> None:
        try:
            step()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, planwatch) -> dict[str, dict[str, list[tuple]]]:
    root = tmp_path_factory.mktemp("incremental")
    generated = root / "generated"
    made = planwatch("demo-data", "--out", str(generated), "--enterprises", "60", "--months", "36")
    assert made.returncode == 0, made.stderr

    def run(raw: Path, warehouse: Path, *options: str) -> None:
        result = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse), *options)
        assert result.returncode == 0, f"{raw}: " + result.stdout[-2000:] + result.stderr[-3000:]

    seq_raw, seq = root / "sequence_raw", root / "sequence"
    full_raw, full = root / "full_raw", root / "full"
    corrected_raw, corrected = root / "corrected_raw", root / "corrected"
    for raw in (seq_raw, full_raw, corrected_raw):
        shutil.copytree(generated, raw)
    aside = root / "aside"
    last_month = [
        path.relative_to(seq_raw)
        for kind in MONTHLY_KINDS
        for path in sorted((seq_raw / kind).iterdir())
        if LAST_MONTH in path.name
    ]
    assert {path.parts[0] for path in last_month} == set(MONTHLY_KINDS), last_month
    for path in last_month:
        (aside / path).parent.mkdir(parents=True, exist_ok=True)
        (seq_raw / path).rename(aside / path)

    out: dict[str, dict[str, list[tuple]]] = {}

    def sequence_to_36() -> None:
        run(seq_raw, seq)
        out["sequence 35"] = state(seq)
        for path in last_month:
            (aside / path).rename(seq_raw / path)
        run(seq_raw, seq)
        out["sequence 36"] = state(seq)

    in_parallel(sequence_to_36, lambda: run(full_raw, full))
    out["full"] = state(full)

    for raw in (seq_raw, corrected_raw):
        write_correction(raw, full)
    in_parallel(lambda: run(seq_raw, seq), lambda: run(corrected_raw, corrected))
    out["sequence corrected"] = state(seq)
    out["corrected"] = state(corrected)

    # the whole of March 2023 leaves raw/: withdrawn from the sequence, never there for the full build
    withdrawn_raw, withdrawn = root / "withdrawn_raw", root / "withdrawn"
    shutil.copytree(corrected_raw, withdrawn_raw)
    for raw in (seq_raw, withdrawn_raw):
        (raw / WITHDRAWN).unlink()
    # a published month leaving is a drop the coverage gate refuses unless the operator accepts it
    in_parallel(lambda: run(seq_raw, seq, "--accept-drop", ACCEPTED), lambda: run(withdrawn_raw, withdrawn))
    out["sequence withdrawn"] = state(seq)
    out["withdrawn"] = state(withdrawn)
    return out


COMPARED = [
    *(f"analytics:marts.{name}" for name in (
        "chain_monthly", "district_monthly", "dq_findings", "dq_rules", "indicator_outlook",
        "indicator_progress", "indicator_vintages", "cell_vintages", "publish_log",
    )),
    *(f"build:intermediate.{name}" for name in (
        "int_chain_cells", "int_district_cells", "int_district_reconciliation", "int_district_submission_months",
        "int_enterprise_filings", "int_filed_periods", "int_reported_figures",
        "int_enterprise_months", "int_enterprise_months_yoy", "int_enterprise_surveys",
        "int_enterprises_in_scope", "int_indicator_annuals", "int_indicator_outlook", "int_indicator_series",
        "int_indicator_values", "int_period_window", "int_registry_vintages", "int_survey_years",
        "int_file_months", "int_mistyped_periods", "int_lines_in_doubt", "int_mistyped_codes",
    )),
    "build:meta.publish_coverage",
]  # fmt: skip


def test_every_table_is_compared(builds: dict) -> None:
    """A new mart or intermediate model is compared without editing this file (the dq models too)."""
    found = {key for key in builds["full"] if key.startswith(("analytics:", "build:"))}
    listed = set(COMPARED)
    assert listed <= found
    assert all(key.startswith("build:intermediate.int_dq__") for key in found - listed), found - listed


def all_compared(builds: dict) -> list[str]:
    return sorted(key for key in builds["full"] if key.startswith(("analytics:", "build:")))


@pytest.mark.parametrize("table", COMPARED)
def test_month_36_added_to_35_equals_a_full_build(builds: dict, table: str) -> None:
    assert builds["sequence 36"][table] == builds["full"][table]


@pytest.mark.parametrize("table", COMPARED)
def test_a_correction_of_a_middle_month_equals_a_full_build_with_it(builds: dict, table: str) -> None:
    assert builds["sequence corrected"][table] == builds["corrected"][table]


@pytest.mark.parametrize("table", COMPARED)
def test_a_month_withdrawn_whole_equals_a_full_build_without_it(builds: dict, table: str) -> None:
    assert builds["sequence withdrawn"][table] == builds["withdrawn"][table]


def test_the_dq_models_are_equal_too(builds: dict) -> None:
    dq = [key for key in all_compared(builds) if "int_dq__" in key]
    with (DBT_PROJECT_DIR / "seeds" / "dq_rule_catalogue.csv").open(encoding="utf-8") as catalogue:
        assert len(dq) == len(list(csv.DictReader(catalogue)))  # one model per rule, each compared
    for key in dq:
        assert builds["sequence 36"][key] == builds["full"][key], key
        assert builds["sequence corrected"][key] == builds["corrected"][key], key
        assert builds["sequence withdrawn"][key] == builds["withdrawn"][key], key


def test_the_comparison_compares_figures(builds: dict) -> None:
    """The tables are not empty, month 36 is new in run 2, and the correction changed the marts."""
    for key in (
        "analytics:marts.chain_monthly",
        "analytics:marts.dq_findings",
        "build:intermediate.int_enterprise_months",
    ):
        assert len(builds["full"][key]) > 30, key
    assert dt.date(2024, 12, 1) in {row[0] for row in builds["full"]["analytics:marts.chain_monthly"]}
    assert (
        builds["sequence 35"]["analytics:marts.chain_monthly"]
        != builds["full"]["analytics:marts.chain_monthly"]
    )
    for key in (
        "analytics:marts.indicator_progress",
        "analytics:marts.dq_findings",
        "analytics:marts.district_monthly",
    ):
        assert builds["corrected"][key] != builds["full"][key], key
    assert (CORRECTED, "superseded") in builds["corrected"]["ledger"]
    assert (CORRECTED, "superseded") in builds["sequence corrected"]["ledger"]
    assert (CORRECTION, "ingested") in builds["sequence corrected"]["ledger"]


def test_the_sequence_revised_exactly_what_the_correction_and_the_withdrawal_changed(builds: dict) -> None:
    """Run 2 only added a month: nothing revised. Run 3's correction raised revenue, and with it the
    R&D intensity, of 2023-06 (its R&D is as before); run 4's withdrawal removed 2023-03 from every
    indicator. Each names the files behind it."""
    corrected, withdrawn = (
        builds["sequence corrected"]["revisions"],
        builds["sequence withdrawn"]["revisions"],
    )
    assert builds["sequence 36"]["revisions"] == [] and builds["full"]["revisions"] == []
    by_correction = f"{CORRECTION} (arrived); {CORRECTED} (superseded by {CORRECTION})"
    assert [row[1:] for row in corrected] == [
        ("rd_intensity", "2023-06", "changed", by_correction),
        ("revenue", "2023-06", "changed", by_correction),
    ]
    new = [row[1:] for row in withdrawn if row not in corrected]
    assert new == [
        (code, "2023-03", "removed", f"{WITHDRAWN} (withdrawn)")
        for code in ("digitalization_rate", "rd_intensity", "rd_spend", "revenue")
    ]


def test_the_sequence_revised_the_cells_the_correction_and_the_withdrawal_changed(builds: dict) -> None:
    """The chains and districts as the indicators: nothing revised by adding a month; the correction
    revised cells of 2023-06 only, each naming it; the withdrawal removed the published values of
    2023-03, each naming the withdrawn file."""
    assert builds["sequence 36"]["cell revisions"] == [] and builds["full"]["cell revisions"] == []
    corrected = builds["sequence corrected"]["cell revisions"]
    by_correction = f"{CORRECTION} (arrived); {CORRECTED} (superseded by {CORRECTION})"
    assert corrected and {(row[3], row[6]) for row in corrected} == {("2023-06", by_correction)}
    assert {row[4] for row in corrected if row[5] == "changed"} <= {"revenue_ytd_yi", "rd_intensity_pct"}
    assert {"chain_monthly", "district_monthly"} == {row[1] for row in corrected}
    withdrawn = [row for row in builds["sequence withdrawn"]["cell revisions"] if row not in corrected]
    assert withdrawn and {(row[3], row[5], row[6]) for row in withdrawn} == {
        ("2023-03", "removed", f"{WITHDRAWN} (withdrawn)")
    }


def test_the_withdrawal_was_accepted(builds: dict) -> None:
    """Run 4 took away a month the snapshot had: the gate let it through only with the operator's
    reason, which the publish log keeps with what it overrode; the full build never had the month."""
    (override,) = builds["sequence withdrawn"]["coverage_override"]
    assert override.startswith(f"{ACCEPTED} (accepted: 2023-03 would be missing against the publish of ")
    assert builds["withdrawn"]["coverage_override"] == (None,)
    assert builds["sequence corrected"]["coverage_override"] == (None,)


def test_f04_is_gone_after_the_correction(builds: dict) -> None:
    def dq04(state: dict) -> set:
        return {(row[3], row[4]) for row in state["analytics:marts.dq_findings"] if row[1] == "DQ04"}

    assert ("500118", dt.date(2023, 6, 1)) in dq04(builds["full"])
    assert ("500118", dt.date(2023, 6, 1)) not in dq04(builds["corrected"])


@pytest.mark.parametrize(
    ("model", "months_36", "correction", "withdrawal"),
    [
        ("int_enterprise_months", {DECEMBER_2024}, {JUNE_2023}, set()),
        # the year-on-year values of June 2024 read June 2023, those of March 2024 March 2023
        ("int_enterprise_months_yoy", {DECEMBER_2024}, {JUNE_2023, JUNE_2024}, {MARCH_2024}),
        ("int_chain_cells", {DECEMBER_2024}, {JUNE_2023, JUNE_2024}, {MARCH_2024}),
        ("int_district_cells", {DECEMBER_2024}, {JUNE_2023, JUNE_2024}, {MARCH_2024}),
        ("int_indicator_values", {DECEMBER_2024}, {JUNE_2023, JUNE_2024}, {MARCH_2024}),
    ],
)
def test_incremental_runs_rebuild_only_the_months_they_change(
    builds: dict, model: str, months_36: set, correction: set, withdrawal: set
) -> None:
    """The rows of the months a run did not change keep their older loaded_at: they were not rebuilt.
    The withdrawn month itself is gone from every model."""
    key = f"loaded_at by period:{model}"
    before, after_36, after_fix, after_withdrawal = (
        dict(builds[name][key])
        for name in ("sequence 35", "sequence 36", "sequence corrected", "sequence withdrawn")
    )
    assert len(after_36) == len(builds["sequence 36"][key]), "one loaded_at per period"
    assert {period for period, mark in after_36.items() if before.get(period) != mark} == months_36
    assert {period for period, mark in after_fix.items() if after_36.get(period) != mark} == correction
    assert MARCH_2023 in after_fix and MARCH_2023 not in after_withdrawal
    assert {
        period for period, mark in after_withdrawal.items() if after_fix.get(period) != mark
    } == withdrawal
