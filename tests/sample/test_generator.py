"""The sample generator: deterministic, and written exactly in LANDING.md's formats."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.catalog import ALL_OBJECTS
from ingestion.finance import CSV_OBJECTS, load_csv
from ingestion.loader import load_object
from sample import generate

DATED = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl(\.gz)?$")


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _lines(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", date(2025, 3, 1), date(2025, 4, 15), scale=0.05, seed=3)
    generate(tmp_path / "b", date(2025, 3, 1), date(2025, 4, 15), scale=0.05, seed=3)
    assert first.files > 50
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_another_seed_writes_another_company(tmp_path: Path) -> None:
    generate(tmp_path / "a", date(2025, 3, 1), date(2025, 3, 31), scale=0.05, seed=3)
    generate(tmp_path / "b", date(2025, 3, 1), date(2025, 3, 31), scale=0.05, seed=4)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_layout_matches_landing_md(small_landing: Path) -> None:
    for source in ("stripe", "hubspot", "ga4", "zendesk"):
        files = [p for p in (small_landing / source).rglob("*") if p.is_file()]
        assert files, source
        assert all(DATED.match(p.name) for p in files), source
    ga4_files = list((small_landing / "ga4" / "events").iterdir())
    assert ga4_files and all(p.name.endswith(".jsonl.gz") for p in ga4_files)
    assert (
        (small_landing / "finance" / "expenses.csv")
        .read_text()
        .startswith("month,category,channel,amount,currency")
    )
    assert (
        (small_landing / "finance" / "fx_rates.csv")
        .read_text()
        .startswith("date,currency,rate_to_reporting")
    )


def test_every_generated_line_loads(small_landing: Path) -> None:
    con = duckdb.connect()
    for spec in ALL_OBJECTS:
        for report in load_object(con, small_landing, spec):
            assert report.lines_quarantined == 0, (report.file, report)
    for spec in CSV_OBJECTS:
        report = load_csv(con, small_landing, spec)
        assert report is not None and report.lines_quarantined == 0
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0


def test_stripe_layout_follows_the_api_upgrade_day(small_landing: Path) -> None:
    before = _lines(small_landing / "stripe/subscriptions/2025-03-30.jsonl")
    after = _lines(small_landing / "stripe/subscriptions/2025-04-01.jsonl")
    assert all("current_period_start" in s for s in before)
    assert all("current_period_start" not in s for s in after)
    assert all("current_period_start" in i for s in after for i in s["items"]["data"])
    invoices_after = _lines(next((small_landing / "stripe/invoices").glob("2025-04-*.jsonl")))
    assert all(i["subscription"] is None for i in invoices_after)
    assert all(i["parent"]["subscription_details"]["subscription"] for i in invoices_after)


@pytest.mark.parametrize(
    "field",
    ["user_id", "user_properties", "traffic_source", "collected_traffic_source", "device"],
)
def test_ga4_rows_carry_export_fields(small_landing: Path, field: str) -> None:
    rows = _lines(sorted((small_landing / "ga4" / "events").iterdir())[40])
    assert rows and all(field in r for r in rows)
    names = {r["event_name"] for r in rows}
    assert {"page_view", "session_start"} <= names


def test_dynamics_present(small_landing: Path) -> None:
    """The edge cases the KPIs must handle actually occur in the sample."""
    subs = [s for p in (small_landing / "stripe/subscriptions").iterdir() for s in _lines(p)]
    statuses = {s["status"] for s in subs}
    assert {"trialing", "active", "canceled"} <= statuses
    assert any(s["cancel_at_period_end"] for s in subs)
    currencies = {s["currency"] for s in subs}
    assert "jpy" in currencies and "usd" in currencies
    intervals = {
        (i["price"]["recurring"]["interval"], i["price"]["recurring"]["interval_count"])
        for s in subs
        for i in s["items"]["data"]
    }
    assert {("month", 1), ("year", 1), ("month", 6), ("week", 1)} <= intervals
    usage = {i["price"]["recurring"]["usage_type"] for s in subs for i in s["items"]["data"]}
    assert usage == {"licensed", "metered"}
    customers = [c for p in (small_landing / "stripe/customers").iterdir() for c in _lines(p)]
    missing_id = sum(1 for c in customers if "account_id" not in c["metadata"])
    assert 0 < missing_id < len(customers)
