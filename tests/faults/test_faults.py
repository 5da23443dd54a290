"""Bad input and faults: nothing lost, nothing silent, nothing half-published.

One pipeline run over a generated landing zone with ~25 kinds of injected faults (see
`injections.py`), then one assertion set per fault; faults that concern the run as a whole
(missing directory, unwritable warehouse, missing FX rate, a killed run, re-landing a day) run
on their own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import copy_landing, copy_warehouse, run_tally, tally_cli
from tests.faults.injections import inject_all

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def faulty(small_landing: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("faulty")
    landing = copy_landing(small_landing, root / "landing")
    expected = {e.name: e for e in inject_all(landing)}
    warehouse = root / "warehouse.duckdb"
    result = run_tally("run", "--landing", landing, "--warehouse", warehouse)
    return result, warehouse, expected, landing


FAULTS = [
    "truncated_json_line",
    "line_not_json",
    "json_not_an_object",
    "missing_required_field",
    "wrong_type",
    "null_required_field",
    "utf8_bom",
    "invalid_utf8",
    "empty_file",
    "blank_lines",
    "truncated_gzip",
    "duplicate_ids_within_a_file",
    "duplicate_ids_across_files",
    "versions_out_of_order",
    "unknown_extra_fields_kept",
    "schema_drift_required_field_dropped",
    "negative_amount",
    "milliseconds_for_seconds",
    "date_far_in_the_future",
    "file_name_not_a_date",
    "crlf_line_endings",
    "gzip_that_is_not_gzip",
    "csv_row_with_bad_amount",
    "non_standard_json_nan",
]


def test_the_run_succeeds_and_names_what_it_quarantined(faulty) -> None:
    result, _, _, _ = faulty
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "quarantined (" in result.stdout
    assert "zendesk/tickets/tickets-export-final.jsonl (whole file): file name is not a day" in (
        result.stdout
    )


@pytest.mark.parametrize("name", FAULTS)
def test_fault(faulty, name: str) -> None:
    _, warehouse, expected, _ = faulty
    fault = expected[name]
    with duckdb.connect(str(_pipeline_db(warehouse)), read_only=True) as con:
        for file, line, reason in fault.quarantined:
            rows = con.execute(
                "select reason from raw.quarantine where file = ? and line_number "
                + ("is null" if line is None else "= ?"),
                [file] if line is None else [file, line],
            ).fetchall()
            assert len(rows) == 1, (file, line, rows)
            assert reason in rows[0][0], rows[0][0]
        if fault.check_sql:
            assert con.execute(fault.check_sql).fetchone()[0] == fault.check_value


def test_every_file_reconciles_and_no_line_is_lost(faulty) -> None:
    _, warehouse, expected, landing = faulty
    with duckdb.connect(str(_pipeline_db(warehouse)), read_only=True) as con:
        unreconciled = con.execute(
            "select file from raw.load_audit where lines_read <> lines_loaded + lines_quarantined"
        ).fetchall()
        quarantined_lines = con.execute(
            "select count(*) from raw.quarantine where line_number is not null"
        ).fetchone()[0]
    assert unreconciled == []
    injected_bad = sum(
        1 for e in expected.values() for _, line, _ in e.quarantined if line is not None
    )
    # the truncated gzip's cut line is quarantined on top of the injected ones (0 or 1)
    assert quarantined_lines - injected_bad in (0, 1)


def test_rerunning_a_partition_yields_identical_marts(faulty) -> None:
    _, warehouse, _, landing = faulty
    before = _marts_snapshot(warehouse)
    result = run_tally(
        "run",
        "--landing",
        landing,
        "--warehouse",
        warehouse,
        "--start",
        "2025-03-03",
        "--end",
        "2025-03-03",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert _marts_snapshot(warehouse) == before


def test_relanded_day_replaces_never_appends(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    landing = copy_landing(small_landing, tmp_path / "landing")
    warehouse = copy_warehouse(small_warehouse, tmp_path / "w.duckdb")  # the whole history
    day_file = landing / "zendesk" / "tickets" / "2025-05-30.jsonl"
    lines = day_file.read_text().splitlines()
    day_file.write_text("\n".join(lines[:1]) + "\n")
    assert (
        run_tally(
            "run",
            "--landing",
            landing,
            "--warehouse",
            warehouse,
            "--start",
            "2025-05-30",
            "--end",
            "2025-05-30",
        ).returncode
        == 0
    )
    with duckdb.connect(str(_pipeline_db(warehouse)), read_only=True) as con:
        rows = con.execute(
            "select count(*) from raw.zendesk_tickets where _partition_date = '2025-05-30'"
        ).fetchone()[0]
    assert rows == 1 < len(lines)


def test_unknown_currency_fails_naming_currency_and_date(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    """A nightly refresh meets a charge in a currency with no rates: it fails naming both, and
    BI tools keep the last published file."""
    landing = copy_landing(small_landing, tmp_path / "landing")
    warehouse = copy_warehouse(small_warehouse, tmp_path / "w.duckdb")
    charges = sorted((landing / "stripe" / "charges").glob("2025-04-*.jsonl"))[0]
    text = charges.read_text().splitlines()
    text[0] = (
        text[0]
        .replace('"currency":"usd"', '"currency":"xyz"')
        .replace('"currency":"eur"', '"currency":"xyz"')
        .replace('"currency":"gbp"', '"currency":"xyz"')
        .replace('"currency":"jpy"', '"currency":"xyz"')
    )
    charges.write_text("\n".join(text) + "\n")
    result = _refresh_day(landing, warehouse, charges.stem)
    assert result.returncode == 1
    assert f"missing FX rate: no rate for XYZ on {charges.stem}" in result.stdout + result.stderr
    assert warehouse.read_bytes() == small_warehouse.read_bytes()


def test_missing_fx_rate_fails_naming_currency_and_date(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    """The finance file is reloaded whole by every run: a rate that went missing from it fails
    the next refresh, whichever day it loads."""
    landing = copy_landing(small_landing, tmp_path / "landing")
    warehouse = copy_warehouse(small_warehouse, tmp_path / "w.duckdb")
    rates = landing / "finance" / "fx_rates.csv"
    kept = [
        line for line in rates.read_text().splitlines() if not line.startswith("2025-02-14,JPY")
    ]
    rates.write_text("\n".join(kept) + "\n")
    result = _refresh_day(landing, warehouse, "2025-05-31")
    assert result.returncode == 1
    assert "missing FX rate: no rate for JPY on 2025-02-14" in result.stdout + result.stderr
    assert warehouse.read_bytes() == small_warehouse.read_bytes()


def _refresh_day(landing: Path, warehouse: Path, day: str) -> subprocess.CompletedProcess:
    return run_tally(
        "run", "--landing", landing, "--warehouse", warehouse, "--start", day, "--end", day
    )


def test_landing_directory_that_does_not_exist(tmp_path: Path) -> None:
    result = run_tally(
        "run", "--landing", tmp_path / "missing", "--warehouse", tmp_path / "w.duckdb"
    )
    assert result.returncode == 2
    assert f"landing directory {tmp_path / 'missing'} does not exist" in result.stderr


def test_warehouse_path_that_cannot_be_written(small_landing: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_tally("run", "--landing", small_landing, "--warehouse", blocker / "w.duckdb")
    assert result.returncode == 2
    assert "cannot be written" in result.stderr


def test_files_dated_in_the_future_are_reported_not_loaded(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    landing = copy_landing(small_landing, tmp_path / "landing")
    warehouse = copy_warehouse(small_warehouse, tmp_path / "w.duckdb")
    (landing / "zendesk" / "tickets" / "2099-01-01.jsonl").write_text(
        '{"id": 1, "created_at": "2099-01-01T00:00:00Z", "status": "open"}\n'
    )
    result = run_tally(
        "run", "--landing", landing, "--warehouse", warehouse, "--start", "2025-05-31"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dated after today (2099-01-01" in result.stderr


def test_run_killed_mid_load_then_rerun_gives_a_clean_warehouse(
    small_landing: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    process = subprocess.Popen(
        [*tally_cli(), "run", "--landing", str(small_landing), "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 300
    while not _pipeline_db(warehouse).exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # kill as soon as the first raw table is being loaded
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    result = run_tally("run", "--landing", small_landing, "--warehouse", warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _marts_snapshot(warehouse) == _marts_snapshot(small_warehouse)


def _pipeline_db(warehouse: Path) -> Path:
    """raw and staging live in the pipeline database beside the (marts-only) served file."""
    return warehouse.with_name(f".{warehouse.name}.tally") / "pipeline.duckdb"


def _marts_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}
