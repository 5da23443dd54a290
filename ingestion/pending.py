"""Day partitions whose raw data changed and whose facts are not rebuilt yet.

Loading a day marks it pending; only a successful dbt build clears the marks it has seen. So
whatever fails in between (a killed dbt, a failed test, a crash before dbt starts), the next
build still rebuilds every day whose raw data changed: no stale fact is ever published. dbt's
incremental models read their window from this table (`macros/partition_window.sql`), which
keeps dbt's vars constant and its partial parse reusable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import duckdb

TABLE = "raw.pending_partitions"

_DDL = f"""
create table if not exists {TABLE} (
    source varchar not null,
    object varchar not null,
    partition_date date not null,
    loaded_at timestamp not null
)
"""


def ensure_pending_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(_DDL)


def mark_pending(
    con: duckdb.DuckDBPyConnection, source: str, obj: str, days: Iterable[date]
) -> int:
    """Mark the days of one object pending, in one statement (`executemany` ran one per day:
    5 s for the ~10,000 object-days of a two-year backfill)."""
    marked = sorted(set(days))
    if marked:
        con.execute(
            f"insert into {TABLE} select $source, $object, unnest($days::date[]), $now",
            {"source": source, "object": obj, "days": marked, "now": utc_now()},
        )
    return len(marked)


def clear_pending(con: duckdb.DuckDBPyConnection, built_from: datetime) -> int:
    """Clear the marks a build started at `built_from` has seen (later loads stay pending)."""
    return con.execute(f"delete from {TABLE} where loaded_at <= ?", [built_from]).fetchone()[0]


def utc_now() -> datetime:
    """Naive UTC, as DuckDB's `timestamp` stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def pending_days(con: duckdb.DuckDBPyConnection) -> list[tuple[str, date]]:
    return con.execute(
        f"select distinct source, partition_date from {TABLE} order by 2, 1"
    ).fetchall()
