"""Every repository path the project's own documentation mentions exists in the repository.

The documentation is: README.md, docs/*.md, raw/README.md, the `description` texts of the dbt YAML
files, the comments of the dbt SQL (`--`, `/* */`, `{# #}`), and the module, class and function
docstrings of orchestration/, bench/ and the dbt Python models. A page that names a file the
repository does not hold (a renamed module, a page kept outside the repository) fails here.

What counts as a repository path (`mentioned_paths`): a token, split on blanks, quotes, brackets and
non-ASCII text (a `#anchor` and a `:line` number dropped, a name followed by `(` being a call), that
- ends in one of PATH_EXTENSIONS (`docs/rules.md`, `header_synonyms.csv`, `ingest/loader.py`), or
- contains a `/` and starts with a top-level entry of the repository, of dbt_project/ or of
  orchestration/ (`dbt_project/seeds/`, `models/intermediate/dq/`, `ingest/`), or with `./`, `../`.
Other slashed words are prose, not paths (`是/否`, `GB/T`, `on_track/behind`, `marts/dq_findings`,
a Dagster asset key). Then the tokens of EXCLUDED are left out: what the program creates at run
time, placeholders and globs, URLs, absolute paths and dotted Python names.

How a path resolves (`resolves`): a path relative to the documenting file (`./x`, `../x`) must
exist there, inside the repository; any other path with a `/` must be the end of a repository path,
whole components (`dbt_project/seeds/chains.csv` itself, or `ingest/loader.py` for
orchestration/ingest/loader.py); a bare name (`DESIGN.md`, `expectations/`) must be the name of some
repository file or folder. The repository is `git ls-files --cached --others --exclude-standard` (tracked and new files,
not ignored ones such as warehouse/ or dbt_project/target/), files that exist on disk.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path, PurePosixPath

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# A token ending in one of these is a file name.
PATH_EXTENSIONS = (".md", ".py", ".sql", ".yml", ".yaml", ".csv", ".toml", ".txt", ".json", ".lock")

# Folders whose top-level entries start a relative path as the docs write it: the repository root,
# the dbt project (dbt YAML says `models/intermediate/dq/`) and the Python package (`ingest/`).
ANCHORS = ("", "dbt_project", "orchestration")

# Tokens that look like paths but are not files of the repository, each with why. A token is left out
# when one of the patterns matches it whole (re.fullmatch).
EXCLUDED: list[tuple[str, str]] = [
    # URLs and host names
    (r".*://.*", "a URL"),
    (r"(www\.|localhost).*", "a host"),
    # absolute paths and the home folder: a user's own folders (/srv/raw), not the repository's
    (r"[/~].*", "an absolute path or the home folder"),
    # placeholders and globs: patterns of names, not names (raw/<kind>/, stg_<source>__<entity>,
    # dbt_project/**/*.yml, .analytics.duckdb.*.tmp, ~$ lock files, $PLANWATCH_RAW_DIR)
    (r".*[<>*{}$|].*", "a placeholder or glob"),
    # what a run creates: the warehouse folder and everything in it (build database, snapshot,
    # reports, quarantine, archive, the Dagster instance, dbt's target and logs of the runs)
    (r"(\.\./)*warehouse(/.*)?", "the warehouse folder, created by a run"),
    (r"(.*/)?\.dagster(/.*)?", "the Dagster instance, created by a run"),
    # dbt's own output folders in the dbt project (generated, ignored), which the docs say runs avoid
    (r"(dbt_project/)?(target|logs)(/.*)?", "dbt's generated folders"),
    # the landing folder holds the user's files: only its README is in the repository
    (r"raw/(?!README\.md$).+", "a file or folder under raw/, the user's"),
    # a kind's folder as the docs name it inside raw/ (filings/filings_2024-10.csv)
    (r"(registry|filings|surveys|districts|bureau)/.*", "a file under raw/<kind>/, the user's"),
    # the virtual environment and what is installed there
    (r"(\.\./)*\.venv(/.*)?", "the virtual environment"),
    # files the program writes, named without their folder
    (r"demo_faults\.csv", "written by planwatch demo-data into the raw folder"),
    (r"\.reason\.txt", "written beside a quarantined file"),
    (r"\.last-run\.json", "written by planwatch run into the warehouse"),
    (r"manifest\.json", "dbt's parsed project, under the run's target folder"),
    # dotted Python names that end like a file: dg.MetadataValue.md, data_docs.validated.json
    (r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+\.(md|py|json|txt|csv)", "a dotted Python name or a run's file"),
]

_TOKEN = re.compile(r"[A-Za-z0-9_./\-<>*~${}|#:@+=]+")
_TRIM = ".,:;=+@"


@cache
def repository_files() -> frozenset[str]:
    """Repository files (tracked and new, not ignored) that exist, as POSIX paths from the root."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        names = [name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk, skipping what git ignores
        skip = {".git", ".venv", "warehouse", "target", "logs", "__pycache__", ".pytest_cache", ".ruff_cache"}
        names = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [name for name in dirs if name not in skip]
            names += [Path(folder, name).relative_to(ROOT).as_posix() for name in files]
    return frozenset(name for name in names if (ROOT / name).is_file())


@cache
def repository_entries() -> frozenset[str]:
    """Every repository file and every folder holding one."""
    entries = set(repository_files())
    for name in repository_files():
        entries.update(parent.as_posix() for parent in PurePosixPath(name).parents if parent.name)
    return frozenset(entries)


@cache
def anchor_heads() -> frozenset[str]:
    """Names a relative path may start with: the top-level entries of each anchor folder."""
    heads = set()
    for name in repository_entries():
        for anchor in ANCHORS:
            prefix = f"{anchor}/" if anchor else ""
            if name.startswith(prefix):
                heads.add(name[len(prefix) :].split("/")[0])
    return frozenset(heads)


def excluded(token: str) -> str | None:
    """Why a token is not a repository path, or None."""
    for pattern, why in EXCLUDED:
        if re.fullmatch(pattern, token):
            return why
    return None


def candidate_paths(text: str) -> Iterator[str]:
    """The tokens of a text that are written as paths (before EXCLUDED)."""
    for match in _TOKEN.finditer(text.replace("`", " ")):
        token = match.group().split("#")[0].rstrip(_TRIM).lstrip(":=+@")
        token = re.sub(r":\d+(-\d+)?$", "", token)  # a line number: orchestration/cli.py:42
        if not token or token.startswith("-") or token in (".", ".."):
            continue
        if text[match.end() : match.end() + 1] == "(":  # a call, con.sql("…"), not a file
            continue
        # a file name: something before the extension (`.csv` alone is a format, not a file)
        file_name = token.endswith(PATH_EXTENSIONS) and not token.split("/")[-1].startswith(PATH_EXTENSIONS)
        # a folder path: starts where the repository's paths start, or is written relative or absolute
        folder_path = "/" in token and (
            token.startswith(("./", "../")) or token.split("/")[0] in anchor_heads() or token[0] in "/~"
        )
        if file_name or folder_path:
            yield token


def mentioned_paths(text: str) -> list[str]:
    return sorted({token for token in candidate_paths(text) if excluded(token) is None})


def resolves(path: str, documented_in: str) -> bool:
    """True when `path`, as written in the file `documented_in`, names a repository file or folder."""
    entries = repository_entries()
    clean = path.rstrip("/")
    if clean.startswith(("./", "../")):
        resolved = os.path.normpath(PurePosixPath(documented_in).parent / clean)
        return not resolved.startswith("..") and (resolved in entries or resolved == ".")
    if "/" in clean:
        return any(entry == clean or entry.endswith("/" + clean) for entry in entries)
    return any(PurePosixPath(entry).name == clean for entry in entries)


# --- the documentation, as (file, text) pairs -----------------------------------------------------


def _markdown() -> Iterator[tuple[str, str]]:
    for name in sorted(repository_files()):
        if name == "README.md" or name == "raw/README.md" or re.fullmatch(r"docs/[^/]+\.md", name):
            yield name, (ROOT / name).read_text(encoding="utf-8")


def _descriptions(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


def _dbt_yaml() -> Iterator[tuple[str, str]]:
    for name in sorted(repository_files()):
        if name.startswith("dbt_project/") and name.endswith((".yml", ".yaml")):
            document = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
            yield name, "\n".join(_descriptions(document))


_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/|\{#.*?#\}", re.DOTALL)


def _dbt_sql_comments() -> Iterator[tuple[str, str]]:
    for name in sorted(repository_files()):
        if name.startswith("dbt_project/") and name.endswith(".sql"):
            text = (ROOT / name).read_text(encoding="utf-8")
            yield name, "\n".join(_SQL_COMMENT.findall(text))


def _docstrings() -> Iterator[tuple[str, str]]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for name in sorted(repository_files()):
        if name.endswith(".py") and name.startswith(("orchestration/", "bench/", "dbt_project/")):
            tree = ast.parse((ROOT / name).read_text(encoding="utf-8"), filename=name)
            texts = [
                ast.get_docstring(node, clean=False) for node in ast.walk(tree) if isinstance(node, kinds)
            ]
            yield name, "\n".join(text for text in texts if text)


SOURCES = {
    "markdown": _markdown,
    "dbt YAML descriptions": _dbt_yaml,
    "dbt SQL comments": _dbt_sql_comments,
    "Python docstrings": _docstrings,
}


@pytest.mark.parametrize("source", SOURCES)
def test_every_path_the_docs_mention_exists(source: str) -> None:
    documents = list(SOURCES[source]())
    assert documents, f"no {source} found: the test reads nothing"
    missing = [
        f"{name}: {path}"
        for name, text in documents
        for path in mentioned_paths(text)
        if not resolves(path, name)
    ]
    assert not missing, f"{source} mention paths the repository does not hold:\n" + "\n".join(missing)


# --- the rules above, on examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("see `docs/rules.md` and [the outlook](outlook.md#reading-it).", ["docs/rules.md", "outlook.md"]),
        (
            "parse cache in ingest/loader.py, folders `dbt_project/seeds/`",
            ["dbt_project/seeds/", "ingest/loader.py"],
        ),
        ("a copy of ../shared/reference/industry_scope.csv", ["../shared/reference/industry_scope.csv"]),
        ("CONTRACT.md §2, plan-2023-2027.zh.txt", ["CONTRACT.md", "plan-2023-2027.zh.txt"]),
        (
            "orchestration/cli.py:42 and raw/README.md in raw/",
            ["orchestration/cli.py", "raw/", "raw/README.md"],
        ),
        # prose with slashes, asset keys, tables, dotted names, URLs and runtime paths are no paths
        ("是/否 GB/T 4754 on_track/behind marts/dq_findings raw/filings published/analytics_snapshot", []),
        ("marts.dq_findings dg.MetadataValue.md https://docs.getdbt.com/x.md /srv/raw/x.csv ~/x.md", []),
        ("warehouse/reports/feedback/<YYYY-MM>/ raw/<kind>/*.csv raw/demo_faults.csv demo_faults.csv", []),
        ("filings/filings_2024-10.csv dbt_project/target ../warehouse/build.duckdb ../.venv/bin/dbt", []),
        ("`.analytics.duckdb.*.tmp`, `~$x.xlsx`, warehouse/.last-run.json, .reason.txt", []),
    ],
)
def test_what_counts_as_a_path(text: str, paths: list[str]) -> None:
    assert mentioned_paths(text) == paths


@pytest.mark.parametrize(
    ("path", "documented_in", "expected"),
    [
        ("dbt_project/seeds/chains.csv", "README.md", True),
        ("ingest/loader.py", "README.md", True),  # the end of orchestration/ingest/loader.py
        ("models/intermediate/dq/", "dbt_project/models/marts/dq_findings.yml", True),
        ("outlook.md", "docs/architecture.md", True),
        ("raw/", "README.md", True),
        ("expectations/", "orchestration/quality/expectations.py", True),
        ("../README.md", "docs/architecture.md", True),
        ("../shared/reference/industry_scope.csv", "dbt_project/seeds/_seeds.yml", False),  # outside
        ("DESIGN.md", "pyproject.toml", False),
        ("gest/loader.py", "README.md", False),  # whole components only
    ],
)
def test_how_a_path_resolves(path: str, documented_in: str, expected: bool) -> None:
    assert resolves(path, documented_in) is expected
