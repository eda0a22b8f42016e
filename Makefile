# planwatch: `make run` sets everything up and runs the pipeline on sample data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
export DO_NOT_TRACK := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup run test dev lint clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

# Puts sample data in raw/ when it holds no files, then runs the whole pipeline through Dagster.
run: setup
	@if [ -z "$$(find raw -mindepth 2 -type f 2>/dev/null | head -n 1)" ]; then \
		echo "raw/ has no files: writing the bundled sample data"; \
		$(BIN)/planwatch demo-data --out raw; \
	fi
	$(BIN)/planwatch run

# Two workers, a test file each (module fixtures stay in one worker): the end-to-end tests are
# single-threaded runs of the whole pipeline, so the two cores halve the wall time. The 15 slowest
# tests are listed at the end: where the time goes. --no-loadscope-reorder keeps the order of
# tests/conftest.py (files with end-to-end runs first); xdist would hand out the files with the most
# tests first, which left the long files of a few tests for one worker at the end.
test: setup lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=15

# The Dagster UI over the same instance `planwatch run` records its runs in, started the way Dagster
# now starts it (`dg dev`, from [tool.dg] in pyproject.toml), through orchestration/dev_server.py so
# that a server started in the background still stops on a signal. Ctrl-C once, or one
# `kill $$(cat warehouse/.dagster/dev.pid)` from elsewhere, stops the webserver, the daemon and the
# code server together (make itself passes no signal on: hence the pid of dg, which `exec` makes the
# recipe's own).
DEV_PORT ?= 3000
dev: setup
	@$(BIN)/python -c "from orchestration.settings import Settings; Settings.resolve().prepare_dagster_home()"
	@export PATH=$(CURDIR)/$(BIN):$$PATH DAGSTER_HOME=$(CURDIR)/warehouse/.dagster PLANWATCH_RAW_DIR=$(CURDIR)/raw \
		PLANWATCH_WAREHOUSE_DIR=$(CURDIR)/warehouse PLANWATCH_BUILD_DB=$(CURDIR)/warehouse/build.duckdb; \
		echo $$$$ > warehouse/.dagster/dev.pid; exec $(BIN)/python -m orchestration.dev_server --port $(DEV_PORT)

# Python with ruff, SQL with sqlfluff (dbt's templater, DuckDB's dialect; [tool.sqlfluff] in
# pyproject.toml). The templater compiles the project: into a temporary folder, never dbt_project/target,
# which the pipeline's prepared manifest lives in. `make test` runs this first. --processes 0: a
# process per core once the project is compiled (1 min 22 s instead of 2 min 35 s on two cores).
lint: setup
	$(BIN)/ruff check orchestration planwatch_demo tests bench
	$(BIN)/ruff format --check orchestration planwatch_demo tests bench
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		DBT_TARGET_PATH=$$tmp/target DBT_LOG_PATH=$$tmp/logs PLANWATCH_BUILD_DB=$$tmp/lint.duckdb \
		$(BIN)/sqlfluff lint --nocolor --processes 0 dbt_project/models dbt_project/tests

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs
