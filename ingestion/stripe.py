"""Stripe API objects (both the pre-2025-03-31 and the basil-and-later layouts).

Only fields present in both layouts are required: a field that moved in basil
(`current_period_*`, `discount`, `invoice.subscription`, `invoice.tax`, `charge.invoice`) is
read by staging from whichever place the record has it. The amounts and timestamps staging
reads are `checked`: absent or null is fine, but `"28.62"` for an amount (minor units are
integers) or a timestamp in milliseconds is a broken export, quarantined rather than rounded or
read as the year 57164.
"""

from ingestion.specs import ObjectSpec, fields

SOURCE = "stripe"

_DISCOUNT = {
    "discount.start": "epoch_seconds",
    "discount.end": "epoch_seconds",
    "discount.coupon.amount_off": "minor_units",
}

OBJECTS = (
    ObjectSpec(
        SOURCE,
        "customers",
        fields(id="string", created="epoch_seconds"),
        # A deleted customer is `{"id": ..., "object": "customer", "deleted": true}`.
        deleted_flag="deleted",
    ),
    ObjectSpec(SOURCE, "products", fields(id="string")),
    ObjectSpec(
        SOURCE,
        "prices",
        fields(id="string", currency="string", product="ref"),
        non_negative=("unit_amount",),
        checked=fields(unit_amount="minor_units"),
    ),
    ObjectSpec(
        SOURCE,
        "subscriptions",
        fields(
            id="string", customer="ref", status="string", created="epoch_seconds", items="object"
        ),
        checked=fields(
            {
                **_DISCOUNT,
                "items.data[].current_period_start": "epoch_seconds",
                "items.data[].current_period_end": "epoch_seconds",
                "items.data[].price.unit_amount": "minor_units",
            },
            start_date="epoch_seconds",
            current_period_start="epoch_seconds",
            current_period_end="epoch_seconds",
            trial_start="epoch_seconds",
            trial_end="epoch_seconds",
            cancel_at="epoch_seconds",
            canceled_at="epoch_seconds",
            ended_at="epoch_seconds",
        ),
    ),
    ObjectSpec(
        SOURCE,
        "invoices",
        fields(id="string", customer="ref", currency="string", created="epoch_seconds"),
        checked=fields(
            {"total_taxes[].amount": "minor_units"},
            period_start="epoch_seconds",
            period_end="epoch_seconds",
            status_transitions__finalized_at="epoch_seconds",
            status_transitions__paid_at="epoch_seconds",
            subtotal="minor_units",
            tax="minor_units",
            total="minor_units",
            amount_due="minor_units",
            amount_paid="minor_units",
        ),
    ),
    ObjectSpec(
        SOURCE,
        "charges",
        fields(
            id="string",
            amount="minor_units",
            currency="string",
            status="string",
            created="epoch_seconds",
        ),
        non_negative=("amount", "amount_refunded"),
        checked=fields(amount_refunded="minor_units"),
    ),
    ObjectSpec(
        SOURCE,
        "refunds",
        fields(id="string", amount="minor_units", currency="string", created="epoch_seconds"),
        non_negative=("amount",),
    ),
    ObjectSpec(
        SOURCE,
        "balance_transactions",
        fields(
            id="string",
            amount="minor_units",
            fee="minor_units",
            currency="string",
            created="epoch_seconds",
        ),
        checked=fields(net="minor_units", available_on="epoch_seconds"),
    ),
    ObjectSpec(
        SOURCE,
        "coupons",
        fields(id="string"),
        optional_object=True,
        checked=fields(amount_off="minor_units"),
    ),
    ObjectSpec(
        SOURCE,
        "invoice_payments",
        fields(id="string", invoice="ref"),
        optional_object=True,
        checked=fields(amount_paid="minor_units", status_transitions__paid_at="epoch_seconds"),
    ),
    ObjectSpec(SOURCE, "subscription_schedules", fields(id="string"), optional_object=True),
)
