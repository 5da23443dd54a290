"""Every dbt model as a Dagster asset, built by ONE `dbt build` per refresh.

The day-grain GA4 facts are incremental: they rebuild the days loaded since the last successful
build (`raw.pending_partitions`, read by `macros/partition_window.sql`); the state models are
rebuilt from the latest record versions; the month marts rewrite the months a refresh moves.
The models are unpartitioned assets: Dagster records one materialization per model per run, not
one per day, while the ingestion assets keep the daily partitions the UI shows.

dbt tests are asset checks of the models they guard. Unit tests and full-history tests belong to
`make test`, not to the nightly: the build excludes unit tests, tests on windowed models see
only the rows the refresh wrote, and column hygiene tests run on full builds only (a refresh's
Dagster run shows them planned, not executed; `TALLY_REFRESH_TESTS=all` runs them every time).
"""

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)
from dagster_duckdb import DuckDBResource

from ingestion.pending import clear_pending, ensure_pending_table, utc_now
from orchestration.check_results import blocking_summary, dbt_errors, read_outcomes
from orchestration.dbt_project import DBT_PROJECT, drop_stale_partial_parse
from orchestration.logs import PROGRESS
from orchestration.run_lock import RunLock
from orchestration.serving.warehouse import mart_docs, start_renderer
from orchestration.settings import TallySettings
from orchestration.spark_engine import export_raw, import_marts

VENDOR_SOURCES = ("stripe", "hubspot", "ga4", "zendesk", "finance")
FULL_REFRESH_TAG = "tally/full_refresh"


class TallyDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema (`staging/stg_...`, `marts/kpi_monthly`). A vendor's dbt source is
    the ingestion asset `raw/<vendor>` that loads it, so the graph is one lineage from landing
    files to marts; the loader's own tables (source `loader`) are `raw/<table>`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            source, table = dbt_resource_props["source_name"], dbt_resource_props["name"]
            if source in VENDOR_SOURCES:
                return dg.AssetKey(["raw", source])
            return dg.AssetKey(["raw", table])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema")


TRANSLATOR = TallyDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


def _with_progress(context: dg.AssetExecutionContext, events: Iterator[Any]) -> Iterator[Any]:
    """dbt's events, passed on; every 10 s a line saying how far the build is."""
    total = len(context.selected_asset_keys)
    built = tested = 0
    last = time.monotonic()
    for event in events:
        if isinstance(event, dg.AssetCheckResult):
            tested += 1
        elif isinstance(event, (dg.Output, dg.AssetMaterialization, dg.MaterializeResult)):
            built += 1
        if time.monotonic() - last >= 10:
            context.log.info(f"{PROGRESS} dbt: {built}/{total} models built, {tested} tests run")
            last = time.monotonic()
        yield event


# Column hygiene (a column not null, unique, within a list of values) is checked on every full
# build and in `make test`; a refresh checks the invariants the numbers rest on (primary keys,
# reconciliation, the MRR bridge: tests/) and the plausibility ranges, which warn.
COLUMN_TESTS = ("not_null", "unique", "accepted_values")


def build_args(settings: TallySettings, full_refresh: bool, first_build: bool = False) -> list[str]:
    dbt_vars = settings.dbt_vars()
    args = [
        "build",
        "--no-use-colors",
        *(["--vars", json.dumps(dbt_vars, sort_keys=True)] if dbt_vars else []),
        "--exclude-resource-type",
        "unit_test",
    ]
    if full_refresh:
        return [*args, "--full-refresh"]
    if first_build or settings.refresh_tests == "all":
        return args
    return [*args, "--exclude", " ".join(f"test_name:{name}" for name in COLUMN_TESTS)]


def has_built(con: Any, engine: str) -> bool:
    """Whether a build has succeeded on this warehouse (its marts exist)."""
    schema = "marts" if engine == "duckdb" else "spark_marts"
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = 'kpi_monthly'",
            [schema],
        ).fetchone()[0]
    )


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="tally_dbt",
)
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    tally: TallySettings,
    duckdb: DuckDBResource,
    run_lock: RunLock,  # held for the whole run: one writer per warehouse
) -> Iterator[Any]:
    with duckdb.get_connection() as con:
        ensure_pending_table(con)
        first_build = not has_built(con, tally.engine)
        if tally.engine == "spark":
            exported = export_raw(con, tally)
            context.log.info(
                f"raw layer for Spark: {exported.tables} tables, "
                f"{exported.days_written} day(s) written"
            )
    drop_stale_partial_parse(tally.dbt_target_dir)
    # A build that fails before running a node writes no results: never report the last run's.
    # (manifest.json: earlier versions wrote one per build; the project's describes the nodes.)
    for artifact in ("run_results.json", "dbt.log", "manifest.json", "semantic_manifest.json"):
        (tally.dbt_target_dir / artifact).unlink(missing_ok=True)
    started = utc_now()
    start_renderer()  # the dashboard's libraries, for the publish step: load while dbt builds
    invocation = dbt.cli(
        build_args(tally, context.run.tags.get(FULL_REFRESH_TAG) == "true", first_build),
        context=context,
        target_path=tally.dbt_target_dir,
        raise_on_error=False,
    )
    yield from _with_progress(context, invocation.stream())
    outcomes = read_outcomes(tally.dbt_target_dir, tally.models_db, DBT_PROJECT.manifest_path)
    for outcome in (o for o in outcomes if not o.blocking):
        context.log.warning(f"check {outcome.check} on {outcome.model} warns: {outcome.message}")
    if not invocation.is_successful():
        lines = (
            blocking_summary(outcomes, tally.models_db)
            or dbt_errors(tally.dbt_target_dir)
            or ["dbt build failed"]
        )
        raise dg.Failure(description="\n".join(lines), allow_retries=False)
    with duckdb.get_connection() as con:
        if tally.engine == "spark":
            docs = mart_docs(DBT_PROJECT.manifest_path)
            order = {name: list(doc["columns"]) for name, doc in docs.items()}
            imported = import_marts(con, tally, order)
            context.log.info(f"Spark marts copied for publishing: {imported}")
        cleared = clear_pending(con, started)
    context.log.info(f"built; {cleared} pending partition mark(s) cleared")
