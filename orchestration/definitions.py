"""The one Definitions object: `dagster dev` (workspace.yaml) and `tally run` both load it."""

from __future__ import annotations

import dagster as dg

from ingestion.settings import Settings
from orchestration.assets.dbt import tally_dbt_models
from orchestration.assets.ingestion import build_ingestion_assets, ingest_finance
from orchestration.assets.publish import published_warehouse
from orchestration.partitions import daily_partitions
from orchestration.resources import build_resources
from orchestration.schedules import build_landing_sensor, build_nightly_schedule

MAIN_JOB = "tally_pipeline"


def build_definitions(settings: Settings) -> dg.Definitions:
    partitions = daily_partitions(settings)
    main_job = dg.define_asset_job(
        MAIN_JOB,
        selection=dg.AssetSelection.all(),
        description="Load the landed files of the selected days, then build every dbt model.",
    )
    return dg.Definitions(
        assets=[
            *build_ingestion_assets(partitions),
            ingest_finance,
            tally_dbt_models,
            published_warehouse,
        ],
        jobs=[main_job],
        schedules=[build_nightly_schedule(main_job, settings)],
        sensors=[build_landing_sensor(main_job, settings)],
        resources=build_resources(settings),
        # One DuckDB file takes one writer: steps run one after another in one process.
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings())
