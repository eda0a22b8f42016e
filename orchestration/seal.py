"""The published snapshot as planwatch wrote it: read-only on disk (an analyst's tool that opens it
without read_only gets an error, not a write lock that shuts every reader out), and the digests of
every publish kept beside it, so that whoever reads it can tell a file a write connection changed
after its publish from one planwatch wrote."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Read-only for everyone: the publish replaces the file (a rename in its folder), never writes it.
PUBLISHED_MODE = 0o444


def seal_path(analytics_db: Path) -> Path:
    """Where the digests of the snapshot's publishes are kept: analytics.duckdb.sha256 beside it, the
    SHA-256 of each file a publish wrote, the latest first (a line a month: it stays small)."""
    return analytics_db.with_name(f"{analytics_db.name}.sha256")


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def seal(new_snapshot: Path, analytics_db: Path) -> None:
    """Before `new_snapshot` is swapped in for `analytics_db`: make it read-only and add its digest to
    those of the earlier publishes, which stay: a reader between the two steps (or after a swap that
    failed) reads a published file, and so does one reading a publish restored from a backup."""
    os.chmod(new_snapshot, PUBLISHED_MODE)
    path = seal_path(analytics_db)
    earlier = path.read_text(encoding="ascii").split() if path.exists() else []
    digest = file_digest(new_snapshot)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    lines = [digest, *(line for line in earlier if line != digest)]
    temporary.write_text("\n".join(lines) + "\n", encoding="ascii")
    os.replace(temporary, path)


# Said by the snapshot itself (the comment on marts.publish_log, which every publish writes): it was
# published with its digest in the list beside it, so a missing list is a lost list, not an old
# warehouse. The comment is in the bytes the digest covers, so it cannot be added without a trace.
SEALED_COMMENT = (
    "One row per publish. planwatch published this file read-only, with its SHA-256 in the list of "
    "digests beside it (analytics.duckdb.sha256)"
)
# COMMENT ON takes no parameter: the statement is fixed here, from the constant above (no quote in it).
SEAL_COMMENT_SQL = f"comment on table marts.publish_log is '{SEALED_COMMENT}'"


def sealed_by_publish(analytics_db: Path) -> bool:
    """Whether the snapshot says it was published with a list of digests (False when it cannot be
    opened: the caller's own open then says why)."""
    import duckdb

    try:
        with duckdb.connect(str(analytics_db), read_only=True) as con:
            row = con.execute(
                "select comment from duckdb_tables() "
                "where schema_name = 'marts' and table_name = 'publish_log'"
            ).fetchone()
    except duckdb.Error:
        return False
    return row is not None and row[0] == SEALED_COMMENT


def changed_since_publish(analytics_db: Path) -> str | None:
    """Why the snapshot is not one planwatch published (its bytes match no digest the list beside it
    holds, or the list it was published with is gone), or None. A snapshot published before planwatch
    kept a list (no comment saying so) and without one is taken as it is."""
    path = seal_path(analytics_db)
    if not analytics_db.exists():
        return None
    if not path.exists():
        if not sealed_by_publish(analytics_db):
            return None
        return (
            f"{analytics_db} was published with its SHA-256 in {path.name} beside it, and that list is "
            "gone, so whether a connection wrote to it since cannot be told and its figures are not "
            f"served; put {path.name} back from where it went (a backup beside the snapshot's), or run "
            "`planwatch run` to publish again and start the list anew"
        )
    if file_digest(analytics_db) in path.read_text(encoding="ascii", errors="replace").split():
        return None
    return (
        f"{analytics_db} is not a file planwatch published: its SHA-256 is none of those {path.name} lists "
        "(a connection that opened it read-write wrote to it, or the list was edited), so its figures may "
        "not be the published ones; run `planwatch run` to publish it again (analysts connect with "
        "read_only=True)"
    )
