"""The benchmark's volume generator writes the demo generator's truth, only faster and as CSV."""

from decimal import Decimal
from pathlib import Path

from orchestration.ingest.reader import parse_file
from planwatch_demo.generator import generate
from planwatch_demo.volume import generate_volume


def test_volume_filings_carry_the_demo_generators_figures(tmp_path: Path) -> None:
    """30 enterprises (+3 out of scope or below scale) × 14 months (12 periods: 2022-02..2023-02 without January 2023): every
    filings CSV reads back, through planwatch's own reader, to the clean revenue and R&D totals that
    generate() reports for the same seed, and the registry and districts are the same files."""
    demo = generate(tmp_path / "demo", enterprises=30, months=14, faults=False)
    counts = generate_volume(tmp_path / "volume", enterprises=30, months=14)

    assert counts["filings"] == demo.filing_rows == 33 * 12
    for label, (revenue_cents, rd_cents) in demo.clean_totals["filings"].items():
        parsed = parse_file(tmp_path / "volume" / "filings" / f"企业月报_{label}.csv", "filings")
        assert len(parsed.rows) == 33
        assert sum(row["revenue_ytd_wan"] for row in parsed.rows) == Decimal(revenue_cents) / 100
        assert sum(row["rd_ytd_wan"] or 0 for row in parsed.rows) == Decimal(rd_cents) / 100
    for rel in ("registry/企业名录_2023-02.xlsx", "districts/区县报送_2023-02.xlsx"):
        assert (tmp_path / "volume" / rel).read_bytes() == (tmp_path / "demo" / rel).read_bytes()
