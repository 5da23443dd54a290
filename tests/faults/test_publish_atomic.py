"""Publishing swaps in the marts, their Parquet set and the dashboard together, from any path
(a quote in a folder name included: paths reach SQL only as bound parameters)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.serving.dashboard import dashboard_path
from orchestration.serving.warehouse import parquet_dir, publish
from tests.serving.test_dashboard import make_marts


def _pipeline_db(path: Path) -> Path:
    """Hand-made marts (the dashboard test's) plus a raw table that must not be served."""
    path.parent.mkdir(parents=True)
    make_marts(path)
    with duckdb.connect(str(path)) as con:
        con.execute("drop table if exists marts.run_warnings")
        con.execute("create schema raw")
        con.execute("create table raw.secret as select 'person@example.com' as email")
        for mart in ("kpi_daily", "mrr_movements"):
            con.execute(f"create table if not exists marts.{mart} as select 1 as x")
    return path


def test_publish_from_a_path_with_a_quote_serves_marts_parquet_and_page(tmp_path: Path) -> None:
    folder = tmp_path / "it's here"
    pipeline = _pipeline_db(folder / ".w.duckdb.tally" / "pipeline.duckdb")
    served = folder / "w.duckdb"

    report = publish(
        pipeline,
        served,
        [("between_x", "kpi_monthly", "1 row out of range")],
        {"kpi_monthly": {"description": "Monthly KPIs", "columns": {"mrr": "It's MRR."}}},
    )

    assert report.served == served and set(report.marts) >= {"kpi_monthly", "run_warnings"}
    with duckdb.connect(str(served), read_only=True) as con:
        schemas = {
            r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()
        }
        comment = con.execute(
            "select comment from duckdb_columns() where table_name = 'kpi_monthly' "
            "and column_name = 'mrr'"
        ).fetchone()[0]
        warnings = con.execute("select * from marts.run_warnings").fetchall()
    assert schemas == {"marts"}  # raw never reaches the served file
    assert comment == "It's MRR."
    assert warnings == [("between_x", "kpi_monthly", "1 row out of range")]
    assert parquet_dir(served).is_symlink()
    assert (parquet_dir(served) / "kpi_monthly.parquet").exists()
    assert dashboard_path(served).exists()

    publish(pipeline, served, [])  # a second publish replaces all three, leaves no old version
    assert len(list(folder.glob(".w_marts.*"))) == 1
    assert not list(folder.glob(".w.duckdb.next*"))
