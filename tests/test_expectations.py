"""The Great Expectations suites on staged inputs, run on a hand-made build database.

The staged models are created as tables in schema `staging` with the columns and types of the dbt
views. Good data: three enterprises (万州区 500101, 涪陵区 500102, 两江新区 5001A1), their filings for
2024-09 and 2024-10 (6 rows), survey answers for 2023, one submission per district for 2024-10 and
three bureau lines. Every suite passes on it.

The bad filings variant has 7 rows: E2's 2024-09 credit code is NULL, E3's 2024-09 filing district is
500199 (no such reporting unit), E1's 2024-10 revenue is −5 万元, and a second E1 2024-09 line
repeats a key. Expected, in suite order: uscc not null 1 of 7; filing district in set 1 of 7;
uscc+period unique 2 of 7 rows (28.6% > 1% allowed); revenue ≥ 0 1 of 7 (14.3% > 1%).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.identity import uscc_check_char
from orchestration.quality.expectations import (
    EXPECTATIONS_DIR,
    FailedExpectation,
    SuiteResult,
    load_suites,
    reference_parameters,
    regex_columns,
    staged_frame,
    validate_staged_inputs,
)
from orchestration.quality.offline_docs import STYLE, offline_page

SUITES = [
    "stg_raw__bureau",
    "stg_raw__district_submissions",
    "stg_raw__filings",
    "stg_raw__registry",
    "stg_raw__surveys",
]
SHA = "ab" * 32


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


E1, E2, E3 = uscc("91500101MA5U00001"), uscc("91500102MA5U00002"), uscc("91500000MA5U00003")

PROVENANCE = """
    source_file varchar, source_sheet varchar, source_row integer, file_sha256 varchar, ingested_at timestamp
"""
DDL = {
    "stg_raw__registry": """
        uscc varchar, district_code varchar, industry_code varchar, chain_code varchar,
        enterprise_name varchar, district_raw varchar, chain_raw varchar, is_above_scale boolean,
        registry_year integer, registry_vintage integer,""",
    "stg_raw__filings": """
        uscc varchar, filing_district_code varchar, enterprise_name varchar, filing_district_raw varchar,
        period date, revenue_ytd_wan decimal(38, 6), rd_ytd_wan decimal(38, 6), employees integer,""",
    "stg_raw__surveys": """
        uscc varchar, survey_year integer, is_design_digital boolean, is_production_digital boolean,
        is_management_digital boolean, is_sales_digital boolean,""",
    "stg_raw__district_submissions": """
        district_code varchar, district_raw varchar, period date, enterprise_count integer,
        revenue_ytd_wan decimal(38, 6), rd_ytd_wan decimal(38, 6),""",
    "stg_raw__bureau": """
        industry_code varchar, industry_raw varchar, period date, revenue_ytd_wan decimal(38, 6),
        yoy_pct decimal(18, 6),""",
}
AT = "2024-11-15 09:00:00"
# fmt: off
ROWS = {
    "stg_raw__registry": [
        (E1, "500101", "3911", "smart_terminal", "甲电子", "万州区", "智能终端", True, 2024, 2024, "registry/r.xlsx", "名录", 4, SHA, AT),
        (E2, "500102", "3971", None, "乙半导体", "涪陵", None, True, None, 2024, "registry/r.xlsx", "名录", 5, SHA, AT),
        (E3, "5001A1", "3825", "pv_storage", "丙光伏", "两江新区", "光伏及储能", None, 2024, 2024, "registry/r.xlsx", "名录", 6, SHA, AT),
    ],
    "stg_raw__filings": [
        (E1, "500101", "甲电子", "万州区", "2024-09-01", 900.5, 30, 120, "filings/f_09.csv", None, 2, SHA, AT),
        (E2, "500102", "乙半导体", "涪陵区", "2024-09-01", 450, 0, None, "filings/f_09.csv", None, 3, SHA, AT),
        (E3, "5001A1", "丙光伏", "两江新区", "2024-09-01", 120, None, 15, "filings/f_09.csv", None, 4, SHA, AT),
        (E1, "500101", "甲电子", "万州区", "2024-10-01", 1000.25, 33, 121, "filings/f_10.csv", None, 2, SHA, AT),
        (E2, "500102", "乙半导体", "涪陵区", "2024-10-01", 500, 1, 40, "filings/f_10.csv", None, 3, SHA, AT),
        (E3, None, "丙光伏", None, "2024-10-01", 130, 2, 15, "filings/f_10.csv", None, 4, SHA, AT),
    ],
    "stg_raw__surveys": [
        (E1, 2023, True, True, False, True, "surveys/s.csv", None, 2, SHA, AT),
        (E2, 2023, False, None, True, True, "surveys/s.csv", None, 3, SHA, AT),
        (E3, 2023, True, True, True, True, "surveys/s.csv", None, 4, SHA, AT),
    ],
    "stg_raw__district_submissions": [
        ("500101", "万州区", "2024-10-01", 1, 1000.25, 33, "districts/d.xlsx", "Sheet1", 5, SHA, AT),
        ("500102", "涪陵", "2024-10-01", 1, 500, 1, "districts/d.xlsx", "Sheet1", 6, SHA, AT),
        ("5001A1", "两江新区", "2024-10-01", 1, 130, 2, "districts/d.xlsx", "Sheet1", 7, SHA, AT),
    ],
    "stg_raw__bureau": [
        ("39", "计算机、通信和其他电子设备制造业", "2024-10-01", 5000, 8.5, "bureau/b.xlsx", "表1", 6, SHA, AT),
        ("3971", "电子元件及组件制造", "2024-10-01", 800, -3.2, "bureau/b.xlsx", "表1", 7, SHA, AT),
        (None, "其他", "2024-10-01", 10, None, "bureau/b.xlsx", "表1", 8, SHA, AT),
    ],
}
# fmt: on


def bad_filings() -> list[tuple]:
    rows = [list(row) for row in ROWS["stg_raw__filings"]]
    rows[1][0] = None  # E2 2024-09: no credit code
    rows[2][1] = "500199"  # E3 2024-09: no such reporting unit
    rows[3][5] = -5  # E1 2024-10: negative revenue
    duplicate = list(rows[0])  # E1 2024-09 a second time
    duplicate[5], duplicate[10] = 905, 9
    return [tuple(row) for row in [*rows, duplicate]]


def build_db(path: Path, rows: dict[str, list[tuple]] = ROWS, skip: tuple[str, ...] = ()) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema staging")
        for model, columns in DDL.items():
            if model in skip:
                continue
            con.execute(f"create table staging.{model} ({columns} {PROVENANCE})")
            if rows[model]:
                marks = ", ".join("?" * len(rows[model][0]))
                con.executemany(f"insert into staging.{model} values ({marks})", rows[model])
    return path


@pytest.fixture(scope="module")
def good_run(tmp_path_factory) -> tuple[list[SuiteResult], Path]:
    folder = tmp_path_factory.mktemp("good")
    docs = folder / "gx_docs"
    return validate_staged_inputs(build_db(folder / "build.duckdb"), docs), docs


def by_suite(results: list[SuiteResult]) -> dict[str, SuiteResult]:
    return {result.suite_name: result for result in results}


def test_load_suites_reads_every_json_file_with_its_model() -> None:
    suites = load_suites(EXPECTATIONS_DIR)

    assert sorted(suites) == SUITES
    assert {name: suite.meta["model"] for name, suite in suites.items()} == {
        name: f"staging.{name}" for name in SUITES
    }
    filings = suites["stg_raw__filings"]
    assert len(filings.expectations) == 18
    assert "expect_compound_columns_to_be_unique" in {e.expectation_type for e in filings.expectations}


def test_suites_name_every_column_of_their_staged_model() -> None:
    """The column-set expectation agrees with the dbt model's SQL and its YAML, both ways, so a column
    added, renamed or dropped there shows here (registry_year and registry_vintage once went
    unnoticed, and the registry suite failed on every run)."""
    sql_dir = EXPECTATIONS_DIR.parent / "dbt_project" / "models" / "staging"
    macros = (EXPECTATIONS_DIR.parent / "dbt_project" / "macros" / "staging.sql").read_text(encoding="utf-8")
    provenance = macros.split("{% macro provenance_columns() -%}", 1)[1].split("{%- endmacro %}", 1)[0]
    for name in SUITES:
        spec = json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        (column_set,) = [
            e["kwargs"]["column_set"]
            for e in spec["expectations"]
            if e["type"] == "expect_table_columns_to_match_set"
        ]
        sql = (sql_dir / f"{name}.sql").read_text(encoding="utf-8")
        # the provenance columns every staging model takes from the macro (dbt_project/macros/staging.sql)
        sql = sql.replace("{{ provenance_columns() }}", provenance)
        for column in column_set:  # a select item: the column, or an expression `as` it, ending its line
            assert re.search(rf"(?:^|\s){re.escape(column)},?$", sql, re.MULTILINE), (name, column)
        (model,) = yaml.safe_load((sql_dir / f"{name}.yml").read_text(encoding="utf-8"))["models"]
        assert sorted(column_set) == sorted(column["name"] for column in model["columns"]), name


def test_reference_parameters_come_from_the_seeds() -> None:
    parameters = reference_parameters()

    assert len(parameters["reporting_unit_codes"]) == 41
    assert {"500101", "500243", "5001A1", "5001A3"} <= set(parameters["reporting_unit_codes"])
    assert len(parameters["chain_codes"]) == 11
    assert "smart_terminal" in parameters["chain_codes"]


def test_good_inputs_pass_every_suite(good_run) -> None:
    results, docs = good_run
    found = by_suite(results)

    assert sorted(found) == SUITES
    assert {name: (r.success, r.evaluated, r.row_count, r.failed) for name, r in found.items()} == {
        "stg_raw__bureau": (True, 13, 3, []),
        "stg_raw__district_submissions": (True, 16, 3, []),
        "stg_raw__filings": (True, 18, 6, []),
        "stg_raw__registry": (True, 15, 3, []),
        "stg_raw__surveys": (True, 15, 3, []),
    }
    assert all(r.docs_index == docs / "index.html" for r in results)
    assert found["stg_raw__filings"].summary() == "stg_raw__filings: 18 of 18 expectations met on 6 rows"


def test_good_run_writes_data_docs_with_every_suite_and_validation(good_run) -> None:
    _, docs = good_run
    index = (docs / "index.html").read_text(encoding="utf-8")

    for name in SUITES:
        assert f"expectations/{name}.html" in index
        assert (docs / "expectations" / f"{name}.html").is_file()
        (page,) = (docs / "validations" / name).rglob("*.html")
        # a page per batch: the year for the period and survey-year suites, the whole registry
        year = {"stg_raw__registry": "", "stg_raw__surveys": "_2023"}.get(name, "_2024")
        assert page.name == f"staging-{name}{year}.html"
        assert f"validations/{name}/" in index
    assert not list(docs.parent.glob(".gx_docs.*")), "no building or retired folder is left behind"
    assert index.count('<span class="pw-ok">✔ 通过</span>') == len(SUITES)  # the status of each page


def test_data_docs_reference_nothing_outside_and_show_no_credit_code(tmp_path) -> None:
    """Offline the index is readable (a static table, not one a CDN script fills in), no page loads
    anything from the network, and the credit codes GX lists as unexpected values are masked."""
    rows = {**ROWS, "stg_raw__filings": bad_filings()}
    validate_staged_inputs(build_db(tmp_path / "build.duckdb", rows), tmp_path / "docs")
    pages = {page: page.read_text(encoding="utf-8") for page in (tmp_path / "docs").rglob("*.html")}
    assert len(pages) > len(SUITES)
    for page, text in pages.items():
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), page
        assert E1 not in text, page
    index = pages[tmp_path / "docs" / "index.html"]
    assert "<script" not in index and '<span class="pw-bad">✘ 未通过</span>' in index
    filings = next(text for page, text in pages.items() if "validations/stg_raw__filings" in page.as_posix())
    assert "[代码已隐去]" in filings  # the duplicate key's example was a credit code


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('<head><link rel="stylesheet" href="https://cdn.example/x.css"></head>', f"<head>{STYLE}\n</head>"),
        ('<script src="https://code.jquery.com/jquery.js"></script><p>x</p>', "<p>x</p>"),
        ('<img src="https://s3.example/logo.png?d=1" alt="">ok', "ok"),
        (
            '<a href="https://greatexpectations.io/x">GX</a> <a href="validations/a.html">a</a>',
            'GX <a href="validations/a.html">a</a>',
        ),
        (
            'Status: <i class="fas fa-check-circle text-success"></i>',
            'Status: <span class="pw-ok">✔ 通过</span>',
        ),
        ("uscc=91500000MA00000013|2024-09", "uscc=[代码已隐去]|2024-09"),
        ("91500000MA000000132024-09-01", "[代码已隐去]2024-09-01"),
        ("sha 9f86d081884c7d65", "sha 9f86d081884c7d65"),
    ],
)
def test_offline_page(page: str, expected: str) -> None:
    assert offline_page(page) == expected


def test_bad_filings_fail_exactly_the_expected_expectations(tmp_path, capfd) -> None:
    rows = {**ROWS, "stg_raw__filings": bad_filings()}

    found = by_suite(validate_staged_inputs(build_db(tmp_path / "build.duckdb", rows), tmp_path / "docs"))

    filings = found["stg_raw__filings"]
    assert (filings.success, filings.evaluated, filings.row_count) == (False, 18, 7)
    assert [(f.expectation_type, f.column, f.unexpected_count) for f in filings.failed] == [
        ("expect_column_values_to_not_be_null", "uscc", 1),
        ("expect_column_values_to_be_in_set", "filing_district_code", 1),
        ("expect_compound_columns_to_be_unique", "uscc, period", 2),
        ("expect_column_values_to_be_between", "revenue_ytd_wan", 1),
    ]
    assert [f.description for f in filings.failed] == [
        "uscc: 1 of 7 values are empty",
        "filing_district_code: 1 of 7 values are not among the 41 allowed values, e.g. 500199",
        f"uscc, period: 2 of 7 rows share their key with another row (28.6%, at most 1% allowed), "
        f"e.g. uscc={E1}, period=2024-09-01",
        "revenue_ytd_wan: 1 of 7 values are below 0 (14.3%, at most 1% allowed), e.g. -5.0",
    ]
    assert all(found[name].success for name in SUITES if name != "stg_raw__filings")
    assert "Calculating Metrics" not in capfd.readouterr().err, "GX progress bars are off"


def test_the_frame_keeps_values_with_text_as_categories_but_the_regex_columns(tmp_path) -> None:
    """staged_frame reads column by column: text as categories (the registry's codes, names, files),
    the columns a suite matches with a regex as plain text, money as float64, NULLs kept."""
    suite = load_suites()["stg_raw__bureau"]
    assert regex_columns(suite) == {"industry_code", "file_sha256"}
    with duckdb.connect(str(build_db(tmp_path / "build.duckdb")), read_only=True) as con:
        frame = staged_frame(con, "staging.stg_raw__bureau", "year(period) = 2024", regex_columns(suite))
    assert str(frame["industry_raw"].dtype) == "category"
    assert str(frame["source_file"].dtype) == "category"
    assert str(frame["industry_code"].dtype) == "str" and str(frame["file_sha256"].dtype) == "str"
    assert str(frame["revenue_ytd_wan"].dtype) == "float64" and str(frame["source_row"].dtype) == "Int32"
    assert frame["industry_code"].tolist()[:2] == ["39", "3971"] and frame["industry_code"].isna().tolist()[2]
    assert frame["industry_raw"].tolist()[0] == "计算机、通信和其他电子设备制造业"
    assert frame["revenue_ytd_wan"].tolist() == [5000.0, 800.0, 10.0]
    assert frame["yoy_pct"].isna().tolist() == [False, False, True]


def test_a_bad_digest_and_a_short_credit_code_are_found_in_the_read_frame(tmp_path) -> None:
    """The regex check runs on plain text and the length check on categories: a digest that is not
    64 hex characters and credit codes of 10 characters (4 of 6 lines, past the 95% allowed)."""
    rows = [list(row) for row in ROWS["stg_raw__filings"]]
    rows[0][11] = "not-a-digest"
    for number, row in enumerate(rows[:4]):
        row[0] = f"915001010{number}"
    found = by_suite(
        validate_staged_inputs(
            build_db(tmp_path / "build.duckdb", {**ROWS, "stg_raw__filings": [tuple(r) for r in rows]}),
            tmp_path / "docs",
        )
    )["stg_raw__filings"]
    assert [(f.expectation_type, f.column, f.unexpected_count) for f in found.failed] == [
        ("expect_column_value_lengths_to_equal", "uscc", 4),
        ("expect_column_values_to_match_regex", "file_sha256", 1),
    ]


def test_a_few_bad_lines_among_many_pass_the_mostly_checks(tmp_path) -> None:
    """200 good filings and one negative revenue: 0.5% is within revenue's `mostly` of 99%."""
    template = ROWS["stg_raw__filings"][0]
    rows = [
        (
            uscc(f"91500101MA5U{n:05d}"),
            *template[1:4],
            f"2024-{1 + n % 12:02d}-01",
            n + 1.0,
            *template[6:10],
            n + 2,
            SHA,
            AT,
        )
        for n in range(200)
    ]
    rows[7] = (*rows[7][:5], -1.0, *rows[7][6:])

    found = by_suite(
        validate_staged_inputs(
            build_db(tmp_path / "build.duckdb", {**ROWS, "stg_raw__filings": rows}), tmp_path / "docs"
        )
    )

    assert (found["stg_raw__filings"].success, found["stg_raw__filings"].failed) == (True, [])


def test_a_missing_model_and_a_lost_column_are_reported_not_raised(tmp_path) -> None:
    db = build_db(tmp_path / "build.duckdb", skip=("stg_raw__surveys",))
    with duckdb.connect(str(db)) as con:
        con.execute("alter table staging.stg_raw__registry drop column chain_code")

    found = by_suite(validate_staged_inputs(db, tmp_path / "docs"))

    surveys = found["stg_raw__surveys"]
    assert (surveys.success, surveys.evaluated, surveys.failed, surveys.row_count) == (False, 0, [], None)
    assert surveys.reason == f"staging.stg_raw__surveys is not in {db} (dbt has not built it)"
    assert surveys.summary().startswith("stg_raw__surveys: not validated: ")

    registry = found["stg_raw__registry"]
    assert registry.success is False
    assert registry.failed == [
        FailedExpectation(
            "expect_table_columns_to_match_set",
            None,
            None,
            "the columns differ from the staged model's: missing chain_code",
        ),
        FailedExpectation(
            "expect_column_values_to_be_in_set",
            "chain_code",
            None,
            'chain_code: could not be evaluated: Error: The column "chain_code" in BatchData does not exist.',
        ),
    ]
    assert found["stg_raw__filings"].success is True
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "expectations/stg_raw__surveys.html" in index


def test_a_second_run_replaces_the_docs_and_refuses_a_foreign_folder(tmp_path) -> None:
    db = build_db(tmp_path / "build.duckdb")
    docs = tmp_path / "docs"
    validate_staged_inputs(db, docs)
    validate_staged_inputs(db, docs)

    assert len(list((docs / "validations" / "stg_raw__filings").rglob("*.html"))) == 1

    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not a Data Docs folder"):
        validate_staged_inputs(db, foreign)
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_a_missing_build_database_is_an_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="build database not found"):
        validate_staged_inputs(tmp_path / "nope.duckdb", tmp_path / "docs")


# --- validation by year, and only of the years that changed ---------------------------------------


def filings_in_years(years: dict[int, int], negative_in: int | None = None) -> list[tuple]:
    """`count` good filings in each year (an own file digest per year); one negative revenue in
    `negative_in`, among 10 rows, so the `mostly` of revenue fails there."""
    template = ROWS["stg_raw__filings"][0]
    rows = []
    for year, count in years.items():
        digest = f"{year:060d}{int(year == negative_in):04d}"  # another file when its content differs
        for n in range(count):
            revenue = -1.0 if year == negative_in and n == 0 else n + 1.0
            code = uscc(f"91500101MA{year % 100:02d}U{n:04d}")
            rows.append(
                (code, *template[1:4], f"{year}-0{1 + n % 9}-01", revenue, *template[6:10], n + 2, digest, AT)
            )
    return rows


def validate(folder: Path, filings: list[tuple], code: str = "code-1") -> dict[str, SuiteResult]:
    database = folder / "build.duckdb"
    database.unlink(missing_ok=True)
    build_db(database, {**ROWS, "stg_raw__filings": filings})
    return by_suite(
        validate_staged_inputs(
            database, folder / "docs", state_file=folder / "docs.validated.json", code_digest=code
        )
    )


def test_each_year_is_a_batch_and_a_finding_names_its_year(tmp_path) -> None:
    found = validate(tmp_path, filings_in_years({2023: 10, 2024: 10}, negative_in=2023))["stg_raw__filings"]
    assert (found.batches, found.validated_now, found.row_count, found.success) == (
        ("2023", "2024"),
        ("2023", "2024"),
        20,
        False,
    )
    assert [failure.description for failure in found.failed] == [
        "2023: revenue_ytd_wan: 1 of 10 values are below 0 (10.0%, at most 1% allowed), e.g. -1.0"
    ]
    assert found.summary() == (
        "stg_raw__filings: 17 of 18 expectations met on 20 rows (2 years, all validated now); "
        + found.failed[0].description
    )
    pages = sorted(
        path.name for path in (tmp_path / "docs" / "validations" / "stg_raw__filings").rglob("*.html")
    )
    assert pages == ["staging-stg_raw__filings_2023.html", "staging-stg_raw__filings_2024.html"]


def test_only_changed_years_are_validated_and_the_others_findings_are_kept(tmp_path) -> None:
    validate(tmp_path, filings_in_years({2023: 10, 2024: 10}, negative_in=2023))
    docs_before = (tmp_path / "docs" / "index.html").stat().st_mtime_ns

    same = validate(tmp_path, filings_in_years({2023: 10, 2024: 10}, negative_in=2023))["stg_raw__filings"]
    assert same.validated_now == ()
    assert (tmp_path / "docs" / "index.html").stat().st_mtime_ns == docs_before, "docs left as they were"
    assert "(2 years, unchanged since the last validation)" in same.summary()
    assert same.success is False and same.failed[0].description.startswith("2023: revenue_ytd_wan")

    more = validate(tmp_path, filings_in_years({2023: 10, 2024: 11}, negative_in=2023))["stg_raw__filings"]
    assert more.validated_now == ("2024",) and more.row_count == 21
    assert [failure.description[:5] for failure in more.failed] == ["2023:"], "2023's finding is still there"
    assert "validated now: 2024, the others unchanged" in more.summary()

    fixed = validate(tmp_path, filings_in_years({2023: 10, 2024: 11}))["stg_raw__filings"]
    assert fixed.validated_now == ("2023",) and fixed.success and fixed.failed == []


def test_new_suites_or_code_or_lost_docs_validate_everything_again(tmp_path) -> None:
    rows = filings_in_years({2023: 10, 2024: 10})
    validate(tmp_path, rows)
    assert validate(tmp_path, rows, code="code-2")["stg_raw__filings"].validated_now == ("2023", "2024")
    shutil.rmtree(tmp_path / "docs")
    assert validate(tmp_path, rows, code="code-2")["stg_raw__filings"].validated_now == ("2023", "2024")
    (tmp_path / "docs.validated.json").write_text("{not json", encoding="utf-8")
    assert validate(tmp_path, rows, code="code-2")["stg_raw__filings"].validated_now == ("2023", "2024")
    # a record that lacks a field (edited by hand, another version) is validated again, not trusted
    state = json.loads((tmp_path / "docs.validated.json").read_text(encoding="utf-8"))
    del state["models"]["staging.stg_raw__filings"]["2023"]["failed"]
    (tmp_path / "docs.validated.json").write_text(json.dumps(state), encoding="utf-8")
    assert validate(tmp_path, rows, code="code-2")["stg_raw__filings"].validated_now == ("2023",)


def test_a_year_that_left_is_dropped_and_an_emptied_model_fails_its_row_count(tmp_path) -> None:
    validate(tmp_path, filings_in_years({2023: 10, 2024: 10}, negative_in=2023))
    left = validate(tmp_path, filings_in_years({2024: 10}))["stg_raw__filings"]
    assert (left.batches, left.validated_now, left.success) == (("2024",), (), True)
    emptied = validate(tmp_path, [])["stg_raw__filings"]
    assert emptied.success is False and emptied.row_count == 0
    assert [failure.expectation_type for failure in emptied.failed][
        0
    ] == "expect_table_row_count_to_be_between"
