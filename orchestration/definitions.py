"""The one Definitions object: `dagster dev` (workspace.yaml) and `tally run` both load it.

Two jobs, because a Dagster run has one partitions definition:
- `tally_daily` (daily partitions): load the days' files, refresh the day-grain facts for those
  days, rebuild the state models;
- `tally_monthly` (monthly partitions): refresh the month-grain marts, then publish.
A refresh is the first for a range of days and then the second for the months it moves; the
nightly schedule, the landing sensor and `tally run` all chain them that way.
"""

from __future__ import annotations

import dagster as dg

from ingestion.settings import Settings
from orchestration.assets.dbt import build_dbt_assets
from orchestration.assets.ingestion import build_ingestion_assets, ingest_finance
from orchestration.serving.publish import published_warehouse
from orchestration.partitions import daily_partitions, monthly_partitions
from orchestration.resources import build_resources
from orchestration.schedules import (
    build_landing_sensor,
    build_month_refresh_sensor,
    build_nightly_schedule,
)

DAILY_JOB = "tally_daily"
MONTHLY_JOB = "tally_monthly"


def build_definitions(settings: Settings) -> dg.Definitions:
    daily, monthly = daily_partitions(settings), monthly_partitions(settings)
    ingestion = [*build_ingestion_assets(daily), ingest_finance]
    daily_dbt, state_dbt, monthly_dbt = build_dbt_assets(daily, monthly)
    daily_job = dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.assets(*ingestion, daily_dbt, state_dbt),
        description="Load the selected days' files, refresh their day-grain facts, rebuild the "
        "state models (staging, identity, subscriptions, daily KPIs, cohorts).",
    )
    monthly_job = dg.define_asset_job(
        MONTHLY_JOB,
        selection=dg.AssetSelection.assets(monthly_dbt, published_warehouse),
        description="Refresh the selected months of the month-grain marts, then publish the "
        "warehouse to BI tools.",
    )
    return dg.Definitions(
        assets=[
            *ingestion,
            daily_dbt,
            state_dbt,
            monthly_dbt,
            published_warehouse,
        ],
        jobs=[daily_job, monthly_job],
        schedules=[build_nightly_schedule(daily_job, settings)],
        sensors=[
            build_landing_sensor(daily_job, settings),
            build_month_refresh_sensor(daily_job, monthly_job, settings),
        ],
        resources=build_resources(settings),
        # One DuckDB file takes one writer: steps run one after another in one process.
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings())
