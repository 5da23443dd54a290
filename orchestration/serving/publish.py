"""The last step of every run: swap the built work database in for BI tools."""

import dagster as dg

from orchestration.serving.dashboard import write_dashboard
from orchestration.settings_resource import TallySettingsResource
from orchestration.serving.warehouse import parquet_dir, publish

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
    description="The served warehouse file (TALLY_WAREHOUSE), replaced whole by an atomic rename "
    "once every step of the run succeeded; a Parquet export of every mart and the KPI dashboard "
    "page beside it.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, tally: TallySettingsResource
) -> dg.MaterializeResult:
    settings = tally.settings()
    report = publish(settings.warehouse_path)
    dashboard = write_dashboard(report.served)
    context.log.info(
        f"published {report.served} ({len(report.marts)} marts), "
        f"{report.parquet_files} Parquet files in {parquet_dir(report.served)}, "
        f"and the dashboard {dashboard}"
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.served)),
            "parquet_dir": dg.MetadataValue.path(str(parquet_dir(report.served))),
            "dashboard": dg.MetadataValue.path(str(dashboard)),
            **{f"{mart}_rows": dg.MetadataValue.int(rows) for mart, rows in report.marts.items()},
        }
    )
