"""The files under raw/<kind>/: finding them (regular files only: links, pipes, hidden files are
refused unread), reading their bytes safely, and the copies kept of them (archive, quarantine)."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest.reader import (
    SUPPORTED_SUFFIXES,
    FileRejected,
)
from orchestration.ingest.reference import correction_markers


@dataclass(frozen=True)
class RawFile:
    kind: str
    path: Path
    rel: str  # path relative to the raw folder, with forward slashes
    sha256: str


@dataclass(frozen=True)
class Refusal:
    """Something under raw/<kind>/ that planwatch will not read: it is listed, never followed."""

    kind: str
    rel: str
    reason: str

    @property
    def sha256(self) -> str:
        # Nothing was read, so there is no content digest: the ledger keys the entry by what it is.
        return hashlib.sha256(f"refused:{self.rel}:{self.reason}".encode()).hexdigest()


@dataclass
class Scan:
    files: list[RawFile] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _open_regular(path: Path):
    """A file opened without following a symbolic link (O_NOFOLLOW) and checked to be a regular file,
    so a link or pipe swapped in after the folder was scanned is refused, never read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise FileRejected(f"cannot be opened ({exc.strerror}); only regular files are read") from exc
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise FileRejected("is not a regular file; only regular files are read")
    return os.fdopen(descriptor, "rb")


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file under raw/ (see _open_regular)."""
    with _open_regular(path) as handle:
        return handle.read()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with _open_regular(path) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refusal_reason(path: Path, info: os.stat_result) -> str | None:
    """Why an entry under raw/<kind>/ is not read, or None for a regular file to read."""
    name = path.name
    if stat.S_ISLNK(info.st_mode):
        return (
            f"is a symbolic link (to {os.readlink(path)!r}); planwatch reads only files placed under raw/ "
            "itself and never follows a link: copy the file in instead"
        )
    if stat.S_ISDIR(info.st_mode):
        return (
            f"is a folder named like a file ('{name}'); its contents were not read: "
            "put the file itself in the kind's folder"
        )
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a pipe, socket or device); it was not read"
    if name.startswith("~$"):
        return "is an Office lock file (~$…), left while a workbook is open; it was not read: close Excel"
    if name.startswith("."):
        return (
            "is a hidden file (its name starts with a dot); it was not read: if it is a submission, "
            "rename it without the dot"
        )
    return None


def scan(raw_dir: Path, kind: str) -> Scan:
    """Every file dropped in raw/<kind>/ (sub-folders included), in a stable order, and every entry
    that is refused unread: symbolic links (never followed, so nothing outside raw/ is read), pipes
    and devices, folders named like files, hidden and Office lock files."""
    folder = raw_dir / kind
    result = Scan()
    if folder.is_symlink():
        result.refused.append(Refusal(kind, kind, _refusal_reason(folder, folder.lstat()) or ""))
        return result
    if not folder.is_dir():
        return result
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(current)
        entries = sorted(dirnames + filenames)
        dirnames[:] = []
        for name in entries:
            path = here / name
            rel = path.relative_to(raw_dir).as_posix()
            info = path.lstat()
            looks_like_file = Path(name).suffix.lower() in SUPPORTED_SUFFIXES
            if stat.S_ISDIR(info.st_mode) and not looks_like_file and not name.startswith("."):
                dirnames.append(name)  # an ordinary sub-folder: walk into it
                continue
            reason = _refusal_reason(path, info)
            if reason is not None:
                result.refused.append(Refusal(kind, rel, reason))
                continue
            try:
                digest = file_sha256(path)
            except FileRejected as exc:
                result.refused.append(Refusal(kind, rel, str(exc)))
                continue
            result.files.append(RawFile(kind, path, rel, digest))
        dirnames.sort()
    result.files.sort(key=lambda raw_file: arrival_key(raw_file.rel))
    return result


def arrival_key(rel: str) -> tuple[bool, str, str]:
    """The order the files of one run are taken in: a correction after the files it may correct, then
    by path without the extension, so that 企业月报_2025-02(更正) and 企业月报_2025-02 更正 come after
    企业月报_2025-02 (with the extension, "(" and " " sort before ".": the original was read last and won)."""
    stem = rel[: -len(Path(rel).suffix)] if Path(rel).suffix else rel
    return any(marker in stem.lower() for marker in correction_markers()), stem, rel


def safe_file_name(name: str, limit: int = 120) -> str:
    """A file name that is safe to create anywhere: no control characters or separators, not too long."""
    cleaned = "".join("_" if ord(char) < 32 or char in '/\\:*?"<>|' else char for char in name).strip(" .")
    if len(cleaned) > limit:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (
            (stem[: limit - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 8 else cleaned[:limit]
        )
    return cleaned or "unnamed"


def _quarantine(raw_file: RawFile | Refusal, reason: str, quarantine_dir: Path, data: bytes | None) -> None:
    """Keep what could not be used: a copy of the bytes that were read (never of a link's target) and
    a .reason.txt beside it."""
    name = safe_file_name(Path(raw_file.rel).name)
    target = quarantine_dir / raw_file.kind / f"{raw_file.sha256[:12]}_{name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if data is not None:
        target.write_bytes(data)
    target.with_name(target.name + ".reason.txt").write_text(
        f"file: {raw_file.rel!r}\nsha256: {raw_file.sha256 if data is not None else '— (not read)'}\n"
        f"reason: {reason}\n",
        encoding="utf-8",
    )


def archive_copy(raw_file: RawFile, archive_dir: Path) -> Path:
    """A content-addressed copy of an ingested file under the warehouse, so the published figures can be
    rebuilt after the file has left raw/ (archive/<sha256[:2]>/<sha256><suffix>)."""
    target = archive_dir / raw_file.sha256[:2] / f"{raw_file.sha256}{raw_file.path.suffix.lower()}"
    if not target.exists():
        data = read_regular_file(raw_file.path)
        if hashlib.sha256(data).hexdigest() == raw_file.sha256:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            partial.write_bytes(data)
            os.replace(partial, target)
    return target
