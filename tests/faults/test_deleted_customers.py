"""Stripe's deleted customers: the marker loads, and staging keeps the customer, flagged.

`{"id": "cus_...", "object": "customer", "deleted": true}` is what Stripe's API returns for a
deleted customer. It is a new version of the customer, not a broken line: it loads (it has no
`created`), and `stg_stripe__customers` keeps the customer's latest attributes from before the
deletion, with `is_deleted`, so the invoices and subscriptions pointing at it keep their history.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion.catalog import ALL_OBJECTS
from ingestion.loader import ensure_raw_tables, load_object

REPO = Path(__file__).resolve().parents[2]
CUSTOMERS = next(s for s in ALL_OBJECTS if s.table == "stripe_customers")


def _land(landing: Path, day: str, records: list[dict]) -> None:
    path = landing / "stripe" / "customers" / f"{day}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_deleted_customer_keeps_its_history_in_staging(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    created = 1740000000
    _land(
        landing,
        "2025-03-01",
        [
            {
                "id": "cus_1",
                "object": "customer",
                "created": created,
                "email": "Ann@Acme.io",
                "metadata": {"account_id": "acc_1"},
            },
            {"id": "cus_2", "object": "customer", "created": created, "email": "b@beta.io"},
        ],
    )
    _land(
        landing,
        "2025-03-02",
        [
            {"id": "cus_1", "object": "customer", "deleted": True},
            {"id": "cus_3", "object": "customer", "deleted": True},  # only its deletion
        ],
    )
    database = tmp_path / "pipeline.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con, ALL_OBJECTS)
        reports = load_object(con, landing, CUSTOMERS)
        assert [(r.lines_loaded, r.lines_quarantined) for r in reports] == [(2, 0), (2, 0)]

    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [
            str(dbt),
            "run",
            "--no-partial-parse",
            "--target-path",
            str(tmp_path / "target"),
            "--profiles-dir",
            ".",
            "--select",
            "stg_stripe__customers",
            "--vars",
            json.dumps({"pipeline_db": str(database)}),
        ],
        cwd=REPO / "dbt_project",
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_LOG_PATH": str(tmp_path / "logs"), "DO_NOT_TRACK": "1"},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select customer_id, account_id, email, is_deleted, epoch(created_at)::bigint "
            "from staging.stg_stripe__customers order by 1"
        ).fetchall()
    assert rows == [
        ("cus_1", "acc_1", "ann@acme.io", True, created),
        ("cus_2", None, "b@beta.io", False, created),
        ("cus_3", None, None, True, None),
    ]
