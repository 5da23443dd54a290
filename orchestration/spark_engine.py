"""What a refresh does around dbt when the engine is Spark (`TALLY_ENGINE=spark`).

Before the build, the raw layer the loader wrote is mirrored as Parquet where Spark reads it
(ingestion/raw_parquet.py; `macros/portable/raw_layer.sql` declares it). After a successful
build, the marts Spark wrote (Parquet under its warehouse folder, `marts.db/<table>/`) are
copied into the pipeline database's `spark_marts` schema, from which the usual publish builds
the served file, its Parquet and the dashboard: BI tools get the same contract whichever engine
computed the numbers, and Spark's own `marts` database stays readable through Spark SQL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.raw_parquet import ExportReport, export_raw_layer, sql_path
from orchestration.settings import TallySettings

SPARK_MARTS_SCHEMA = "spark_marts"


def export_raw(con: duckdb.DuckDBPyConnection, settings: TallySettings) -> ExportReport:
    return export_raw_layer(con, settings.spark_dir / "raw")


def spark_database_dir(settings: TallySettings, database: str) -> Path:
    """Where Spark keeps a database's tables (`<table>/` folders of Parquet)."""
    return settings.spark_dir / "warehouse" / f"{database}.db"


def import_marts(
    con: duckdb.DuckDBPyConnection,
    settings: TallySettings,
    column_order: dict[str, list[str]] | None = None,
) -> dict[str, int]:
    """Copy every mart table Spark wrote into `spark_marts` (replacing the previous copy);
    columns in the documented order where dbt's docs list them all (Spark moves partition
    columns last)."""
    marts_dir = spark_database_dir(settings, "marts")
    con.execute(f"create schema if not exists {SPARK_MARTS_SCHEMA}")
    declared = _declared_columns(con, settings)
    counts: dict[str, int] = {}
    for folder in sorted(p for p in marts_dir.iterdir() if p.is_dir()):
        if not any(folder.rglob("*.parquet")):
            if folder.name not in declared:
                continue
            # A partitioned mart without rows has no file: its columns as Spark declared them.
            columns = ", ".join(f'"{c}" {t}' for c, t in declared[folder.name])
            con.execute(f'create or replace table {SPARK_MARTS_SCHEMA}."{folder.name}" ({columns})')
            counts[folder.name] = 0
            continue
        source = f"read_parquet('{sql_path(folder)}/**/*.parquet', hive_partitioning = true)"
        present = [r[0] for r in con.execute(f"describe select * from {source}").fetchall()]
        wanted = (column_order or {}).get(folder.name, [])
        if wanted and set(wanted) == set(present):
            select = ", ".join(f'"{c}"' for c in wanted)
        else:
            select = "*"
        con.execute(
            f'create or replace table {SPARK_MARTS_SCHEMA}."{folder.name}" as '
            f"select {select} from {source}"
        )
        counts[folder.name] = con.execute(
            f'select count(*) from {SPARK_MARTS_SCHEMA}."{folder.name}"'
        ).fetchone()[0]
    return counts


# Spark type names DuckDB spells otherwise; decimal(p,s), double, bigint, int, date and boolean
# are the same in both.
_SPARK_TYPES = {"string": "varchar", "timestamp": "timestamp", "timestamp_ntz": "timestamp"}


def _declared_columns(
    con: duckdb.DuckDBPyConnection, settings: TallySettings
) -> dict[str, list[tuple[str, str]]]:
    """Each mart's columns and DuckDB types, from `tally_meta.mart_columns`, which the dbt
    project's on-run-end hook writes on Spark (macros/portable/raw_layer.sql)."""
    folder = spark_database_dir(settings, "tally_meta") / "mart_columns"
    if not any(folder.rglob("*.parquet")):
        return {}
    rows = con.execute(
        f"select table_name, column_name, data_type from "
        f"read_parquet('{sql_path(folder)}/**/*.parquet') order by table_name, position"
    ).fetchall()
    declared: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns = declared.setdefault(table, [])
        if column not in {c for c, _ in columns}:
            columns.append((column, _SPARK_TYPES.get(data_type.lower(), data_type)))
    return declared
