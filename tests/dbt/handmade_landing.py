"""A tiny landing zone built by hand, record by record, whose KPIs are computed by hand.

Each Stripe customer is one edge case of KPIS.md (named by its account id); the expected
figures are derived in `test_kpis_hand_computed.py` next to the assertions.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

BASIL = date(2025, 3, 31)


def ts(day: str, hour: int = 0) -> int:
    return int(datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC).timestamp())


def price(
    price_id: str,
    amount: int,
    interval: str = "month",
    count: int = 1,
    currency: str = "usd",
    usage: str = "licensed",
) -> dict:
    return {
        "id": price_id,
        "object": "price",
        "currency": currency,
        "unit_amount": amount,
        "product": "prod_app",
        "type": "recurring",
        "recurring": {"interval": interval, "interval_count": count, "usage_type": usage},
    }


class Landing:
    """Collects records per (source, object, day) and writes them as landed files."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str, str], list[dict]] = defaultdict(list)

    def add(self, source: str, obj: str, day: str, record: dict) -> None:
        self.files[(source, obj, day)].append(record)

    def customer(
        self, letter: str, day: str, currency: str = "usd", email_domain: str | None = None
    ) -> str:
        customer_id = f"cus_{letter}"
        domain = email_domain or f"{letter.lower()}.example.com"
        self.add(
            "stripe",
            "customers",
            day,
            {
                "id": customer_id,
                "object": "customer",
                "created": ts(day),
                "email": f"billing@{domain}",
                "currency": currency,
                "metadata": {"account_id": f"acct_{letter}"},
            },
        )
        return customer_id

    def subscription(
        self,
        letter: str,
        day: str,
        status: str,
        items: list[tuple[dict, int | None]],
        *,
        sub_id: str | None = None,
        created: str | None = None,
        period: tuple[str, str] | None = None,
        **fields,
    ) -> None:
        """One landed version; the layout follows the file's day (basil from 2025-03-31)."""
        sub_id = sub_id or f"sub_{letter}"
        created = created or day
        period = period or (day, day)
        new_layout = date.fromisoformat(day) >= BASIL
        data = []
        for n, (item_price, quantity) in enumerate(items):
            item = {"id": f"si_{sub_id}_{n}", "object": "subscription_item", "price": item_price}
            if quantity is not None:
                item["quantity"] = quantity
            if new_layout:
                item["current_period_start"] = ts(period[0])
                item["current_period_end"] = ts(period[1])
            data.append(item)
        record = {
            "id": sub_id,
            "object": "subscription",
            "customer": f"cus_{letter}",
            "status": status,
            "created": ts(created),
            "start_date": ts(created),
            "currency": items[0][0]["currency"],
            "cancel_at_period_end": False,
            "cancel_at": None,
            "canceled_at": None,
            "ended_at": None,
            "trial_start": None,
            "trial_end": None,
            "items": {"object": "list", "data": data},
        }
        if not new_layout:
            record["current_period_start"] = ts(period[0])
            record["current_period_end"] = ts(period[1])
            record.setdefault("discount", None)
        record.update(fields)
        self.add("stripe", "subscriptions", day, record)

    def write(self, root: Path) -> Path:
        for (source, obj, day), records in self.files.items():
            folder = root / source / obj
            folder.mkdir(parents=True, exist_ok=True)
            text = "".join(json.dumps(r) + "\n" for r in records)
            if source == "ga4":
                (folder / f"{day}.jsonl.gz").write_bytes(gzip.compress(text.encode()))
            else:
                (folder / f"{day}.jsonl").write_text(text)
        return root


def _ga4(
    day: str, hour: int, name: str, visitor: str, session: int, user_id: str | None = None
) -> dict:
    moment = datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
    return {
        "event_date": day.replace("-", ""),
        "event_timestamp": int(moment.timestamp() * 1_000_000),
        "event_name": name,
        "event_params": [
            {
                "key": "ga_session_id",
                "value": {
                    "string_value": None,
                    "int_value": session,
                    "float_value": None,
                    "double_value": None,
                },
            }
        ],
        "user_pseudo_id": visitor,
        "user_id": user_id,
        "user_properties": [],
        "traffic_source": {"name": "(direct)", "medium": "(none)", "source": "(direct)"},
        "device": {"category": "desktop"},
        "geo": {"country": "France"},
    }


def _crm(object_id: str, day: str, properties: dict) -> dict:
    stamp = f"{day}T12:00:00.000Z"
    return {
        "id": object_id,
        "properties": properties,
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }


def build(root: Path) -> Path:
    lz = Landing()
    usd100 = price("price_m100", 10000)
    lz.add(
        "stripe",
        "products",
        "2025-01-01",
        {"id": "prod_app", "object": "product", "name": "App", "active": True},
    )
    lz.add("stripe", "prices", "2025-01-01", usd100)

    # A: $100/month, upgraded mid-February from 1 to 3 seats.
    lz.customer("A", "2025-01-10")
    lz.subscription("A", "2025-01-10", "active", [(usd100, 1)])
    lz.subscription("A", "2025-02-15", "active", [(usd100, 3)], created="2025-01-10")
    # B: annual plan, $1,200 a year, 2 seats -> $200/month.
    lz.customer("B", "2025-01-05", email_domain="bravo.io")
    lz.subscription("B", "2025-01-05", "active", [(price("price_y", 120000, "year"), 2)])
    # C: 6-month plan, $600 per 6 months -> $100/month.
    lz.customer("C", "2025-01-03")
    lz.subscription("C", "2025-01-03", "active", [(price("price_6m", 60000, "month", 6), 1)])
    # D: weekly plan, $10 a week -> 10 x 52 / 12 = 43.3333/month.
    lz.customer("D", "2025-01-04")
    lz.subscription("D", "2025-01-04", "active", [(price("price_w", 1000, "week"), 1)])
    # E: $200/month with 50% off until 2025-03-01 (a repeating coupon that ends).
    lz.customer("E", "2025-01-02")
    lz.subscription(
        "E",
        "2025-01-02",
        "active",
        [(price("price_m200", 20000), 1)],
        discount={
            "id": "di_e",
            "object": "discount",
            "start": ts("2025-01-02"),
            "end": ts("2025-03-01"),
            "coupon": {
                "id": "HALF",
                "percent_off": 50.0,
                "amount_off": None,
                "duration": "repeating",
                "duration_in_months": 2,
            },
        },
    )
    # F: $100/month with $30 off forever.
    lz.customer("F", "2025-01-02")
    lz.subscription(
        "F",
        "2025-01-02",
        "active",
        [(usd100, 1)],
        discount={
            "id": "di_f",
            "object": "discount",
            "start": ts("2025-01-02"),
            "end": None,
            "coupon": {
                "id": "THIRTY",
                "percent_off": None,
                "amount_off": 3000,
                "currency": "usd",
                "duration": "forever",
            },
        },
    )
    # G: 14-day trial that converts at trial_end 2025-01-15; the new version lands a day late.
    lz.customer("G", "2025-01-01")
    trial = {"trial_start": ts("2025-01-01"), "trial_end": ts("2025-01-15")}
    lz.subscription("G", "2025-01-01", "trialing", [(price("price_m50", 5000), 1)], **trial)
    lz.subscription(
        "G", "2025-01-16", "active", [(price("price_m50", 5000), 1)], created="2025-01-01", **trial
    )
    # H: trial that lapses at trial_end 2025-01-19.
    lz.customer("H", "2025-01-05")
    trial = {"trial_start": ts("2025-01-05"), "trial_end": ts("2025-01-19")}
    lz.subscription("H", "2025-01-05", "trialing", [(usd100, 1)], **trial)
    lz.subscription(
        "H",
        "2025-01-19",
        "canceled",
        [(usd100, 1)],
        created="2025-01-05",
        ended_at=ts("2025-01-19"),
        canceled_at=ts("2025-01-19"),
        **trial,
    )
    # I: $100/month set to cancel at period end (2025-03-01) on 2025-02-10, then canceled.
    lz.customer("I", "2025-01-01")
    lz.subscription("I", "2025-01-01", "active", [(usd100, 1)])
    lz.subscription(
        "I",
        "2025-02-10",
        "active",
        [(usd100, 1)],
        created="2025-01-01",
        cancel_at_period_end=True,
        cancel_at=ts("2025-03-01"),
        canceled_at=ts("2025-02-10"),
    )
    lz.subscription(
        "I",
        "2025-03-01",
        "canceled",
        [(usd100, 1)],
        created="2025-01-01",
        cancel_at_period_end=True,
        cancel_at=ts("2025-03-01"),
        canceled_at=ts("2025-02-10"),
        ended_at=ts("2025-03-01"),
    )
    # J: $80/month; payment fails (past_due 02-01, unpaid 02-15, canceled 03-01); back 04-10.
    lz.customer("J", "2025-01-01")
    usd80 = price("price_m80", 8000)
    lz.subscription("J", "2025-01-01", "active", [(usd80, 1)])
    lz.subscription("J", "2025-02-01", "past_due", [(usd80, 1)], created="2025-01-01")
    lz.subscription("J", "2025-02-15", "unpaid", [(usd80, 1)], created="2025-01-01")
    lz.subscription(
        "J",
        "2025-03-01",
        "canceled",
        [(usd80, 1)],
        created="2025-01-01",
        ended_at=ts("2025-03-01"),
        canceled_at=ts("2025-03-01"),
    )
    lz.subscription("J", "2025-04-10", "active", [(usd80, 1)], sub_id="sub_J2")
    # K: JPY 15,000/month (zero-decimal) at 0.0070 USD -> $105.
    lz.customer("K", "2025-01-01", currency="jpy")
    lz.subscription("K", "2025-01-01", "active", [(price("price_jpy", 15000, currency="jpy"), 1)])
    # L: $40/month licensed plus a metered item (not MRR).
    lz.customer("L", "2025-01-01")
    lz.subscription(
        "L",
        "2025-01-01",
        "active",
        [(price("price_m40", 4000), 1), (price("price_api", 2, usage="metered"), None)],
    )
    # M: two versions of one subscription in one file: the later line (2 seats) wins.
    lz.customer("M", "2025-01-20")
    lz.subscription("M", "2025-01-20", "active", [(usd100, 1)])
    lz.subscription("M", "2025-01-20", "active", [(usd100, 2)])
    # N: $100/month canceled on 2025-03-10, the cancellation landed on 2025-03-14.
    lz.customer("N", "2025-01-01")
    lz.subscription("N", "2025-01-01", "active", [(usd100, 1)])
    lz.subscription(
        "N",
        "2025-03-14",
        "canceled",
        [(usd100, 1)],
        created="2025-01-01",
        ended_at=ts("2025-03-10"),
        canceled_at=ts("2025-03-10"),
    )
    # O: basil layout: period on the item, 10% coupon given by id only (resolved from coupons).
    lz.customer("O", "2025-04-02")
    lz.add(
        "stripe",
        "coupons",
        "2025-04-01",
        {"id": "TEN", "object": "coupon", "percent_off": 10.0, "duration": "forever"},
    )
    lz.subscription(
        "O",
        "2025-04-02",
        "active",
        [(usd100, 1)],
        period=("2025-04-02", "2025-05-02"),
        discounts=[
            {
                "id": "di_o",
                "object": "discount",
                "start": ts("2025-04-02"),
                "end": None,
                "source": {"type": "coupon", "coupon": "TEN"},
            }
        ],
    )
    # P: basil layout with a bare discount id: cannot be valued, counted undiscounted.
    lz.customer("P", "2025-04-03")
    lz.subscription("P", "2025-04-03", "active", [(usd100, 1)], discounts=["di_unknown"])

    # Q: a signed deal: a subscription schedule (not started) whose first phase, $150/month,
    # starts 2025-05-10 -> +150 committed MRR in April, no MRR yet.
    lz.add("stripe", "prices", "2025-04-05", price("price_m150", 15000))
    lz.add(
        "stripe",
        "subscription_schedules",
        "2025-04-05",
        {
            "id": "sub_sched_Q",
            "object": "subscription_schedule",
            "customer": "cus_Q",
            "subscription": None,
            "status": "not_started",
            "created": ts("2025-04-05"),
            "phases": [
                {
                    "start_date": ts("2025-05-10"),
                    "end_date": None,
                    "items": [{"price": "price_m150", "quantity": 1}],
                }
            ],
        },
    )
    # B: a pending update (3 seats instead of 2, awaiting payment) -> +100 committed MRR.
    lz.subscription(
        "B",
        "2025-04-20",
        "active",
        [(price("price_y", 120000, "year"), 2)],
        created="2025-01-05",
        period=("2025-01-05", "2026-01-05"),
        pending_update={
            "subscription_items": [{"id": "si_sub_B_0", "price": "price_y", "quantity": 3}],
            "expires_at": ts("2025-05-20"),
        },
    )
    lz.add("stripe", "prices", "2025-01-05", price("price_y", 120000, "year"))

    _billing_documents(lz)
    _crm_and_support(lz)
    _web(lz)
    _finance(root)
    return lz.write(root)


def _billing_documents(lz: Landing) -> None:
    # A's January invoice, old layout: $100 + $20 tax, paid; charge and its fee ($3.78).
    lz.add(
        "stripe",
        "invoices",
        "2025-01-10",
        {
            "id": "in_A1",
            "object": "invoice",
            "customer": "cus_A",
            "subscription": "sub_A",
            "status": "paid",
            "billing_reason": "subscription_create",
            "currency": "usd",
            "created": ts("2025-01-10"),
            "period_start": ts("2025-01-10"),
            "period_end": ts("2025-02-10"),
            "subtotal": 10000,
            "tax": 2000,
            "total": 12000,
            "amount_paid": 12000,
            "status_transitions": {
                "finalized_at": ts("2025-01-10", 1),
                "paid_at": ts("2025-01-10", 2),
            },
            "lines": {"object": "list", "data": []},
        },
    )
    lz.add(
        "stripe",
        "charges",
        "2025-01-10",
        {
            "id": "ch_A1",
            "object": "charge",
            "customer": "cus_A",
            "invoice": "in_A1",
            "amount": 12000,
            "amount_refunded": 0,
            "currency": "usd",
            "status": "succeeded",
            "created": ts("2025-01-10", 2),
            "balance_transaction": "txn_A1",
        },
    )
    lz.add(
        "stripe",
        "balance_transactions",
        "2025-01-10",
        {
            "id": "txn_A1",
            "object": "balance_transaction",
            "amount": 12000,
            "fee": 378,
            "net": 11622,
            "currency": "usd",
            "type": "charge",
            "created": ts("2025-01-10", 2),
        },
    )
    # A refund of $20 in February.
    lz.add(
        "stripe",
        "refunds",
        "2025-02-05",
        {
            "id": "re_A1",
            "object": "refund",
            "charge": "ch_A1",
            "amount": 2000,
            "currency": "usd",
            "status": "succeeded",
            "created": ts("2025-02-05"),
        },
    )
    # K's January invoice in JPY, finalized, not paid: revenue 15,000 x 0.007 = $105.
    lz.add(
        "stripe",
        "invoices",
        "2025-01-01",
        {
            "id": "in_K1",
            "object": "invoice",
            "customer": "cus_K",
            "subscription": "sub_K",
            "status": "open",
            "billing_reason": "subscription_create",
            "currency": "jpy",
            "created": ts("2025-01-01"),
            "period_start": ts("2025-01-01"),
            "period_end": ts("2025-02-01"),
            "subtotal": 15000,
            "tax": None,
            "total": 15000,
            "amount_paid": 0,
            "status_transitions": {"finalized_at": ts("2025-01-01", 1)},
            "lines": {"object": "list", "data": []},
        },
    )
    # C's March invoice: $600 for six months, paid (no charge landed for it).
    lz.add(
        "stripe",
        "invoices",
        "2025-03-03",
        {
            "id": "in_C2",
            "object": "invoice",
            "customer": "cus_C",
            "subscription": "sub_C",
            "status": "paid",
            "billing_reason": "subscription_cycle",
            "currency": "usd",
            "created": ts("2025-03-03"),
            "period_start": ts("2025-03-03"),
            "period_end": ts("2025-09-03"),
            "subtotal": 60000,
            "tax": 0,
            "total": 60000,
            "amount_paid": 60000,
            "status_transitions": {
                "finalized_at": ts("2025-03-03", 1),
                "paid_at": ts("2025-03-03", 1),
            },
            "lines": {"object": "list", "data": []},
        },
    )
    # O's April invoice, basil layout: subscription under `parent`, tax in total_taxes.
    lz.add(
        "stripe",
        "invoices",
        "2025-04-02",
        {
            "id": "in_O1",
            "object": "invoice",
            "customer": "cus_O",
            "subscription": None,
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": "sub_O"},
            },
            "status": "paid",
            "billing_reason": "subscription_create",
            "currency": "usd",
            "created": ts("2025-04-02"),
            "period_start": ts("2025-04-02"),
            "period_end": ts("2025-05-02"),
            "subtotal": 9000,
            "total_taxes": [{"amount": 900}],
            "total": 9900,
            "amount_paid": 9900,
            "status_transitions": {
                "finalized_at": ts("2025-04-02", 1),
                "paid_at": ts("2025-04-02", 1),
            },
            "lines": {"object": "list", "data": []},
        },
    )


def _crm_and_support(lz: Landing) -> None:
    # Companies: one by account id (A), one by domain (bravo.io -> B), one unmatched.
    lz.add(
        "hubspot",
        "companies",
        "2025-01-02",
        _crm("901", "2025-01-02", {"name": "A Co", "account_id": "acct_A"}),
    )
    lz.add(
        "hubspot",
        "companies",
        "2025-01-02",
        _crm("902", "2025-01-02", {"name": "Bravo", "domain": "https://www.bravo.io/"}),
    )
    lz.add(
        "hubspot",
        "companies",
        "2025-01-02",
        _crm("903", "2025-01-02", {"name": "Nobody", "domain": "nobody.org"}),
    )
    # O came through a referral: its April acquisition makes the viral coefficient 1 / 10
    lz.add(
        "hubspot",
        "companies",
        "2025-04-02",
        _crm("904", "2025-04-02", {"name": "O Co", "account_id": "acct_O"}),
    )
    lz.add(
        "hubspot",
        "contacts",
        "2025-04-02",
        _crm(
            "3",
            "2025-04-02",
            {
                "email": "z@o.example.com",
                "createdate": "2025-04-02T09:00:00Z",
                "hs_analytics_source": "REFERRALS",
                "associatedcompanyid": "904",
            },
        ),
    )
    # Zendesk organizations: by external id (A), by domain (bravo.io -> B), unmatched
    for org_id, external_id, domains in (
        (11, "acct_A", []),
        (12, None, ["bravo.io"]),
        (13, None, ["elsewhere.org"]),
    ):
        lz.add(
            "zendesk",
            "organizations",
            "2025-01-02",
            {
                "id": org_id,
                "name": f"org {org_id}",
                "external_id": external_id,
                "domain_names": domains,
                "created_at": "2025-01-02T10:00:00Z",
                "updated_at": "2025-01-02T10:00:00Z",
            },
        )
    lz.add(
        "hubspot",
        "contacts",
        "2025-01-25",
        _crm(
            "1",
            "2025-01-25",
            {
                "email": "x@a.example.com",
                "createdate": "2025-01-03T09:00:00Z",
                "hs_lifecyclestage_lead_date": "2025-01-03T09:00:00Z",
                # epoch milliseconds: 2025-01-05 09:00
                "hs_lifecyclestage_marketingqualifiedlead_date": "1736067600000",
                "hs_lifecyclestage_salesqualifiedlead_date": "2025-01-20T09:00:00Z",
                "hs_lifecyclestage_customer_date": "2025-01-25T09:00:00Z",
                "hs_analytics_source": "PAID_SEARCH",
                "associatedcompanyid": "901",
            },
        ),
    )
    lz.add(
        "hubspot",
        "contacts",
        "2025-01-06",
        _crm(
            "2",
            "2025-01-06",
            {
                "email": "y@bravo.io",
                "createdate": "2025-01-04T09:00:00Z",
                "hs_lifecyclestage_lead_date": "2025-01-04T09:00:00Z",
                "hs_lifecyclestage_marketingqualifiedlead_date": "2025-01-06T09:00:00Z",
                "hs_analytics_source": "REFERRALS",
                "associatedcompanyid": "902",
            },
        ),
    )
    lz.add(
        "hubspot",
        "deals",
        "2025-01-11",
        _crm(
            "71",
            "2025-01-11",
            {
                "createdate": "2025-01-01T00:00:00Z",
                "closedate": "2025-01-11T00:00:00Z",
                "dealstage": "closedwon",
                "amount": "1200.00",
            },
        ),
    )
    lz.add(
        "hubspot",
        "deals",
        "2025-01-20",
        _crm(
            "72",
            "2025-01-20",
            {
                "createdate": "2025-01-02T00:00:00Z",
                "closedate": "2025-01-20T00:00:00Z",
                "dealstage": "closedlost",
                "hs_is_closed": "true",
                "hs_is_closed_won": "false",
            },
        ),
    )
    for n, score in enumerate((10, 9, 7, 3)):
        lz.add(
            "hubspot",
            "feedback_submissions",
            "2025-01-15",
            _crm(
                f"8{n}",
                "2025-01-15",
                {
                    "hs_survey_type": "NPS",
                    "hs_response_value": str(score),
                    "hs_submission_timestamp": "2025-01-15T10:00:00Z",
                },
            ),
        )

    def ticket(ticket_id: int, created: str, status: str, updated: str) -> dict:
        return {
            "id": ticket_id,
            "created_at": f"{created}T10:00:00Z",
            "status": status,
            "updated_at": f"{updated}T10:00:00Z",
            "organization_id": None,
        }

    def metrics(ticket_id: int, solved: str, reply: int, resolution: int) -> dict:
        return {
            "id": 5000 + ticket_id,
            "ticket_id": ticket_id,
            "solved_at": f"{solved}T10:00:00Z",
            "updated_at": f"{solved}T10:00:00Z",
            "reply_time_in_minutes": {"calendar": reply, "business": reply},
            "full_resolution_time_in_minutes": {"calendar": resolution, "business": resolution},
        }

    lz.add("zendesk", "tickets", "2025-01-05", ticket(1, "2025-01-05", "new", "2025-01-05"))
    lz.add("zendesk", "tickets", "2025-01-06", ticket(1, "2025-01-05", "solved", "2025-01-06"))
    lz.add("zendesk", "ticket_metrics", "2025-01-06", metrics(1, "2025-01-06", 30, 600))
    lz.add("zendesk", "tickets", "2025-01-07", ticket(2, "2025-01-07", "open", "2025-01-07"))
    lz.add("zendesk", "tickets", "2025-01-10", ticket(3, "2025-01-10", "open", "2025-01-10"))
    lz.add("zendesk", "tickets", "2025-02-02", ticket(3, "2025-01-10", "solved", "2025-02-02"))
    lz.add("zendesk", "ticket_metrics", "2025-02-02", metrics(3, "2025-02-02", 90, 1000))
    for n, score in enumerate(("good", "good", "bad")):
        lz.add(
            "zendesk",
            "satisfaction_ratings",
            "2025-01-20",
            {
                "id": 700 + n,
                "ticket_id": 1,
                "score": score,
                "created_at": "2025-01-20T10:00:00Z",
                "updated_at": "2025-01-20T10:00:00Z",
            },
        )
    # Files on later days: April closes on 2025-04-30, and the as-of day is 2026-01-31, so
    # twelve-month retention (Jan 2025 -> Jan 2026) can be measured.
    lz.add("zendesk", "tickets", "2025-04-30", ticket(4, "2025-04-30", "new", "2025-04-30"))
    lz.add("zendesk", "tickets", "2026-01-31", ticket(5, "2026-01-31", "new", "2026-01-31"))


def _web(lz: Landing) -> None:
    day = "2025-01-05"
    # the first line twice, verbatim (an export retried): one event
    for event in (
        _ga4(day, 9, "page_view", "v1", 11),
        _ga4(day, 9, "page_view", "v1", 11),
        _ga4(day, 10, "page_view", "v1", 11),
        _ga4(day, 15, "page_view", "v1", 12),
        _ga4(day, 10, "page_view", "v2", 21),
        _ga4(day, 10, "sign_up", "v2", 21),
        _ga4(day, 11, "login", "v3", 31, "u1"),
    ):
        lz.add("ga4", "events", day, event)
    # H's trial user fires the activation event during the trial: a PQL
    activation = _ga4("2025-01-07", 10, "activation", "v9", 91, "u_h")
    activation["user_properties"] = [{"key": "account_id", "value": {"string_value": "acct_H"}}]
    lz.add("ga4", "events", "2025-01-07", activation)
    day = "2025-01-06"
    for event in (
        _ga4(day, 9, "page_view", "v1", 13),
        _ga4(day, 11, "login", "v3", 32, "u1"),
        _ga4(day, 12, "user_engagement", "v4", 41, "u2"),
    ):
        lz.add("ga4", "events", day, event)


def _finance(root: Path) -> None:
    folder = root / "finance"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "expenses.csv").write_text(
        "month,category,channel,amount,currency\n"
        "2025-01,opening_cash,,1000,USD\n"
        "2025-01,cogs,,50,USD\n"
        "2025-01,sales,,100,USD\n"
        "2025-01,marketing,paid_search,100,USD\n"
        "2025-03,cogs,,10,USD\n"
    )
    day, lines = date(2025, 1, 1), ["date,currency,rate_to_reporting"]
    while day <= date(2026, 1, 31):
        lines.append(f"{day.isoformat()},JPY,0.0070")
        day = date.fromordinal(day.toordinal() + 1)
    (folder / "fx_rates.csv").write_text("\n".join(lines) + "\n")
