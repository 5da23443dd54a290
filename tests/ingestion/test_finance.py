"""The finance CSV loader."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.finance import EXPENSES, FX_RATES, load_csv


def test_bad_expense_rows_are_quarantined_by_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "finance").mkdir()
    (tmp_path / "finance/expenses.csv").write_text(
        "month,category,channel,amount,currency\n"
        "2024-01,cogs,,1000.50,USD\n"
        "2024-13,cogs,,10,USD\n"
        "2024-02,travel,,10,USD\n"
        "2024-02,marketing,paid_search,ten,USD\n"
        "2024-02,marketing,paid_search,250,USD\n"
    )
    con = duckdb.connect()
    report = load_csv(con, tmp_path, EXPENSES)
    assert (report.lines_read, report.lines_loaded, report.lines_quarantined) == (5, 2, 3)
    rows = con.execute("select line_number, reason from raw.quarantine order by 1").fetchall()
    assert rows == [
        (3, 'field "month" must be YYYY-MM'),
        (
            4,
            'field "category" is not one of cogs, support, sales, marketing, rnd, g_and_a, '
            "opening_cash",
        ),
        (5, 'field "amount" is not a decimal number'),
    ]
    assert con.execute("select _line_number from raw.finance_expenses order by 1").fetchall() == [
        (2,),
        (6,),
    ]


def test_missing_column_quarantines_the_file(tmp_path: Path) -> None:
    (tmp_path / "finance").mkdir()
    (tmp_path / "finance/fx_rates.csv").write_text("date,currency\n2024-01-01,EUR\n")
    con = duckdb.connect()
    report = load_csv(con, tmp_path, FX_RATES)
    assert report.file_problem == "missing column(s): rate_to_reporting"
    assert con.execute("select count(*) from raw.finance_fx_rates").fetchone()[0] == 0


def test_absent_file_is_not_an_error(tmp_path: Path) -> None:
    con = duckdb.connect()
    assert load_csv(con, tmp_path, EXPENSES) is None
    assert con.execute("select count(*) from raw.finance_expenses").fetchone()[0] == 0
