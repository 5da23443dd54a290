"""The Definitions object: loads, and forms one lineage from landing files to models."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import dagster as dg

from ingestion.catalog import ALL_OBJECTS
from ingestion.settings import Settings
from orchestration.definitions import DAILY_JOB, MONTHLY_JOB, build_definitions


def _defs(landing: Path, tmp_path: Path) -> dg.Definitions:
    return build_definitions(Settings(landing_dir=landing, warehouse_path=tmp_path / "w.duckdb"))


def test_definitions_load_with_job_and_schedule(small_landing: Path, tmp_path: Path) -> None:
    defs = _defs(small_landing, tmp_path)
    daily = defs.resolve_job_def(DAILY_JOB)
    assert daily.partitions_def.get_first_partition_key() == "2025-01-01"
    monthly = defs.resolve_job_def(MONTHLY_JOB)
    assert monthly.partitions_def.get_first_partition_key() == "2025-01-01"
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 2 * * *"


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


def test_partitioned_assets_backfill_in_a_single_run(small_landing: Path, tmp_path: Path) -> None:
    graph = _defs(small_landing, tmp_path).resolve_asset_graph()
    for key, cadence in [
        (["raw", "ga4"], "DailyPartitionsDefinition"),
        (["core", "fct_web_sessions"], "DailyPartitionsDefinition"),
        (["staging", "stg_ga4__events"], "DailyPartitionsDefinition"),
        (["marts", "kpi_monthly"], "MonthlyPartitionsDefinition"),
        (["marts", "mrr_movements"], "MonthlyPartitionsDefinition"),
    ]:
        node = graph.get(dg.AssetKey(key))
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
        assert type(node.partitions_def).__name__ == cadence, key
    # state models (rebuilt whole from the latest versions) are not partitioned
    assert graph.get(dg.AssetKey(["core", "dim_customer"])).partitions_def is None


def test_a_month_depends_on_all_its_days(small_landing: Path, tmp_path: Path) -> None:
    graph = _defs(small_landing, tmp_path).resolve_asset_graph()
    month = dg.AssetKey(["marts", "kpi_by_channel_monthly"])
    sessions = dg.AssetKey(["core", "fct_web_sessions"])
    assert sessions in graph.get(month).parent_keys
    upstream = graph.get_parent_partition_keys_for_child("2025-02-01", sessions, month)
    assert sorted(upstream.partitions_subset.get_partition_keys()) == [
        f"2025-02-{d:02d}" for d in range(1, 29)
    ]


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
    assert request.partition_key == "2025-05-31"


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
        assert run.tags["dagster/asset_partition_range_end"] == "2025-05-31"
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
        assert run.tags["dagster/asset_partition_range_start"] == "2025-03-03"
        assert run.tags["dagster/asset_partition_range_end"] == "2025-03-03"


def test_ingestion_assets_carry_reconciliation_and_freshness_checks(
    small_landing: Path, tmp_path: Path
) -> None:
    graph = _defs(small_landing, tmp_path).resolve_asset_graph()
    names = {c.name for c in graph.asset_check_keys if c.asset_key == dg.AssetKey(["raw", "ga4"])}
    assert names == {"lines_reconcile", "no_quarantined_lines", "fresh"}


def test_on_the_first_the_nightly_run_closes_last_month() -> None:
    from datetime import date

    from orchestration.schedules import month_refresh_request

    # the nightly run of 2025-06-01 builds 2025-05-31; the month refresh after it closes May
    request = month_refresh_request(
        {"dagster/partition": "2025-05-31"}, as_of=date(2025, 5, 31), run_key="k"
    )
    assert request.tags["dagster/asset_partition_range_start"] == "2025-05-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-05-01"


def test_a_late_day_refreshes_its_month_through_the_latest() -> None:
    from datetime import date

    from orchestration.schedules import month_refresh_request

    tags = {
        "dagster/asset_partition_range_start": "2025-03-10",
        "dagster/asset_partition_range_end": "2025-03-12",
    }
    request = month_refresh_request(tags, as_of=date(2025, 5, 31), run_key="k")
    assert request.tags["dagster/asset_partition_range_start"] == "2025-03-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-05-01"


def test_month_refresh_sensor_follows_the_daily_job(small_landing: Path, tmp_path: Path) -> None:
    from orchestration.definitions import DAILY_JOB, MONTHLY_JOB

    defs = _defs(small_landing, tmp_path)
    sensor = defs.resolve_sensor_def("month_refresh_after_daily")
    assert [j.name for j in sensor.jobs] == [MONTHLY_JOB]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert DAILY_JOB in {j.name for j in defs.resolve_all_job_defs()}
