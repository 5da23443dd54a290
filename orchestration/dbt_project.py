"""The dbt project as dagster-dbt sees it, and its manifest."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"

# dbt must never phone home (no network here, and users' pipelines should not either).
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest() -> Path:
    """Parse the dbt project when there is no manifest yet (a fresh clone) or in `dagster dev`."""
    if DBT_PROJECT.manifest_path.exists():
        DBT_PROJECT.prepare_if_dev()
    else:
        DBT_PROJECT.preparer.prepare(DBT_PROJECT)
    return DBT_PROJECT.manifest_path
