"""The raw layer as Parquet (for Spark): written whole the first time, then only the days a load
marked pending, each day folder replaced whole; a table without rows still has a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from ingestion.loader import raw_table_ddl
from ingestion.pending import ensure_pending_table, mark_pending
from ingestion.raw_parquet import export_raw_layer


def _read(folder: Path) -> list[tuple]:
    return duckdb.sql(
        f"select _partition_date, _line_number, record from read_parquet('{folder}/**/*.parquet') "
        "order by all"
    ).fetchall()


def _insert(con: duckdb.DuckDBPyConnection, day: str, line: int, record: str) -> None:
    con.execute(
        "insert into raw.stripe_customers values ('f.jsonl', ?, ?, now()::timestamp, ?)",
        [line, day, record],
    )


def test_first_export_then_only_pending_days_replaced_whole(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "pipeline.duckdb"))
    ensure_pending_table(con)
    con.execute(raw_table_ddl("stripe_customers"))
    con.execute(raw_table_ddl("stripe_coupons"))
    _insert(con, "2025-01-01", 1, '{"id": "cus_1"}')
    _insert(con, "2025-01-02", 1, '{"id": "cus_2"}')
    _insert(con, "2025-01-02", 2, '{"id": "cus_3"}')
    raw = tmp_path / "raw"

    first = export_raw_layer(con, raw)
    assert first.days_written == 2
    assert [r[2] for r in _read(raw / "stripe_customers")] == [
        '{"id": "cus_1"}',
        '{"id": "cus_2"}',
        '{"id": "cus_3"}',
    ]
    # No rows: one file all the same, so a reader learns the columns.
    assert duckdb.sql(
        f"select count(*) from read_parquet('{raw / 'stripe_coupons'}/*.parquet')"
    ).fetchall() == [(0,)]

    # 2025-01-02 re-landed with one line fewer, and marked pending by its load.
    con.execute("delete from raw.stripe_customers where _partition_date = '2025-01-02'")
    _insert(con, "2025-01-02", 1, '{"id": "cus_2", "email": "new@example.com"}')
    mark_pending(con, "stripe", "customers", [date(2025, 1, 2)])
    second = export_raw_layer(con, raw)
    assert second.days_written == 1
    assert _read(raw / "stripe_customers") == [
        (date(2025, 1, 1), 1, '{"id": "cus_1"}'),
        (date(2025, 1, 2), 1, '{"id": "cus_2", "email": "new@example.com"}'),
    ]

    # Nothing pending: nothing rewritten.
    con.execute("delete from raw.pending_partitions")
    assert export_raw_layer(con, raw).days_written == 0
