# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
# Single-run backfills record one planned event per asset instead of one per day.
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS := true

DEMO_LANDING ?= data/landing
DEMO_WAREHOUSE ?= data/warehouse.duckdb
DEMO_SEED ?= 42
DEMO_SCALE ?= 1

.PHONY: install demo test lint dagster docs browser clean superset superset-env java

JAVA17 := /usr/lib/jvm/java-17-openjdk-$(shell dpkg --print-architecture 2>/dev/null || echo amd64)
export JAVA_HOME := $(JAVA17)

install: $(STAMP)

# Exact pins from pyproject.toml, transitive ones from constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.3.1"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,spark]"
	$(BIN)/python -m orchestration.dbt_project
	touch $(STAMP)

$(DEMO_LANDING)/.generated-$(DEMO_SEED)-$(DEMO_SCALE): | $(STAMP)
	$(BIN)/tally generate --out $(DEMO_LANDING) --seed $(DEMO_SEED) --scale $(DEMO_SCALE)
	touch $@

demo: $(STAMP) $(DEMO_LANDING)/.generated-$(DEMO_SEED)-$(DEMO_SCALE)
	$(BIN)/tally run --landing $(DEMO_LANDING) --warehouse $(DEMO_WAREHOUSE)

# The dashboard test renders the page in Debian's Chromium (no browser download from elsewhere).
browser:
	@command -v chromium >/dev/null || { \
		echo "installing Debian's chromium for the dashboard test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Spark (the second engine, tested for parity in `make test`) runs on Debian's Java 17; JAVA_HOME
# is pinned to it so another JDK on the machine is never picked.
java:
	@test -x $(JAVA17)/bin/java || { \
		echo "installing Debian's openjdk-17-jre-headless for the Spark engine"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; }

# Test modules run on parallel workers, the longest first (tests/conftest.py). The tests wait on
# subprocesses, fsyncs and a JVM, so three workers keep 2 cores busier than two (measured: 12 min
# against 14); TEST_WORKERS=1 runs the modules one after another.
TEST_WORKERS ?= 3
test: $(STAMP) browser superset-env java
	$(BIN)/ruff check .
	$(BIN)/python -m orchestration.dbt_project
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The UI reads the same Dagster instance `tally run` records into: the demo warehouse's own
# (data/.warehouse.duckdb.tally/dagster), so CLI runs, partitions and checks show in the UI.
DEMO_STATE := $(dir $(abspath $(DEMO_WAREHOUSE))).$(notdir $(DEMO_WAREHOUSE)).tally
dagster: $(STAMP)
	$(BIN)/python -m orchestration.instance $(DEMO_STATE)/dagster
	DAGSTER_HOME=$(DEMO_STATE)/dagster TALLY_LANDING=$(DEMO_LANDING) \
		TALLY_WAREHOUSE=$(DEMO_WAREHOUSE) $(BIN)/dagster dev -w workspace.yaml

# dbt docs of the demo warehouse as one static page (opens from disk; no copy of the data).
docs: $(STAMP)
	cd dbt_project && ../$(BIN)/dbt docs generate --static --profiles-dir . \
		--target-path $(abspath data/docs) --vars '{pipeline_db: $(DEMO_STATE)/pipeline.duckdb}'
	@echo "open data/docs/static_index.html"

# Superset in its own venv (the core install stays small): http://127.0.0.1:8088, the warehouse
# registered read-only, the KPI dashboard provisioned (orchestration/serving/superset/).
SUPERSET_VENV := .venv-superset
SUPERSET_DIR := orchestration/serving/superset
superset-env: $(SUPERSET_VENV)/.installed
$(SUPERSET_VENV)/.installed: $(SUPERSET_DIR)/requirements.txt $(SUPERSET_DIR)/constraints.txt
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/python -m pip install --quiet --upgrade "pip==24.3.1"
	$(SUPERSET_VENV)/bin/python -m pip install --quiet -c $(SUPERSET_DIR)/constraints.txt \
		-r $(SUPERSET_DIR)/requirements.txt
	touch $@
superset: superset-env
	$(SUPERSET_VENV)/bin/python $(SUPERSET_DIR)/serve.py --warehouse $(DEMO_WAREHOUSE)

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs
