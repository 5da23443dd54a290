"""Resources, configured in one place from the settings object."""

from __future__ import annotations

from dagster_duckdb import DuckDBResource

from orchestration.run_lock import RunLock
from orchestration.settings import TallySettings


def build_resources(settings: TallySettings) -> dict[str, object]:
    return {
        "tally": settings,
        "run_lock": RunLock(lock_path=str(settings.lock_path)),
        # The pipeline's own database; BI tools read the published copy of its marts.
        "duckdb": DuckDBResource(
            database=str(settings.pipeline_db),
            connection_config={"memory_limit": settings.duckdb_memory_limit},
        ),
    }
