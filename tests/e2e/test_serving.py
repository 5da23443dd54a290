"""Serving BI tools: atomic publish, read-only SQLAlchemy and Parquet access, no PII in marts."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from orchestration.serving.warehouse import parquet_dir
from tests.conftest import copy_landing, pipeline_db, run_tally, tally_cli

pytestmark = pytest.mark.e2e

SNAPSHOT_SQL = "select count(*), sum(mrr), sum(tickets_created) from marts.kpi_daily"


def test_sqlalchemy_reads_the_marts_read_only(small_warehouse: Path) -> None:
    engine = sqlalchemy.create_engine(
        f"duckdb:///{small_warehouse}", connect_args={"read_only": True}
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text(
                    "select month, mrr, paying_customers from marts.kpi_monthly order by month"
                )
            ).fetchall()
            with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
                connection.execute(sqlalchemy.text("create table marts.scratch (x int)"))
    finally:
        engine.dispose()
    assert len(rows) == 5 and rows[-1].mrr > 0


def test_every_mart_is_exported_as_parquet(small_warehouse: Path) -> None:
    folder = parquet_dir(small_warehouse)
    with duckdb.connect(str(small_warehouse), read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        for mart in marts:
            in_db = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            in_file = con.execute(
                f"select count(*) from read_parquet('{folder / (mart + '.parquet')}')"
            ).fetchone()[0]
            assert in_file == in_db, mart
            assert in_db > 0 or mart == "run_warnings", mart
    assert {"kpi_daily", "kpi_monthly", "kpi_long", "cohort_retention", "run_warnings"} <= set(
        marts
    )


def test_marts_carry_no_email_addresses(small_warehouse: Path) -> None:
    with duckdb.connect(str(small_warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts'"
        ).fetchall()
        for table, column in columns:
            hits = con.execute(
                f'select count(*) from marts."{table}" '
                f"where regexp_matches(cast(\"{column}\" as varchar), '[^@ ]+@[^@ ]+\\.[a-z]+')"
            ).fetchone()[0]
            assert hits == 0, (table, column)
    # staging keeps them, in the pipeline's own database: the scan would find them
    with duckdb.connect(str(pipeline_db(small_warehouse)), read_only=True) as con:
        assert (
            con.execute(
                "select count(*) from staging.stg_stripe__customers where email like '%@%'"
            ).fetchone()[0]
            > 0
        )


def test_a_failed_run_leaves_the_previous_warehouse_served(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    served = tmp_path / "served.duckdb"
    shutil.copyfile(small_warehouse, served)
    before = hashlib.sha256(served.read_bytes()).hexdigest()
    landing = copy_landing(small_landing, tmp_path / "landing")
    rates = landing / "finance" / "fx_rates.csv"
    rates.write_text("\n".join(rates.read_text().splitlines()[:-30]) + "\n")
    result = run_tally("run", "--landing", landing, "--warehouse", served)
    assert result.returncode == 1
    # a few lines name the blocking check, its model and failing rows
    assert "missing FX rate" in result.stderr or "fx" in result.stderr.lower()
    # (progress lines come every 10 s of work: how many depends on the machine's speed)
    said = [line for line in result.stderr.strip().splitlines() if "progress:" not in line]
    assert len(said) <= 8, result.stderr
    assert hashlib.sha256(served.read_bytes()).hexdigest() == before
    with duckdb.connect(str(served), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_monthly").fetchone()[0] == 5


def test_readers_see_the_old_or_the_new_snapshot_never_an_error(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    served = tmp_path / "served.duckdb"
    shutil.copyfile(small_warehouse, served)
    with duckdb.connect(str(served), read_only=True) as con:
        old = con.execute(SNAPSHOT_SQL).fetchone()
    landing = copy_landing(small_landing, tmp_path / "landing")
    # one more ticket on the last day, so the new snapshot differs from the old one
    with (landing / "zendesk" / "tickets" / "2025-05-31.jsonl").open("a") as day_file:
        day_file.write('{"id": 1, "created_at": "2025-05-31T08:00:00Z", "status": "new"}\n')

    seen: list[tuple] = []
    errors: list[Exception] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                with duckdb.connect(str(served), read_only=True) as con:
                    seen.append(con.execute(SNAPSHOT_SQL).fetchone())
            except Exception as exc:  # noqa: BLE001 - any error at all fails the test
                errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = subprocess.run(
            [*tally_cli(), "run", "--landing", str(landing), "--warehouse", str(served)],
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        done.set()
        thread.join()
    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(served), read_only=True) as con:
        new = con.execute(SNAPSHOT_SQL).fetchone()
    assert new != old
    assert errors == []
    assert len(seen) > 10
    assert set(seen) <= {old, new}


def test_every_served_column_carries_its_dbt_description(small_warehouse: Path) -> None:
    """Any SQL client (DBeaver, Superset's SQL Lab, the duckdb CLI) shows what a column means."""
    with duckdb.connect(str(small_warehouse), read_only=True) as con:
        missing = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = 'marts' and (comment is null or comment = '')"
        ).fetchall()
        tables = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts' and comment <> ''"
        ).fetchone()[0]
    assert missing == []
    assert tables >= 7
