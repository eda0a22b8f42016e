"""Asset checks beyond dbt's tests: the rule catalogue's findings by family, and data publication guards."""
