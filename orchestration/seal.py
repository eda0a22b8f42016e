"""The published snapshot as planwatch wrote it: read-only on disk (an analyst's tool that opens it
without read_only gets an error, not a write lock that shuts every reader out), and its digest kept
beside it, so that whoever reads it can tell when a write connection changed it after the publish."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Read-only for everyone: the publish replaces the file (a rename in its folder), never writes it.
PUBLISHED_MODE = 0o444


def seal_path(analytics_db: Path) -> Path:
    """Where the digests of the snapshot's publishes are kept: analytics.duckdb.sha256 beside it, the
    SHA-256 of the latest publish first, then of the one before it."""
    return analytics_db.with_name(f"{analytics_db.name}.sha256")


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def seal(new_snapshot: Path, analytics_db: Path) -> None:
    """Before `new_snapshot` is swapped in for `analytics_db`: make it read-only and record its digest.
    The digest of the snapshot it replaces stays recorded too, so that a reader between the two steps
    (or after a swap that failed) finds the file it reads a published one."""
    os.chmod(new_snapshot, PUBLISHED_MODE)
    path = seal_path(analytics_db)
    earlier = path.read_text(encoding="ascii").split()[:1] if path.exists() else []
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text("\n".join([file_digest(new_snapshot), *earlier]) + "\n", encoding="ascii")
    os.replace(temporary, path)


def changed_since_publish(analytics_db: Path) -> str | None:
    """Why the snapshot is not the one planwatch published (its bytes are no publish's: a connection
    that opened it read-write wrote to it), or None. A snapshot without a recorded digest (published
    before planwatch kept one, or made by hand) is taken as it is."""
    path = seal_path(analytics_db)
    if not path.exists() or not analytics_db.exists():
        return None
    if file_digest(analytics_db) in path.read_text(encoding="ascii").split():
        return None
    return (
        f"{analytics_db} was changed after planwatch published it (its bytes are no publish's: a connection "
        "that opened it read-write wrote to it), so its figures may not be the published ones; run `planwatch "
        "run` to publish it again (analysts connect with read_only=True)"
    )
