"""Great Expectations on the staged inputs, without Dagster: validating the suites in expectations/
(`expectations.py`), year by year and only the years that changed (`batches.py`), their messages
(`descriptions.py`) and Data Docs that work offline (`offline_docs.py`). The asset check that calls in
is orchestration/checks/staged_inputs.py."""
