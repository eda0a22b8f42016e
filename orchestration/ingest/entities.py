"""What a file's rows are about (enterprises, districts, industry lines), and how a later file of the
same months stands to an earlier one: it covers every entity of it (a correction, which supersedes
it), repeats part of it and leaves out the rest (both count, which `note_partial_repeat` says), or
shares nothing (another batch)."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from orchestration.ingest.kinds import Kind

NAME_COLUMN = "enterprise_name"
ENTITY_COLUMN = {
    "registry": "uscc",
    "filings": "uscc",
    "surveys": "uscc",
    "district_submissions": "district_code",
    "bureau": "industry_raw",
}
# what one entity of a kind is called in a message
ENTITY_WORDS = {
    "registry": "enterprises",
    "filings": "enterprises",
    "surveys": "enterprises",
    "district_submissions": "districts",
    "bureau": "industry lines",
}
EXAMPLES = 3  # entities a message names before "…"


def _named(kind: Kind) -> bool:
    return any(field.name == NAME_COLUMN for field in kind.fields)


def parsed_entities(kind: Kind, rows: list[dict[str, object]]) -> dict[str, str | None]:
    """What a parsed file's rows are about, each with the enterprise's name where the kind has one."""
    column = ENTITY_COLUMN[kind.table]
    named = _named(kind)
    return {
        str(row[column]): (row.get(NAME_COLUMN) if named else None)
        for row in rows
        if row.get(column) is not None
    }


def loaded_entities(
    con: duckdb.DuckDBPyConnection, kind: Kind, sha256: str, source_file: str
) -> dict[str, str | None]:
    """The same, for a file whose rows are in raw.<table>."""
    column = ENTITY_COLUMN[kind.table]
    name = NAME_COLUMN if _named(kind) else "null"
    rows = con.execute(
        f"select cast({column} as varchar), max({name}) from raw.{kind.table} "
        f"where file_sha256 = ? and source_file = ? and {column} is not null group by 1",
        [sha256, source_file],
    ).fetchall()
    return dict(rows)


def left_out(earlier: Mapping[str, str | None], later: Mapping[str, str | None]) -> list[str]:
    """The entities of the earlier file that the later one does not have: under the same key, or, for
    an enterprise whose credit code the later file corrected, under a new code with the same name."""
    renamed = {name for key, name in later.items() if key not in earlier and name}
    return [key for key, name in earlier.items() if key not in later and not (name and name in renamed)]


def covers_every_entity(earlier: Mapping[str, str | None], later: Mapping[str, str | None]) -> bool:
    """True when the later file has every entity of the earlier one (`left_out` is empty). A corrected
    list that fixes a misspelt code then replaces the list that had it, while a batch of other
    enterprises (different names) never replaces the first batch."""
    return not left_out(earlier, later)


def note_partial_repeat(
    kind: Kind,
    earlier_file: str,
    later_file: str,
    earlier: Mapping[str, str | None],
    later: Mapping[str, str | None],
) -> str | None:
    """What to tell the operator when a later file of the same months repeats some entities of an
    earlier one and leaves out others, or None (it covers them all, or none: another batch).

    Neither file replaces the other, since a correction of one enterprise's figures is often sent
    alone: for each entity the later row counts, and the earlier file's rows of those left out still
    count. Only the operator knows whether the later file was meant as the whole new list."""
    missing = left_out(earlier, later)
    repeated = len(earlier) - len(missing)
    if not missing or not repeated:
        return None
    words = ENTITY_WORDS[kind.table]
    labels = [f"{earlier[key]} {key}" if earlier[key] else key for key in sorted(missing)]
    shown = "、".join(labels[:EXAMPLES]) + ("…" if len(labels) > EXAMPLES else "")
    return (
        f"{later_file} repeats {repeated} of the {len(earlier)} {words} of {earlier_file} (same months) and "
        f"leaves out {len(missing)} ({shown}): both files count, so the {words} left out keep their rows "
        f"from {earlier_file} and the others have the later file's; if {later_file} is the whole new "
        f"list, move {earlier_file} out of raw/ and run planwatch run again"
    )
