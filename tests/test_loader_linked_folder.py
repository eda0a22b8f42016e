"""A kind folder (or a sub-folder) replaced by a symbolic link is refused unread, like a linked file,
and withdraws nothing: the files ingested from it stay until a real folder shows they left.

raw/districts/ holds the submissions of 万州区 (3 enterprises, 100.5 万元) and 涪陵区 (1, 7 万元).
Someone moves the folder elsewhere and leaves a link in its place: planwatch never follows a link, so
it reads nothing there, says why (naming raw/districts/ and the fix), and the two submissions stay in,
107.5 万元 in all. With a real folder back, the run finds nothing new and nothing gone.
"""

import os
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ingest

DISTRICTS = "区县,报告期,企业个数,营业收入本年累计,研发费用本年累计\n"
FILINGS = "统一社会信用代码,企业名称,区县,报告期,营业收入本年累计,研发费用本年累计\n"


@pytest.fixture
def con(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "build.duckdb")) as connection:
        yield connection


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def statuses(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute("select source_file, status from raw.ingest_ledger order by all").fetchall()


def test_a_linked_kind_folder_is_refused_and_withdraws_nothing(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    raw, elsewhere, quarantine = tmp_path / "raw", tmp_path / "elsewhere" / "districts", tmp_path / "q"
    write(raw / "districts" / "万州_2025-05.csv", DISTRICTS + "万州区,2025-05,3,100.5,2\n")
    write(raw / "districts" / "涪陵_2025-05.csv", DISTRICTS + "涪陵区,2025-05,1,7,0\n")
    assert len(ingest(con, raw, quarantine, "districts").ingested) == 2
    elsewhere.parent.mkdir()
    (raw / "districts").rename(elsewhere)
    os.symlink(elsewhere, raw / "districts")

    report = ingest(con, raw, quarantine, "districts")

    assert (report.withdrawn, report.ingested, list(report.refused)) == ([], [], ["districts"])
    reason = report.refused["districts"]
    assert reason.startswith(f"is a symbolic link (to {str(elsewhere)!r}), not a real folder")
    assert "no file of raw/districts/ was read" in reason
    assert "the files ingested from it before are kept (none is withdrawn)" in reason
    assert reason.endswith("replace the link with a real folder holding the files")
    assert con.execute("select count(*), sum(revenue_ytd_wan) from raw.district_submissions").fetchone() == (
        2,
        107.5,
    )
    assert statuses(con) == [
        ("districts", "refused"),
        ("districts/万州_2025-05.csv", "ingested"),
        ("districts/涪陵_2025-05.csv", "ingested"),
    ]
    # as for a linked file: the quarantine keeps the reason only, nothing from behind the link
    kept = [p.name for p in (quarantine / "districts").iterdir()]
    assert len(kept) == 1 and kept[0].endswith("_districts.reason.txt")

    (raw / "districts").unlink()
    elsewhere.rename(raw / "districts")
    back = ingest(con, raw, quarantine, "districts")
    assert (back.withdrawn, back.ingested, back.refused) == ([], [], {})


def test_a_linked_sub_folder_withdraws_nothing_under_it(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """raw/filings/2025/ replaced by a link: its file stays in (800 万元); 2024's, in a real folder and
    then deleted, is withdrawn as before."""
    raw = tmp_path / "raw"
    write(
        raw / "filings" / "2025" / "企业月报_2025-05.csv",
        FILINGS + "915000007339743120,甲,万州区,2025-05,800,3\n",
    )
    write(
        raw / "filings" / "2024" / "企业月报_2024-05.csv",
        FILINGS + "915000007339743120,甲,万州区,2024-05,700,3\n",
    )
    assert len(ingest(con, raw, tmp_path / "q", "filings").ingested) == 2
    (raw / "filings" / "2025").rename(tmp_path / "2025")
    os.symlink(tmp_path / "2025", raw / "filings" / "2025")
    (raw / "filings" / "2024" / "企业月报_2024-05.csv").unlink()

    report = ingest(con, raw, tmp_path / "q", "filings")

    assert (report.withdrawn, list(report.refused)) == (
        ["filings/2024/企业月报_2024-05.csv"],
        ["filings/2025"],
    )
    assert con.execute("select source_file, revenue_ytd_wan from raw.filings").fetchall() == [
        ("filings/2025/企业月报_2025-05.csv", 800)
    ]
