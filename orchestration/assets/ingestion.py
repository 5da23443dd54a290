"""One asset per source (all its raw tables); monthly partitions narrowed to the run's days by tags,
one run for any range of days.

Loading a day marks it pending (`ingestion/pending.py`): the next successful dbt build rebuilds
its facts, whatever fails in between.
"""

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingestion.catalog import SOURCES
from ingestion.finance import CSV_OBJECTS, load_csv
from ingestion.landing import object_files
from ingestion.loader import FileReport, ensure_raw_tables, load_object
from ingestion.pending import ensure_pending_table, mark_pending
from ingestion.specs import ObjectSpec
from orchestration.logs import PROGRESS
from orchestration.partitions import days_to_load
from orchestration.run_lock import RunLock
from orchestration.settings import TallySettings


def raw_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


def _days(context: dg.AssetExecutionContext) -> set[date]:
    window = context.partition_time_window
    return set(days_to_load(window.start.date(), window.end.date(), context.run.tags))


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


def _checks(
    specs: tuple[ObjectSpec, ...], landing: Path, reports: list[FileReport], last_day: date
) -> list[dg.AssetCheckResult]:
    unreconciled = [r.file for r in reports if not r.reconciles]
    quarantined = sum(r.lines_quarantined for r in reports)
    problems = [f"{r.file}: {r.file_problem}" for r in reports if r.file_problem]
    landed = [f.partition for spec in specs for f in object_files(landing, spec) if f.partition]
    newest = max((d for d in landed if d <= last_day), default=None)
    return [
        dg.AssetCheckResult(
            check_name="lines_reconcile",
            passed=not unreconciled,
            metadata={"unreconciled_files": unreconciled[:20]},
        ),
        dg.AssetCheckResult(
            check_name="no_quarantined_lines",
            passed=not quarantined and not problems,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"lines_quarantined": quarantined, "file_problems": problems[:20]},
        ),
        dg.AssetCheckResult(
            check_name="fresh",
            passed=newest is not None and newest >= last_day - timedelta(days=1),
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"newest_landed_day": str(newest), "run_last_day": str(last_day)},
        ),
    ]


def build_source_asset(
    source: str, specs: tuple[ObjectSpec, ...], partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    """All raw tables of one source as one asset.

    One asset per source rather than per table: Dagster records an event per asset and per
    partition of a run, and a two-year backfill of 21 tables would spend more time writing those
    than loading data. The per-table counts are in the materialization's metadata.
    """
    tables = ", ".join(f"`raw.{spec.table}`" for spec in specs)

    @dg.asset(
        key=raw_key(source),
        group_name="raw",
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", source},
        description=f"`{source}/<object>/<YYYY-MM-DD>.jsonl[.gz]` loaded into {tables}: the full "
        "record as JSON plus file, line and partition lineage; bad lines in `raw.quarantine`.",
        metadata={"landing_path": f"{source}/", "tables": [spec.table for spec in specs]},
        check_specs=[
            dg.AssetCheckSpec(
                "lines_reconcile",
                asset=raw_key(source),
                description="Per file: lines read = loaded + quarantined.",
            ),
            dg.AssetCheckSpec(
                "no_quarantined_lines",
                asset=raw_key(source),
                description="Warns when lines went to raw.quarantine.",
            ),
            dg.AssetCheckSpec(
                "fresh",
                asset=raw_key(source),
                description="Warns when the newest landed day is older than the day before the "
                "run's last day.",
            ),
        ],
    )
    def _ingest(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        tally: TallySettings,
        run_lock: RunLock,  # held for the whole run: one writer per warehouse
    ):
        days = _days(context)

        def any_landed(spec: ObjectSpec) -> bool:
            return bool(object_files(tally.landing, spec))

        all_reports: list[FileReport] = []
        per_table: dict[str, dg.MetadataValue] = {}
        with duckdb.get_connection() as con:
            ensure_raw_tables(con, specs)
            ensure_pending_table(con)
            for spec in specs:
                reports = load_object(con, tally.landing, spec, days)
                loaded = (r.partition_date for r in reports if r.partition_date)
                mark_pending(con, spec.source, spec.name, loaded)
                if not reports and not spec.optional_object and not any_landed(spec):
                    context.log.warning(
                        f"{spec.source}/{spec.name}: no file in the landing zone "
                        "(missing source or object?)"
                    )
                _log_reports(context, spec, reports)
                all_reports += reports
                per_table[f"{spec.table}_lines_loaded"] = dg.MetadataValue.int(
                    sum(r.lines_loaded for r in reports)
                )
        context.log.info(
            f"{PROGRESS} {source}: {len(all_reports)} file(s), "
            f"{sum(r.lines_loaded for r in all_reports):,} lines loaded"
        )
        yield dg.MaterializeResult(metadata={**_metadata(all_reports), **per_table})
        yield from _checks(specs, tally.landing, all_reports, max(days))

    return _ingest


@dg.asset(
    key=raw_key("finance"),
    group_name="raw",
    kinds={"duckdb", "csv"},
    description="`finance/expenses.csv` and `finance/fx_rates.csv` into `raw.finance_*`. Not "
    "dated: every run reloads them whole.",
)
def ingest_finance(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    tally: TallySettings,
    run_lock: RunLock,
) -> dg.MaterializeResult:
    all_reports: list[FileReport] = []
    with duckdb.get_connection() as con:
        for spec in CSV_OBJECTS:
            report = load_csv(con, tally.landing, spec)
            reports = [report] if report else []
            if not reports:
                context.log.warning(f"finance/{spec.filename} is not in the landing zone")
            _log_reports(context, f"finance/{spec.name}", reports)
            all_reports += reports
    return dg.MaterializeResult(metadata=_metadata(all_reports))


def build_ingestion_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [build_source_asset(source, specs, partitions) for source, specs in SOURCES.items()]
