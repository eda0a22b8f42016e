"""The reference seeds say what the plan's text says (docs/indicators.md: targets, scope, chains)."""

import csv
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


def rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("industry_code", "chain"),
    [
        # 电力电子元器件: the plan's power modules
        ("3824", "power_semi_ic"),
        # 半导体器件专用设备: wafer equipment
        ("3562", "power_semi_ic"),
        # 其他电池: storage beyond lithium
        ("3849", "pv_storage"),
        # 核子及核辐射测量仪器: the plan's 核能 instruments
        ("4027", "sensor_instrument"),
        # 光伏设备及元器件
        ("3825", "pv_storage"),
        # 集成电路制造
        ("3973", "power_semi_ic"),
    ],
)
def test_the_plans_classes_are_in_scope_with_their_chain(industry_code: str, chain: str) -> None:
    scope = {row["industry_code"]: row["default_chain"] for row in rows("industry_scope")}
    assert scope.get(industry_code) == chain


@pytest.mark.parametrize(
    ("indicator_code", "comparison"),
    [
        ("revenue", "above"),  # 营业收入突破10000亿元
        ("rd_spend", "at_least"),  # 研发投入达200亿元
        ("rd_intensity", "at_least"),  # 研发强度提升至2%
        ("digitalization_rate", "at_least"),  # 数字化的企业比例达65%
    ],
)
def test_targets_are_compared_as_the_plan_words_them(indicator_code: str, comparison: str) -> None:
    (row,) = [row for row in rows("plan_indicators") if row["indicator_code"] == indicator_code]
    assert row["target_comparison"] == comparison


def test_tiers_are_the_plans_352() -> None:
    tiers = [row["tier"] for row in rows("chains")]
    assert (tiers.count("core"), tiers.count("growth"), tiers.count("future")) == (3, 5, 2)


def test_the_plans_chains_are_the_352_and_other_is_not() -> None:
    """in_plan is what scope and DQ16 read: the ten chains of the three tiers, not the catch-all."""
    in_plan = {row["chain_code"]: row["in_plan"] for row in rows("chains")}
    assert {code for code, flag in in_plan.items() if flag == "true"} == {
        row["chain_code"] for row in rows("chains") if row["tier"] in ("core", "growth", "future")
    }
    assert in_plan["other"] == "false" and set(in_plan.values()) == {"true", "false"}
