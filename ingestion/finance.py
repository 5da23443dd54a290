"""The finance files: `finance/expenses.csv` and `finance/fx_rates.csv`.

They are small, not dated, and replaced whole on every load. Rows are validated in SQL; a bad
row is quarantined with its line number and the field at fault, and the rest of the file loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion.loader import RAW_SCHEMA, FileReport, ensure_raw_tables

SOURCE = "finance"

EXPENSE_CATEGORIES = ("cogs", "support", "sales", "marketing", "rnd", "g_and_a", "opening_cash")


@dataclass(frozen=True)
class CsvSpec:
    name: str
    columns: tuple[str, ...]
    # SQL CASE branches (condition, reason) over the all-varchar columns, first match wins.
    checks: tuple[tuple[str, str], ...]

    @property
    def table(self) -> str:
        return f"{SOURCE}_{self.name}"

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


_categories = ", ".join(f"'{c}'" for c in EXPENSE_CATEGORIES)

EXPENSES = CsvSpec(
    "expenses",
    ("month", "category", "channel", "amount", "currency"),
    (
        (
            "month is null or not regexp_full_match(month, '\\d{4}-(0[1-9]|1[0-2])')",
            'field "month" must be YYYY-MM',
        ),
        (
            f"category is null or lower(category) not in ({_categories})",
            'field "category" is not one of ' + ", ".join(EXPENSE_CATEGORIES),
        ),
        ("try_cast(amount as decimal(18, 2)) is null", 'field "amount" is not a decimal number'),
        (
            "currency is null or not regexp_full_match(currency, '[A-Za-z]{3}')",
            'field "currency" is not a 3-letter ISO code',
        ),
    ),
)

FX_RATES = CsvSpec(
    "fx_rates",
    ("date", "currency", "rate_to_reporting"),
    (
        ("try_cast(date as date) is null", 'field "date" is not a YYYY-MM-DD date'),
        (
            "currency is null or not regexp_full_match(currency, '[A-Za-z]{3}')",
            'field "currency" is not a 3-letter ISO code',
        ),
        (
            "try_cast(rate_to_reporting as decimal(18, 8)) is null "
            "or try_cast(rate_to_reporting as decimal(18, 8)) <= 0",
            'field "rate_to_reporting" is not a positive number',
        ),
    ),
)

CSV_OBJECTS = (EXPENSES, FX_RATES)


def ensure_finance_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_raw_tables(con, [])
    for spec in CSV_OBJECTS:
        cols = ", ".join(f'"{c}" varchar' for c in spec.columns)
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{spec.table} ("
            f"_file varchar not null, _line_number bigint not null, _loaded_at timestamp not null,"
            f" {cols})"
        )


def load_csv(
    con: duckdb.DuckDBPyConnection, landing: Path, spec: CsvSpec, loaded_at: datetime | None = None
) -> FileReport | None:
    """Replace `raw.finance_<name>` with the landed file; None when the file is absent."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    ensure_finance_tables(con)
    path = landing / SOURCE / spec.filename
    relpath = f"{SOURCE}/{spec.filename}"
    table = f"{RAW_SCHEMA}.{spec.table}"
    params = {"source": SOURCE, "object": spec.name, "file": relpath, "at": loaded_at}
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {table}")
        con.execute(
            f"delete from {RAW_SCHEMA}.quarantine where source = $source and object = $object",
            {"source": SOURCE, "object": spec.name},
        )
        con.execute(
            f"delete from {RAW_SCHEMA}.load_audit where source = $source and object = $object",
            {"source": SOURCE, "object": spec.name},
        )
        report = _load(con, path, spec, table, params) if path.is_file() else None
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return report


def _load(con, path: Path, spec: CsvSpec, table: str, params: dict) -> FileReport:
    problem = None
    try:
        con.execute(
            """
            create or replace temp table _csv as
            select row_number() over () + 1 as line_number, *
            from read_csv($path, header = true, all_varchar = true, auto_detect = true,
                          null_padding = true, strict_mode = false)
            """,
            {"path": str(path)},
        )
        header = [row[0] for row in con.execute("describe _csv").fetchall()][1:]
        missing = [c for c in spec.columns if c not in header]
        if missing:
            problem = "missing column(s): " + ", ".join(missing)
    except duckdb.Error as exc:
        problem = f"file cannot be parsed as CSV: {str(exc).splitlines()[0]}"

    if problem:
        con.execute(
            f"insert into {RAW_SCHEMA}.quarantine values "
            "($source, $object, $file, null, null, $reason, null, $at)",
            {**params, "reason": problem},
        )
        counts = (0, 0, 0)
    else:
        reason = (
            "case "
            + " ".join(f"when {cond} then '{why}'" for cond, why in spec.checks)
            + " else null end"
        )
        cols = ", ".join(f'"{c}"' for c in spec.columns)
        con.execute(
            f"create or replace temp table _csv_checked as select *, {reason} as reason from _csv"
        )
        con.execute(
            f"insert into {table} select $file, line_number, $at, {cols} "
            "from _csv_checked where reason is null order by line_number",
            {"file": params["file"], "at": params["at"]},
        )
        raw_line = " || ',' || ".join(f"coalesce(\"{c}\", '')" for c in spec.columns)
        con.execute(
            f"""
            insert into {RAW_SCHEMA}.quarantine
            select $source, $object, $file, line_number, null, reason, {raw_line}, $at
            from _csv_checked where reason is not null
            """,
            params,
        )
        counts = con.execute(
            "select count(*), count(*) filter (where reason is null), "
            "count(*) filter (where reason is not null) from _csv_checked"
        ).fetchone()
    report = FileReport(params["file"], None, counts[0], counts[1], counts[2], 0, problem)
    con.execute(
        f"insert into {RAW_SCHEMA}.load_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            SOURCE,
            spec.name,
            report.file,
            None,
            report.lines_read,
            report.lines_loaded,
            report.lines_quarantined,
            0,
            problem,
            params["at"],
        ],
    )
    return report
