"""The one typed settings object, used by the CLI, every Dagster asset (as a resource) and dbt.

Values come from `TALLY_*` environment variables, overridden by `tally run` flags; the README's
table of variables is this class. Paths are absolute: dbt, Dagster and DuckDB each run with
their own working directory, and a relative path would silently point at different files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg

ENV_PREFIX = "TALLY_"

# Field -> environment variable, without the prefix (the names the README documents).
_ENV_NAMES = {
    "landing_dir": "LANDING",
    "warehouse_path": "WAREHOUSE",
    "reporting_currency": "REPORTING_CURRENCY",
    "reporting_timezone": "REPORTING_TZ",
    "partitions_start": "PARTITIONS_START",
    "schedule_cron": "SCHEDULE_CRON",
    "schedule_timezone": "SCHEDULE_TZ",
    "activation_event": "ACTIVATION_EVENT",
    "duckdb_memory_limit": "DUCKDB_MEMORY_LIMIT",
    "engine": "ENGINE",
    "spark_memory": "SPARK_MEMORY",
    "refresh_tests": "REFRESH_TESTS",
}

ENGINES = ("duckdb", "spark")
REFRESH_TESTS = ("invariants", "all")


class TallySettings(dg.ConfigurableResource):
    """Where data lives and how KPIs are reported (shown in the Dagster UI's resources tab)."""

    landing_dir: str = "data/landing"
    # The file BI tools open: marts only. The pipeline's own database lives beside it, hidden.
    warehouse_path: str = "data/warehouse.duckdb"
    reporting_currency: str = "USD"
    reporting_timezone: str = "UTC"
    # First daily partition in Dagster: fixed, so definitions never depend on the data.
    partitions_start: str = "2024-01-01"
    schedule_cron: str = "0 2 * * *"
    schedule_timezone: str = "UTC"
    activation_event: str = "activation"
    # DuckDB spills to disk beyond this, for the loader and for dbt alike. With Dagster's and
    # dbt's own ~0.9 GB, 1.2 GB keeps a scale-10 backfill's process tree under 2 GiB (1.86 GiB;
    # 3GB: 4.0 GiB and 8% faster).
    duckdb_memory_limit: str = "1.2GB"
    # Where dbt builds the models: `duckdb` (the pipeline database) or `spark` (a local Spark
    # session over the raw layer as Parquet; profiles.yml documents a real cluster's target).
    engine: str = "duckdb"
    # The Spark driver's heap (session mode: the driver is the whole cluster).
    spark_memory: str = "2g"
    # dbt tests a refresh runs: `invariants` (keys, reconciliation, the MRR bridge, ranges;
    # column not-null/unique/accepted-values tests run on full builds) or `all`.
    refresh_tests: str = "invariants"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> TallySettings:
        """Environment first, then overrides (CLI flags); an override of None is ignored."""
        environ = os.environ if environ is None else environ
        values: dict[str, str] = {
            name: environ[ENV_PREFIX + env]
            for name, env in _ENV_NAMES.items()
            if environ.get(ENV_PREFIX + env)
        }
        values.update({k: str(v) for k, v in overrides.items() if v is not None})
        for name in ("landing_dir", "warehouse_path"):
            raw = values.get(name, cls.model_fields[name].default)
            values[name] = str(Path(raw).expanduser().resolve())
        values["reporting_currency"] = values.get("reporting_currency", "USD").upper()
        return cls(**values)

    def with_overrides(self, **overrides: object) -> TallySettings:
        values = {**self.model_dump(), **{k: v for k, v in overrides.items() if v is not None}}
        return TallySettings.from_env(environ={}, **values)

    # Where things live -------------------------------------------------------------------

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def served(self) -> Path:
        """The warehouse BI tools read: replaced whole, atomically, by each successful run."""
        return Path(self.warehouse_path)

    @property
    def state_dir(self) -> Path:
        """The pipeline's private folder beside the served file (never given to BI users)."""
        return self.served.with_name(f".{self.served.name}.tally")

    @property
    def pipeline_db(self) -> Path:
        """raw, staging, intermediate, core and marts: written in place by one run at a time.
        Its name is the one profiles.yml gives relative to the state directory."""
        return self.state_dir / "pipeline.duckdb"

    @property
    def models_db(self) -> Path | None:
        """The database dbt's models (and so its tests' rows) live in, when tally can read it:
        the pipeline database on DuckDB; None on Spark, whose tables live in Spark."""
        return self.pipeline_db if self.engine == "duckdb" else None

    @property
    def dbt_target_dir(self) -> Path:
        """One stable dbt target folder per warehouse: partial parsing is reused run after run,
        and artifacts are overwritten, not accumulated. Each engine has its own (a target
        change is a full parse)."""
        return self.state_dir / ("dbt" if self.engine == "duckdb" else f"dbt-{self.engine}")

    @property
    def spark_dir(self) -> Path:
        """Spark's state: its warehouse (`<schema>.db/<table>/` Parquet), metastore and the raw
        layer it reads (`raw/<table>/`)."""
        return self.state_dir / "spark"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "run.lock"

    @property
    def dagster_home(self) -> Path:
        """Where CLI runs are recorded when DAGSTER_HOME is not set (`make dagster` reads it)."""
        return self.state_dir / "dagster"

    @property
    def first_partition(self) -> date:
        return date.fromisoformat(self.partitions_start)

    # What dbt gets -----------------------------------------------------------------------

    def dbt_vars(self) -> dict[str, str]:
        """The settings dbt reads that differ from the project's own defaults (dbt_project.yml
        `vars`, profiles.yml), which are this class's defaults. dbt hashes `--vars` into its
        partial-parse state: a warehouse on the defaults passes none, so it starts from the
        parse saved at install (see orchestration/dbt_process.py). Spark also gets its folder."""
        values = {
            "duckdb_memory_limit": self.duckdb_memory_limit,
            "reporting_currency": self.reporting_currency,
            "reporting_timezone": self.reporting_timezone,
            "activation_event": self.activation_event,
            "spark_memory": self.spark_memory,
        }
        fields = type(self).model_fields
        changed = {name: v for name, v in values.items() if v != fields[name].default}
        if self.engine == "spark":
            changed["spark_dir"] = str(self.spark_dir)
        return changed

    # Checked before any work starts ------------------------------------------------------

    def problems(self) -> list[str]:
        """Everything wrong with the settings themselves, each in one line (empty: fine)."""
        found = []
        if self.engine not in ENGINES:
            found.append(f"engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.refresh_tests not in REFRESH_TESTS:
            found.append(
                f"refresh tests {self.refresh_tests!r} is not one of {', '.join(REFRESH_TESTS)}"
            )
        for name in ("reporting_timezone", "schedule_timezone"):
            value = getattr(self, name)
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                found.append(f"{name} {value!r} is not an IANA time zone (e.g. Europe/Paris)")
        if not re.fullmatch(r"[A-Z]{3}", self.reporting_currency):
            found.append(f"reporting currency {self.reporting_currency!r} is not an ISO 4217 code")
        try:
            date.fromisoformat(self.partitions_start)
        except ValueError:
            found.append(f"partitions start {self.partitions_start!r} is not a date (YYYY-MM-DD)")
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", self.duckdb_memory_limit, re.IGNORECASE):
            found.append(f"DuckDB memory limit {self.duckdb_memory_limit!r} is not like 3GB")
        return found
