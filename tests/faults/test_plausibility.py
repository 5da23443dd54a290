"""Plausible but wrong values: quarantined with file, line and field, never rounded or misread.

Loader-level (no pipeline run): each test lands a file, loads one object into an in-memory
DuckDB and reads `raw.quarantine`.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from ingestion.catalog import ALL_OBJECTS
from ingestion.loader import load_object

SPECS = {spec.table: spec for spec in ALL_OBJECTS}
DAY = "2025-03-03"
DAY_SECONDS = 1740990000  # 2025-03-03 08:20 UTC


def _load(tmp_path: Path, table: str, records: list[dict | str]) -> duckdb.DuckDBPyConnection:
    spec = SPECS[table]
    path = tmp_path / spec.source / spec.name / f"{DAY}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    con = duckdb.connect()
    for report in load_object(con, tmp_path, spec):
        assert report.reconciles, report
    return con


def _reasons(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    rows = con.execute("select file, line_number, reason from raw.quarantine").fetchall()
    assert all(file.endswith(f"/{DAY}.jsonl") for file, _, _ in rows)
    return {line: reason for _, line, reason in rows}


def _loaded(con: duckdb.DuckDBPyConnection, table: str) -> list[int]:
    return [
        r[0] for r in con.execute(f"select _line_number from raw.{table} order by 1").fetchall()
    ]


def _charge(**extra) -> dict:
    return {
        "id": "ch_1",
        "amount": 2862,
        "currency": "usd",
        "status": "succeeded",
        "created": DAY_SECONDS,
        **extra,
    }


def test_decimal_amounts_are_quarantined_not_rounded(tmp_path: Path) -> None:
    con = _load(
        tmp_path,
        "stripe_charges",
        [
            _charge(),
            _charge(amount="28.62"),
            _charge(amount=28.62),
            _charge(amount="2862"),
            _charge(amount_refunded="1.50"),
            _charge(amount_refunded=None),
        ],
    )
    assert _reasons(con) == {
        2: 'field "amount" = "28.62" is not an integer amount in minor units',
        3: 'field "amount" = 28.62 is not an integer amount in minor units',
        4: 'field "amount" = "2862" is not an integer amount in minor units',
        5: 'field "amount_refunded" = "1.50" is not an integer amount in minor units',
    }
    assert _loaded(con, "stripe_charges") == [1, 6]


def test_decimal_amounts_in_invoices_prices_and_nested_arrays(tmp_path: Path) -> None:
    invoice = {"id": "in_1", "customer": "cus_1", "currency": "usd", "created": DAY_SECONDS}
    con = _load(
        tmp_path,
        "stripe_invoices",
        [
            {**invoice, "total": 2862, "total_taxes": [{"amount": 100}, {"amount": None}]},
            {**invoice, "amount_paid": "28.62"},
            {**invoice, "total_taxes": [{"amount": 100}, {"amount": "1.00"}]},
        ],
    )
    assert _reasons(con) == {
        2: 'field "amount_paid" = "28.62" is not an integer amount in minor units',
        3: 'field "total_taxes[].amount" = "1.00" is not an integer amount in minor units',
    }
    price = {"id": "price_1", "currency": "usd", "product": "prod_1"}
    con = _load(tmp_path, "stripe_prices", [{**price, "unit_amount": 9.99}, price])
    assert _reasons(con) == {
        1: 'field "unit_amount" = 9.99 is not an integer amount in minor units'
    }


def _subscription(**extra) -> dict:
    return {
        "id": "sub_1",
        "customer": "cus_1",
        "status": "active",
        "created": DAY_SECONDS,
        "items": {"data": [{"id": "si_1", "current_period_end": DAY_SECONDS + 86400}]},
        **extra,
    }


def test_subscription_timestamps_in_milliseconds_are_quarantined(tmp_path: Path) -> None:
    ms = DAY_SECONDS * 1000
    con = _load(
        tmp_path,
        "stripe_subscriptions",
        [
            _subscription(ended_at=None, canceled_at=DAY_SECONDS, trial_end=None),
            _subscription(ended_at=ms),
            _subscription(canceled_at=ms),
            _subscription(cancel_at=ms),
            _subscription(trial_end=ms),
            _subscription(current_period_start=ms),
            _subscription(items={"data": [{"id": "si_1"}, {"current_period_end": ms}]}),
            _subscription(discount={"coupon": {"amount_off": 500}, "start": ms}),
            _subscription(trial_end="2025-03-10"),
        ],
    )
    ms_reason = " = 1740990000000 is not Unix seconds (milliseconds or microseconds?)"
    reasons = _reasons(con)
    for line, name in {
        2: "ended_at",
        3: "canceled_at",
        4: "cancel_at",
        5: "trial_end",
        6: "current_period_start",
        7: "items.data[].current_period_end",
        8: "discount.start",
    }.items():
        assert reasons[line] == f'field "{name}"{ms_reason}'
    assert reasons[9] == (
        'field "trial_end" has the wrong type: expected Unix epoch seconds, got varchar'
    )
    assert _loaded(con, "stripe_subscriptions") == [1]


def _event(timestamp: int | str, **extra) -> dict:
    return {
        "event_date": DAY.replace("-", ""),
        "event_timestamp": timestamp,
        "event_name": "page_view",
        "user_pseudo_id": "u1",
        **extra,
    }


def test_ga4_event_timestamps_must_be_microseconds_of_the_files_day(tmp_path: Path) -> None:
    micros = DAY_SECONDS * 1_000_000
    con = _load(
        tmp_path,
        "ga4_events",
        [
            _event(micros),
            _event(str(micros)),  # BigQuery's JSON extract writes INT64 as a string
            _event(micros - 2 * 86400 * 1_000_000),  # a Measurement Protocol backdated event
            _event(DAY_SECONDS * 1000),  # milliseconds: 1970-01-21
            _event(DAY_SECONDS),  # seconds
            _event(micros * 1000),  # nanoseconds
            _event(micros - 400 * 86400 * 1_000_000),  # a year before the file's day
            _event("soon"),
        ],
    )
    reasons = _reasons(con)
    suffix = f"is not Unix microseconds near the day of its file, {DAY}"
    assert reasons[4] == (
        f'field "event_timestamp" = {DAY_SECONDS * 1000} (1970-01-21) {suffix}'
        " (milliseconds, seconds or nanoseconds?)"
    )
    assert reasons[5].startswith(f'field "event_timestamp" = {DAY_SECONDS} (1970-01-01) ')
    assert reasons[6].startswith(f'field "event_timestamp" = {micros * 1000} (after year 9999)')
    assert reasons[7].startswith('field "event_timestamp" = 1706430000000000 (2024-01-28) ')
    assert reasons[8] == (
        'field "event_timestamp" has the wrong type: expected Unix epoch microseconds, got "soon"'
    )
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert _loaded(con, "ga4_events") == [1, 2, 3]


def test_ga4_events_before_2000_are_quarantined_even_in_an_old_file(tmp_path: Path) -> None:
    spec = SPECS["ga4_events"]
    path = tmp_path / "ga4/events/1999-12-31.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(_event(946_598_400_000_000, event_date="19991231")) + "\n")
    con = duckdb.connect()
    load_object(con, tmp_path, spec)
    (reason,) = con.execute("select reason from raw.quarantine").fetchone()
    assert "(1999-12-31) is not Unix microseconds" in reason


def test_deleted_stripe_customer_loads(tmp_path: Path) -> None:
    con = _load(
        tmp_path,
        "stripe_customers",
        [
            {"id": "cus_1", "object": "customer", "created": DAY_SECONDS, "email": "a@b.co"},
            {"id": "cus_1", "object": "customer", "deleted": True},
            {"id": "cus_2", "object": "customer", "deleted": False},  # not a marker
            {"object": "customer", "deleted": True},  # a marker still needs its id
            {"id": "cus_3", "object": "customer", "deleted": "yes", "email": "x@y.co"},
        ],
    )
    assert _reasons(con) == {
        3: 'missing required field "created"',
        4: 'missing required field "id"',
        5: 'missing required field "created"',
    }
    assert _loaded(con, "stripe_customers") == [1, 2]
