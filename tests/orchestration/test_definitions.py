"""The Definitions object: loads, and forms one lineage from landing files to models."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import dagster as dg

from ingestion.catalog import ALL_OBJECTS
from orchestration.definitions import REFRESH_JOB, build_definitions
from orchestration.settings import TallySettings


def _settings(landing: Path, tmp_path: Path) -> TallySettings:
    return TallySettings.from_env(
        environ={}, landing_dir=landing, warehouse_path=tmp_path / "w.duckdb"
    ).with_overrides(partitions_start="2025-01-01")


def _defs(landing: Path, tmp_path: Path) -> dg.Definitions:
    return build_definitions(_settings(landing, tmp_path))


def test_definitions_load_with_job_and_schedule(small_landing: Path, tmp_path: Path) -> None:
    defs = _defs(small_landing, tmp_path)
    refresh = defs.resolve_job_def(REFRESH_JOB)
    assert refresh.partitions_def.get_first_partition_key() == "2025-01-01"
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert {s.name for s in defs.sensors} == {"landing_zone_sensor"}


def test_definitions_do_not_depend_on_the_data(tmp_path: Path) -> None:
    """No landing zone, no warehouse: the definitions load, with the configured start, and
    loading them creates nothing."""
    settings = TallySettings.from_env(
        environ={}, landing_dir=tmp_path / "absent", warehouse_path=tmp_path / "no" / "w.duckdb"
    )
    defs = build_definitions(settings)
    first = defs.resolve_job_def(REFRESH_JOB).partitions_def.get_first_partition_key()
    assert first == "2024-01-01"
    assert list(tmp_path.iterdir()) == []


def test_every_dbt_source_is_an_ingestion_asset(small_landing: Path, tmp_path: Path) -> None:
    graph = _defs(small_landing, tmp_path).resolve_asset_graph()
    raw_keys = {dg.AssetKey(["raw", s.source]) for s in ALL_OBJECTS} | {
        dg.AssetKey(["raw", "finance"])
    }
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert raw_keys <= materializable
    staging = dg.AssetKey(["staging", "stg_stripe__subscription_history"])
    assert dg.AssetKey(["raw", "stripe"]) in graph.get(staging).parent_keys
    # every staging model hangs off a loaded asset, never off a dangling external source
    for key in graph.get_all_asset_keys():
        if key.path[0] == "staging":
            assert graph.get(key).parent_keys <= materializable | {
                k for k in graph.get_all_asset_keys() if k.path[0] == "staging"
            }, key


def test_days_partition_the_loads_and_models_run_once_per_refresh(
    small_landing: Path, tmp_path: Path
) -> None:
    graph = _defs(small_landing, tmp_path).resolve_asset_graph()
    ga4 = graph.get(dg.AssetKey(["raw", "ga4"]))
    assert ga4.backfill_policy == dg.BackfillPolicy.single_run()
    # monthly: a day's partition event per source costs more than loading a small day
    assert type(ga4.partitions_def).__name__ == "MonthlyPartitionsDefinition"
    # dbt models: one materialization per refresh, not one per day (bookkeeping is not free)
    for key in (["core", "fct_web_sessions"], ["marts", "kpi_monthly"], ["core", "dim_customer"]):
        assert graph.get(dg.AssetKey(key)).partitions_def is None, key


def test_a_run_loads_exactly_its_days_within_its_months() -> None:
    from datetime import date

    from orchestration.partitions import days_to_load, range_tags

    tags = range_tags(date(2025, 2, 27), date(2025, 3, 2))
    assert (
        tags["dagster/asset_partition_range_start"],
        tags["dagster/asset_partition_range_end"],
    ) == (
        "2025-02-01",
        "2025-03-01",
    )
    days = days_to_load(date(2025, 2, 1), date(2025, 4, 1), tags)
    assert [d.isoformat() for d in days] == ["2025-02-27", "2025-02-28", "2025-03-01", "2025-03-02"]
    # a UI run of a month partition, no day tags: the whole month
    assert len(days_to_load(date(2025, 2, 1), date(2025, 3, 1), {})) == 28


def test_every_dbt_model_is_built_by_one_dbt_invocation(
    small_landing: Path, tmp_path: Path
) -> None:
    defs = _defs(small_landing, tmp_path)
    graph = defs.resolve_asset_graph()
    dbt_keys = {k for k in graph.get_all_asset_keys() if k.path[0] in ("staging", "core", "marts")}
    owners = {
        graph.get(k).assets_def.node_def.name for k in dbt_keys if graph.get(k).is_materializable
    }
    assert owners == {"tally_dbt"}


def test_dbt_tests_surface_as_asset_checks(small_landing: Path, tmp_path: Path) -> None:
    graph = _defs(small_landing, tmp_path).resolve_asset_graph()
    checks = graph.asset_check_keys
    assert any(c.asset_key == dg.AssetKey(["staging", "stg_stripe__customers"]) for c in checks)


def test_workspace_loads_the_module_definitions() -> None:
    from orchestration import definitions

    assert isinstance(definitions.defs, dg.Definitions)


def test_nightly_schedule_builds_yesterday(small_landing: Path, tmp_path: Path) -> None:
    from datetime import datetime

    schedule = _defs(small_landing, tmp_path).resolve_schedule_def("nightly_refresh")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    )
    request = schedule(context)  # the schedule's function, as the daemon's tick calls it
    assert request.partition_key == "2025-05-01"  # May's load partition, narrowed to its last day
    assert request.tags["tally/first_day"] == request.tags["tally/last_day"] == "2025-05-31"


def test_sensor_requests_one_run_for_new_and_relanded_days(
    small_landing: Path, tmp_path: Path
) -> None:
    import json
    import shutil

    landing = tmp_path / "landing"
    shutil.copytree(small_landing, landing)
    defs = _defs(landing, tmp_path)
    sensor = defs.resolve_sensor_def("landing_zone_sensor")
    with dg.instance_for_test() as instance:
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, definitions=defs))
        [run] = first.run_requests
        assert run.tags["dagster/asset_partition_range_start"] == "2025-01-01"
        assert run.tags["dagster/asset_partition_range_end"] == "2025-05-01"
        assert run.tags["tally/last_day"] == "2025-05-31"
        cursor = first.cursor
        idle = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
        )
        assert idle.run_requests == [] or idle.run_requests is None
        relanded = landing / "zendesk" / "tickets" / "2025-03-03.jsonl"
        relanded.write_text(relanded.read_text())
        newest = json.loads(cursor)["mtime"]
        import os

        os.utime(relanded, (newest + 10, newest + 10))
        late = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
        )
        [run] = late.run_requests
        assert run.tags["dagster/asset_partition_range_start"] == "2025-03-01"
        assert run.tags["tally/first_day"] == run.tags["tally/last_day"] == "2025-03-03"


def test_ingestion_assets_carry_reconciliation_and_freshness_checks(
    small_landing: Path, tmp_path: Path
) -> None:
    graph = _defs(small_landing, tmp_path).resolve_asset_graph()
    names = {c.name for c in graph.asset_check_keys if c.asset_key == dg.AssetKey(["raw", "ga4"])}
    assert names == {"lines_reconcile", "no_quarantined_lines", "fresh"}
