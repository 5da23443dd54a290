"""`tally run` end to end: real files, real DuckDB, real Dagster run, real `dbt build`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingestion.catalog import ALL_OBJECTS
from ingestion.finance import CSV_OBJECTS
from tests.conftest import REPO, copy_landing, pipeline_db, run_tally

pytestmark = pytest.mark.e2e


def _counts(warehouse: Path, schema: str) -> dict[str, int]:
    with duckdb.connect(str(pipeline_db(warehouse)), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = ?", [schema]
            ).fetchall()
        ]
        return {
            t: con.execute(f'select count(*) from {schema}."{t}"').fetchone()[0] for t in tables
        }


def test_every_raw_table_has_rows(small_warehouse: Path) -> None:
    counts = _counts(small_warehouse, "raw")
    expected = {
        s.table
        for s in (*ALL_OBJECTS, *CSV_OBJECTS)
        if s.table not in ("stripe_subscription_schedules",)
    }
    empty = {t for t in expected if counts.get(t, 0) == 0}
    assert not empty, empty
    assert counts["quarantine"] == 0


def test_every_staging_model_has_rows(small_warehouse: Path) -> None:
    counts = _counts(small_warehouse, "staging")
    models = {p.stem for p in (REPO / "dbt_project" / "models" / "staging").glob("*/stg_*.sql")}
    assert set(counts) == models
    empty = {t for t, n in counts.items() if n == 0 and t != "stg_stripe__subscription_schedules"}
    assert not empty, empty


def test_reads_reconcile_per_partition(small_warehouse: Path) -> None:
    with duckdb.connect(str(pipeline_db(small_warehouse)), read_only=True) as con:
        bad = con.execute(
            "select count(*) from raw.load_audit "
            "where lines_read <> lines_loaded + lines_quarantined"
        ).fetchone()[0]
        per_table = con.execute(
            "select sum(lines_loaded) from raw.load_audit where object = 'events'"
        ).fetchone()[0]
        loaded = con.execute("select count(*) from raw.ga4_events").fetchone()[0]
    assert bad == 0
    assert per_table == loaded


def test_both_stripe_layouts_stage_into_the_same_columns(small_warehouse: Path) -> None:
    with duckdb.connect(str(pipeline_db(small_warehouse)), read_only=True) as con:
        rows = con.execute(
            """
            select valid_from_date >= date '2025-03-31' as basil,
                   count(*) filter (where current_period_start_at is null) as no_period,
                   count(*) as versions
            from staging.stg_stripe__subscription_history group by 1 order by 1
            """
        ).fetchall()
        invoices = con.execute(
            """
            select landed_date >= date '2025-03-31' as basil,
                   count(*) filter (where subscription_id is null) as unlinked,
                   sum(tax_minor) > 0 as has_tax
            from staging.stg_stripe__invoices group by 1 order by 1
            """
        ).fetchall()
    assert [(basil, no_period) for basil, no_period, _ in rows] == [(False, 0), (True, 0)]
    assert invoices == [(False, 0, True), (True, 0, True)]


def test_run_prints_a_summary(small_warehouse: Path) -> None:
    stdout = small_warehouse.with_suffix(".stdout").read_text()
    assert "days 2025-01-01..2025-05-31" in stdout
    assert "lines loaded:" in stdout and "2025-05: MRR" in stdout


def test_a_fresh_warehouse_starts_from_the_saved_parse(small_warehouse: Path) -> None:
    """dbt hashes the profile and `--vars` into its partial-parse state: nothing in either is
    per warehouse, so the first build reuses the parse saved beside the manifest (a full
    parse costs ~3.6 s more) and opens the pipeline database in the warehouse's state folder."""
    dbt_dir = small_warehouse.with_name(f".{small_warehouse.name}.tally") / "dbt"
    # `tally run`'s warm dbt parsed ahead of the build (its log in dbt/parse/), the build
    # reused that parse (its own log has no parse of its own)
    parse_log = (dbt_dir / "parse" / "dbt.log").read_text()  # dbt's text log, debug level
    assert "Partial parsing enabled" in parse_log  # no changes found, or only what changed
    assert "Unable to do partial parsing" not in parse_log
    assert "Partial parsing not enabled" not in parse_log
    build_log = (dbt_dir / "dbt.log").read_text()
    assert "Partial parsing" not in build_log and "Unable to do partial parsing" not in build_log
    assert "create or replace table" in build_log  # and it keeps each statement's SQL
    assert not (REPO / "dbt_project" / "pipeline.duckdb").exists()


def test_a_build_writes_its_results_and_no_manifest(small_warehouse: Path) -> None:
    """dbt writes no JSON artifact of its own in a run (two manifests, two semantic manifests
    and a graph a build, nothing reads them); the launcher writes the results the run's
    summary and checks come from."""
    dbt_dir = small_warehouse.with_name(f".{small_warehouse.name}.tally") / "dbt"
    results = json.loads((dbt_dir / "run_results.json").read_text())
    assert len(results["results"]) > 100
    assert {r["status"] for r in results["results"]} <= {"success", "pass", "warn"}
    assert not (dbt_dir / "manifest.json").exists()
    assert not (dbt_dir / "semantic_manifest.json").exists()


def test_served_file_holds_the_marts_only(small_warehouse: Path) -> None:
    """BI users get marts; raw records and staging (emails, names) stay in the pipeline's
    own database."""
    with duckdb.connect(str(small_warehouse), read_only=True) as con:
        schemas = {
            r[0]
            for r in con.execute(
                "select distinct schema_name from duckdb_tables() "
                "where database_name = current_database()"
            ).fetchall()
        }
    assert schemas == {"marts"}


def test_a_range_on_missing_history_is_refused(small_landing: Path, tmp_path: Path) -> None:
    """State KPIs need the history before the window: a range run on a fresh warehouse would
    count every paying customer as new. It is refused at once, and nothing is created."""
    warehouse = tmp_path / "out" / "w.duckdb"
    result = run_tally(
        "run", "--landing", small_landing, "--warehouse", warehouse, "--start", "2025-05-30"
    )
    assert result.returncode == 2
    assert "history missing: stripe (balance_transactions, charges, " in result.stderr
    assert "landed days 2025-01-01..2025-05-29 before 2025-05-30 not loaded" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 6
    assert not (tmp_path / "out").exists()


def test_a_missing_source_is_a_warning_not_a_failure(small_landing: Path, tmp_path: Path) -> None:
    landing = copy_landing(small_landing, tmp_path / "landing", skip=("zendesk", "ga4"))
    result = run_tally("run", "--landing", landing, "--warehouse", tmp_path / "w.duckdb")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "warning: zendesk/tickets: no file in the landing zone" in result.stderr
    counts = _counts(tmp_path / "w.duckdb", "staging")
    assert counts["stg_zendesk__tickets"] == 0 and counts["stg_stripe__customers"] > 0


def test_vendor_samples_run_end_to_end(vendor_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "vendor.duckdb"
    result = run_tally("run", "--landing", vendor_landing, "--warehouse", warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(pipeline_db(warehouse)), read_only=True) as con:
        assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
        new_sub = con.execute(
            """
            select current_period_start_at, current_period_end_at
            from staging.stg_stripe__subscription_history
            where is_latest and subscription_id = 'sub_1Pgc6rB7WZ01zgkWNy0Cn5nw'
            """
        ).fetchone()
        invoice_links = dict(
            con.execute(
                "select invoice_id, subscription_id from staging.stg_stripe__invoices"
            ).fetchall()
        )
        events = con.execute("select count(*) from staging.stg_ga4__events").fetchone()[0]
    # The 2026 (dahlia) fixture has its period only on the item: 2030-02-06 .. 2000-12-08.
    assert [d.date().isoformat() for d in new_sub] == ["2030-02-06", "2000-12-08"]
    assert invoice_links == {
        "in_1Pg3eAHESeD8Pb2ks7PlsygR": "sub_1Pg3e9HESeD8Pb2kKFhApFoW",
        "in_1Pgc6tB7WZ01zgkWu9fdqL6I": "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
    }
    assert events == 700


def test_landing_directory_that_does_not_exist(tmp_path: Path) -> None:
    result = run_tally("run", "--landing", tmp_path / "nope", "--warehouse", tmp_path / "w.duckdb")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
