"""Synthetic raw folder for demos and tests: registry, filings, surveys, districts and bureau files.

The numbers are calibrated on Chongqing's electronic-information cluster (docs/indicators.md): a few
notebook and phone assemblers make most of the revenue, about 7,000 亿元 in 2022 growing 3–5 % a year,
R&D about 1.5 % of revenue. The same arguments always give byte-identical files.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from orchestration.demo.faults import DemoData, inject_faults, write_manifest
from orchestration.demo.layouts import (
    BUREAU_CLEAN,
    BUREAU_MESSY,
    CLEAN,
    DISTRICTS_MESSY,
    FILINGS_MESSY,
    TITLES,
    BureauLine,
    FilingLine,
    SubmissionLine,
    Table,
    Unit,
    assign_layouts,
    clean_filings_layout,
    write_table,
    write_xlsx,
)
from orchestration.identity import USCC_ALPHABET, uscc_check_char

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
"""Where reporting_units.csv, industry_scope.csv and chains.csv are read from (read at call time)."""

FIRST_YEAR = 2022
BASE_YEAR = 2022

KIND_FOLDERS = ("registry", "filings", "surveys", "districts", "bureau")

# ---------- calibration

SEASONALITY = np.array([0.062, 0.058, 0.080, 0.078, 0.080, 0.085, 0.079, 0.082, 0.090, 0.092, 0.100, 0.114])
"""Share of a year's revenue made in each calendar month: Q4 heavier."""

AGGREGATE_GROWTH = {2023: 0.036, 2024: 0.047, 2025: 0.031, 2026: 0.043}
"""Growth of in-scope annual revenue by year; other years grow by DEFAULT_GROWTH."""
DEFAULT_GROWTH = 0.04

ASSEMBLERS: tuple[tuple[str, str, float], ...] = (
    ("3911", "5001A2", 980.0),
    ("3911", "500106", 820.0),
    ("3922", "5001A1", 760.0),
    ("3911", "5001A1", 640.0),
    ("3922", "5001A2", 520.0),
    ("3911", "500106", 430.0),
    ("3922", "5001A1", 350.0),
)
"""The notebook (3911) and phone (3922) assemblers: industry class, reporting unit, 2022 revenue in 亿元."""

TAIL_MEAN_WAN = 32_000.0
"""Mean 2022 revenue of the other in-scope enterprises, in 万元 (3.2 亿元)."""
TAIL_MIN_WAN = 2_600.0

UNIT_WEIGHTS: dict[str, float] = {
    "5001A1": 18,  # 两江新区
    "5001A2": 14,  # 西部科学城重庆高新区
    "500106": 8,  # 沙坪坝区
    "500112": 8,  # 渝北区
    "500120": 7,  # 璧山区
    "500116": 6,  # 江津区
    "500118": 6,  # 永川区
    "500110": 4,  # 綦江区
    "500107": 4,  # 九龙坡区
    "500109": 3,  # 北碚区
    "500113": 3,  # 巴南区
    "500108": 3,  # 南岸区
    "500105": 2,  # 江北区
    "500111": 2,  # 大足区
    "500151": 2,  # 铜梁区
    "500117": 2,  # 合川区
    "500153": 2,  # 荣昌区
    "500115": 2,  # 长寿区
    "500102": 2,  # 涪陵区
    "500152": 1.5,  # 潼南区
    "500101": 1.5,  # 万州区
    "500155": 1.5,  # 梁平区
    "500119": 1,  # 南川区
    "500154": 1,  # 开州区
    "500231": 1,  # 垫江县
    "500104": 1,  # 大渡口区
    "5001A3": 1,  # 万盛经开区
    "500103": 0.3,  # 渝中区
    "500114": 0.3,  # 黔江区
    "500233": 0.5,  # 忠县
    "500230": 0.3,  # 丰都县
    "500235": 0.3,  # 云阳县
}
"""Where the non-assembler enterprises are; units left out (remote counties) get none."""

INACTIVE_HOST = "500240"
"""A unit with no in-scope enterprise that still hosts one out-of-scope enterprise."""

ZONE_REGION = {"5001A1": ("500112", "500105"), "5001A2": ("500106", "500107"), "5001A3": ("500110",)}
"""Administrative-division codes used in the credit codes of enterprises in the three zones."""

TAIL_INDUSTRIES: dict[str, float] = {
    "3911": 1,
    "3912": 10,
    "3913": 4,
    "3914": 2,
    "3915": 1,
    "3919": 2,
    "3921": 2,
    "3922": 3,
    "3932": 0.5,
    "3934": 0.5,
    "3940": 1,
    "3951": 1,
    "3952": 1,
    "3961": 2,
    "3962": 5,
    "3963": 1,
    "3964": 1,
    "3969": 1,
    "3971": 0.5,
    "3972": 3,
    "3973": 2,
    "3974": 4,
    "3975": 1,
    "3976": 3,
    "3979": 1,
    "3981": 4,
    "3982": 8,
    "3983": 3,
    "3984": 3,
    "3985": 2,
    "3989": 3,
    "3990": 2,
    "3825": 2,
    "3841": 3,
    "3491": 1,
    "3492": 0.5,
    "4011": 1,
    "4012": 1,
    "4014": 0.5,
    "4028": 1,
}
"""Industry classes of the non-assembler in-scope enterprises (mostly division 39)."""

OUT_OF_SCOPE_INDUSTRIES = ("3311", "2929", "3670", "3829", "3360", "4090")
"""Classes outside the scope, some in divisions 38 and 40 to make class-level scope matter."""

CHAIN_ALTERNATIVES = {
    "3911": "server",
    "3912": "server",
    "3913": "server",
    "3962": "ai_robotics",
    "3974": "metaverse",
    "3976": "metaverse",
    "3921": "server",
    "3983": "ai_robotics",
}

BUREAU_OTHER_LINES = (
    ("电气机械和器材制造业", "C38", 21_800_000.0, 0.065),
    ("仪器仪表制造业", "C40", 2_550_000.0, 0.05),
)
"""Bureau lines besides division 39: name, division code, 2022 annual revenue in 万元, yearly growth."""
BUREAU_DIVISION_39 = "计算机、通信和其他电子设备制造业"
BUREAU_CODES = {BUREAU_DIVISION_39: "C39", **{name: code for name, code, _, _ in BUREAU_OTHER_LINES}}

# ---------- names

NAME_CHARS = (
    "宏川瑞鑫华渝达凯博睿芯晶精航泰嘉联创恒源盛鼎英辰科腾润志启锐光成信康元峰德众智尚海天明美新森远隆誉佳"
)
NAME_WORDS = {
    "391": ("电子科技", "精密电子", "计算机", "电脑配件"),
    "3914": ("信息技术", "计算机系统"),
    "3915": ("信息安全技术", "网络科技"),
    "392": ("通信技术", "通讯设备", "智能终端"),
    "393": ("广电设备", "视听电子"),
    "394": ("电子系统", "雷达技术"),
    "395": ("视听科技", "电器", "智能家居"),
    "396": ("智能科技", "智能设备", "汽车电子"),
    "397": ("半导体", "微电子", "光电科技", "显示技术"),
    "398": ("电子元件", "电子材料", "传感技术", "电路科技"),
    "399": ("电子设备", "电子"),
    "382": ("光伏科技", "新能源"),
    "384": ("新能源科技", "电池"),
    "349": ("机器人", "智能装备"),
    "401": ("仪器仪表", "自动化", "测控技术"),
    "402": ("电子测量技术", "仪器"),
    "331": ("钢结构",),
    "292": ("塑料制品", "塑胶"),
    "367": ("汽车零部件", "汽车配件"),
    "3829": ("电气",),
    "336": ("表面处理",),
    "409": ("仪器",),
}
ASSEMBLER_WORDS = {"3911": "电脑", "3922": "通讯"}
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")


# ---------- results and reference data


@dataclass(frozen=True)
class DemoSummary:
    """What generate() wrote: counts, periods and files per folder."""

    out: Path
    periods: list[str]
    survey_years: list[int]
    registry_rows: int
    in_scope: int
    out_of_scope: int
    below_scale: int
    active_units: list[str]
    filing_rows: int
    survey_rows: int
    files: dict[str, int]
    revenue_ytd_yi: dict[str, float] = field(default_factory=dict)
    """In-scope revenue_ytd in 亿元 at each year's last period (clean figures, before any fault)."""
    faults: int = 0
    """Faults laid into the files, as listed in demo_faults.csv (0 with faults=False)."""
    manifest: Path | None = None
    layouts: dict[str, str] = field(default_factory=dict, repr=False)
    """File (relative to `out`) → the name of its layout ('clean' or one of the messy ones)."""
    clean_totals: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict, repr=False)
    """Kind → period → (revenue, R&D) in cents of 万元 summed over all rows before any fault."""
    file_totals: dict[str, tuple[int, int, int]] = field(default_factory=dict, repr=False)
    """File → (data rows, revenue, R&D in cents of 万元) as written, faults included."""


@dataclass(frozen=True)
class Enterprise:
    """One registry row and what drives its figures."""

    uscc: str
    name: str
    unit: Unit
    district_text: str
    industry: str
    chain_text: str | None
    above_scale: bool
    role: str  # assembler, tail, out_of_scope, below_scale

    @property
    def in_scope(self) -> bool:
        return self.role in ("assembler", "tail")


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise FileNotFoundError(f"{path}: reference file missing (expected the dbt seeds in {path.parent})")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_units(reference_dir: Path) -> list[Unit]:
    """The reporting units, in file order."""
    return [
        Unit(row["district_code"], row["district_name"], row["short_name"])
        for row in _read_csv(reference_dir / "reporting_units.csv")
    ]


def load_scope(reference_dir: Path) -> list[str]:
    """The in-scope industry classes, in file order."""
    return [row["industry_code"] for row in _read_csv(reference_dir / "industry_scope.csv")]


def load_chains(reference_dir: Path) -> dict[str, str]:
    """Chain code → Chinese name, in file order."""
    return {row["chain_code"]: row["chain_name_zh"] for row in _read_csv(reference_dir / "chains.csv")}


# ---------- small pure helpers


def demo_periods(months: int) -> list[tuple[int, int]]:
    """(year, month) for month i = 2022-01 + i, i < months, without January (no January report)."""
    periods = []
    for i in range(months):
        year, month = FIRST_YEAR + i // 12, i % 12 + 1
        if month != 1:
            periods.append((year, month))
    return periods


def period_label(year: int, month: int) -> str:
    """'2024-10'."""
    return f"{year:04d}-{month:02d}"


def bureau_title(year: int, month: int) -> str:
    """The bureau table's title row; February is '1-2月' because there is no January report."""
    return TITLES["bureau"].format(year=year, month=month)


def digitalization_threshold(year: int) -> float:
    """Share of enterprises digital in all four key processes: 40 % in 2022, +4.5 points a year."""
    return min(0.95, 0.40 + 0.045 * (year - BASE_YEAR))


def _name_words(industry: str) -> tuple[str, ...]:
    for key in (industry, industry[:3]):
        if key in NAME_WORDS:
            return NAME_WORDS[key]
    return ("电子",)


def _pick(rng: np.random.Generator, items: Sequence[str], weights: Sequence[float] | None = None) -> str:
    if weights is None:
        return items[int(rng.integers(len(items)))]
    p = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


# ---------- enterprises


def _make_uscc(rng: np.random.Generator, unit: Unit, taken: set[str]) -> str:
    letters = USCC_ALPHABET[10:]
    while True:
        if rng.random() < 0.2:
            region = "500000"
        elif unit.code in ZONE_REGION:
            region = _pick(rng, ZONE_REGION[unit.code])
        else:
            region = unit.code
        body = "".join(
            str(int(rng.integers(10))) if rng.random() < 0.85 else letters[int(rng.integers(len(letters)))]
            for _ in range(9)
        )
        first17 = "91" + region + body
        code = first17 + uscc_check_char(first17)
        if code not in taken:
            taken.add(code)
            return code


def _make_name(rng: np.random.Generator, industry: str, role: str, taken: set[str]) -> str:
    while True:
        brand = _pick(rng, NAME_CHARS) + _pick(rng, NAME_CHARS)
        if brand[0] == brand[1]:
            continue
        if role == "assembler":
            name = f"{brand}（重庆）{ASSEMBLER_WORDS[industry]}有限公司"
        else:
            word = _pick(rng, _name_words(industry))
            form = _pick(rng, COMPANY_FORMS)
            name = f"{brand}（重庆）{word}{form}" if rng.random() < 0.12 else f"重庆{brand}{word}{form}"
        if name not in taken:
            taken.add(name)
            return name


def _district_text(rng: np.random.Generator, unit: Unit) -> str:
    draw = rng.random()
    if draw < 0.55:
        return unit.name
    if draw < 0.80:
        return unit.short_name
    return unit.code


def _chain_text(rng: np.random.Generator, industry: str, chains: dict[str, str]) -> str | None:
    if rng.random() >= 0.15:
        return None
    codes = list(chains)
    code = CHAIN_ALTERNATIVES.get(industry) if rng.random() < 0.6 else None
    code = code or _pick(rng, codes)
    return chains[code] if rng.random() < 0.5 else code


def build_enterprises(
    rng: np.random.Generator, enterprises: int, units: list[Unit], scope: list[str], chains: dict[str, str]
) -> list[Enterprise]:
    """Assemblers, the in-scope tail, then the out-of-scope and below-scale extras (≈10 %)."""
    by_code = {unit.code: unit for unit in units}
    weighted_units = [code for code in UNIT_WEIGHTS if code in by_code]
    unit_weights = [UNIT_WEIGHTS[code] for code in weighted_units]
    tail_industries = [code for code in TAIL_INDUSTRIES if code in scope]
    tail_weights = [TAIL_INDUSTRIES[code] for code in tail_industries]
    n_assemblers = min(len(ASSEMBLERS), max(1, enterprises // 10))
    n_extra = max(2, round(enterprises * 0.10))
    n_out = (n_extra + 1) // 2

    codes: set[str] = set()
    names: set[str] = set()
    result: list[Enterprise] = []

    def add(industry: str, unit: Unit, role: str, chain: str | None) -> None:
        result.append(
            Enterprise(
                uscc=_make_uscc(rng, unit, codes),
                name=_make_name(rng, industry, role, names),
                unit=unit,
                district_text=_district_text(rng, unit),
                industry=industry,
                chain_text=chain,
                above_scale=role != "below_scale",
                role=role,
            )
        )

    for industry, unit_code, _ in ASSEMBLERS[:n_assemblers]:
        add(industry, by_code[unit_code], "assembler", None)
    for _ in range(enterprises - n_assemblers):
        industry = _pick(rng, tail_industries, tail_weights)
        add(
            industry,
            by_code[_pick(rng, weighted_units, unit_weights)],
            "tail",
            _chain_text(rng, industry, chains),
        )
    for i in range(n_extra):
        role = "out_of_scope" if i < n_out else "below_scale"
        industry = (
            _pick(rng, OUT_OF_SCOPE_INDUSTRIES) if role == "out_of_scope" else _pick(rng, tail_industries)
        )
        host = (
            INACTIVE_HOST if i == 0 and INACTIVE_HOST in by_code else _pick(rng, weighted_units, unit_weights)
        )
        add(industry, by_code[host], role, None)
    return result


# ---------- figures


@dataclass(frozen=True)
class Figures:
    """Per enterprise and period: revenue and R&D year-to-date in cents of 万元, R&D missing, employees."""

    revenue_cents: np.ndarray  # (enterprises, periods) int64
    rd_cents: np.ndarray  # (enterprises, periods) int64
    rd_missing: np.ndarray  # (enterprises, periods) bool
    employees: np.ndarray  # (enterprises, periods) int64


def annual_revenue(rng: np.random.Generator, firms: list[Enterprise], years: list[int]) -> np.ndarray:
    """Annual revenue in 万元 per enterprise and year; in-scope total grows as AGGREGATE_GROWTH says."""
    n = len(firms)
    role = np.array([firm.role for firm in firms])
    base = np.zeros(n)
    assembler_idx = np.flatnonzero(role == "assembler")
    nominal = np.array([ASSEMBLERS[i][2] * 10_000 for i in range(len(assembler_idx))])
    base[assembler_idx] = nominal * rng.uniform(0.95, 1.05, len(assembler_idx))
    tail = role == "tail"
    if tail.any():
        draw = rng.lognormal(mean=0.0, sigma=1.2, size=int(tail.sum()))
        base[tail] = np.maximum(draw * TAIL_MEAN_WAN * tail.sum() / draw.sum(), TAIL_MIN_WAN)
    out = role == "out_of_scope"
    base[out] = np.maximum(rng.lognormal(np.log(10_000), 0.9, size=int(out.sum())), 2_500)
    below = role == "below_scale"
    base[below] = rng.uniform(300, 1_800, size=int(below.sum()))

    growth_sd = np.where(role == "assembler", 0.08, 0.10)
    growth_mean = np.where(role == "assembler", 0.03, 0.05)
    in_scope = (role == "assembler") | tail
    revenue = np.zeros((n, len(years)))
    revenue[:, 0] = base
    for y in range(1, len(years)):
        growth = np.clip(rng.normal(growth_mean, growth_sd), -0.22, 0.32)
        revenue[:, y] = revenue[:, y - 1] * (1 + growth)
        target = revenue[in_scope, y - 1].sum() * (1 + AGGREGATE_GROWTH.get(years[y], DEFAULT_GROWTH))
        revenue[in_scope, y] *= target / revenue[in_scope, y].sum()
        revenue[below, y] = np.minimum(revenue[below, y], 1_950)
    return revenue


def _ytd_cents(rng: np.random.Generator, annual: np.ndarray, noise_sd: np.ndarray) -> np.ndarray:
    """Year-to-date in cents per enterprise, year and calendar month: seasonal, never falling in a year."""
    n, n_years = annual.shape
    noise = rng.lognormal(0.0, 1.0, size=(n, n_years, 12)) ** noise_sd[:, None, None]
    shares = SEASONALITY * noise
    shares /= shares.sum(axis=2, keepdims=True)
    return np.rint(np.cumsum(annual[:, :, None] * shares, axis=2) * 100).astype(np.int64)


def simulate(rng: np.random.Generator, firms: list[Enterprise], periods: list[tuple[int, int]]) -> Figures:
    """Monthly filings of every enterprise for every period."""
    years = list(range(FIRST_YEAR, periods[-1][0] + 1))
    n = len(firms)
    role = np.array([firm.role for firm in firms])
    annual = annual_revenue(rng, firms, years)

    ratio = np.where(role == "assembler", rng.uniform(0.010, 0.014, n), rng.uniform(0.010, 0.030, n))
    ratio = np.where(role == "out_of_scope", rng.uniform(0.005, 0.020, n), ratio)
    ratio = np.where(role == "below_scale", rng.uniform(0.0, 0.015, n), ratio)
    tail_idx = np.flatnonzero(role == "tail")
    n_special = max(1, round(0.02 * len(tail_idx))) if len(tail_idx) >= 4 else 0
    special = rng.permutation(tail_idx)[: 2 * n_special]
    zero_rd, missing_rd = special[:n_special], special[n_special:]
    ratio[zero_rd] = 0.0
    rise = 0.0008 * (np.array(years) - BASE_YEAR)
    annual_rd = annual * (ratio[:, None] + np.where(ratio[:, None] > 0, rise[None, :], 0.0))

    noise_sd = np.where(role == "assembler", 0.15, 0.10)
    revenue_ytd = _ytd_cents(rng, annual, noise_sd)
    rd_ytd = _ytd_cents(rng, annual_rd, noise_sd * 2)

    year_idx = np.array([year - FIRST_YEAR for year, _ in periods])
    month_idx = np.array([month - 1 for _, month in periods])
    revenue_cents = revenue_ytd[:, year_idx, month_idx]
    rd_cents = rd_ytd[:, year_idx, month_idx]

    # An enterprise that leaves R&D empty leaves it empty every month: a gap in some months only would
    # make its district's R&D year-to-date fall (DQ04) with nothing wrong in the data.
    rng.random((len(missing_rd), len(periods)))  # drawn as before, so that the employees stay the same
    rd_missing = np.zeros((n, len(periods)), dtype=bool)
    rd_missing[missing_rd] = True

    per_head = np.where(role == "assembler", rng.uniform(130, 200, n), rng.uniform(80, 220, n))
    per_head = np.where(role == "below_scale", rng.uniform(40, 100, n), per_head)
    head_base = np.maximum(annual[:, 0] / per_head, 5)
    size = np.sqrt(annual[:, year_idx] / annual[:, :1])
    wobble = 1 + rng.normal(0, 0.02, size=(n, len(periods)))
    employees = np.rint(head_base[:, None] * size * wobble).astype(np.int64)
    return Figures(revenue_cents, rd_cents, rd_missing, employees)


# ---------- tables


REGISTRY_HEADER = ("统一社会信用代码", "企业名称", "区县", "行业代码", "产业链", "规模以上")
SURVEY_PROCESSES = ("研发设计", "生产制造", "经营管理", "销售服务")


def _registry_rows(firms: list[Enterprise], order: np.ndarray) -> list[tuple]:
    return [
        (f.uscc, f.name, f.district_text, f.industry, f.chain_text, "是" if f.above_scale else "否")
        for f in (firms[i] for i in order)
    ]


def filing_tables(
    firms: list[Enterprise], order: np.ndarray, figures: Figures, periods: list[tuple[int, int]]
) -> list[Table]:
    """One clean table per period: every enterprise of the registry, in registry order."""
    index = {period: p for p, period in enumerate(periods)}
    tables = []
    for p, (year, month) in enumerate(periods):
        ago = index.get((year - 1, month))
        lines = [
            FilingLine(
                firms[e].uscc,
                firms[e].name,
                firms[e].unit,
                (year, month),
                int(figures.revenue_cents[e, p]),
                None if figures.rd_missing[e, p] else int(figures.rd_cents[e, p]),
                int(figures.employees[e, p]),
                None if ago is None else int(figures.revenue_cents[e, ago]),
                int(e),
            )
            for e in order
        ]
        label = period_label(year, month)
        tables.append(
            Table("filings", f"企业月报_{label}", (year, month), clean_filings_layout(year, month), lines)
        )
    return tables


def unit_members(units: list[Unit], firms: list[Enterprise]) -> dict[str, list[int]]:
    """Active reporting unit code → indices of its in-scope enterprises, in reporting-unit order."""
    members = {
        unit.code: [e for e, firm in enumerate(firms) if firm.in_scope and firm.unit.code == unit.code]
        for unit in units
    }
    return {code: indices for code, indices in members.items() if indices}


def district_tables(
    units: list[Unit], members_by_unit: dict[str, list[int]], figures: Figures, periods: list[tuple[int, int]]
) -> list[Table]:
    """One clean table per period: each active unit's submission is the sum of its enterprises' filings."""
    index = {period: p for p, period in enumerate(periods)}
    rd_reported = np.where(figures.rd_missing, 0, figures.rd_cents)
    tables = []
    for p, (year, month) in enumerate(periods):
        ago = index.get((year - 1, month))
        lines = [
            SubmissionLine(
                unit,
                (year, month),
                len(members),
                int(figures.revenue_cents[members, p].sum()),
                int(rd_reported[members, p].sum()),
                None if ago is None else int(figures.revenue_cents[members, ago].sum()),
            )
            for unit in units
            if (members := members_by_unit.get(unit.code))
        ]
        label = period_label(year, month)
        tables.append(Table("districts", f"区县报送_{label}", (year, month), CLEAN, lines))
    return tables


def _bureau_values(
    rng: np.random.Generator, firms: list[Enterprise], figures: Figures, periods: list[tuple[int, int]]
) -> dict[str, list[float]]:
    """Bureau revenue_ytd per line and period, in 万元 rounded to 2 decimals."""
    division_39 = np.array([firm.in_scope and firm.industry.startswith("39") for firm in firms])
    factor = rng.uniform(0.992, 1.008, len(periods))
    values = {
        BUREAU_DIVISION_39: [
            round(int(figures.revenue_cents[division_39, p].sum()) * factor[p] / 100, 2)
            for p in range(len(periods))
        ]
    }
    cumulative = np.cumsum(SEASONALITY)
    for name, _, base, growth in BUREAU_OTHER_LINES:
        wobble = 1 + rng.normal(0, 0.004, len(periods))
        values[name] = [
            round(base * (1 + growth) ** (year - FIRST_YEAR) * cumulative[month - 1] * wobble[p], 2)
            for p, (year, month) in enumerate(periods)
        ]
    return values


def bureau_tables(periods: list[tuple[int, int]], values: dict[str, list[float]]) -> list[Table]:
    """One table per period: the bureau's industry lines with their published year-on-year growth."""
    index = {period: p for p, period in enumerate(periods)}
    tables = []
    for p, (year, month) in enumerate(periods):
        previous = index.get((year - 1, month))
        lines = [
            BureauLine(
                name,
                BUREAU_CODES[name],
                series[p],
                None if previous is None else round((series[p] / series[previous] - 1) * 100, 1),
            )
            for name, series in values.items()
        ]
        label = period_label(year, month)
        tables.append(Table("bureau", f"统计局月报_{label}", (year, month), BUREAU_CLEAN, lines))
    return tables


def _totals(tables: list[Table]) -> dict[str, tuple[int, int]]:
    """Period label → (revenue, R&D) in cents of 万元 over the tables' lines; missing R&D counts 0."""
    totals: dict[str, tuple[int, int]] = {}
    for table in tables:
        label = period_label(*table.period)
        revenue, rd = totals.get(label, (0, 0))
        totals[label] = (
            revenue + sum(line.revenue for line in table.lines),
            rd + sum(getattr(line, "rd", None) or 0 for line in table.lines),
        )
    return totals


def _write_surveys(
    out: Path, rng: np.random.Generator, firms: list[Enterprise], order: np.ndarray, years: list[int]
) -> int:
    """One workbook per year; each enterprise's processes only ever go from 否 to 是. Returns rows written."""
    n = len(firms)
    in_scope = np.array([firm.in_scope for firm in firms])
    leader = rng.random(n)  # digital in all four once below the year's threshold
    process_draw = rng.random((n, len(SURVEY_PROCESSES)))
    lagging = rng.integers(len(SURVEY_PROCESSES), size=n)  # stays 否 until the enterprise is a leader
    process_base = np.array([0.35, 0.55, 0.65, 0.45])
    surveyed = rng.random((n, len(years))) < np.where(in_scope, 0.9, 0.5)[:, None]
    header = ("统一社会信用代码", "调查年度", *SURVEY_PROCESSES)
    total = 0
    for y, year in enumerate(years):
        all_four = leader < digitalization_threshold(year)
        done = process_draw < process_base + 0.05 * (year - BASE_YEAR)
        done[np.arange(n), lagging] = False
        done[all_four] = True
        rows = [header]
        for e in order:
            if surveyed[e, y]:
                rows.append((firms[e].uscc, year, *("是" if flag else "否" for flag in done[e])))
        total += len(rows) - 1
        write_xlsx(out / "surveys" / f"数字化调查_{year}.xlsx", "数字化调查", rows)
    return total


# ---------- entry point


def generate(
    out: Path, enterprises: int = 800, months: int = 58, seed: int = 20231113, faults: bool = True
) -> DemoSummary:
    """Write a synthetic raw folder under `out` (registry, filings, surveys, districts, bureau).

    `enterprises` in-scope enterprises plus about 10 % out-of-scope or below-scale ones; periods are
    2022-01 + i for i < `months`, Januaries skipped. Files come in a deterministic mix of the layouts
    of docs/interface.md (Input files). With `faults`, documented faults for every rule of docs/rules.md
    are laid on top
    and listed in `out`/demo_faults.csv; the files they leave alone are the same bytes as without.
    The same arguments give byte-identical files.
    """
    if enterprises < 1:
        raise ValueError(f"enterprises must be at least 1, got {enterprises}")
    periods = demo_periods(months)
    if not periods:
        raise ValueError(f"months must be at least 2 (the first period is 2022-02), got {months}")
    out = Path(out)
    units = load_units(REFERENCE_DIR)
    scope = load_scope(REFERENCE_DIR)
    chains = load_chains(REFERENCE_DIR)
    streams = [np.random.default_rng([seed, stream]) for stream in range(5)]

    firms = build_enterprises(streams[0], enterprises, units, scope, chains)
    figures = simulate(streams[1], firms, periods)
    order = streams[2].permutation(len(firms))
    labels = [period_label(year, month) for year, month in periods]
    survey_years = list(range(FIRST_YEAR, periods[-1][0] + 1))
    members_by_unit = unit_members(units, firms)

    filings = filing_tables(firms, order, figures, periods)
    districts = district_tables(units, members_by_unit, figures, periods)
    bureau = bureau_tables(periods, _bureau_values(streams[3], firms, figures, periods))
    for tables, messy in ((filings, FILINGS_MESSY), (districts, DISTRICTS_MESSY), (bureau, BUREAU_MESSY)):
        for p, layout in assign_layouts(len(tables), messy).items():
            tables[p].layout = layout
    clean_totals = {"filings": _totals(filings), "districts": _totals(districts), "bureau": _totals(bureau)}
    registry_rows = _registry_rows(firms, order)
    registry_file = f"registry/企业名录_{labels[-1]}.xlsx"

    # the faults draw from a stream of their own: without them, every other number stays the same
    fault_rng = np.random.default_rng([seed, 5])
    codes, names = {firm.uscc for firm in firms}, {firm.name for firm in firms}
    data = DemoData(
        units=units,
        firms=firms,
        figures=figures,
        periods=periods,
        members=members_by_unit,
        filings=filings,
        districts=districts,
        bureau=bureau,
        registry_rows=registry_rows,
        registry_file=registry_file,
        inactive_host=INACTIVE_HOST,
        out_of_scope_industry=OUT_OF_SCOPE_INDUSTRIES[0],
        new_code=lambda unit: _make_uscc(fault_rng, unit, codes),
        new_name=lambda industry: _make_name(fault_rng, industry, "tail", names),
    )
    laid = inject_faults(data, fault_rng) if faults else []

    for folder in KIND_FOLDERS:
        (out / folder).mkdir(parents=True, exist_ok=True)
    write_xlsx(out / registry_file, "企业名录", [REGISTRY_HEADER, *registry_rows])
    tables = [*filings, *data.extra_tables, *districts, *bureau]
    for table in tables:
        write_table(out, table)
    survey_rows = _write_surveys(out, streams[4], firms, order, survey_years)
    manifest = write_manifest(out, laid) if faults else None

    in_scope = np.array([firm.in_scope for firm in firms])
    year_end = {year: p for p, (year, _) in enumerate(periods)}
    filing_files = [table for table in tables if table.kind == "filings"]
    return DemoSummary(
        out=out,
        periods=labels,
        survey_years=survey_years,
        registry_rows=len(registry_rows),
        in_scope=int(in_scope.sum()),
        out_of_scope=sum(firm.role == "out_of_scope" for firm in firms),
        below_scale=sum(firm.role == "below_scale" for firm in firms),
        active_units=list(members_by_unit),
        filing_rows=sum(len(table.lines) for table in filing_files),
        survey_rows=survey_rows,
        files={
            "registry": 1,
            "filings": len(filing_files),
            "surveys": len(survey_years),
            "districts": len(districts),
            "bureau": len(bureau),
        },
        revenue_ytd_yi={
            labels[p]: int(figures.revenue_cents[in_scope, p].sum()) / 1_000_000 for p in year_end.values()
        },
        faults=len(laid),
        manifest=manifest,
        layouts={table.rel: table.layout.name for table in tables},
        clean_totals=clean_totals,
        file_totals={
            table.rel: (
                len(table.lines),
                sum(line.revenue for line in table.lines),
                sum(getattr(line, "rd", None) or 0 for line in table.lines),
            )
            for table in tables
        },
    )
