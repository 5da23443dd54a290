"""Resources, configured in one place from the settings object."""

from __future__ import annotations

from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from ingestion.settings import Settings
from orchestration.dbt_project import DBT_PROJECT, dbt_executable
from orchestration.settings_resource import TallySettingsResource
from orchestration.serving.warehouse import work_path


def build_resources(settings: Settings) -> dict[str, object]:
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        # Runs write a private work copy; the publish asset swaps it in (orchestration.serving.warehouse).
        "duckdb": DuckDBResource(
            database=str(work_path(settings.warehouse_path)),
            connection_config={"memory_limit": settings.duckdb_memory_limit},
        ),
        "dbt": DbtCliResource(
            project_dir=DBT_PROJECT,
            profiles_dir=str(DBT_PROJECT.project_dir),
            dbt_executable=dbt_executable(),
        ),
        "tally": TallySettingsResource.from_settings(settings),
    }
