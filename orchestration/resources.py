"""Resources, configured in one place from the settings object."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from ingestion.settings import Settings
from orchestration.dbt_project import DBT_PROJECT
from orchestration.settings_resource import TallySettingsResource
from orchestration.warehouse import work_path


def dbt_executable() -> str:
    """The venv's dbt, so Dagster finds it without relying on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def build_resources(settings: Settings) -> dict[str, object]:
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        # Runs write a private work copy; the publish asset swaps it in (orchestration.warehouse).
        "duckdb": DuckDBResource(database=str(work_path(settings.warehouse_path))),
        "dbt": DbtCliResource(
            project_dir=DBT_PROJECT,
            profiles_dir=str(DBT_PROJECT.project_dir),
            dbt_executable=dbt_executable(),
        ),
        "tally": TallySettingsResource.from_settings(settings),
    }
