"""One asset check per family of the rule catalogue (completeness, cross-table, history, …).

A check reports how many findings each district has in its family. Findings are data a district must
see, not failures of the run: these checks never block a publish, and a check with findings fails
with severity WARN, so the UI shows a healthy run with findings yellow, not red (the findings' own
severity, error or warn, is in the check's metadata and in marts.dq_findings).
"""

import csv

import dagster as dg
import duckdb

from orchestration.ingest.reference import SEEDS_DIR
from orchestration.resources import WarehouseResource

FINDINGS = dg.AssetKey(["marts", "dq_findings"])


def rule_families() -> dict[str, list[str]]:
    """Rule ids by family, from the catalogue seed (the one place the catalogue lives)."""
    families: dict[str, list[str]] = {}
    with (SEEDS_DIR / "dq_rule_catalogue.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            families.setdefault(row["kind"], []).append(row["rule_id"])
    return families


def _table(rows: list[tuple]) -> str:
    lines = ["| district | name | error | warn |", "|---|---|---:|---:|"]
    lines += [f"| {code or '—'} | {name} | {errors} | {warns} |" for code, name, errors, warns in rows]
    return "\n".join(lines)


def build_family_check(family: str, rule_ids: list[str]) -> dg.AssetChecksDefinition:
    name = "dq_" + family.replace("-", "_")

    @dg.asset_check(
        asset=FINDINGS,
        name=name,
        blocking=False,
        description=f"Findings of the {family} rules ({', '.join(rule_ids)}) by district; never blocks a publish.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with duckdb.connect(str(warehouse.settings.build_db), read_only=True) as con:
            rows = con.execute(
                """
                select
                    findings.district_code,
                    coalesce(units.district_name, '全市 city-wide'),
                    count(*) filter (where findings.severity = 'error'),
                    count(*) filter (where findings.severity = 'warn')
                from marts.dq_findings as findings
                left join reference.reporting_units as units
                    on findings.district_code = units.district_code
                where findings.rule_id in (select unnest(?))
                group by all
                order by 3 desc, 4 desc, 1
                """,
                [rule_ids],
            ).fetchall()
        errors = sum(row[2] for row in rows)
        warns = sum(row[3] for row in rows)
        return dg.AssetCheckResult(
            passed=errors + warns == 0,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{errors} errors and {warns} warnings in {len(rows)} districts"
            if rows
            else "no findings",
            metadata={
                "findings_error": errors,
                "findings_warn": warns,
                "districts_with_findings": len(rows),
                "by_district": dg.MetadataValue.md(_table(rows) if rows else "no findings"),
            },
        )

    return _check


dq_family_checks = [build_family_check(family, rules) for family, rules in rule_families().items()]
