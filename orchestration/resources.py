"""Resources, configured in one place from the settings object."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging.version import Version

from orchestration.dbt_project import DBT_PROJECT
from orchestration.run_lock import RunLock
from orchestration.settings import TallySettings


class TallyDbtCli(DbtCliResource):
    """dagster-dbt's CLI resource without two fixed costs per refresh that buy tally nothing.

    - It asks `dbt --version` in a subprocess (~2 s) to learn what it runs; ours is the venv's
      dbt-core, whose version the package metadata already gives.
    - Before each invocation it opens a dbt adapter in the Dagster process (imports the rest of
      dbt, loads the profile and project: ~1.7 s) for `fetch_row_counts` and
      `fetch_column_metadata`, which tally does not use: the build's own subprocess is the only
      dbt that touches the warehouse.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def build_resources(settings: TallySettings) -> dict[str, object]:
    return {
        "tally": settings,
        "run_lock": RunLock(lock_path=str(settings.lock_path)),
        # The pipeline's own database; BI tools read the published copy of its marts.
        "duckdb": DuckDBResource(
            database=str(settings.pipeline_db),
            connection_config={"memory_limit": settings.duckdb_memory_limit},
        ),
        "dbt": TallyDbtCli(
            project_dir=DBT_PROJECT,
            profiles_dir=str(DBT_PROJECT.project_dir),
            # dbt in the warehouse's state directory: see orchestration/dbt_process.py.
            dbt_executable=sys.executable,
            global_config_flags=[
                "-m",
                "orchestration.dbt_process",
                "--workdir",
                str(settings.state_dir),
                "--results",
                str(settings.dbt_target_dir / "run_results.json"),
            ],
            target=settings.engine,  # profiles.yml has one output per engine
        ),
    }
