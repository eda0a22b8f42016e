"""`planwatch status`'s summary lines, from the ledger and snapshot tuples it reads."""

import datetime as dt

import pytest

from orchestration.status import CITY_WIDE, summary

LAST = (dt.datetime(2026, 11, 3, 9, 30), "run-7", dt.date(2022, 1, 1), dt.date(2026, 10, 1))


@pytest.mark.parametrize(
    ("findings", "line"),
    [
        # (code, name, errors, warns) as _published reads them; DQ12's findings name no district
        (
            [("500101", "万州区", 3, 1), (CITY_WIDE, "全市 city-wide", 0, 2), ("5001A1", "两江新区", 1, 0)],
            "  findings: 4 errors, 3 warnings in 2 districts and city-wide",
        ),
        ([("500101", "万州区", 3, 1)], "  findings: 3 errors, 1 warnings in 1 districts"),
        ([], "  findings: 0 errors, 0 warnings in 0 districts"),
    ],
)
def test_findings_count_districts_as_the_run_summary_does(findings: list[tuple], line: str) -> None:
    lines = summary((None, None, None, None, None, [("ingested", 12)]), (LAST, [], findings))
    assert lines == [
        "Summary",
        "  files: 12 ingested",
        "  published 2026-11-03 09:30, periods 2022-01..2026-10, 0 figures revised",
        line,
    ]
