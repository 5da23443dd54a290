"""The dbt project as Dagster assets and checks, read from the real manifest, and dbt's result
lines (dbt-core 1.11's JSON log format) as the Dagster events that record them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from ingestion.pending import mark_pending
from orchestration.assets.dbt_graph import (
    check_specs,
    dagster_events,
    load_manifest,
    model_specs,
)
from orchestration.dbt_build import DbtInvocation
from orchestration.dbt_project import MANIFEST_PATH, ensure_manifest
from tests.conftest import copy_warehouse, pipeline_db


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    ensure_manifest()
    return load_manifest(MANIFEST_PATH)


def _result(name: str, unique_id: str, status: str, **data: Any) -> dict[str, Any]:
    """A result line as dbt-core 1.11 writes it with `--log-format json` (trimmed)."""
    return {
        "info": {"name": name, "level": "info", "msg": f"... {status}"},
        "data": {
            "node_info": {"unique_id": unique_id, "node_status": status},
            "execution_time": 0.25,
            **data,
        },
    }


def _test_id(manifest: dict[str, Any], name: str) -> str:
    return next(u for u, n in manifest["nodes"].items() if n["name"] == name)


def test_every_model_is_an_asset_keyed_by_schema_and_sources_are_raw(manifest) -> None:
    specs = {spec.key: spec for spec in model_specs(manifest)}
    built = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert set(specs) == {dg.AssetKey([n["schema"], n["name"]]) for n in built}
    customers = specs[dg.AssetKey(["staging", "stg_stripe__customers"])]
    assert {d.asset_key for d in customers.deps} == {dg.AssetKey(["raw", "stripe"])}
    assert customers.group_name == "staging"
    kpis = specs[dg.AssetKey(["marts", "kpi_monthly"])]
    assert dg.AssetKey(["intermediate", "int_kpi_billing"]) in {d.asset_key for d in kpis.deps}
    assert "#### Raw SQL" in (kpis.description or "")


def test_a_test_on_one_model_is_a_check_of_it(manifest) -> None:
    checks = {(c.asset_key, c.name) for c in check_specs(manifest)}
    customers = dg.AssetKey(["staging", "stg_stripe__customers"])
    assert any(key == customers for key, _ in checks)
    # a test over several models names the one it guards (meta.dagster.ref)
    history = dg.AssetKey(["staging", "stg_stripe__subscription_history"])
    assert (history, "assert_no_id_lost_from_raw_to_staging") in checks
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(checks) == len(tests)


def test_a_built_model_is_materialized_a_failed_or_skipped_one_is_not(manifest) -> None:
    uid = "model.tally.kpi_monthly"
    [event] = dagster_events(_result("LogModelResult", uid, "success"), manifest)
    assert isinstance(event, dg.MaterializeResult)
    assert event.asset_key == dg.AssetKey(["marts", "kpi_monthly"])
    assert event.metadata["Execution Duration"] == 0.25
    for status in ("error", "skipped"):
        assert list(dagster_events(_result("LogModelResult", uid, status), manifest)) == []
    # progress lines and other events record nothing
    started = _result("LogStartLine", uid, "started")
    assert list(dagster_events(started, manifest)) == []


def test_test_results_are_check_results_with_dbt_severity(manifest) -> None:
    check = next(
        c for c in check_specs(manifest) if c.asset_key.path == ["staging", "stg_stripe__customers"]
    )
    uid = _test_id(manifest, check.name)
    passed, warned, failed = (
        next(iter(dagster_events(_result("LogTestResult", uid, s, num_failures=n), manifest)))
        for s, n in (("pass", 0), ("warn", 3), ("fail", 2))
    )
    assert (passed.passed, passed.asset_key, passed.check_name) == (
        True,
        check.asset_key,
        check.name,
    )
    assert (warned.passed, warned.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert warned.metadata["failed_row_count"].value == 3
    assert (failed.passed, failed.severity) == (False, dg.AssetCheckSeverity.ERROR)
    # a unit test (never run by a refresh) records nothing
    unit = _result("LogTestResult", "unit_test.tally.kpi_monthly.x", "pass")
    assert list(dagster_events(unit, manifest)) == []


def test_the_invocation_reads_json_lines_and_keeps_other_output_and_errors() -> None:
    lines = [
        json.dumps({"info": {"name": "MainReportVersion", "level": "info", "msg": "dbt=1.11"}}),
        "a warning printed by Python",
        json.dumps({"info": {"name": "RunResultError", "level": "error", "msg": "boom"}}),
    ]
    script = "import sys; print(sys.argv[1]); sys.exit(1)"
    process = subprocess.Popen(
        [sys.executable, "-c", script, "\n".join(lines)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    invocation = DbtInvocation(process)
    read = list(invocation.lines())
    assert read[1] == "a warning printed by Python"
    names = [r["info"]["name"] for r in (read[0], read[2])]
    assert names == ["MainReportVersion", "RunResultError"]
    assert invocation.errors == ["boom"]
    assert not invocation.succeeded


def test_a_build_that_stops_before_its_nodes_says_why_from_the_stream(tmp_path: Path) -> None:
    """A real dbt that cannot open its database: the run's summary gets dbt's own error from
    the JSON stream (dbt.log is text, for people)."""
    from orchestration.check_results import dbt_errors
    from orchestration.dbt_build import start_dbt

    missing = tmp_path / "no-such-folder" / "pipeline.duckdb"
    invocation = start_dbt(
        ["build", "--select", "kpi_monthly", "--vars", json.dumps({"pipeline_db": str(missing)})],
        tmp_path,
        tmp_path / "target",
        "duckdb",
    )
    list(invocation.lines())
    assert not invocation.succeeded
    errors = dbt_errors(invocation.errors)
    assert errors and f'Cannot open file "{missing}"' in errors[0]
    assert f'Cannot open file "{missing}"' in (tmp_path / "target" / "dbt.log").read_text()


@pytest.mark.e2e
def test_a_ui_selection_of_one_model_builds_and_checks_only_it(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    """A partial selection (the UI's "Materialize selected"): dbt builds the selected model and
    its tests, the run records exactly those, and the landed days stay pending for the models
    it did not build."""
    from orchestration.assets.dbt import dbt_models
    from orchestration.resources import build_resources
    from orchestration.settings import TallySettings

    warehouse = copy_warehouse(small_warehouse, tmp_path / "w.duckdb")
    with duckdb.connect(str(pipeline_db(warehouse))) as con:
        mark_pending(con, "ga4", "events", [date(2025, 3, 3)])
    settings = TallySettings.from_env(
        environ={}, landing_dir=small_landing, warehouse_path=warehouse
    )
    kpis = dg.AssetKey(["marts", "kpi_monthly"])
    result = dg.materialize([dbt_models], selection=[kpis], resources=build_resources(settings))
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {kpis}
    checked = {e.asset_check_key.asset_key for e in result.get_asset_check_evaluations()}
    assert checked == {kpis}
    with duckdb.connect(str(pipeline_db(warehouse)), read_only=True) as con:
        assert con.execute("select count(*) from raw.pending_partitions").fetchone()[0] == 1
