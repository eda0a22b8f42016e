"""Disclosure control on chain_monthly and district_monthly, on a raw layer built in the test and run
through the real dbt (`dbt build --vars '{as_of_period: "2024-12-01"}'`, own target path).

Twenty-three in-scope enterprises (class 3911, chain set in the registry) file for 2023-09 and
2024-09; R&D is 2% of revenue. Revenue year to date in 万元:

    enterprises  chain              unit     2023-09 each   2024-09 each
    ST1          smart_terminal     500101   90000          85000
    ST2          smart_terminal     500101    2500           3750
    ST3–ST5      smart_terminal     500103    2500           3750
    ND1–ND2      new_display        500102   10000          10000
    PS1–PS4      power_semi_ic      500105   10000          10000
    SV1–SV3      server             500104    5000           5000
    SI1          sensor_instrument  500101   10000          15000
    SI2–SI3      sensor_instrument  500103   10000          10000
    SI4–SI6      sensor_instrument  500106   10000           5000
    PV1–PV3      pv_storage         500107       0              0

Thresholds: fewer than 3 enterprises → 'count'; top enterprise > 0.85 of the revenue → 'dominance'.

Chains (revenue 万元, top share):
    2023-09  smart_terminal 100000, 90000/100000 = 0.90 → dominance; new_display 2 enterprises → count;
             power_semi_ic 40000; server 15000; sensor_instrument 60000; pv_storage 0 (3 enterprises,
             published). Two primary cells → no secondary.
    2024-09  smart_terminal 100000, 85000/100000 = 0.85, not above → published; new_display → count,
             the only primary cell → secondary: the smallest positive revenue among the other published
             cells with enterprises is server 15000 (pv_storage's 0 hides nothing and is skipped).
Reporting units:
    2023-09  500101 90000 + 2500 + 10000 = 102500, 90000/102500 = 0.878 → dominance; 500102 → count;
             500103 27500; 500104 15000; 500105 40000; 500106 30000; 500107 0. No secondary.
    2024-09  500101 85000 + 3750 + 15000 = 103750, 0.819 → published; 500102 → count, alone →
             secondary: 500104 and 500106 both hold 15000, the tie goes by code → 500104.
Empty cells (no enterprise) are suppressed as 'count' and never chosen as complements.

Totals (indicator_progress, 亿元): revenue 2023-09 235000 万元 = 23.5, 2024-09 225000 = 22.5;
rd_spend 0.47 and 0.45. Like-for-like growth 2024-09: smart_terminal 0 %, power_semi_ic 0 %,
sensor_instrument 50000/60000 − 1 = −16.67 %; unit 500101 103750/102500 − 1 = +1.22 %.
Survey 2024: SV1–SV3 fully digital (500104: 100 %, 3 surveyed, hidden by the secondary rule),
PS1–PS2 fully digital, PS3–PS4 not (500105: 50 %).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.identity import uscc_check_char
from orchestration.ingest.ledger import ensure_schema
from orchestration.publish import publish
from orchestration.settings import DBT_PROJECT_DIR, QUIET_ENV

DBT = str(Path(sys.executable).with_name("dbt"))
AS_OF_VARS = '{as_of_period: "2024-12-01"}'
INGESTED = dt.datetime(2024, 12, 20, 9, 0)
P1, P2 = dt.date(2023, 9, 1), dt.date(2024, 9, 1)

# name: (chain, reporting unit, revenue 2023-09, revenue 2024-09), 万元
ENTERPRISES: dict[str, tuple[str, str, float, float]] = {
    "ST1": ("smart_terminal", "500101", 90000, 85000),
    "ST2": ("smart_terminal", "500101", 2500, 3750),
    **{f"ST{n}": ("smart_terminal", "500103", 2500, 3750) for n in (3, 4, 5)},
    **{f"ND{n}": ("new_display", "500102", 10000, 10000) for n in (1, 2)},
    **{f"PS{n}": ("power_semi_ic", "500105", 10000, 10000) for n in (1, 2, 3, 4)},
    **{f"SV{n}": ("server", "500104", 5000, 5000) for n in (1, 2, 3)},
    "SI1": ("sensor_instrument", "500101", 10000, 15000),
    **{f"SI{n}": ("sensor_instrument", "500103", 10000, 10000) for n in (2, 3)},
    **{f"SI{n}": ("sensor_instrument", "500106", 10000, 5000) for n in (4, 5, 6)},
    **{f"PV{n}": ("pv_storage", "500107", 0, 0) for n in (1, 2, 3)},
}
# 2024 survey: fully digital (all four key processes) or not
FULLY_DIGITAL_2024 = {"SV1": True, "SV2": True, "SV3": True, "PS1": True, "PS2": True, "PS3": False, "PS4": False}  # fmt: skip

CHAIN_SUPPRESSED = {
    (P1, "smart_terminal", "dominance"),
    (P1, "new_display", "count"),
    (P2, "new_display", "count"),
    (P2, "server", "secondary"),
}
DISTRICT_SUPPRESSED = {
    (P1, "500101", "dominance"),
    (P1, "500102", "count"),
    (P2, "500102", "count"),
    (P2, "500104", "secondary"),
}


def uscc(name: str) -> str:
    """A valid credit code (GB 32100-2015) for a fixture enterprise."""
    serial = list(ENTERPRISES).index(name) + 1
    first17 = f"91500000MA{serial:07d}"
    return first17 + uscc_check_char(first17)


def insert(con: duckdb.DuckDBPyConnection, table: str, source_file: str, row: int, **values: Any) -> None:
    values |= {
        "source_file": source_file,
        "source_sheet": None,
        "source_row": row,
        "file_sha256": hashlib.sha256(source_file.encode()).hexdigest(),
        "ingested_at": INGESTED,
    }
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    con.execute(f"insert into raw.{table} ({columns}) values ({marks})", list(values.values()))


def write_raw_layer(con: duckdb.DuckDBPyConnection) -> None:
    rows: dict[str, int] = defaultdict(lambda: 1)

    def next_row(source_file: str) -> int:
        rows[source_file] += 1
        return rows[source_file]

    for name, (chain, district, revenue_p1, revenue_p2) in ENTERPRISES.items():
        insert(
            con, "registry", "registry/名录.xlsx", next_row("registry/名录.xlsx"),
            uscc=uscc(name), enterprise_name=f"{name}电子公司", district_raw=None, district_code=district,
            industry_code="3911", chain_raw=None, chain_code=chain, above_scale=True,
        )  # fmt: skip
        for period, revenue in ((P1, revenue_p1), (P2, revenue_p2)):
            source = f"filings/企业月报_{period:%Y-%m}.csv"
            insert(
                con, "filings", source, next_row(source),
                uscc=uscc(name), enterprise_name=f"{name}电子公司", district_raw=None, district_code=district,
                period=period, revenue_ytd_wan=revenue, rd_ytd_wan=revenue * 0.02, employees=None,
            )  # fmt: skip
    for name, digital in FULLY_DIGITAL_2024.items():
        insert(
            con, "surveys", "surveys/数字化调查_2024.xlsx", next_row("surveys/数字化调查_2024.xlsx"),
            uscc=uscc(name), survey_year=2024, design=digital, production=digital, management=digital, sales=True,
        )  # fmt: skip


@pytest.fixture(scope="module")
def build_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("disclosure")
    database = root / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        write_raw_layer(con)
    result = subprocess.run(
        [
            DBT, "build",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
            "--vars", AS_OF_VARS,
        ],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, **QUIET_ENV, "PLANWATCH_BUILD_DB": str(database)},
    )  # fmt: skip
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-5000:]}"
    return database


@pytest.fixture(scope="module")
def snapshot(build_db: Path) -> Path:
    """The analyst snapshot, published from the build database as the pipeline does."""
    analytics = build_db.with_name("analytics.duckdb")
    publish(build_db, analytics, run_id="test_disclosure")
    return analytics


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("mart", "unit_column", "expected"),
    [
        ("chain_monthly", "chain_code", CHAIN_SUPPRESSED),
        ("district_monthly", "district_code", DISTRICT_SUPPRESSED),
    ],
)
def test_cells_suppressed_with_reasons(snapshot: Path, mart: str, unit_column: str, expected: set) -> None:
    suppressed = query(
        snapshot,
        f"select period, {unit_column}, suppression_reason from marts.{mart} where suppressed and enterprise_count > 0",
    )
    assert set(suppressed) == expected
    empty = query(
        snapshot,
        f"select distinct suppressed, suppression_reason from marts.{mart} where enterprise_count = 0",
    )
    assert empty == [(True, "count")]


def test_chain_values_null_where_suppressed_and_present_elsewhere(snapshot: Path) -> None:
    rows = {
        (period, chain): rest
        for period, chain, *rest in query(
            snapshot,
            "select period, chain_code, enterprise_count, revenue_ytd_yi, revenue_yoy_pct, rd_ytd_yi, "
            "rd_intensity_pct from marts.chain_monthly where enterprise_count > 0",
        )
    }
    for period, chain, _ in CHAIN_SUPPRESSED:
        count, *values = rows[(period, chain)]
        assert count > 0 and values == [None, None, None, None], (period, chain)
    published = {
        (period, chain): (count, revenue, yoy, rd, intensity)
        for (period, chain), (count, revenue, yoy, rd, intensity) in rows.items()
        if (period, chain) not in {(p, c) for p, c, _ in CHAIN_SUPPRESSED}
    }
    assert published == {
        (P1, "power_semi_ic"): (4, 4.0, None, pytest.approx(0.08), pytest.approx(2.0)),
        (P1, "server"): (3, 1.5, None, pytest.approx(0.03), pytest.approx(2.0)),
        (P1, "sensor_instrument"): (6, 6.0, None, pytest.approx(0.12), pytest.approx(2.0)),
        (P1, "pv_storage"): (3, 0.0, None, 0.0, None),
        (P2, "smart_terminal"): (5, 10.0, pytest.approx(0.0), pytest.approx(0.2), pytest.approx(2.0)),
        (P2, "power_semi_ic"): (4, 4.0, pytest.approx(0.0), pytest.approx(0.08), pytest.approx(2.0)),
        (P2, "sensor_instrument"): (6, 5.0, pytest.approx(-100 / 6), pytest.approx(0.1), pytest.approx(2.0)),
        (P2, "pv_storage"): (3, 0.0, None, 0.0, None),
    }


def test_district_values_null_where_suppressed_and_present_elsewhere(snapshot: Path) -> None:
    rows = {
        (period, district): rest
        for period, district, *rest in query(
            snapshot,
            "select period, district_code, enterprise_count, revenue_ytd_yi, revenue_yoy_pct, rd_intensity_pct, "
            "digitalization_rate_pct, findings_error + findings_warn from marts.district_monthly "
            "where enterprise_count > 0",
        )
    }
    for period, district, _ in DISTRICT_SUPPRESSED:
        count, *values, findings = rows[(period, district)]
        assert count > 0 and values == [None, None, None, None], (period, district)
        assert findings is not None
    revenue = {key: row[1] for key, row in rows.items()}
    assert revenue == {
        (P1, "500101"): None,
        (P1, "500102"): None,
        (P1, "500103"): 2.75,
        (P1, "500104"): 1.5,
        (P1, "500105"): 4.0,
        (P1, "500106"): 3.0,
        (P1, "500107"): 0.0,
        (P2, "500101"): 10.375,
        (P2, "500102"): None,
        (P2, "500103"): 3.125,
        (P2, "500104"): None,
        (P2, "500105"): 4.0,
        (P2, "500106"): 1.5,
        (P2, "500107"): 0.0,
    }
    # the survey rate of 500104 (100 %, 3 surveyed) goes with the secondary suppression; 500105's stays
    assert rows[(P2, "500105")][4] == pytest.approx(50.0)
    assert rows[(P2, "500101")][2] == pytest.approx((103750 / 102500 - 1) * 100)


def test_findings_stay_visible_in_suppressed_districts(build_db: Path) -> None:
    """Nobody sent a district submission: DQ01 finds every unit with filers, suppressed or not."""
    rows = query(
        build_db,
        "select district_code, findings_error from marts.district_monthly "
        "where period = '2024-09-01' and district_code in ('500102', '500104') order by 1",
    )
    assert rows == [("500102", 1), ("500104", 1)]


def test_indicator_totals_unaffected(snapshot: Path) -> None:
    rows = query(
        snapshot,
        "select indicator_code, period, actual_value from marts.indicator_progress "
        "where indicator_code in ('revenue', 'rd_spend') order by 1, 2",
    )
    assert rows == [
        ("rd_spend", P1, pytest.approx(0.47)),
        ("rd_spend", P2, pytest.approx(0.45)),
        ("revenue", P1, pytest.approx(23.5)),
        ("revenue", P2, pytest.approx(22.5)),
    ]


def test_build_database_keeps_unsuppressed_cells(build_db: Path) -> None:
    chains = query(
        build_db,
        "select period, chain_code, enterprise_count, revenue_ytd_wan, rd_ytd_wan, top_revenue_share, "
        "is_small_cell, is_dominated, suppression_reason from intermediate.int_chain_cells "
        "where suppressed and enterprise_count > 0 order by 1, 2",
    )
    assert chains == [
        (P1, "new_display", 2, 20000, 400, 0.5, True, False, "count"),
        (P1, "smart_terminal", 5, 100000, 2000, pytest.approx(0.9), False, True, "dominance"),
        (P2, "new_display", 2, 20000, 400, 0.5, True, False, "count"),
        (P2, "server", 3, 15000, 300, pytest.approx(1 / 3), False, False, "secondary"),
    ]
    boundary = query(
        build_db,
        "select top_revenue_share, is_dominated from intermediate.int_chain_cells "
        "where period = '2024-09-01' and chain_code = 'smart_terminal'",
    )
    assert boundary == [(0.85, False)]
    districts = query(
        build_db,
        "select period, district_code, revenue_ytd_wan, surveyed_count, digitalization_rate_pct, suppression_reason "
        "from intermediate.int_district_cells where suppressed and enterprise_count > 0 order by 1, 2",
    )
    assert districts == [
        (P1, "500101", 102500, 0, None, "dominance"),
        (P1, "500102", 20000, 0, None, "count"),
        (P2, "500102", 20000, 0, None, "count"),
        (P2, "500104", 15000, 3, 100.0, "secondary"),
    ]


def test_snapshot_holds_marts_only(snapshot: Path, build_db: Path) -> None:
    intermediate = (
        "select count(*) from information_schema.tables where table_name like 'int\\_%' escape '\\'"
    )
    assert query(build_db, intermediate)[0][0] > 0
    assert query(snapshot, intermediate) == [(0,)]


def test_no_period_leaves_a_lone_suppressed_cell(snapshot: Path) -> None:
    for table in ("chain_monthly", "district_monthly"):
        counts = query(
            snapshot,
            f"select period, count(*) filter (where suppressed) from marts.{table} "
            "where enterprise_count > 0 group by period order by period",
        )
        assert counts == [(P1, 2), (P2, 2)], table
