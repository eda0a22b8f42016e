"""The whole pipeline on generated demo data: contract columns, numbers recomputed straight from the
raw files with pandas, a second run that changes nothing, and a snapshot without credit codes."""

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.ingest.values import find_period

pytestmark = pytest.mark.slow

CONTRACT_COLUMNS = {
    "indicator_progress": [
        "plan_id", "indicator_code", "indicator_name_zh", "unit", "period", "actual_value", "yoy_growth_pct",
        "projected_annual", "baseline_year", "baseline_value", "target_year", "target_value", "trajectory_value",
        "required_growth_pct", "status",
    ],
    "chain_monthly": [
        "period", "chain_code", "chain_name_zh", "tier", "enterprise_count", "revenue_ytd_yi", "revenue_yoy_pct",
        "rd_ytd_yi", "rd_intensity_pct", "suppressed",
    ],
    "district_monthly": [
        "period", "district_code", "district_name", "enterprise_count", "revenue_ytd_yi", "revenue_yoy_pct",
        "rd_intensity_pct", "digitalization_rate_pct", "findings_error", "findings_warn", "suppressed",
    ],
    "dq_findings": [
        "finding_id", "rule_id", "severity", "district_code", "period", "subject", "expected", "actual", "message",
        "source_file", "source_row",
    ],
    "dq_rules": ["rule_id", "title", "severity", "checks", "threshold"],
    "indicator_outlook": [
        "plan_id", "indicator_code", "as_of_period", "target_year", "point_forecast", "lower_80", "upper_80",
        "lower_95", "upper_95", "target_value", "probability_meets_target", "note",
    ],
}  # fmt: skip
SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, planwatch) -> dict:
    root = tmp_path_factory.mktemp("demo")
    raw, warehouse = root / "raw", root / "warehouse"
    made = planwatch("demo-data", "--out", str(raw), "--enterprises", "120", "--months", "26")
    assert made.returncode == 0, made.stderr
    first = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stderr[-3000:]
    snapshot = warehouse / "analytics.duckdb"
    copy = root / "first_snapshot.duckdb"
    copy.write_bytes(snapshot.read_bytes())
    shutil.copytree(warehouse / "parquet", root / "first_parquet")
    with duckdb.connect(str(warehouse / "build.duckdb"), read_only=True) as con:
        ledger_before = con.execute("select * from raw.ingest_ledger order by source_file").fetchall()
    second = planwatch("run", "--force", "--raw", str(raw), "--warehouse", str(warehouse))
    assert second.returncode == 0, second.stderr[-3000:]
    second_bytes = snapshot.read_bytes()
    third = planwatch("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert third.returncode == 0, third.stderr[-3000:]
    return {"raw": raw, "warehouse": warehouse, "first": first, "second": second, "third": third,
            "first_snapshot": copy, "second_bytes": second_bytes, "ledger_before": ledger_before,
            "first_parquet": root / "first_parquet"}  # fmt: skip


def test_marts_have_every_contract_column(demo: dict) -> None:
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        for table, columns in CONTRACT_COLUMNS.items():
            present = [row[0] for row in con.execute(f"describe marts.{table}").fetchall()]
            assert set(columns) <= set(present), f"{table} lacks {set(columns) - set(present)}"
        assert con.execute("select count(distinct period) from marts.indicator_progress").fetchone()[0] == 23
        assert con.execute("select count(*) from marts.publish_log").fetchone()[0] == 2


def test_table_models_enforce_their_constraints(demo: dict, tmp_path: Path) -> None:
    """Every SQL table model of intermediate and marts, incremental ones too, has an enforced
    contract, and each constraint its YAML declares is in the build database: a column constrained
    not_null is NOT NULL, a check (the allowed values) and a unique key (the grain) stand on their
    table. DuckDB refuses what breaks them, the way the not_null, accepted_values and unique tests they
    replace failed the build (a constraint without an enforced contract is silently not applied, hence
    the first check)."""
    import json

    from orchestration.project import dbt_project

    nodes = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))["nodes"].values()
    tables = [
        node
        for node in nodes
        if node["resource_type"] == "model"
        and node["language"] == "sql"
        and node["config"]["materialized"] in ("table", "incremental")
        and node["schema"] in ("intermediate", "marts")
    ]
    assert len(tables) > 30
    assert [node["name"] for node in tables if not node["config"]["contract"]["enforced"]] == []
    column_constraints = [
        (node["schema"], node["name"], column["name"], constraint["type"])
        for node in tables
        for column in node["columns"].values()
        for constraint in column["constraints"]
    ]
    constrained = {
        (schema, name, column) for schema, name, column, kind in column_constraints if kind == "not_null"
    }
    checks = Counter((schema, name) for schema, name, _, kind in column_constraints if kind == "check")
    unique_keys = {
        (schema, name, (column,)) for schema, name, column, kind in column_constraints if kind == "unique"
    }
    unique_keys |= {
        (node["schema"], node["name"], tuple(constraint["columns"]))
        for node in tables
        for constraint in node["constraints"]
        if constraint["type"] == "unique"
    }
    assert len(constrained) > 250 and sum(checks.values()) > 40 and len(unique_keys) > 15
    build = tmp_path / "build.duckdb"
    shutil.copyfile(demo["warehouse"] / "build.duckdb", build)
    with duckdb.connect(str(build)) as con:
        nullable = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns where is_nullable = 'YES'"
        ).fetchall()
        assert constrained.isdisjoint(nullable), sorted(constrained & set(nullable))
        built = con.execute(
            "select schema_name, table_name, constraint_type, constraint_column_names from duckdb_constraints() "
            "where constraint_type in ('CHECK', 'UNIQUE')"
        ).fetchall()
        assert Counter((schema, name) for schema, name, kind, _ in built if kind == "CHECK") == checks
        assert {
            (schema, name, tuple(columns)) for schema, name, kind, columns in built if kind == "UNIQUE"
        } == unique_keys
        with pytest.raises(
            duckdb.ConstraintException, match="NOT NULL constraint failed: int_filed_periods.period"
        ):
            con.execute("insert into intermediate.int_filed_periods values (null)")
        with pytest.raises(duckdb.ConstraintException, match="CHECK constraint failed"):
            con.execute("update marts.dq_findings set severity = 'fatal'")
        with pytest.raises(duckdb.ConstraintException, match="violates unique constraint"):
            con.execute(
                "insert into intermediate.int_district_reconciliation "
                "select * from intermediate.int_district_reconciliation limit 1"
            )


def test_scorecard_printed(demo: dict) -> None:
    lines = demo["first"].stdout.splitlines()
    assert lines[0].startswith("Scorecard for 2024-02")
    rows = {line.split()[0]: line.split() for line in lines[2:-1]}
    assert set(rows) == {"revenue", "rd_intensity", "rd_spend", "digitalization_rate"}
    assert all(row[-1] in {"on_track", "behind", "no_data"} for row in rows.values())
    assert all(re.fullmatch(r"[<>]?\d+%|—", row[-2]) for row in rows.values())  # the outlook's chance
    assert lines[-1].startswith("chance: the outlook's probability")


def test_the_run_ends_with_a_summary_that_matches_the_ledger_and_the_findings(demo: dict) -> None:
    from collections import Counter

    from orchestration.summary import STATUS_WORDS

    statuses = Counter(row[3] for row in demo["ledger_before"])
    files = ", ".join(f"{statuses[status]} {words}" for status, words in STATUS_WORDS if statuses[status])
    with duckdb.connect(str(demo["first_snapshot"]), read_only=True) as con:
        errors, warns = con.execute(
            "select count(*) filter (where severity = 'error'), count(*) filter (where severity = 'warn') "
            "from marts.dq_findings"
        ).fetchone()
    first = demo["first"].stderr
    summary = first[first.rindex("Summary") :]
    assert f"files this run: {files}\n" in summary and statuses["ingested"] > 0
    assert (
        f"snapshot: 2022-02..2024-02 (23 periods); findings {errors} errors, {warns} warnings in " in summary
    )
    assert f"published {demo['warehouse'] / 'analytics.duckdb'}" in summary
    pointer = "rejected files and their reasons: planwatch status"
    assert (pointer in summary) == bool(statuses["rejected"] or statuses["refused"])
    assert "files this run: none new, none changed" in demo["second"].stderr  # the forced rerun
    # dbt's line per model and test went to the run's log, not to the terminal
    run_log = demo["warehouse"] / "logs" / "run.log"
    assert f"dbt's line per model and test: {run_log}" in summary
    assert not re.search(r"\d+ of \d+ START", first) and re.search(
        r"\d+ of \d+ START", run_log.read_text("utf-8")
    )


def _read_raw(path: Path) -> pd.DataFrame:
    """A demo file straight from disk with pandas, independent of planwatch's reader (plain layouts only)."""
    if path.suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype=str, encoding=encoding)
            except UnicodeDecodeError:
                continue
        raise AssertionError(f"cannot decode {path}")
    return pd.read_excel(path, dtype=str, engine="openpyxl" if path.suffix == ".xlsx" else None)


PLAIN_FILINGS_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "区县",
    "报告期",
    "营业收入本年累计",
    "研发费用本年累计",
    "从业人员",
]


def plain_periods(raw: Path) -> list[str]:
    """Periods whose filings come as one plain-layout file (a header on row 1, 万元) and that no
    injected fault touches: pandas can read them without planwatch's reader."""
    faults = pd.read_csv(raw / "demo_faults.csv", dtype=str).fillna("")
    touched = set(faults["period"]) | {
        pair.split("|")[1] for cell in faults["affects"] for pair in cell.split(";") if "|" in pair
    }
    periods = []
    for path in sorted((raw / "filings").iterdir()):
        period = path.stem.rsplit("_", 1)[-1]
        if (
            len(list((raw / "filings").glob(f"*{period}*"))) != 1
            or period in touched
            or path.suffix == ".xls"
        ):
            continue
        if list(_read_raw(path).columns) == PLAIN_FILINGS_HEADER:
            periods.append(period)
    return periods


def _registry_in_scope(raw: Path) -> pd.DataFrame:
    """The raw registry's in-scope enterprises above designated size, with their chain, by the rule of
    int_enterprises_in_scope: a class of the scope seed, or a tag (a chain name or code) naming one
    of the plan's chains; the chain is the tag, else the class's default chain."""
    scope = pd.read_csv(SEEDS / "industry_scope.csv", dtype=str).set_index("industry_code")["default_chain"]
    chains = pd.read_csv(SEEDS / "chains.csv", dtype=str)
    chain_of_text = dict(zip(chains["chain_name_zh"], chains["chain_code"], strict=True))
    chain_of_text.update(zip(chains["chain_code"], chains["chain_code"], strict=True))
    plan_chains = set(chains.loc[chains["tier"] != "other", "chain_code"])
    registry = pd.concat(_read_raw(p) for p in sorted((raw / "registry").iterdir()))
    assert registry["统一社会信用代码"].is_unique  # one registry: no vintage to choose
    tag = registry["产业链"].fillna("").str.strip().map(chain_of_text)
    registry = registry.assign(chain=tag.fillna(registry["行业代码"].map(scope)))
    above = registry["规模以上"].fillna("是") == "是"
    return registry[above & (registry["行业代码"].isin(scope.index) | tag.isin(plan_chains))]


def _expected(raw: Path, period: str) -> dict[str, float]:
    codes = set(_registry_in_scope(raw)["统一社会信用代码"])
    filings = _read_raw(next((raw / "filings").glob(f"*{period}*")))
    filings = filings[filings["统一社会信用代码"].isin(codes)]
    revenue = pd.to_numeric(filings["营业收入本年累计"])
    rd = pd.to_numeric(filings["研发费用本年累计"], errors="coerce")
    both = revenue.notna() & rd.notna()
    survey = _read_raw(next((raw / "surveys").glob(f"*{period[:4]}*")))
    survey = survey[survey["统一社会信用代码"].isin(codes)]
    all_four = (survey[["研发设计", "生产制造", "经营管理", "销售服务"]] == "是").all(axis=1)
    return {
        "revenue": revenue.sum() / 10000,
        "rd_spend": rd.sum() / 10000,
        "rd_intensity": rd[both].sum() / revenue[both].sum() * 100,
        "digitalization_rate": all_four.sum() / len(survey) * 100,
    }


@pytest.mark.parametrize("pick", [0, -1])
def test_indicators_agree_with_pandas_on_the_raw_files(demo: dict, pick: int) -> None:
    periods = plain_periods(demo["raw"])
    assert len(periods) >= 2, periods
    period = periods[pick]
    expected = _expected(demo["raw"], period)
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        actual = dict(
            con.execute(
                "select indicator_code, actual_value from marts.indicator_progress where period = ?",
                [dt.date.fromisoformat(f"{period}-01")],
            ).fetchall()
        )
        chains = con.execute(
            "select sum(enterprise_count) from marts.chain_monthly where period = ?",
            [dt.date.fromisoformat(f"{period}-01")],
        ).fetchone()[0]
    for code, value in expected.items():
        assert actual[code] == pytest.approx(value, rel=1e-9), code
    assert chains > 100


def test_chain_digitalization_agrees_with_pandas_on_the_raw_files(demo: dict) -> None:
    """Each survey year's share of enterprises digital in all four key processes, by chain, from the
    raw registry and survey files with pandas (a chain is the registry's tag, a name or a code, else
    the class's default chain), against every published chain cell of a period of that year."""
    raw = demo["raw"]
    in_scope = _registry_in_scope(raw)
    compared = 0
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        for path in sorted((raw / "surveys").iterdir()):
            survey = _read_raw(path).merge(
                in_scope[["统一社会信用代码", "chain"]], on="统一社会信用代码", how="inner"
            )
            year = int(survey["调查年度"].iloc[0])
            digital = (survey[["研发设计", "生产制造", "经营管理", "销售服务"]] == "是").all(axis=1)
            expected = (digital.groupby(survey["chain"]).mean() * 100).to_dict()
            published = con.execute(
                "select chain_code, digitalization_rate_pct from marts.chain_monthly "
                "where period = (select max(period) from marts.chain_monthly where year(period) = ?) "
                "and digitalization_rate_pct is not null",
                [year],
            ).fetchall()
            for chain, rate in published:
                assert rate == pytest.approx(expected[chain], rel=1e-9, abs=1e-12), (year, chain)
                compared += 1
    assert compared >= 3, "published chain cells with a survey rate"


def test_second_run_ingests_nothing_and_changes_no_mart(demo: dict) -> None:
    assert "no new monthly files" in demo["second"].stderr
    with duckdb.connect(str(demo["warehouse"] / "build.duckdb"), read_only=True) as con:
        assert (
            con.execute("select * from raw.ingest_ledger order by source_file").fetchall()
            == demo["ledger_before"]
        )
    with duckdb.connect() as con:
        con.execute(f"attach '{demo['first_snapshot']}' as first (read_only)")
        con.execute(f"attach '{demo['warehouse'] / 'analytics.duckdb'}' as second (read_only)")
        for table in CONTRACT_COLUMNS:
            rows = con.execute(f"select count(*) from second.marts.{table}").fetchone()[0]
            differ = con.execute(
                f"select count(*) from ((select * from first.marts.{table} except all select * from second.marts.{table}) "
                f"union all (select * from second.marts.{table} except all select * from first.marts.{table}))"
            ).fetchone()[0]
            assert (table, differ) == (table, 0)
            assert rows > 0 or table == "dq_findings"


def test_the_second_publish_kept_the_first_and_revised_nothing(demo: dict) -> None:
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        publishes, figures = con.execute(
            "select count(distinct published_at), count(*) from marts.indicator_vintages"
        ).fetchone()
        differing = con.execute(
            """
            select count(*) from marts.indicator_vintages as first
            join marts.indicator_vintages as second using (plan_id, indicator_code, period)
            where first.published_at < second.published_at
                and first.actual_value is distinct from second.actual_value
            """
        ).fetchone()[0]
        revisions = con.execute("select count(*) from marts.indicator_revisions").fetchone()[0]
        cells = con.execute(
            """
            select count(distinct published_at), count(*),
                (select count(*) from marts.chain_monthly) + (select count(*) from marts.district_monthly),
                (select count(*) from marts.cell_revisions)
            from marts.cell_vintages
            """
        ).fetchone()
    assert (publishes, figures, differing, revisions) == (2, 2 * 4 * 23, 0, 0)
    assert cells[0] == 2 and cells[1] == 2 * cells[2] and cells[3] == 0


def test_outlook_is_the_model_on_the_moving_annual_totals(demo: dict) -> None:
    """The series the outlook is fitted to, recomputed from the published year-to-date figures, and
    the mart equal to orchestration/outlook.py run on that series (shares held inside 0..100)."""
    from orchestration.outlook_table import FORECAST_COLUMNS, outlook_table
    from orchestration.settings import dbt_var

    with duckdb.connect(str(demo["warehouse"] / "build.duckdb"), read_only=True) as con:
        series = con.execute("select * from intermediate.int_indicator_series").df()
        plans = con.execute("select * from reference.plan_indicators").df()
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        ytd = {
            (code, period): value
            for code, period, value in con.execute(
                "select indicator_code, period, actual_value from marts.indicator_progress"
            ).fetchall()
        }
        mart = con.execute("select * from marts.indicator_outlook").df()
    for column in ("period", "available_from"):
        series[column] = pd.to_datetime(series[column]).dt.date

    def moving_annual(code: str, period: dt.date) -> float:
        last_december, year_before = (
            period.replace(year=period.year - 1, month=12),
            period.replace(year=period.year - 1),
        )
        return ytd[(code, period)] + ytd[(code, last_december)] - ytd[(code, year_before)]

    def covered_revenue(period: dt.date) -> float:
        return ytd[("rd_spend", period)] / ytd[("rd_intensity", period)] * 100

    monthly = series[series["indicator_code"] != "digitalization_rate"]
    published = {period for _code, period in ytd}
    covered = {
        period
        for period in published
        if period.month != 1
        and period.replace(year=period.year - 1) in published
        and period.replace(year=period.year - 1, month=12) in published
    }
    assert set(monthly["period"]) == covered and len(monthly) == 3 * len(covered) > 0
    for row in monthly.itertuples():
        if row.indicator_code == "rd_intensity":
            rd = moving_annual("rd_spend", row.period)
            last_december, year_before = (
                row.period.replace(year=row.period.year - 1, month=12),
                row.period.replace(year=row.period.year - 1),
            )
            revenue = (
                covered_revenue(row.period) + covered_revenue(last_december) - covered_revenue(year_before)
            )
            expected = 100 * rd / revenue
        else:
            expected = moving_annual(row.indicator_code, row.period)
        assert row.value == pytest.approx(expected, rel=1e-9), row
    model = outlook_table(series, plans, sorted(published), min_years=float(dbt_var("outlook_min_years")))
    keys = ["plan_id", "indicator_code", "as_of_period", "target_year"]
    model["as_of_period"] = pd.to_datetime(model["as_of_period"]).dt.date
    mart["as_of_period"] = pd.to_datetime(mart["as_of_period"]).dt.date
    joined = mart.merge(model, on=keys, suffixes=("", "_model"), validate="one_to_one")
    assert len(joined) == len(mart) == len(model) > 0
    share = (joined["unit"] == "%").to_numpy()
    for column in FORECAST_COLUMNS:
        expected = pd.to_numeric(joined[f"{column}_model"]).to_numpy(dtype=float)
        if column != "probability_meets_target":
            expected = np.where(share, np.clip(expected, 0, 100), expected)
        assert np.allclose(joined[column].to_numpy(dtype=float), expected, rtol=1e-9, equal_nan=True), column
    latest = joined[(joined["as_of_period"] == max(published)) & joined["is_plan_target_year"]]
    digitalization = latest[latest["indicator_code"] == "digitalization_rate"].iloc[0]
    assert (
        digitalization["point_forecast"] is not None and 0 <= digitalization["probability_meets_target"] <= 1
    )


def test_identical_runs_write_byte_identical_parquet(demo: dict) -> None:
    """The forced second run changed no mart: its Parquet files are the first run's, byte for byte,
    except the publish history, which grows by a publish."""
    history = {
        "publish_log.parquet",
        "indicator_vintages.parquet",
        "indicator_revisions.parquet",
        "cell_vintages.parquet",
        "cell_revisions.parquet",
    }
    first = {path.name: path.read_bytes() for path in demo["first_parquet"].glob("*.parquet")}
    second = {path.name: path.read_bytes() for path in (demo["warehouse"] / "parquet").glob("*.parquet")}
    assert set(first) == set(second) and set(CONTRACT_COLUMNS) <= {name[: -len(".parquet")] for name in first}
    assert [name for name in sorted(set(first) - history) if first[name] != second[name]] == []
    periods = pq.read_table(demo["warehouse"] / "parquet" / "indicator_progress.parquet").schema.field(
        "period"
    )
    assert periods.type == pa.date32()  # a date, not text


def test_a_run_with_nothing_new_does_nothing_and_says_so(demo: dict) -> None:
    """The third run finds raw/, the code and the warehouse as the second (forced) run left them."""
    third = demo["third"]
    assert "planwatch: nothing to do: raw/ holds the same" in third.stderr
    assert "`planwatch run --force` runs anyway" in third.stderr
    assert "dagster" not in third.stderr  # no job was started
    assert third.stdout.splitlines()[0].startswith("Scorecard for 2024-02")
    assert (demo["warehouse"] / "analytics.duckdb").read_bytes() == demo["second_bytes"]


def test_snapshot_holds_no_credit_code(demo: dict) -> None:
    pattern = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        assert {schema for schema, _ in tables} == {"marts"}
        for schema, table in tables:
            frame = con.execute(f"select * from {schema}.{table}").df()
            assert not {"uscc", "统一社会信用代码"} & set(frame.columns)
            for column in frame.select_dtypes(include=["object", "string"]).columns:
                values = frame[column].dropna().astype(str)
                assert not values.map(lambda v: bool(pattern.match(v))).any(), f"{table}.{column}"


# An amount as the findings print it: 12,241.47 or 500,086,800 (a period, 2025年3月, or a row, 第 7 行, is not).
AMOUNT = re.compile(r"\d{1,3}(,\d{3})+|\d+\.\d+")
ENTERPRISE_FOLDERS = ("filings/", "registry/", "surveys/")


def test_snapshot_findings_withhold_what_disclosure_protects(demo: dict) -> None:
    """A finding that prints amounts reaches analysts without them when it is about one enterprise's line,
    about a district not published in its month or in another month its message prints, or city-wide in a
    month where division 39 or the rest of the scope is a group disclosure would suppress; the build
    keeps every figure for the feedback workbooks, and every other finding is published as it is."""
    columns = (
        "finding_id, rule_id, district_code, coalesce(filed_period, period), compared_periods, expected, actual, "
        "message, source_file, cites_enterprise_line"
    )
    with duckdb.connect(str(demo["warehouse"] / "build.duckdb"), read_only=True) as build:
        full = build.execute(f"select {columns} from marts.dq_findings").fetchall()
        shows = {
            rule
            for (rule,) in build.execute("select rule_id from marts.dq_rules where shows_amounts").fetchall()
        }
        cells = dict(
            ((district, period), suppressed)
            for district, period, suppressed in build.execute(
                "select district_code, period, suppressed from marts.district_monthly"
            ).fetchall()
        )
        groups = build.execute(
            "select period, division = '39', count(*), max(revenue_ytd_wan) / nullif(sum(revenue_ytd_wan), 0) "
            "from intermediate.int_enterprise_months where revenue_ytd_wan is not null group by all"
        ).fetchall()
        min_count, max_share = build.execute(
            "select any_value(min_cell_enterprises), any_value(dominance_share) from marts.district_monthly"
        ).fetchone()
    small_months = {period for period, _, count, top in groups if count < min_count or (top or 0) > max_share}
    division_39_months = {period for period, is_39, *_ in groups if is_39}
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as snapshot:
        published = {
            row[0]: row[1:]
            for row in snapshot.execute(
                "select finding_id, expected, actual, message, figures_withheld from marts.dq_findings"
            ).fetchall()
        }

    # district months whose submitted figure less the published cell is enterprises' lines
    cited = {(row[2], row[3]) for row in full if row[9]}

    def protected(
        rule: str,
        district: str | None,
        month: dt.date | None,
        compared: list[dt.date],
        source: str | None,
        cites_enterprise: bool,
    ) -> str | None:
        folder = (source or "").split("/", 1)[0]
        if rule not in shows:
            return None
        if folder in ("filings", "registry", "surveys") or cites_enterprise:
            return "enterprise"
        if folder == "districts" and any((district, shown) in cited for shown in (month, *compared)):
            return "enterprise"
        if folder == "districts" and (
            district is None or any(cells.get((district, shown)) is not False for shown in (month, *compared))
        ):
            return "cell"
        if folder == "bureau" and (month not in division_39_months or month in small_months):
            return "group"
        return None

    assert set(published) == {row[0] for row in full}
    reasons = {}
    for finding_id, rule, district, period, compared, expected, actual, message, source, cites in full:
        reasons[finding_id] = protected(rule, district, period, compared, source, cites)
        out_expected, out_actual, out_message, withheld = published[finding_id]
        if reasons[finding_id] is None:
            assert (out_expected, out_actual, out_message, withheld) == (expected, actual, message, False)
        else:
            assert withheld and (out_expected, out_actual) == (None, None), message
            assert AMOUNT.search(out_message) is None, out_message
            assert AMOUNT.search(message) is not None  # the build's message has them
            assert "反馈表" in out_message and source in out_message
    assert {"enterprise", "cell"} <= set(reasons.values())  # the demo has both kinds


def test_status_lists_files_and_last_publish(demo: dict, planwatch) -> None:
    result = planwatch("status", "--warehouse", str(demo["warehouse"]))
    assert result.returncode == 0, result.stderr
    files = len(list((demo["raw"] / "filings").glob("*2024-02*")))
    assert re.search(rf"filings\s+2024-02\s+ingested\s+{files}\b", result.stdout), result.stdout
    assert re.search(r"registry\s+\d{4}\s+ingested\s+1\b", result.stdout)  # a registry counts by its year
    assert "Last publish:" in result.stdout and "2022-02..2024-02" in result.stdout
    # it opens with a summary: each file counted once, by status, as the ledger says
    with duckdb.connect(str(demo["warehouse"] / "build.duckdb"), read_only=True) as con:
        by_status = con.execute(
            "select status, count(*) from raw.ingest_ledger group by status order by status"
        ).fetchall()
    lines = result.stdout.splitlines()
    assert lines[0] == "Summary"
    assert lines[1] == "  files: " + ", ".join(f"{count} {state}" for state, count in by_status)
    assert lines[2].startswith("  published ") and "2022-02..2024-02, 0 figures revised" in lines[2]
    filtered = planwatch(
        "status", "--warehouse", str(demo["warehouse"]), "--kind", "filings", "--period", "2024-02"
    )
    assert filtered.returncode == 0, filtered.stderr
    table = [
        line.split() for line in filtered.stdout.splitlines() if re.match(r"\s+\w+\s+\d{4}(-\d\d)?\s", line)
    ]
    assert table == [["filings", "2024-02", "ingested", str(files)]]
    refused = planwatch("status", "--warehouse", str(demo["warehouse"]), "--period", "2024-2")
    assert refused.returncode == 2 and "'2024-2' is not YYYY-MM or YYYY" in refused.stderr


def test_missing_raw_folder_is_a_usage_error(tmp_path: Path, planwatch) -> None:
    result = planwatch("run", "--raw", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "planwatch demo-data --out" in result.stderr


def _findings(demo: dict) -> list[dict]:
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        cursor = con.execute(
            "select rule_id, severity, district_code, strftime(period, '%Y-%m') as period from marts.dq_findings"
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_every_injected_fault_is_found_and_errors_stay_where_faults_are(demo: dict) -> None:
    """demo_faults.csv lists each injected fault and the district-periods it may make errors on;
    every fault must be found by its rule, and no error may fall on a district-period outside."""
    faults = pd.read_csv(demo["raw"] / "demo_faults.csv", dtype=str).fillna("")
    assert set(faults["rule_id"]) == {f"DQ{n:02d}" for n in range(1, 15)}
    findings = _findings(demo)
    for fault in faults.itertuples():
        matches = [
            f
            for f in findings
            if f["rule_id"] == fault.rule_id
            and (f["district_code"] or "") == fault.district_code
            and (f["period"] or "") == fault.period
        ]
        assert matches, (
            f"{fault.fault_id} {fault.rule_id} {fault.district_code} {fault.period}: {fault.description}"
        )
    allowed = {tuple(pair.split("|")) for cell in faults["affects"] for pair in cell.split(";") if pair}
    stray = {
        (f["rule_id"], f["district_code"] or "", f["period"] or "")
        for f in findings
        if f["severity"] == "error" and ((f["district_code"] or ""), (f["period"] or "")) not in allowed
    }
    assert stray == set()


def test_data_docs_and_feedback_workbooks_are_written(demo: dict) -> None:
    reports = demo["warehouse"] / "reports"
    index = (reports / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert all(model in index for model in ("stg_raw__filings", "stg_raw__district_submissions"))
    workbooks = sorted((reports / "feedback").glob("*/*.xlsx"))
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        findings = con.execute(
            "select district_code, period, source_file from marts.dq_findings "
            "where district_code is not null and period is not null"
        ).fetchall()
    # filed under the month of the file: the finding's own month, unless that month is itself the fault
    # (outside the months tracked, DQ14), then the month the demo's file is named for
    tracked = (dt.date(2022, 1, 1), dt.date.today().replace(day=1))
    expected = {
        (
            code,
            f"{period:%Y-%m}"
            if tracked[0] <= period <= tracked[1]
            else f"{find_period(Path(file).stem):%Y-%m}",
        )
        for code, period, file in findings
    }
    named = {(path.stem.split("_")[0], path.parent.name) for path in workbooks}
    assert expected <= named
    months = {folder for _, folder in named} - {"未分期_undated"}
    assert all("2022-01" <= folder <= f"{tracked[1]:%Y-%m}" for folder in months)  # no 2032-12/
    assert len(workbooks) >= len(expected) > 0


def readme_queries() -> list[str]:
    """The SQL examples of the README's "For analysts" section."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_readme_has_at_least_eight_analyst_queries() -> None:
    assert len(readme_queries()) >= 8


@pytest.mark.parametrize("number", range(len(readme_queries())))
def test_readme_analyst_query_returns_rows(demo: dict, number: int) -> None:
    with duckdb.connect(str(demo["warehouse"] / "analytics.duckdb"), read_only=True) as con:
        rows = con.execute(readme_queries()[number]).fetchall()
    assert rows, readme_queries()[number]


def test_parquet_and_dbt_docs_are_published(demo: dict) -> None:
    warehouse = demo["warehouse"]
    with duckdb.connect(str(warehouse / "analytics.duckdb"), read_only=True) as con:
        for table in [*CONTRACT_COLUMNS, "publish_log"]:
            rows = con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            assert len(pd.read_parquet(warehouse / "parquet" / f"{table}.parquet")) == rows, table
    docs = (warehouse / "docs" / "static_index.html").read_text(encoding="utf-8")
    assert "indicator_progress" in docs and "district_monthly" in docs
    # the second run changed no model: the docs were left as the first run wrote them
    assert "are current: the dbt project has not changed" in demo["second"].stderr


def test_report_command_writes_the_briefing(demo: dict, planwatch, tmp_path: Path) -> None:
    result = planwatch(
        "report", "--period", "2024-02", "--warehouse", str(demo["warehouse"]), "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "planwatch_briefing_2024-02.html",
        "planwatch_briefing_2024-02.xlsx",
    ]
    missing = planwatch("report", "--period", "2030-01", "--warehouse", str(demo["warehouse"]))
    assert missing.returncode == 2 and "2022-02..2024-02" in missing.stderr
    latest = planwatch("report", "--warehouse", str(demo["warehouse"]), "--out", str(tmp_path / "latest"))
    assert latest.returncode == 0, latest.stderr
    assert sorted(path.name for path in (tmp_path / "latest").iterdir()) == [
        "planwatch_briefing_2024-02.html",
        "planwatch_briefing_2024-02.xlsx",
    ]  # without --period: the latest period published


def test_the_runs_are_in_the_dagster_instance_the_ui_reads(demo: dict) -> None:
    """The UI (make dev) opens warehouse/.dagster with its dagster.yaml: it finds both runs, their steps
    and the materializations, although planwatch wrote them without fsync (orchestration/instance.py),
    and the checks that found something show as warnings."""
    code = """
import dagster as dg
from dagster._core.events import DagsterEventType
with dg.DagsterInstance.get() as instance:
    storage = type(instance.event_log_storage).__name__
    runs = instance.get_runs()
    steps = [r for r in instance.all_logs(runs[0].run_id) if r.dagster_event and r.dagster_event.event_type == DagsterEventType.STEP_SUCCESS]
    done = instance.get_latest_materialization_event(dg.AssetKey(["marts", "indicator_progress"]))
    checks = [r.dagster_event.event_specific_data for r in instance.all_logs(runs[0].run_id)
              if r.dagster_event and r.dagster_event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    failed = sorted({c.severity.value for c in checks if not c.passed})
    print(storage, len(runs), sorted({run.status.value for run in runs}), len(steps) > 10, done is not None,
          ",".join(failed))
"""
    shown = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DAGSTER_HOME": str(demo["warehouse"] / ".dagster")},
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr[-3000:]
    # the sample's planted faults fail the rule-family and GX checks: as warnings (yellow), never red
    assert shown.stdout.split() == ["SqliteEventLogStorage", "2", "['SUCCESS']", "True", "True", "WARN"]
