"""Dagster asset checks beyond dbt's tests (each dbt test is already an asset check, blocking).

- `dq.py`: one check per family of the rule catalogue on marts/dq_findings, severity WARN, never
  blocking: the findings are for the districts (rules: dbt_project/models/intermediate/dq/).
- `staged_inputs.py`: the Great Expectations suites (expectations/) on the staged inputs, through
  orchestration/quality/, never blocking.

docs/rules.md maps every check: dbt tests, rule models, these checks and the suites.
"""
