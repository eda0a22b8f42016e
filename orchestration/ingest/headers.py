"""Header cells as offices write them: reduced to the words that name a column, and matched to a
field through the synonyms of the seed `dbt_project/seeds/header_synonyms.csv`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from orchestration.ingest.values import MONEY_UNIT, clean_text

SYNONYMS_SEED = "header_synonyms.csv"
ANY_KIND = "*"

# Bracket pairs after NFKC (which already folds （）［］ to ()[]).
_BRACKETED = re.compile(r"[(\[【〔<《]([^()\[\]【】〔〕<>《》]*)[)\]】〕>》]")
# A bracket piece that is only a unit: (万元), (%), (单位：千元), (人).
_UNIT_PIECE = re.compile(rf"(计量)?(单位)?[:：]?({MONEY_UNIT}|%|‰|百分比|人|个|家|户)?")
# A bracket piece that is only an answer hint: (是/否), (1/0), (是=1,否=0), (填是或否), (Y/N).
_HINT_PIECE = re.compile(r"[是否有无10yn/|、=或填:：]+|(yes|no)(/(yes|no))?")
# A unit at the end of the cell without brackets: 营业收入本年累计 单位：千元, 营业收入/万元.
_TRAILING_UNIT = re.compile(rf"(计量)?(单位)?[:：/]?({MONEY_UNIT}|%|‰)$")
# A year-to-date span in a header names the year to date: 主营业务收入 over 1-10月 is its 本年累计.
_YTD_SPAN = re.compile(r"1[-—–~～至](1[0-2]|[2-9])月")
# Separators people put between words or around a header: rd_ytd, 营业收入-本年累计, *统一社会信用代码.
_SEPARATORS = re.compile(r"[_\-·•*※★:：/\\.、\u200b\ufeff]")


def _keep_piece(piece: str) -> bool:
    return not (_UNIT_PIECE.fullmatch(piece) or _HINT_PIECE.fullmatch(piece))


def _unbracket(match: re.Match[str]) -> str:
    # Meaningful bracket content stays (营业收入（本年累计） → 营业收入本年累计); units and hints go.
    pieces = re.split(r"[,，;；]", match.group(1))
    return "".join(piece for piece in pieces if _keep_piece(piece))


@lru_cache(maxsize=4096)
def _normalise_text(text: str) -> str:
    key = clean_text(text).lower()  # NFKC, and no blanks, line breaks or ideographic spaces
    previous = None
    while previous != key:  # nested brackets: the inner pair first
        previous, key = key, _BRACKETED.sub(_unbracket, key)
    key = _YTD_SPAN.sub("本年累计", _TRAILING_UNIT.sub("", key))
    return _SEPARATORS.sub("", key)


def normalise_header(value: object) -> str:
    """A header cell reduced to what names its column: full-width forms folded, no blanks or line
    breaks, no unit ((万元), 单位：千元) or answer hint ((是/否), (1/0)), brackets kept only for their words,
    lower case, no separators, a year-to-date span as 本年累计. '营业收入\n（本年累计，万元）' and
    '营业收入1-10月' → '营业收入本年累计'."""
    if value is None:
        return ""
    return _normalise_text(value if isinstance(value, str) else str(value))


def build_lookups(
    rows: Iterable[Mapping[str, str]], kinds: Mapping[str, Iterable[str]]
) -> dict[str, dict[str, str]]:
    """Per kind, normalised header → field name, from the seed's rows (kind, field, header).

    `kinds` maps each kind to its field names. A row for kind `*` applies to every kind that has the
    field. A row whose field no kind (or not that kind) has is ignored: the seed may name a field
    before the kind gains it. A row for an unknown kind, an empty header, or one header given to two
    fields of a kind raises ValueError naming the seed rows.
    """
    fields = {kind: set(names) for kind, names in kinds.items()}
    lookups: dict[str, dict[str, str]] = {kind: {} for kind in fields}
    origin: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the CSV header
        kind, field, header = (row.get(c, "").strip() for c in ("kind", "field", "header"))
        where = f"dbt_project/seeds/{SYNONYMS_SEED}, line {line}"
        if kind != ANY_KIND and kind not in fields:
            raise ValueError(
                f"{where}: kind '{kind}' is not one of {', '.join(sorted(fields))} or '{ANY_KIND}'; correct the row"
            )
        key = normalise_header(header)
        if not key:
            raise ValueError(f"{where}: header '{header}' is empty once blanks, units and hints are dropped")
        for name in fields if kind == ANY_KIND else [kind]:
            if field not in fields[name]:
                continue
            taken = lookups[name].get(key)
            if taken is not None and taken != field:
                raise ValueError(
                    f"{where}: header '{header}' already names {taken} of {name} (line "
                    f"{origin[name, key]}); one header can name one column only"
                )
            lookups[name][key] = field
            origin.setdefault((name, key), line)
    return lookups
