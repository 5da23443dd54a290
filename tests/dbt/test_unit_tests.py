"""dbt unit tests (`unit_tests:` in YAML beside the models) pass: the business logic of the
intermediate and core models on hand-made rows (versions in time, discounts in array order,
trials, FX conversion, new vs reactivation, restatement by a late `ended_at`, ...).

Unit tests need their input relations to exist (dbt reads their column types), so this builds
an empty warehouse first: the raw tables as the loader creates them, then `dbt run --empty`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import yaml

from ingestion.catalog import ALL_OBJECTS
from ingestion.finance import ensure_finance_tables
from ingestion.loader import ensure_raw_tables
from orchestration.dbt_project import DBT_ENV, DBT_PROJECT_DIR, dbt_executable


def _written_unit_tests() -> int:
    """How many unit tests the project's YAML declares."""
    count = 0
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        document = yaml.safe_load(path.read_text()) or {}
        count += len(document.get("unit_tests") or [])
    return count


def _dbt(args: list[str], database: Path, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            dbt_executable(),
            *args,
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            **os.environ,
            **DBT_ENV,
            # the profile reads the database path from either name
            "TALLY_WAREHOUSE": str(database),
            "TALLY_PIPELINE_DB": str(database),
        },
    )


def test_dbt_unit_tests_pass_on_an_empty_warehouse(tmp_path: Path) -> None:
    database, target = tmp_path / "unit.duckdb", tmp_path / "target"
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con, ALL_OBJECTS)
        ensure_finance_tables(con)

    built = _dbt(["run", "--empty"], database, target)
    assert built.returncode == 0, built.stdout[-4000:]

    tested = _dbt(["test", "--select", "test_type:unit"], database, target)
    assert tested.returncode == 0, tested.stdout[-6000:]

    results = json.loads((target / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    failed = [r["unique_id"] for r in unit if r["status"] != "pass"]
    assert not failed, failed
    written = _written_unit_tests()
    assert written >= 30
    assert len(unit) >= written, (len(unit), written)
