"""Ingest speed: rows per second of planwatch's reader against pandas on the same files.

Not a test: it prints figures. Usage:

    .venv/bin/python bench/ingest.py [--enterprises 3000] [--months 14] [--repeat 3]

It generates a demo raw folder in a temporary directory, then reads every filings file with
planwatch's reader (header detection, unit, period and number parsing, district lookup included) and
with pandas (`read_excel(engine="openpyxl")` for .xlsx, `read_csv` for .csv, reading only, no
parsing), and prints rows per second for each and the ratio.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from orchestration.ingest.csv_text import decode_csv
from orchestration.ingest.reader import parse_file
from planwatch_demo.generator import generate


def _pandas_xlsx(path: Path) -> int:
    return len(pd.read_excel(path, engine="openpyxl", header=None, dtype=str))


def _pandas_csv(path: Path) -> int:
    import io

    return len(pd.read_csv(io.StringIO(decode_csv(path.read_bytes())), header=None, dtype=str))


def _planwatch(path: Path) -> int:
    return len(parse_file(path, "filings").rows)


def best_rate(files: list[Path], read: Callable[[Path], int], repeat: int) -> tuple[float, int]:
    """Best rows per second over `repeat` passes over all files (the least disturbed pass)."""
    best = 0.0
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = sum(read(path) for path in files)
        elapsed = time.perf_counter() - start
        best = max(best, rows / elapsed)
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--months", type=int, default=14)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "raw"
        generate(out, enterprises=args.enterprises, months=args.months)
        filings = sorted((out / "filings").iterdir())
        print(f"python {platform.python_version()}, pandas {pd.__version__}, {platform.machine()}")
        print(
            f"{'format':<6}{'files':>6}{'rows':>9}{'planwatch rows/s':>19}{'pandas rows/s':>16}{'ratio':>8}"
        )
        for suffix, baseline, label in (
            (".xlsx", _pandas_xlsx, "pandas+openpyxl"),
            (".csv", _pandas_csv, "pandas read_csv"),
        ):
            files = [path for path in filings if path.suffix == suffix]
            if not files:
                continue
            ours, rows = best_rate(files, _planwatch, args.repeat)
            theirs, _ = best_rate(files, baseline, args.repeat)
            print(
                f"{suffix:<6}{len(files):>6}{rows:>9,}{ours:>19,.0f}{theirs:>16,.0f}{ours / theirs:>7.1f}x  ({label})"
            )


if __name__ == "__main__":
    main()
