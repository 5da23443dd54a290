"""The Stripe-only generator: deterministic, fast, loadable, and record by record the layout of
sample/stripe_records.py's builders (both API layouts)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sample.business import Account, Invoice, Subscription, SubState
from sample.stripe_only import generate_stripe_only
from sample.stripe_records import BASIL, CLOVER, _invoice, _subscription, customer_record

DATED = re.compile(r"^\d{4}-\d{2}-\d{2}\.jsonl$")
START, END = date(2025, 1, 1), date(2025, 12, 31)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _records(landing: Path, obj: str) -> list[tuple[date, dict]]:
    out = []
    for path in sorted((landing / "stripe" / obj).iterdir()):
        day = date.fromisoformat(path.name[:10])
        out += [(day, json.loads(line)) for line in path.read_text().splitlines() if line]
    return out


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stripe_only")
    generate_stripe_only(out, 400, seed=5, start=START, end=END)
    return out


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    first = generate_stripe_only(tmp_path / "a", 150, 3, date(2025, 2, 1), date(2025, 4, 30))
    generate_stripe_only(tmp_path / "b", 150, 3, date(2025, 2, 1), date(2025, 4, 30))
    generate_stripe_only(tmp_path / "c", 150, 4, date(2025, 2, 1), date(2025, 4, 30))
    assert first.files > 50 and first.records["stripe/subscriptions"] > 150
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_layout_and_window(landing: Path) -> None:
    objects = {p.name for p in (landing / "stripe").iterdir()}
    assert objects == {"customers", "products", "prices", "coupons", "subscriptions", "invoices"}
    for path in (landing / "stripe").rglob("*.jsonl"):
        assert DATED.match(path.name), path
        assert START <= date.fromisoformat(path.name[:10]) <= END, path
    fx = (landing / "finance" / "fx_rates.csv").read_text().splitlines()
    assert fx[0] == "date,currency,rate_to_reporting"
    assert {line.split(",")[1] for line in fx[1:]} == {"EUR", "GBP", "JPY"}
    assert fx[1] <= f"{START.isoformat()}," < fx[-1]


def test_every_line_loads(landing: Path) -> None:
    from ingestion.catalog import ALL_OBJECTS
    from ingestion.finance import CSV_OBJECTS, load_csv
    from ingestion.loader import load_object

    con = duckdb.connect()
    for spec in ALL_OBJECTS:
        for report in load_object(con, landing, spec):
            assert report.lines_quarantined == 0, (report.file, report)
    for spec in CSV_OBJECTS:
        report = load_csv(con, landing, spec)
        assert report is None or report.lines_quarantined == 0
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0


def test_the_company_moves(landing: Path) -> None:
    """Every kind of subscription change the MRR movements need is in the files."""
    versions: dict[str, list[dict]] = {}
    late_ends = 0
    for day, record in _records(landing, "subscriptions"):
        versions.setdefault(record["id"], []).append(record)
        if record["ended_at"] and _dt(record["ended_at"]).date() < day:
            late_ends += 1
    statuses = {r["status"] for vs in versions.values() for r in vs}
    assert {"trialing", "active", "past_due", "unpaid", "canceled"} <= statuses
    qty = [
        [i["quantity"] for i in r["items"]["data"] if "quantity" in i]
        for vs in versions.values()
        for r in vs
    ]
    assert qty
    changed_qty = sum(
        len({tuple(q) for q in ([i.get("quantity") for i in r["items"]["data"]] for r in vs)}) > 1
        for vs in versions.values()
    )
    upgraded = sum(
        len({r["items"]["data"][0]["price"]["id"] for r in vs}) > 1 for vs in versions.values()
    )
    assert changed_qty > 5 and upgraded > 0
    assert late_ends > 0
    customers = {r["customer"] for vs in versions.values() for r in vs}
    per_customer = {}
    for vs in versions.values():
        per_customer.setdefault(vs[0]["customer"], set()).add(vs[0]["id"])
    assert any(len(s) > 1 for s in per_customer.values()), "no reactivation"
    assert len(customers) > 100
    accounts = [r["metadata"].get("account_id") for _, r in _records(landing, "customers")]
    assert len({a for a in accounts if a}) < len([a for a in accounts if a])  # shared accounts
    currencies = {r["currency"] for _, r in _records(landing, "customers")}
    assert currencies == {"usd", "eur", "gbp", "jpy"}


def _account(customer: dict) -> Account:
    return Account(
        number=0,
        account_id=customer["metadata"].get("account_id", ""),
        name=customer["name"],
        domain="",
        billing_email=customer["email"],
        currency=customer["currency"],
        country=customer["address"]["country"],
        channel="direct",
        signup_at=_dt(customer["created"]),
        seats=1,
        stripe_has_id="account_id" in customer["metadata"],
        hubspot_has_id=False,
        zendesk_has_id=False,
        ga4_has_id=False,
        customer_id=customer["id"],
    )


def _state(record: dict, landed: date) -> SubState:
    items = record["items"]["data"]
    if landed >= BASIL:
        period = items[0]["current_period_start"], items[0]["current_period_end"]
        discount = (record["discounts"] or [None])[0]
    else:
        period = record["current_period_start"], record["current_period_end"]
        discount = record["discount"]
    coupon = None
    if discount:
        coupon = discount["source"]["coupon"] if landed >= CLOVER else discount["coupon"]["id"]
    return SubState(
        status=record["status"],
        items=[(i["id"], i["price"]["id"], i.get("quantity", 1)) for i in items],
        plan="",
        billing="",
        current_period_start=_dt(period[0]),
        current_period_end=_dt(period[1]),
        trial_start=_dt(record["trial_start"]),
        trial_end=_dt(record["trial_end"]),
        cancel_at_period_end=record["cancel_at_period_end"],
        cancel_at=_dt(record["cancel_at"]),
        canceled_at=_dt(record["canceled_at"]),
        ended_at=_dt(record["ended_at"]),
        coupon=coupon,
        discount_start=_dt(discount["start"]) if discount else None,
        discount_end=_dt(discount["end"]) if discount else None,
    )


def test_records_are_the_builders_records(landing: Path) -> None:
    """Each rendered record equals what stripe_records' builders make of the same state: the
    pre-basil, basil and clover layouts, with and without discounts and metered items."""
    customers = {r["id"]: r for _, r in _records(landing, "customers")}
    for _, record in _records(landing, "customers"):
        assert customer_record(_account(record))[2] == record
    seen = set()
    for landed, record in _records(landing, "subscriptions"):
        account = _account(customers[record["customer"]])
        sub = Subscription(record["id"], _dt(record["created"]))
        expected = _subscription(account, sub, _state(record, landed), _dt(0), landed)
        assert expected == record, (landed, record["id"])
        layout = "clover" if landed >= CLOVER else "basil" if landed >= BASIL else "2024"
        seen.add(
            (
                layout,
                bool(record.get("discount") or record["discounts"]),
                len(record["items"]["data"]),
            )
        )
    layouts = ("2024", "basil", "clover")
    assert {(layout, d) for layout in layouts for d in (True, False)} <= {s[:2] for s in seen}
    assert {(layout, 2) for layout in layouts} <= {(s[0], s[2]) for s in seen}  # metered
    for landed, record in _records(landing, "invoices"):
        invoice = _invoice_of(record, landed)
        as_of = (
            invoice.created
            if record["status"] == "open"
            else (invoice.status_changed_at or invoice.created)
        )
        account = _account(customers[record["customer"]])
        assert _invoice(account, invoice, as_of) == record, (landed, record["id"])


def _invoice_of(record: dict, landed: date) -> Invoice:
    new = landed >= BASIL
    transitions = record["status_transitions"]
    created = _dt(record["created"])
    changed = None
    status, paid_at = record["status"], _dt(transitions["paid_at"])
    if status == "open":
        status, changed = "paid", created + timedelta(days=3)
    elif status == "uncollectible":
        changed = _dt(transitions["marked_uncollectible_at"])
    elif paid_at != created + timedelta(hours=1):
        changed = paid_at
    lines = []
    for line in record["lines"]["data"]:
        if new:
            price = line["pricing"]["price_details"]["price"]
            item = line["parent"]["subscription_item_details"]["subscription_item"]
        else:
            price, item = line["price"]["id"], ""
        lines.append(
            {"item": item, "price": price, "quantity": line["quantity"], "amount": line["amount"]}
        )
    if new:
        sub_id = record["parent"]["subscription_details"]["subscription"]
        tax = sum(t["amount"] for t in record["total_taxes"])
    else:
        sub_id, tax = record["subscription"], record["tax"] or 0
    discount = sum(d["amount"] for d in record["total_discount_amounts"])
    return Invoice(
        id=record["id"],
        sub_id=sub_id,
        created=created,
        period_start=_dt(record["period_start"]),
        period_end=_dt(record["period_end"]),
        currency=record["currency"],
        lines=lines,
        subtotal=record["subtotal"],
        discount=discount,
        tax=tax,
        billing_reason=record["billing_reason"],
        status=status,
        paid_at=paid_at if status == "paid" else None,
        status_changed_at=changed,
        charge_id=record.get("charge") or "ch_" + record["id"][3:],
    )


def test_hundred_thousand_is_fast_enough_by_extrapolation(tmp_path: Path) -> None:
    """10k customers over the bench window well under the 100k budget's tenth (a minute)."""
    summary = generate_stripe_only(tmp_path / "z", 10_000, 42)
    assert summary.seconds < 15, summary.seconds  # ~1.5 s on an idle core
    assert 20e6 < summary.bytes < 60e6, summary.bytes
