"""Reading the raw files people send in; no Dagster here, so each piece is testable on its own."""
