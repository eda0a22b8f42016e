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


def changed_since_publish(analytics_db: Path) -> str | None:
    """Why the snapshot is not one planwatch published (its bytes match no digest the list beside it
    holds), or None. A snapshot without that list (published before planwatch kept one, or made by
    hand; or the list was deleted) is taken as it is."""
    path = seal_path(analytics_db)
    if not path.exists() or not analytics_db.exists():
        return None
    if file_digest(analytics_db) in path.read_text(encoding="ascii", errors="replace").split():
        return None
    return (
        f"{analytics_db} is not a file planwatch published: its SHA-256 is none of those {path.name} lists "
        "(a connection that opened it read-write wrote to it, or the list was edited), so its figures may "
        "not be the published ones; run `planwatch run` to publish it again (analysts connect with "
        "read_only=True)"
    )
