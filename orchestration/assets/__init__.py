"""Software-defined assets: ingest (raw files → DuckDB), dbt models, publish."""
