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

import time
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingestion.pending import clear_pending, ensure_pending_table, utc_now
from orchestration.assets.dbt_graph import (
    check_specs,
    dagster_events,
    load_manifest,
    model_specs,
)
from orchestration.check_results import blocking_summary, dbt_errors, read_outcomes
from orchestration.dbt_build import start_dbt, vars_args
from orchestration.dbt_project import MANIFEST_PATH
from orchestration.logs import PROGRESS
from orchestration.run_lock import RunLock
from orchestration.serving.warehouse import mart_docs, start_renderer
from orchestration.settings import TallySettings
from orchestration.spark_engine import export_raw, import_marts

FULL_REFRESH_TAG = "tally/full_refresh"
MANIFEST = load_manifest(MANIFEST_PATH)
MODEL_SPECS = model_specs(MANIFEST)


def _recorded(context: dg.AssetExecutionContext, lines: Iterator[Any]) -> Iterator[Any]:
    """dbt's log into the run's log (stdout), and the Dagster events its nodes record: a
    materialization per model built, a check result per test run (only the selected ones: a
    partial selection from the UI still runs the tests that also read other models). Every
    10 s a line saying how far the build is."""
    checks = context.selected_asset_check_keys
    total = len(context.selected_asset_keys)
    built = tested = 0
    last = time.monotonic()
    for line in lines:
        print(line if isinstance(line, str) else line["info"].get("msg", ""), flush=True)
        if isinstance(line, str):
            continue
        for event in dagster_events(line, MANIFEST):
            if isinstance(event, dg.AssetCheckResult):
                if dg.AssetCheckKey(event.asset_key, event.check_name) not in checks:
                    continue
                tested += 1
            elif event.asset_key not in context.selected_asset_keys:
                continue
            else:
                built += 1
            yield event
        if time.monotonic() - last >= 10:
            context.log.info(f"{PROGRESS} dbt: {built}/{total} models built, {tested} tests run")
            last = time.monotonic()


# Column hygiene (a column not null, a one-column key unique and not null, within a list of
# values) is checked on every full build and in `make test`; a refresh checks the invariants the
# numbers rest on (primary keys, reconciliation, the MRR bridge: tests/) and the plausibility
# ranges, which warn.
COLUMN_TESTS = ("not_null", "unique", "unique_key", "accepted_values")


def build_args(settings: TallySettings, full_refresh: bool, first_build: bool = False) -> list[str]:
    args = [
        "build",
        "--no-use-colors",
        *vars_args(settings),
        "--exclude-resource-type",
        "unit_test",
    ]
    if full_refresh:
        return [*args, "--full-refresh"]
    if first_build or settings.refresh_tests == "all":
        return args
    return [*args, "--exclude", " ".join(f"test_name:{name}" for name in COLUMN_TESTS)]


def subset_args(context: dg.AssetExecutionContext) -> list[str]:
    """`--select` of the selected models when the run (a UI selection) wants only some."""
    selected = context.selected_asset_keys
    if selected >= {spec.key for spec in MODEL_SPECS}:
        return []
    names = sorted(key.path[-1] for key in selected)
    return ["--select", " ".join(names)]


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


@dg.multi_asset(
    specs=MODEL_SPECS,
    check_specs=check_specs(MANIFEST),
    can_subset=True,
    name="tally_dbt",
)
def dbt_models(
    context: dg.AssetExecutionContext,
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
    # A build that fails before running a node writes no results: never report the last run's.
    # (manifest.json: earlier versions wrote one per build; the project's describes the nodes.)
    for artifact in ("run_results.json", "dbt.log", "manifest.json", "semantic_manifest.json"):
        (tally.dbt_target_dir / artifact).unlink(missing_ok=True)
    started = utc_now()
    start_renderer()  # the dashboard's libraries, for the publish step: load while dbt builds
    args = build_args(tally, context.run.tags.get(FULL_REFRESH_TAG) == "true", first_build)
    subset = subset_args(context)
    invocation = start_dbt([*args, *subset], tally.state_dir, tally.dbt_target_dir, tally.engine)
    try:
        yield from _recorded(context, invocation.lines())
    finally:
        invocation.stop()  # an interrupted run stops dbt (no-op once dbt has exited)
    outcomes = read_outcomes(tally.dbt_target_dir, tally.models_db, MANIFEST_PATH)
    for outcome in (o for o in outcomes if not o.blocking):
        context.log.warning(f"check {outcome.check} on {outcome.model} warns: {outcome.message}")
    if not invocation.succeeded:
        lines = (
            blocking_summary(outcomes, tally.models_db)
            or dbt_errors(invocation.errors)
            or ["dbt build failed"]
        )
        raise dg.Failure(description="\n".join(lines), allow_retries=False)
    with duckdb.get_connection() as con:
        if tally.engine == "spark":
            docs = mart_docs(MANIFEST_PATH)
            order = {name: list(doc["columns"]) for name, doc in docs.items()}
            imported = import_marts(con, tally, order)
            context.log.info(f"Spark marts copied for publishing: {imported}")
        # Some models built: the days stay pending for the models that were not.
        cleared = 0 if subset else clear_pending(con, started)
    context.log.info(f"built; {cleared} pending partition mark(s) cleared")
