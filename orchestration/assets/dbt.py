"""dbt models as Dagster assets, in three groups by how they refresh:

- day-grain facts (dbt tag `daily`): daily partitions; incremental models that rebuild only the
  partition window's days, fed to dbt as the vars `partition_start` / `partition_end`;
- state models (untagged): staging, identity, subscription history, dims, day-grain KPI table,
  cohorts. They are small next to the events, and a late record can restate any earlier day, so
  they are rebuilt whole from the latest versions every run;
- month-grain marts (tag `monthly`): monthly partitions, fed `month_start` / `month_end`; a
  refresh also rewrites any earlier month whose rows changed (restatements).

Sources map to the raw-table assets and dbt tests to asset checks.
"""

import json
import os
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt_project import DBT_PROJECT, ensure_manifest
from orchestration.settings_resource import TallySettingsResource
from orchestration.serving.warehouse import ensure_work_file

DAILY_SELECT = "tag:daily"
MONTHLY_SELECT = "tag:monthly"


class TallyDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema (`staging/stg_...`, `marts/kpi_monthly`); a source table
    `raw.<source>_<object>` is the ingestion asset `raw/<source>` that loads it, so the graph is
    one lineage from landing files to marts."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props["name"]
            if table in ("quarantine", "load_audit"):
                return dg.AssetKey(["raw", table])
            return dg.AssetKey(["raw", table.split("_", 1)[0]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema")


TRANSLATOR = TallyDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


def _window_vars(context: dg.AssetExecutionContext, kind: str) -> dict[str, str]:
    """The run's partition window as inclusive dates (a range of partitions is one window)."""
    window = context.partition_time_window
    first, last = window.start.date(), (window.end - timedelta(days=1)).date()
    if kind == "month":
        return {"month_start": first.isoformat(), "month_end": last.replace(day=1).isoformat()}
    return {"partition_start": first.isoformat(), "partition_end": last.isoformat()}


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    tally: TallySettingsResource,
    window: dict[str, str],
) -> Iterator[Any]:
    settings = tally.settings()
    os.environ.update(settings.dbt_env(ensure_work_file(settings.warehouse_path)))
    args = ["build", "--vars", json.dumps({**settings.dbt_vars(), **window})]
    if context.run.tags.get("tally/full_refresh") == "true":
        args.append("--full-refresh")
    yield from dbt.cli(args, context=context).stream()


def build_dbt_assets(
    daily: dg.PartitionsDefinition, monthly: dg.PartitionsDefinition
) -> list[dg.AssetsDefinition]:
    ensure_manifest()
    common = {
        "manifest": DBT_PROJECT.manifest_path,
        "dagster_dbt_translator": TRANSLATOR,
        "project": DBT_PROJECT,
    }

    @dbt_assets(
        **common,
        select=DAILY_SELECT,
        partitions_def=daily,
        backfill_policy=dg.BackfillPolicy.single_run(),
        name="tally_dbt_daily",
    )
    def daily_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, tally: TallySettingsResource
    ):
        yield from _build(context, dbt, tally, _window_vars(context, "day"))

    @dbt_assets(**common, exclude=f"{DAILY_SELECT} {MONTHLY_SELECT}", name="tally_dbt_state")
    def state_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, tally: TallySettingsResource
    ):
        yield from _build(context, dbt, tally, {})

    @dbt_assets(
        **common,
        select=MONTHLY_SELECT,
        partitions_def=monthly,
        backfill_policy=dg.BackfillPolicy.single_run(),
        name="tally_dbt_monthly",
    )
    def monthly_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, tally: TallySettingsResource
    ):
        yield from _build(context, dbt, tally, _window_vars(context, "month"))

    return [daily_models, state_models, monthly_models]
