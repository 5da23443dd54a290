"""The last step of every run: publish the marts to BI tools (orchestration.serving.warehouse)."""

import dagster as dg

from orchestration.check_results import read_outcomes
from orchestration.dbt_project import MANIFEST_PATH
from orchestration.run_lock import RunLock
from orchestration.serving.warehouse import mart_docs, parquet_dir, publish
from orchestration.settings import TallySettings
from orchestration.spark_engine import SPARK_MARTS_SCHEMA

MARTS = (
    "kpi_daily",
    "kpi_monthly",
    "kpi_by_channel_monthly",
    "mrr_movements",
    "cohort_retention",
    "kpi_long",
)


@dg.asset(
    key=dg.AssetKey(["warehouse", "published"]),
    group_name="serving",
    deps=[dg.AssetKey(["marts", mart]) for mart in MARTS],
    kinds={"duckdb", "parquet"},
    description="The served warehouse file (TALLY_WAREHOUSE): the marts only, replaced whole by "
    "an atomic rename once every step of the run succeeded; a Parquet export of every mart and "
    "the KPI dashboard page beside it, swapped in with it.",
)
def published_warehouse(
    context: dg.AssetExecutionContext,
    tally: TallySettings,
    run_lock: RunLock,  # held for the whole run: one writer per warehouse
) -> dg.MaterializeResult:
    warnings = [
        (o.check, o.model, o.message)
        for o in read_outcomes(tally.dbt_target_dir, tally.models_db, MANIFEST_PATH)
        if not o.blocking
    ]
    docs = mart_docs(MANIFEST_PATH)
    schema = "marts" if tally.engine == "duckdb" else SPARK_MARTS_SCHEMA
    report = publish(tally.pipeline_db, tally.served, warnings, docs, schema=schema)
    context.log.info(
        f"published {report.served} ({len(report.marts)} marts, {len(warnings)} warning(s)), "
        f"{report.parquet_files} Parquet files in {parquet_dir(report.served)}, "
        f"and the dashboard {report.dashboard}"
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.served)),
            "parquet_dir": dg.MetadataValue.path(str(parquet_dir(report.served))),
            "dashboard": dg.MetadataValue.path(str(report.dashboard)),
            "check_warnings": dg.MetadataValue.int(len(warnings)),
            **{f"{mart}_rows": dg.MetadataValue.int(rows) for mart, rows in report.marts.items()},
        }
    )
