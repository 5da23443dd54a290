"""dbt models as Dagster assets: sources map to the raw-table assets, tests to asset checks."""

import json
import os
from collections.abc import Mapping
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
from orchestration.warehouse import ensure_work_file


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


ensure_manifest()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    dagster_dbt_translator=TallyDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
    ),
    project=DBT_PROJECT,
    name="tally_dbt",
)
def tally_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, tally: TallySettingsResource
):
    settings = tally.settings()
    os.environ.update(settings.dbt_env(ensure_work_file(settings.warehouse_path)))
    args = ["build", "--vars", json.dumps(settings.dbt_vars())]
    yield from dbt.cli(args, context=context).stream()
