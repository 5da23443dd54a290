"""Stripe API objects for the simulated business, in the layout of the day they are landed.

An account that upgraded its API version: records landed before 2025-03-31 use the 2024
layout, records from that day on the basil layout (and from 2025-09-30 clover's discount
`source`, with the coupon given by id only and resolved from `stripe/coupons/`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sample.business import (
    BILLING,
    COUPONS,
    CURRENCIES,
    PLANS,
    Account,
    Invoice,
    Subscription,
    SubState,
    metered_price_id,
    price_id,
    unit_amount,
)

BASIL = date(2025, 3, 31)
CLOVER = date(2025, 9, 30)

Record = tuple[str, date, dict]  # (object, landed day, record)


def ts(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def catalog_records(day: date) -> Iterator[Record]:
    """Products, prices and coupons, landed on the first day."""
    created = ts(datetime.combine(day, datetime.min.time(), tzinfo=UTC))
    for plan in PLANS:
        yield (
            "products",
            day,
            {
                "id": f"prod_{plan}",
                "object": "product",
                "active": True,
                "created": created,
                "name": f"Tally {plan.title()}",
            },
        )
    yield (
        "products",
        day,
        {
            "id": "prod_api_calls",
            "object": "product",
            "active": True,
            "created": created,
            "name": "API calls",
        },
    )
    for currency in CURRENCIES:
        ids = [price_id(plan, billing, currency) for plan in PLANS for billing in BILLING]
        for price in [*ids, metered_price_id(currency)]:
            yield "prices", day, {**_price(price, currency), "active": True, "created": created}
    for coupon_id, coupon in COUPONS.items():
        yield (
            "coupons",
            day,
            {"id": coupon_id, "object": "coupon", "created": created, "valid": True, **coupon},
        )


def customer_record(account: Account) -> Record:
    return (
        "customers",
        account.signup_at.date(),
        {
            "id": account.customer_id,
            "object": "customer",
            "created": ts(account.signup_at),
            "email": account.billing_email,
            "name": account.name,
            "currency": account.currency,
            "address": {"country": account.country},
            "metadata": {"account_id": account.account_id} if account.stripe_has_id else {},
            "delinquent": False,
            "livemode": False,
        },
    )


def subscription_records(account: Account, sub: Subscription) -> Iterator[Record]:
    for version in sub.versions:
        yield (
            "subscriptions",
            version.landed,
            _subscription(account, sub, version.state, version.at, version.landed),
        )


def _price(price: str, currency: str) -> dict:
    plan, billing = price.split("_")[1], price.split("_")[2]
    if price.startswith("price_api_calls"):
        return {
            "id": price,
            "object": "price",
            "currency": currency,
            "product": "prod_api_calls",
            "unit_amount": 2 if currency != "jpy" else 3,
            "type": "recurring",
            "recurring": {"interval": "month", "interval_count": 1, "usage_type": "metered"},
        }
    interval, count, _, _ = BILLING[billing]
    return {
        "id": price,
        "object": "price",
        "currency": currency,
        "product": f"prod_{plan}",
        "unit_amount": unit_amount(plan, billing, currency),
        "type": "recurring",
        "recurring": {"interval": interval, "interval_count": count, "usage_type": "licensed"},
    }


def _coupon(coupon_id: str) -> dict:
    return {"id": coupon_id, "object": "coupon", "valid": True, **COUPONS[coupon_id]}


def _subscription(
    account: Account, sub: Subscription, state: SubState, at: datetime, landed: date
) -> dict:
    new_layout = landed >= BASIL
    items = []
    for item_id, price, qty in state.items:
        item = {
            "id": item_id,
            "object": "subscription_item",
            "price": _price(price, account.currency),
            "subscription": sub.id,
        }
        if not price.startswith("price_api_calls"):
            item["quantity"] = qty
        if new_layout:
            item["current_period_start"] = ts(state.current_period_start)
            item["current_period_end"] = ts(state.current_period_end)
        items.append(item)
    record = {
        "id": sub.id,
        "object": "subscription",
        "customer": account.customer_id,
        "status": state.status,
        "created": ts(sub.created),
        "start_date": ts(sub.created),
        "billing_cycle_anchor": ts(sub.created),
        "currency": account.currency,
        "trial_start": ts(state.trial_start),
        "trial_end": ts(state.trial_end),
        "cancel_at_period_end": state.cancel_at_period_end,
        "cancel_at": ts(state.cancel_at),
        "canceled_at": ts(state.canceled_at),
        "ended_at": ts(state.ended_at),
        "items": {"object": "list", "data": items},
        "metadata": {},
        "livemode": False,
    }
    discount = None
    if state.coupon:
        discount = {
            "id": f"di_{sub.id[4:]}",
            "object": "discount",
            "subscription": sub.id,
            "customer": account.customer_id,
            "start": ts(state.discount_start),
            "end": ts(state.discount_end),
        }
    if new_layout:
        if discount is None:
            record["discounts"] = []
        elif landed >= CLOVER:
            record["discounts"] = [
                {**discount, "source": {"type": "coupon", "coupon": state.coupon}}
            ]
        else:
            record["discounts"] = [{**discount, "coupon": _coupon(state.coupon)}]
    else:
        record["current_period_start"] = ts(state.current_period_start)
        record["current_period_end"] = ts(state.current_period_end)
        record["discount"] = (
            None if discount is None else {**discount, "coupon": _coupon(state.coupon)}
        )
        record["discounts"] = [] if discount is None else [discount["id"]]
    return record


def invoice_records(account: Account, invoice: Invoice) -> Iterator[Record]:
    """The invoice (a version at creation and one when it settles), charge, refund, fees."""
    yield "invoices", invoice.created.date(), _invoice(account, invoice, invoice.created)
    if invoice.status_changed_at:
        yield (
            "invoices",
            invoice.status_changed_at.date(),
            _invoice(account, invoice, invoice.status_changed_at),
        )
    if invoice.charge_id and invoice.paid_at:
        yield from _payment_records(account, invoice)


def _invoice(account: Account, invoice: Invoice, as_of: datetime) -> dict:
    landed = as_of.date()
    new_layout = landed >= BASIL
    settled = invoice.status_changed_at is None or as_of >= invoice.status_changed_at
    status = invoice.status if settled else "open"
    paid_at = invoice.paid_at if status == "paid" else None
    finalized = invoice.created + timedelta(minutes=55)
    lines = []
    for n, line in enumerate(invoice.lines):
        entry = {
            "id": f"il_{invoice.id[3:]}_{n}",
            "object": "line_item",
            "amount": line["amount"],
            "currency": invoice.currency,
            "quantity": line["quantity"],
            "period": {"start": ts(invoice.period_start), "end": ts(invoice.period_end)},
        }
        if new_layout:
            entry["pricing"] = {
                "type": "price_details",
                "price_details": {"price": line["price"], "product": None},
            }
            entry["parent"] = {
                "type": "subscription_item_details",
                "subscription_item_details": {
                    "subscription": invoice.sub_id,
                    "subscription_item": line["item"],
                },
            }
        else:
            entry["price"] = _price(line["price"], invoice.currency)
            entry["subscription"] = invoice.sub_id
            entry["type"] = "subscription"
        lines.append(entry)
    record = {
        "id": invoice.id,
        "object": "invoice",
        "customer": account.customer_id,
        "status": status,
        "billing_reason": invoice.billing_reason,
        "currency": invoice.currency,
        "created": ts(invoice.created),
        "period_start": ts(invoice.period_start),
        "period_end": ts(invoice.period_end),
        "subtotal": invoice.subtotal,
        "total_discount_amounts": [{"amount": invoice.discount}] if invoice.discount else [],
        "total": invoice.total,
        "amount_due": invoice.total,
        "amount_paid": invoice.total if status == "paid" else 0,
        "status_transitions": {
            "finalized_at": ts(finalized),
            "paid_at": ts(paid_at),
            "voided_at": None,
            "marked_uncollectible_at": ts(invoice.status_changed_at)
            if status == "uncollectible"
            else None,
        },
        "lines": {"object": "list", "data": lines},
        "livemode": False,
    }
    if new_layout:
        record["subscription"] = None
        record["parent"] = {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"subscription": invoice.sub_id, "metadata": {}},
        }
        record["total_taxes"] = (
            [
                {
                    "amount": invoice.tax,
                    "tax_behavior": "exclusive",
                    "taxability_reason": "standard_rated",
                }
            ]
            if invoice.tax
            else []
        )
    else:
        record["subscription"] = invoice.sub_id
        record["tax"] = invoice.tax if invoice.tax else None
        record["paid"] = status == "paid"
        record["charge"] = invoice.charge_id if status == "paid" else None
    return record


def _fee(amount: int, currency: str) -> int:
    minor = CURRENCIES[currency][2]
    return int(round(amount * 0.029 + 0.30 * minor)) if minor > 1 else int(round(amount * 0.036))


def _payment_records(account: Account, invoice: Invoice) -> Iterator[Record]:
    paid_at = invoice.paid_at
    assert paid_at is not None and invoice.charge_id is not None
    day = paid_at.date()
    txn_id = "txn_" + invoice.charge_id[3:]
    fee = _fee(invoice.total, invoice.currency)
    charge = {
        "id": invoice.charge_id,
        "object": "charge",
        "customer": account.customer_id,
        "amount": invoice.total,
        "amount_captured": invoice.total,
        "amount_refunded": 0,
        "currency": invoice.currency,
        "status": "succeeded",
        "paid": True,
        "captured": True,
        "refunded": False,
        "created": ts(paid_at),
        "balance_transaction": txn_id,
        "livemode": False,
    }
    if day < BASIL:
        charge["invoice"] = invoice.id
    yield "charges", day, charge
    yield (
        "balance_transactions",
        day,
        {
            "id": txn_id,
            "object": "balance_transaction",
            "amount": invoice.total,
            "fee": fee,
            "net": invoice.total - fee,
            "currency": invoice.currency,
            "type": "charge",
            "reporting_category": "charge",
            "source": invoice.charge_id,
            "status": "available",
            "created": ts(paid_at),
            "available_on": ts(paid_at + timedelta(days=2)),
        },
    )
    if day >= BASIL:
        yield (
            "invoice_payments",
            day,
            {
                "id": "inpay_" + invoice.id[3:],
                "object": "invoice_payment",
                "invoice": invoice.id,
                "amount_paid": invoice.total,
                "amount_requested": invoice.total,
                "currency": invoice.currency,
                "is_default": True,
                "status": "paid",
                "payment": {"type": "charge", "charge": invoice.charge_id},
                "status_transitions": {"paid_at": ts(paid_at), "canceled_at": None},
                "created": ts(paid_at),
                "livemode": False,
            },
        )
    if invoice.refund:
        refund_id, amount, created = invoice.refund
        refund_day = created.date()
        yield (
            "refunds",
            refund_day,
            {
                "id": refund_id,
                "object": "refund",
                "charge": invoice.charge_id,
                "amount": amount,
                "currency": invoice.currency,
                "status": "succeeded",
                "reason": "requested_by_customer",
                "created": ts(created),
                "balance_transaction": "txn_" + refund_id[3:],
            },
        )
        yield (
            "balance_transactions",
            refund_day,
            {
                "id": "txn_" + refund_id[3:],
                "object": "balance_transaction",
                "amount": -amount,
                "fee": 0,
                "net": -amount,
                "currency": invoice.currency,
                "type": "refund",
                "reporting_category": "refund",
                "source": refund_id,
                "status": "available",
                "created": ts(created),
                "available_on": ts(created),
            },
        )
        yield (
            "charges",
            refund_day,
            {**charge, "amount_refunded": amount, "refunded": amount == invoice.total},
        )
