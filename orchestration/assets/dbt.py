"""dbt models as Dagster assets: sources map to the raw-table assets, tests to asset checks."""

import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import DBT_PROJECT, ensure_manifest
from orchestration.settings_resource import TallySettingsResource


class TallyDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema (`staging/stg_...`, `marts/kpi_monthly`); sources are `raw/<table>`,
    the same keys the ingestion assets produce, so the graph is one lineage."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema")


ensure_manifest()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    dagster_dbt_translator=TallyDbtTranslator(),
    project=DBT_PROJECT,
    name="tally_dbt",
)
def tally_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, tally: TallySettingsResource
):
    settings = tally.settings()
    os.environ.update(settings.dbt_env())
    args = ["build", "--vars", json.dumps(settings.dbt_vars())]
    yield from dbt.cli(args, context=context).stream()
