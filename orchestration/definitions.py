"""The one Definitions object: `dagster dev` (workspace.yaml) and `tally run` both load it.

One job, `tally_refresh`, over monthly load partitions narrowed to exact days by run tags
(orchestration/partitions.py): load the selected days' files, run ONE
`dbt build` (the days' GA4 facts, the state models, the month marts they move, their checks),
then publish. The nightly schedule, the landing sensor, a UI backfill and `tally run` all
request it for a range of days; a range of any length is one run.
"""

from __future__ import annotations

import warnings

import dagster as dg

from orchestration.assets.dbt import dbt_models
from orchestration.assets.ingestion import build_ingestion_assets, ingest_finance
from orchestration.logs import plain_logger, warnings_logger
from orchestration.partitions import landing_partitions
from orchestration.resources import build_resources
from orchestration.schedules import build_landing_sensor, build_nightly_schedule
from orchestration.serving.publish import published_warehouse
from orchestration.settings import TallySettings

REFRESH_JOB = "tally_refresh"

# Single-run backfill policies are marked beta; they are the design here, not an experiment.
warnings.filterwarnings("ignore", category=dg.BetaWarning)


def build_definitions(settings: TallySettings) -> dg.Definitions:
    ingestion = [*build_ingestion_assets(landing_partitions(settings)), ingest_finance]
    refresh = dg.define_asset_job(
        REFRESH_JOB,
        selection=dg.AssetSelection.assets(*ingestion, dbt_models, published_warehouse),
        description="Load the selected days' files, build every dbt model they move in one dbt "
        "invocation (facts of those days, state models, month marts, checks), then publish.",
    )
    return dg.Definitions(
        assets=[*ingestion, dbt_models, published_warehouse],
        jobs=[refresh],
        schedules=[build_nightly_schedule(refresh, settings)],
        sensors=[build_landing_sensor(refresh, settings)],
        resources=build_resources(settings),
        loggers={"console": plain_logger, "warnings": warnings_logger},
        # One DuckDB file takes one writer: steps run one after another in one process.
        executor=dg.in_process_executor,
    )


defs = build_definitions(TallySettings.from_env())
