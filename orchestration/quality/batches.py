"""Which rows of a staged model Great Expectations validates, and what an earlier validation found.

A suite may name a year column in its meta (`"batch_year": "period"`, a DATE, or `"survey_year"`, an
integer): its model is then validated year by year, one pandas frame at a time, so memory follows the
largest year and not the whole history. Keys are compared within a year, and every key of the
period-based suites holds its period, so splitting by year loses no duplicate; a `mostly` threshold
applies to each year on its own.

A year is validated again only when it changed: its fingerprint is its row count and the set of file
digests its rows came from (files are immutable, so new, superseding and withdrawn files all change
it). The fingerprints and each year's findings are kept in a small JSON file beside the Data Docs,
tied to a digest of the suites and of the code that stages the rows; a change to either, a missing
or unreadable file, or a missing Data Docs site means everything is validated again. Nothing here
imports Great Expectations or Dagster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

STATE_VERSION = 1
WHOLE = "all"  # the key of the one batch of a suite without a year column
NO_YEAR = "no year"  # rows whose year column is empty
# what a batch's record in the state file holds (expectations._validate_one writes it)
RECORD_FIELDS = frozenset({"fingerprint", "rows", "success", "evaluated", "failed", "validated_at"})


@dataclass(frozen=True)
class Batch:
    """One year of a staged model (or all of it), as the build database holds it now."""

    key: str  # "2023", NO_YEAR or WHOLE
    rows: int
    fingerprint: str

    def where(self, year_column: str | None, is_date: bool) -> str | None:
        """The SQL condition that selects this batch's rows (None: every row)."""
        if self.key == WHOLE or year_column is None:
            return None
        quoted = f'"{year_column}"'
        if self.key == NO_YEAR:
            return f"{quoted} is null"
        return f"{_year_expression(quoted, is_date)} = {int(self.key)}"


def year_column_is_date(con: duckdb.DuckDBPyConnection, model: str, year_column: str) -> bool:
    types = {name: kind for name, kind, *_ in con.execute(f"describe {model}").fetchall()}
    if year_column not in types:
        raise KeyError(f"{model} has no column {year_column} (the suite's meta.batch_year)")
    return types[year_column].upper() == "DATE"


def list_batches(con: duckdb.DuckDBPyConnection, model: str, year_column: str | None) -> list[Batch]:
    """The model's batches now, in year order; a model with no rows has one empty WHOLE batch, so its
    row-count expectation still runs."""
    files = "md5(coalesce(string_agg(distinct file_sha256, ',' order by file_sha256), ''))"
    if year_column is None:
        rows, fingerprint = con.execute(f"select count(*), {files} from {model}").fetchone()
        return [Batch(WHOLE, int(rows), f"{rows}:{fingerprint}")]
    is_date = year_column_is_date(con, model, year_column)
    year = _year_expression(f'"{year_column}"', is_date)
    found = con.execute(
        f"select {year} as batch_year, count(*), {files} from {model} group by 1 order by 1 nulls last"
    ).fetchall()
    if not found:
        return [Batch(WHOLE, 0, "0:")]
    return [
        Batch(NO_YEAR if value is None else str(int(value)), int(rows), f"{rows}:{fingerprint}")
        for value, rows, fingerprint in found
    ]


def _year_expression(column: str, is_date: bool) -> str:
    return f"year({column})" if is_date else f"cast({column} as integer)"


def digest(suites_dir: Path, parameters: dict[str, list[str]], code_digest: str) -> str:
    """What the recorded findings depend on besides the rows: the suites, their code sets, the code."""
    hasher = hashlib.sha256(code_digest.encode())
    for path in sorted(Path(suites_dir).glob("*.json")):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    hasher.update(json.dumps(parameters, sort_keys=True).encode())
    return hasher.hexdigest()


def load_state(path: Path | None, expected_digest: str) -> dict[str, dict[str, Any]]:
    """The findings recorded by model and batch key; empty when there is nothing usable to reuse."""
    if path is None:
        return {}
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return {}
    if state.get("digest") != expected_digest or not isinstance(state.get("models"), dict):
        return {}
    return state["models"]


def save_state(path: Path, state_digest: str, models: dict[str, dict[str, Any]]) -> None:
    """Write the state beside its final name, then move it into place (a reader never sees half)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    text = json.dumps(
        {"version": STATE_VERSION, "digest": state_digest, "models": models}, ensure_ascii=False
    )
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def stale(batches: list[Batch], recorded: dict[str, Any]) -> list[Batch]:
    """The batches whose fingerprint differs from the recorded one, that were never validated, or
    whose record lacks a field (a state file edited or written by another version)."""
    return [
        batch
        for batch in batches
        if not isinstance(recorded.get(batch.key), dict)
        or not recorded[batch.key].keys() >= RECORD_FIELDS
        or recorded[batch.key]["fingerprint"] != batch.fingerprint
    ]
