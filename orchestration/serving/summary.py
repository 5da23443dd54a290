"""The few numbers `tally run` prints when it finishes: loads and quarantine from the pipeline
database, check warnings and KPIs from the served file."""

from __future__ import annotations

import duckdb

from orchestration.serving.warehouse import dashboard_path
from orchestration.settings import TallySettings

_BOOKKEEPING = ("quarantine", "load_audit", "pending_partitions")


def print_summary(settings: TallySettings) -> None:
    warehouse = settings.served
    with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw' order by 1"
            ).fetchall()
            if name not in _BOOKKEEPING
        ]
        raw = [
            (name, con.execute(f'select count(*) from raw."{name}"').fetchone()[0])
            for name in tables
        ]
        loaded, quarantined = con.execute(
            "select sum(lines_loaded), sum(lines_quarantined) from raw.load_audit"
        ).fetchone()
        print(
            f"  lines loaded: {loaded or 0:,}   quarantined: {quarantined or 0:,}"
            + ("   (see raw.quarantine)" if quarantined else "")
        )
        print("  raw rows: " + ", ".join(f"{name}={rows:,}" for name, rows in raw if rows))
        if quarantined or _has_file_problems(con):
            _print_quarantine(con)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if _has_table(con, "marts", "run_warnings"):
            _print_warnings(con)
        if _has_table(con, "marts", "kpi_monthly"):
            _print_kpis(con)
    print(f"  warehouse: {warehouse}")
    dashboard = dashboard_path(warehouse)
    if dashboard.exists():
        print(f"  dashboard: {dashboard}")


def _has_file_problems(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute("select count(*) from raw.quarantine where line_number is null").fetchone()[0]
    )


def _print_quarantine(con: duckdb.DuckDBPyConnection, limit: int = 20) -> None:
    """Name the first problems (file, line, field) so nothing bad passes unseen."""
    rows = con.execute(
        f"""
        select file, line_number, reason, count(*) over () as total
        from raw.quarantine
        order by line_number is not null, file, line_number
        limit {limit}
        """
    ).fetchall()
    print(f"  quarantined ({rows[0][3]:,} in raw.quarantine):")
    for file, line, reason, _ in rows:
        where = f"{file}:{line}" if line is not None else f"{file} (whole file)"
        print(f"    {where}: {reason}")


def _print_warnings(con: duckdb.DuckDBPyConnection, limit: int = 10) -> None:
    """Checks that warn (ranges, plausibility) did not block the publish; they are shown."""
    rows = con.execute(
        "select check_name, model, message from marts.run_warnings order by 2, 1"
    ).fetchall()
    if rows:
        print(f"  check warnings ({len(rows)}; published anyway, see marts.run_warnings):")
        for check, model, message in rows[:limit]:
            print(f"    {check} on {model}: {message}"[:160])


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _print_kpis(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        """
        select month, mrr, paying_customers, unique_visitors, tickets_created
        from marts.kpi_monthly
        where mrr is not null
        order by month desc
        limit 1
        """
    ).fetchone()
    if row:
        month, mrr, paying, visitors, tickets = row
        print(
            f"  {month:%Y-%m}: MRR {mrr:,.2f}  paying customers {paying:,}  "
            f"unique visitors {visitors or 0:,}  tickets created {tickets or 0:,}"
        )
