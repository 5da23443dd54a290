"""The one typed settings object: environment variables, overridable by CLI flags.

Every knob a user can turn lives here, so the README's table of variables is this file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

ENV_PREFIX = "TALLY_"


def _env(name: str, default: str) -> str:
    return os.environ.get(ENV_PREFIX + name, default)


@dataclass(frozen=True)
class Settings:
    """Where data lives and how KPIs are reported.

    Paths are made absolute at construction: dbt, Dagster and DuckDB each run with their own
    working directory, and a relative path would silently point at three different files.
    """

    landing_dir: Path = field(default_factory=lambda: Path(_env("LANDING", "data/landing")))
    warehouse_path: Path = field(
        default_factory=lambda: Path(_env("WAREHOUSE", "data/warehouse.duckdb"))
    )
    reporting_currency: str = field(default_factory=lambda: _env("REPORTING_CURRENCY", "USD"))
    reporting_timezone: str = field(default_factory=lambda: _env("REPORTING_TZ", "UTC"))
    # First daily partition; None means "the earliest file date in the landing zone".
    partitions_start: date | None = field(
        default_factory=lambda: _parse_date(_env("PARTITIONS_START", ""))
    )
    schedule_cron: str = field(default_factory=lambda: _env("SCHEDULE_CRON", "0 2 * * *"))
    schedule_timezone: str = field(default_factory=lambda: _env("SCHEDULE_TZ", "UTC"))
    activation_event: str = field(default_factory=lambda: _env("ACTIVATION_EVENT", "activation"))
    # DuckDB spills to disk beyond this, for the loader and for dbt alike.
    duckdb_memory_limit: str = field(default_factory=lambda: _env("DUCKDB_MEMORY_LIMIT", "3GB"))

    def __post_init__(self) -> None:
        object.__setattr__(self, "landing_dir", Path(self.landing_dir).expanduser().resolve())
        object.__setattr__(self, "warehouse_path", Path(self.warehouse_path).expanduser().resolve())
        object.__setattr__(self, "reporting_currency", self.reporting_currency.upper())

    def with_overrides(self, **overrides: object) -> Settings:
        """Apply CLI flags; a flag left unset (None) keeps the environment's value."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def dbt_vars(self) -> dict[str, str]:
        return {
            "reporting_currency": self.reporting_currency,
            "reporting_timezone": self.reporting_timezone,
            "activation_event": self.activation_event,
        }

    def dbt_env(self, database: Path) -> dict[str, str]:
        """Environment the dbt subprocess needs (profiles.yml reads the database path from it)."""
        return {
            "TALLY_WAREHOUSE": str(database),
            "TALLY_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }


def _parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None
