"""The five kinds of input file: the columns each must have (Chinese header and English alias) and
how each cell is parsed. docs/interface.md (Input files) describes this table for users; the other
headers people give a column are data, in dbt_project/seeds/header_synonyms.csv."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from orchestration.ingest.headers import SYNONYMS_SEED, build_lookups
from orchestration.ingest.reference import load_reference, read_seed
from orchestration.ingest.values import (
    clean_text,
    is_missing,
    parse_int,
    parse_number,
    parse_period,
    parse_year,
    parse_yes_no,
)


def _text(value: object) -> str | None:
    # a missing marker (—, -, …, /) is an empty cell here too: an optional 区县 or 产业链 written "—"
    # was kept as text that names no district or chain, a DQ15 or DQ16 finding for a blank
    return None if is_missing(value) else clean_text(value)


def _name(value: object) -> str | None:
    # Names keep their inner spaces (English names have them); only the ends are trimmed.
    text = "" if value is None else str(value).strip()
    return text or None


# A code typed in a number cell: a spreadsheet keeps 15 significant digits of a number, so an
# 18-digit code (915000005418214869) is stored rounded (9.15000005418215E+17) and would be read
# back as another enterprise's code; CSV exports write it in this E notation.
_CODE_IN_E_NOTATION = re.compile(r"\d(\.\d+)?E\+?\d+")


def _uscc(value: object) -> str | None:
    text = clean_text(value).upper()
    if text.startswith(("'", '="')):  # how a CSV keeps a code text: '915… (Excel's prefix), ="915…"
        text = text.removeprefix("'").removeprefix('="').removesuffix('"')
    if isinstance(value, float) or _CODE_IN_E_NOTATION.fullmatch(text):
        raise ValueError(
            f"'{value}' is a credit code stored as a number, which keeps only 15 digits of the 18: "
            "format the column as text and type the code again"
        )
    return text or None


def _industry_code(value: object) -> str | None:
    text = clean_text(value).upper().removeprefix("C")
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) != 4:
        raise ValueError(f"'{value}' is not a 4-digit GB/T 4754-2017 industry class (e.g. 3911)")
    return text


def _period(value: object) -> object:
    return parse_period(value)


def _optional_year(value: object) -> int | None:
    return None if is_missing(value) else parse_year(value)


@dataclass(frozen=True)
class Field:
    """One column of a kind: the name it gets in the raw table, its standard header (Chinese and
    English, as docs/interface.md lists them) for messages, and how a cell is parsed. The headers
    people give it are in the seed header_synonyms.csv (`Kind.headers`)."""

    name: str
    zh: str
    en: str
    parse: Callable[[object], object]
    required: bool = True
    money: bool = False

    @property
    def title(self) -> str:
        return f"{self.zh} ({self.en})"


@dataclass(frozen=True)
class Kind:
    """One input kind: its folder under raw/, its raw table and its columns."""

    name: str
    table: str
    label_zh: str
    fields: tuple[Field, ...]
    monthly: bool

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.required)

    @property
    def headers(self) -> dict[str, str]:
        """Normalised header text → field name, from the seed (see headers.normalise_header)."""
        return header_lookups()[self.name]


USCC = Field("uscc", "统一社会信用代码", "uscc", _uscc)
NAME = Field("enterprise_name", "企业名称", "name", _name, required=False)
DISTRICT = Field("district_raw", "区县", "district", _text)
PERIOD = Field("period", "报告期", "period", _period)
REVENUE = Field("revenue_ytd_wan", "营业收入本年累计", "revenue_ytd", parse_number, money=True)
RD = Field("rd_ytd_wan", "研发费用本年累计", "rd_ytd", parse_number, money=True)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "registry",
            "registry",
            "企业名录",
            (
                USCC,
                replace(NAME, required=True),
                DISTRICT,
                Field("industry_code", "行业代码", "industry_code", _industry_code),
                Field("chain_raw", "产业链", "chain", _text, required=False),
                Field("above_scale", "规模以上", "above_scale", parse_yes_no, required=False),
                # The statistical year the list is for; without the column, the year in the title
                # or the file name (reader.py), else NULL (dbt then adds it to the latest dated list).
                Field("registry_year", "统计年度", "year", _optional_year, required=False),
            ),
            monthly=False,
        ),
        Kind(
            "filings",
            "filings",
            "企业月报",
            (
                USCC,
                PERIOD,
                REVENUE,
                RD,
                NAME,
                replace(DISTRICT, required=False),
                Field("employees", "从业人员", "employees", parse_int, required=False),
            ),
            monthly=True,
        ),
        Kind(
            "surveys",
            "surveys",
            "数字化调查",
            (
                USCC,
                Field("survey_year", "调查年度", "year", parse_year),
                Field("design", "研发设计", "design", parse_yes_no),
                Field("production", "生产制造", "production", parse_yes_no),
                Field("management", "经营管理", "management", parse_yes_no),
                Field("sales", "销售服务", "sales", parse_yes_no),
            ),
            monthly=False,
        ),
        Kind(
            "districts",
            "district_submissions",
            "区县报送",
            (
                DISTRICT,
                PERIOD,
                Field("enterprise_count", "企业个数", "enterprise_count", parse_int),
                REVENUE,
                RD,
            ),
            monthly=True,
        ),
        Kind(
            "bureau",
            "bureau",
            "统计局月报",
            (
                Field("industry_raw", "行业", "industry", _text),
                REVENUE,
                Field("yoy_pct", "同比增长", "yoy_pct", parse_number, required=False),
                replace(PERIOD, required=False),
            ),
            monthly=True,
        ),
    )
}


@cache
def header_lookups() -> dict[str, dict[str, str]]:
    """Every kind's header lookup, read from the seed once per process."""
    fields = {kind.name: [field.name for field in kind.fields] for kind in KINDS.values()}
    return build_lookups(read_seed(SYNONYMS_SEED), fields)


_DISTRICT_MEMO: dict[object, str | None] = {}


def derived_columns(kind: Kind, row: dict[str, object]) -> dict[str, object]:
    """Codes the warehouse keys on, looked up from what the row says (districts, chains, industries)."""
    reference = load_reference()
    out: dict[str, object] = {}
    if "district_raw" in row or kind.name in ("registry", "filings", "districts"):
        text = row.get("district_raw")
        if text not in _DISTRICT_MEMO:
            if len(_DISTRICT_MEMO) > 10_000:
                _DISTRICT_MEMO.clear()
            _DISTRICT_MEMO[text] = reference.district_code(text)
        out["district_code"] = _DISTRICT_MEMO[text]
    if kind.name == "registry":
        out["chain_code"] = reference.chain_code(row.get("chain_raw"))
        if row.get("above_scale") is None:
            out["above_scale"] = True  # docs/interface.md: 规模以上 defaults to 是
    if kind.name == "bureau":
        out["industry_code"] = reference.industry_code(row.get("industry_raw"))
    return out
