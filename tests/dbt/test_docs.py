"""`dbt docs generate` works on a built warehouse and every mart column is described."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.dbt_project import DBT_PROJECT_DIR

pytestmark = pytest.mark.e2e


def test_docs_generate_describes_every_mart_column(small_warehouse: Path, tmp_path: Path) -> None:
    database = tmp_path / "docs.duckdb"
    shutil.copyfile(small_warehouse, database)
    target = tmp_path / "target"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "docs",
            "generate",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TALLY_WAREHOUSE": str(database)},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    marts = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts"
    }
    assert set(marts) == {
        "kpi_daily",
        "kpi_monthly",
        "kpi_by_channel_monthly",
        "mrr_movements",
        "cohort_retention",
        "kpi_long",
    }
    for name, node in marts.items():
        built = catalog["nodes"][node["unique_id"]]["columns"]
        undocumented = [c for c in built if not node["columns"].get(c, {}).get("description")]
        assert not undocumented, (name, undocumented)
