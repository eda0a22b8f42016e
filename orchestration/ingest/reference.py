"""Reference lists the ingest normalises against, read from the dbt seeds so there is one copy of each."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestration.ingest.values import clean_text

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def read_seed(name: str) -> list[dict[str, str]]:
    """The rows of a seed CSV under dbt_project/seeds/, as text."""
    path = SEEDS_DIR / name
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Reference:
    """Lookups from what people write to the codes the warehouse keys on."""

    districts: dict[str, str]
    chains: dict[str, str]
    industries: dict[str, str]

    def district_code(self, value: object) -> str | None:
        """Reporting-unit code for a district written as code, name or short name; None if unknown."""
        text = clean_text(value)
        if not text:
            return None
        text = text.upper() if re.fullmatch(r"5001[aA]\d", text) else text
        # a code typed in a number cell and saved as text (500105.0), or the 12-digit statistical
        # division code (500106000000); a name with its short name after it (万盛经开区（万盛）)
        code = re.fullmatch(r"(5001\d{2})(\.0|000000)?", text)
        text = code.group(1) if code else re.sub(r"\([^()]*\)$", "", text)
        for candidate in (text, text.removeprefix("重庆市"), text.removeprefix("重庆")):
            if candidate in self.districts:
                return self.districts[candidate]
        return None

    def chain_code(self, value: object) -> str | None:
        """Chain code for a chain written as its code or Chinese name, also with 产业链, 链 or 产业
        after it (智能终端产业链); None when empty or unknown."""
        text = clean_text(value)
        if not text:
            return None
        for candidate in (
            text,
            *(text.removesuffix(suffix) for suffix in CHAIN_SUFFIXES if text.endswith(suffix)),
        ):
            found = self.chains.get(candidate.lower()) or self.chains.get(candidate)
            if found:
                return found
        return None

    def industry_code(self, value: object) -> str | None:
        """'39' for division 39 written as C39, 39 or its name; a 4-digit class as itself; else None."""
        # 其中：计算机… is how the bureau indents a division under its total
        text = re.sub(r"^其中[:：]?", "", clean_text(value))
        match = re.fullmatch(r"[Cc]?(\d{2}|\d{4})(\.0)?", text)
        if match:
            return match.group(1)
        named = re.sub(r"^[Cc]?\d{2,4}", "", text)  # 'C39计算机、通信…' → the name
        return self.industries.get(named)


# How a registry may write a chain after its name: 智能终端产业链, 智能终端链, 智能终端产业.
CHAIN_SUFFIXES = ("产业链", "链", "产业")


@cache
def load_reference() -> Reference:
    """Read the seeds once per process."""
    districts: dict[str, str] = {}
    for row in read_seed("reporting_units.csv"):
        code = row["district_code"]
        for key in (code, row["district_name"], row["short_name"]):
            districts[clean_text(key)] = code
    for row in read_seed("district_aliases.csv"):  # other names offices give a unit (高新区)
        districts[clean_text(row["alias"])] = row["district_code"]
    chains: dict[str, str] = {}
    for row in read_seed("chains.csv"):
        chains[row["chain_code"].lower()] = row["chain_code"]
        chains[clean_text(row["chain_name_zh"])] = row["chain_code"]
    # The bureau names divisions in words; written with or without the enumeration comma.
    industries: dict[str, str] = {}
    for row in read_seed("industry_divisions.csv"):
        name = clean_text(row["division_name"])
        industries[name] = industries[name.replace("、", "")] = row["division_code"]
    for row in read_seed("industry_scope.csv"):
        industries[clean_text(row["industry_name"])] = row["industry_code"]
    return Reference(districts=districts, chains=chains, industries=industries)


@cache
def correction_markers() -> tuple[str, ...]:
    """Words in a file name that mark a correction or a late report (seed file_name_markers)."""
    return tuple(row["marker"].strip().lower() for row in read_seed("file_name_markers.csv"))


@cache
def sheet_name_markers() -> tuple[tuple[str, str, str], ...]:
    """(marker, position, reason) of the words in a sheet's name that mark a table that is not the
    data (seed sheet_name_markers): instructions with an example line, the enterprises that left."""
    return tuple(
        (row["marker"].strip(), row["position"].strip(), row["reason"].strip())
        for row in read_seed("sheet_name_markers.csv")
    )


def set_aside(sheet_name: str | None) -> str | None:
    """Why a sheet of this name is not read (its marker's reason), or None: it is read. A bracketed
    part of the name is a note about the data (11月（已剔除注销企业）), not what the sheet is."""
    name = re.sub(r"\([^()]*\)", "", clean_text(sheet_name))
    return next(
        (
            reason
            for marker, position, reason in sheet_name_markers()
            if (name.endswith(marker) if position == "end" else marker in name)
        ),
        None,
    )


@cache
def total_labels() -> frozenset[str]:
    """The labels of total lines, which the reader skips as sums, not data (seed total_labels)."""
    return frozenset(clean_text(row["label"]) for row in read_seed("total_labels.csv"))
