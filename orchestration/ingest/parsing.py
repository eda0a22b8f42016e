"""Parsing a received file once per process: the cache that planning and loading share, the months a
file covers, and the check that every number fits its raw column with room for totals."""

from __future__ import annotations

import hashlib
import math
from decimal import ROUND_HALF_EVEN, Context, Decimal

import pyarrow as pa

from orchestration.ingest.files import RawFile, read_regular_file
from orchestration.ingest.kinds import KINDS, Kind
from orchestration.ingest.ledger import COLUMNS
from orchestration.ingest.reader import (
    SUPPORTED_SUFFIXES,
    FileRejected,
    Limits,
    ParsedFile,
    check_limits,
    parse_file,
)
from orchestration.ingest.values import named_period

# Parsed files kept for the rest of the process, so that planning which partitions to run and loading
# share the work. Bounded by rows, not files: a parsed row is about 1 kB of Python objects, and keeping
# every file of a kind (1.8 GB for the filings of 50,000 enterprises) drove a run's peak memory. A file
# leaves the cache once it is loaded; the months a file covers are kept apart, as they are small.
PARSE_CACHE_MAX_ROWS = 100_000
_PARSE_CACHE: dict[tuple[str, str], ParsedFile | FileRejected] = {}
_PERIODS: dict[tuple[str, str], frozenset[str]] = {}


def _cached_rows() -> int:
    return sum(len(item.rows) for item in _PARSE_CACHE.values() if isinstance(item, ParsedFile))


def parse_cached(raw_file: RawFile, limits: Limits | None = None) -> ParsedFile:
    """Parse a file, or take it from the cache when planning parsed it already (see PARSE_CACHE_MAX_ROWS)."""
    key = (raw_file.sha256, raw_file.kind)
    result = _PARSE_CACHE.get(key)
    if result is None:
        try:
            result = _parse(raw_file, limits or Limits.from_env())
        except FileRejected as exc:
            result = exc
        if isinstance(result, ParsedFile):
            _PERIODS[key] = period_keys(result, KINDS[raw_file.kind])
        _PARSE_CACHE[key] = result
        while len(_PARSE_CACHE) > 1 and (len(_PARSE_CACHE) > 256 or _cached_rows() > PARSE_CACHE_MAX_ROWS):
            del _PARSE_CACHE[next(iter(_PARSE_CACHE))]  # the oldest first; the file just parsed stays
    if isinstance(result, FileRejected):
        raise result
    return result


def forget_parsed(raw_file: RawFile) -> None:
    """Drop a loaded file's parsed rows: nothing in this process reads them again."""
    _PARSE_CACHE.pop((raw_file.sha256, raw_file.kind), None)


def _parse(raw_file: RawFile, limits: Limits) -> ParsedFile:
    if raw_file.path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise FileRejected(f"{raw_file.rel} has suffix '{raw_file.path.suffix}'; send .xlsx, .xls or .csv")
    size = raw_file.path.lstat().st_size
    if size > limits.max_file_bytes:
        try:
            check_limits(raw_file.path, limits)  # refuses before reading the file into memory
        except FileRejected as exc:
            raise FileRejected(f"{raw_file.rel} {exc}") from exc
    try:
        data = read_regular_file(raw_file.path)
    except FileRejected as exc:
        raise FileRejected(f"{raw_file.rel} {exc}") from exc
    if hashlib.sha256(data).hexdigest() != raw_file.sha256:
        raise FileRejected(
            f"{raw_file.rel} changed while it was being read (another program is still writing it); "
            "it will be read on the next run"
        )
    parsed = parse_file(raw_file.path, raw_file.kind, raw_file.rel, limits, data=data)
    check_storable(KINDS[raw_file.kind], parsed, raw_file.rel)
    return parsed


# Room kept in a decimal column for totals: DuckDB sums a DECIMAL(38, 6) into a DECIMAL(38, 6), so two
# values that each fit (6e31 万元, under 1e32) overflow the SUM in dbt ("Overflow in SUM of DECIMAL"),
# which names no file and fails every build until the file leaves raw/. A value is taken only when the
# sum of SUM_HEADROOM such values still fits: 10^6 rows is five times the filings of the largest city
# benchmarked in a month (200,000 enterprises), and the bound it leaves (1e26 万元) is far beyond any
# real figure. Integer columns need none: DuckDB sums INTEGER into HUGEINT.
SUM_HEADROOM = 10**6
# enough digits to round any value a 38-digit column could hold (the default context keeps 28)
_WIDE = Context(prec=80)


def _largest_storable(data_type: pa.DataType) -> float | None:
    """The largest magnitude a raw column takes: Decimal(p, s) keeps p - s integer digits, of which
    log10(SUM_HEADROOM) are left for totals; int32 its own maximum."""
    if pa.types.is_decimal(data_type):
        return 10.0 ** (data_type.precision - data_type.scale) / SUM_HEADROOM
    if pa.types.is_int32(data_type):
        return 2.0**31 - 1
    return None


def check_storable(kind: Kind, parsed: ParsedFile, rel: str) -> None:
    """Refuse a file with a number its raw column cannot hold with room for totals (1e40, or 6e31
    万元 in a Decimal(38, 6) money column: see SUM_HEADROOM), naming the row and column: one such cell
    would otherwise fail the whole batch in Arrow, or a SUM in dbt on every later run. Huge values
    that fit are stored and found by rule DQ07.

    A number with more decimals than its column keeps is rounded to them (half to even): a cell
    holding a spreadsheet's cached SUM (570.4000000000001), or an amount in 元 finer than 分 made 万元,
    has them, and Arrow refused the whole file ("Rescaling Decimal value would cause data loss"). Six
    decimals of 万元 are 0.01 元, so nothing a report can hold is lost."""
    bounds = {
        name: (bound, data_type.scale if pa.types.is_decimal(data_type) else None)
        for name, data_type in COLUMNS[kind.table]
        if (bound := _largest_storable(data_type)) is not None
    }
    for row in parsed.rows:
        for name, (bound, scale) in bounds.items():
            value = row.get(name)
            if value is None:
                continue
            if scale is not None and value.is_finite() and value.as_tuple().exponent < -scale:
                value = row[name] = value.quantize(Decimal(1).scaleb(-scale), ROUND_HALF_EVEN, _WIDE)
            number = float(value)
            if not math.isfinite(number) or abs(number) >= bound:
                where = f"{rel}" + (f", sheet {row['source_sheet']}" if row.get("source_sheet") else "")
                label = parsed.labels.get(name, name)
                unit = " 万元" if name.endswith("_wan") else ""
                raise FileRejected(
                    f"{where}, row {row['source_row']}: {label} is {number:.6g}{unit}, which cannot be "
                    f"stored (at most {bound:.0e}{unit} in this column, so that totals over many rows fit); "
                    "correct the cell and send the file again"
                )


def period_keys(parsed: ParsedFile, kind: Kind) -> frozenset[str]:
    if kind.name == "surveys":
        return frozenset(str(row["survey_year"]) for row in parsed.rows)
    if kind.name == "registry":
        # a registry of another year is another list, never a correction that supersedes this one
        return frozenset(str(row["registry_year"]) for row in parsed.rows if row.get("registry_year"))
    return frozenset(p.strftime("%Y-%m") for p in parsed.periods)


def file_periods(raw_file: RawFile) -> frozenset[str]:
    """The months a monthly file covers: from its name when it names one, else from its rows."""
    named = named_period(raw_file.rel)
    if named is not None:
        return frozenset({named})
    key = (raw_file.sha256, raw_file.kind)
    if key not in _PERIODS:
        try:
            parse_cached(raw_file)
        except FileRejected:
            return frozenset()
    return _PERIODS[key]
