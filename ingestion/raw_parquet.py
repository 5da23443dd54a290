"""The raw layer as Parquet files, for engines that cannot read a DuckDB file (Spark).

The loader (validation, quarantine, reconciliation) writes `raw.*` in the pipeline database as
always; DuckDB reads it in place. For Spark, `export_raw_layer` mirrors it under one folder:

    <raw_dir>/<table>/_partition_date=<day>/data_0.parquet   a landed object, one folder a day
    <raw_dir>/<table>/data_0.parquet                          finance files and loader tables

A day folder is replaced whole when its day is pending (loaded since the last successful build,
`raw.pending_partitions`), so a re-landed day never keeps stale lines; a table whose folder is
missing (first Spark run on a warehouse) is written whole. The small tables without days are
rewritten every time. `_partition_date` is also kept inside the files, so readers need no
partition discovery (Spark reads each folder with `recursiveFileLookup`). JSON records are
written as text: every engine parses it itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.loader import RAW_SCHEMA
from ingestion.pending import TABLE as PENDING_TABLE


@dataclass(frozen=True)
class ExportReport:
    tables: int
    days_written: int


def export_raw_layer(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> ExportReport:
    raw_dir.mkdir(parents=True, exist_ok=True)
    columns = _raw_columns(con)
    pending = _pending_tables_days(con)
    days_written = 0
    for table, cols in sorted(columns.items()):
        folder = raw_dir / table
        select = ", ".join(
            f'cast("{c}" as varchar) as "{c}"' if t == "JSON" else f'"{c}"' for c, t in cols
        )
        if "_partition_date" not in dict(cols):
            _replace_whole(con, table, select, folder)
            continue
        if not folder.exists():
            _replace_whole(con, table, select, folder, by_day=True)
            days_written += con.execute(
                f"select count(distinct _partition_date) from {RAW_SCHEMA}.{table}"
            ).fetchone()[0]
            continue
        days = pending.get(table, [])
        if not days:
            continue
        for day in days:
            shutil.rmtree(folder / f"_partition_date={day}", ignore_errors=True)
        con.execute(
            f"copy (select {select} from {RAW_SCHEMA}.{table} "
            f"where _partition_date in (select unnest(?::date[]))) to '{sql_path(folder)}' "
            "(format parquet, partition_by (_partition_date), write_partition_columns true, "
            "overwrite_or_ignore true)",
            [days],
        )
        days_written += len(days)
    return ExportReport(tables=len(columns), days_written=days_written)


def _replace_whole(
    con: duckdb.DuckDBPyConnection, table: str, select: str, folder: Path, by_day: bool = False
) -> None:
    """Write the table into a new folder, then swap it in: no reader sees half of it."""
    next_folder = folder.with_name(f".{folder.name}.next")
    shutil.rmtree(next_folder, ignore_errors=True)
    empty = con.execute(f"select count(*) = 0 from {RAW_SCHEMA}.{table}").fetchone()[0]
    if by_day and not empty:
        options = "partition_by (_partition_date), write_partition_columns true"
        con.execute(
            f"copy (select {select} from {RAW_SCHEMA}.{table}) to '{sql_path(next_folder)}' "
            f"(format parquet, {options})"
        )
    else:
        # One file, even with no rows: readers still learn the columns.
        next_folder.mkdir(parents=True)
        con.execute(
            f"copy (select {select} from {RAW_SCHEMA}.{table}) "
            f"to '{sql_path(next_folder / 'data_0.parquet')}' (format parquet)"
        )
    old = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    next_folder.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? "
        "order by table_name, ordinal_position",
        [RAW_SCHEMA],
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, data_type))
    return columns


def _pending_tables_days(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Pending days per raw table (`<source>_<object>`)."""
    rows = con.execute(
        f"select source || '_' || object, list(distinct partition_date::varchar order by 1) "
        f"from {PENDING_TABLE} group by 1"
    ).fetchall()
    return dict(rows)


def sql_path(path: Path) -> str:
    """A path inside a SQL string literal (COPY takes no bound parameter for its target)."""
    return str(path).replace("'", "''")
