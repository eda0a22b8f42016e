"""Checks on the staged inputs (Great Expectations); no Dagster here, the asset checks call in."""
