"""The demo's enterprises: who they are (credit code, name, district as written, industry, chain),
how big, and which are out of scope or below size, from the reference lists the pipeline reads."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestration.identity import USCC_ALPHABET, uscc_check_char
from orchestration.settings import DBT_PROJECT_DIR
from planwatch_demo.layouts import (
    Unit,
)

REFERENCE_DIR = DBT_PROJECT_DIR / "seeds"  # the reference lists the pipeline reads
FIRST_YEAR = 2022
"""Where reporting_units.csv, industry_scope.csv and chains.csv are read from (read at call time)."""
BASE_YEAR = 2022

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
    "两江新区": 18,
    "西部科学城重庆高新区": 14,
    "沙坪坝区": 8,
    "渝北区": 8,
    "璧山区": 7,
    "江津区": 6,
    "永川区": 6,
    "綦江区": 4,
    "九龙坡区": 4,
    "北碚区": 3,
    "巴南区": 3,
    "南岸区": 3,
    "江北区": 2,
    "大足区": 2,
    "铜梁区": 2,
    "合川区": 2,
    "荣昌区": 2,
    "长寿区": 2,
    "涪陵区": 2,
    "潼南区": 1.5,
    "万州区": 1.5,
    "梁平区": 1.5,
    "南川区": 1,
    "开州区": 1,
    "垫江县": 1,
    "大渡口区": 1,
    "万盛经开区": 1,
    "渝中区": 0.3,
    "黔江区": 0.3,
    "忠县": 0.5,
    "丰都县": 0.3,
    "云阳县": 0.3,
}
"""Where the non-assembler enterprises are, by reporting unit name; units left out (remote counties) get none."""

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
    by_name = {unit.name: unit for unit in units}
    weighted = [by_name[name] for name in UNIT_WEIGHTS if name in by_name]
    weighted_units = [unit.code for unit in weighted]
    unit_weights = [UNIT_WEIGHTS[unit.name] for unit in weighted]
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
