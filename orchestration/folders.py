"""Replacing a generated folder (feedback workbooks, Data Docs) without a moment in which a reader
finds it half written or gone."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A new empty folder beside `target` to write into; when the block ends without an error it
    takes target's place (swap_folder), and whatever it holds is removed if the block fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building-{uuid.uuid4().hex[:8]}")
    building.mkdir()
    try:
        yield building
        swap_folder(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)


def swap_folder(new: Path, target: Path) -> None:
    """Put new in target's place; the old folder is removed only once new is in place."""
    retired = target.with_name(f".{target.name}.retired-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(retired)
    new.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
