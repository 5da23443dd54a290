"""One asset per raw table, grouped by source; daily partitions, one run for any range."""

from datetime import date, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingestion.catalog import SOURCES
from ingestion.finance import CSV_OBJECTS, load_csv
from ingestion.loader import FileReport, ensure_raw_tables, load_object
from ingestion.specs import ObjectSpec
from orchestration.settings_resource import TallySettingsResource


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def _days(context: dg.AssetExecutionContext) -> set[date]:
    window = context.partition_time_window
    day, days = window.start.date(), set()
    while day < window.end.date():
        days.add(day)
        day += timedelta(days=1)
    return days


def _metadata(reports: list[FileReport]) -> dict[str, dg.MetadataValue]:
    read = sum(r.lines_read for r in reports)
    loaded = sum(r.lines_loaded for r in reports)
    quarantined = sum(r.lines_quarantined for r in reports)
    return {
        "files": dg.MetadataValue.int(len(reports)),
        "lines_read": dg.MetadataValue.int(read),
        "lines_loaded": dg.MetadataValue.int(loaded),
        "lines_quarantined": dg.MetadataValue.int(quarantined),
        "file_problems": dg.MetadataValue.int(sum(1 for r in reports if r.file_problem)),
    }


def _log_reports(
    context: dg.AssetExecutionContext, spec: ObjectSpec | str, reports: list[FileReport]
) -> None:
    name = spec if isinstance(spec, str) else f"{spec.source}/{spec.name}"
    read = sum(r.lines_read for r in reports)
    loaded = sum(r.lines_loaded for r in reports)
    quarantined = sum(r.lines_quarantined for r in reports)
    context.log.info(
        f"{name}: {len(reports)} file(s), {read} lines read = {loaded} loaded + "
        f"{quarantined} quarantined"
    )
    for r in reports:
        if r.file_problem:
            context.log.warning(f"{r.file}: {r.file_problem}")
        if not r.reconciles:
            raise dg.Failure(f"{r.file}: lines read {r.lines_read} != loaded + quarantined")
    if quarantined:
        context.log.warning(
            f"{name}: {quarantined} line(s) quarantined; see raw.quarantine for file, line, reason"
        )


def build_source_assets(
    source: str, specs: tuple[ObjectSpec, ...], partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"ingest_{source}",
        group_name=f"raw_{source}",
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        specs=[
            dg.AssetSpec(
                raw_key(spec.table),
                description=f"`{spec.source}/{spec.name}/<YYYY-MM-DD>.jsonl[.gz]` loaded as landed"
                " (full record as JSON plus file, line and partition lineage).",
                kinds={"duckdb"},
                metadata={"landing_path": f"{spec.source}/{spec.name}/"},
            )
            for spec in specs
        ],
    )
    def _ingest(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, tally: TallySettingsResource
    ):
        settings = tally.settings()
        days = _days(context)
        with duckdb.get_connection() as con:
            ensure_raw_tables(con, specs)
            for spec in specs:
                reports = load_object(con, settings.landing_dir, spec, days)
                if not reports and not spec.optional_object:
                    context.log.warning(
                        f"{spec.source}/{spec.name}: no files landed for "
                        f"{min(days)}..{max(days)} (missing source or object?)"
                    )
                _log_reports(context, spec, reports)
                yield dg.MaterializeResult(
                    asset_key=raw_key(spec.table), metadata=_metadata(reports)
                )

    return _ingest


@dg.multi_asset(
    name="ingest_finance",
    group_name="raw_finance",
    specs=[
        dg.AssetSpec(
            raw_key(spec.table),
            description=f"`finance/{spec.filename}` as landed.",
            kinds={"duckdb"},
        )
        for spec in CSV_OBJECTS
    ],
)
def ingest_finance(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, tally: TallySettingsResource
):
    """The finance files are not dated: every run reloads them whole."""
    settings = tally.settings()
    with duckdb.get_connection() as con:
        for spec in CSV_OBJECTS:
            report = load_csv(con, settings.landing_dir, spec)
            reports = [report] if report else []
            if not reports:
                context.log.warning(f"finance/{spec.filename} is not in the landing zone")
            _log_reports(context, f"finance/{spec.name}", reports)
            yield dg.MaterializeResult(asset_key=raw_key(spec.table), metadata=_metadata(reports))


def build_ingestion_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [build_source_assets(source, specs, partitions) for source, specs in SOURCES.items()]
