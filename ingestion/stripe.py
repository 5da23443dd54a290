"""Stripe API objects (both the pre-2025-03-31 and the basil-and-later layouts).

Only fields present in both layouts are required: a field that moved in basil
(`current_period_*`, `discount`, `invoice.subscription`, `invoice.tax`, `charge.invoice`) is
read by staging from whichever place the record has it.
"""

from ingestion.specs import ObjectSpec, fields

SOURCE = "stripe"

OBJECTS = (
    ObjectSpec(SOURCE, "customers", fields(id="string", created="epoch_seconds")),
    ObjectSpec(SOURCE, "products", fields(id="string")),
    ObjectSpec(
        SOURCE,
        "prices",
        fields(id="string", currency="string", product="ref"),
        non_negative=("unit_amount",),
    ),
    ObjectSpec(
        SOURCE,
        "subscriptions",
        fields(
            id="string", customer="ref", status="string", created="epoch_seconds", items="object"
        ),
    ),
    ObjectSpec(
        SOURCE,
        "invoices",
        fields(id="string", customer="ref", currency="string", created="epoch_seconds"),
    ),
    ObjectSpec(
        SOURCE,
        "charges",
        fields(
            id="string",
            amount="integer",
            currency="string",
            status="string",
            created="epoch_seconds",
        ),
        non_negative=("amount", "amount_refunded"),
    ),
    ObjectSpec(
        SOURCE,
        "refunds",
        fields(id="string", amount="integer", currency="string", created="epoch_seconds"),
        non_negative=("amount",),
    ),
    ObjectSpec(
        SOURCE,
        "balance_transactions",
        fields(
            id="string",
            amount="integer",
            fee="integer",
            currency="string",
            created="epoch_seconds",
        ),
    ),
    ObjectSpec(SOURCE, "coupons", fields(id="string"), optional_object=True),
    ObjectSpec(
        SOURCE, "invoice_payments", fields(id="string", invoice="ref"), optional_object=True
    ),
    ObjectSpec(SOURCE, "subscription_schedules", fields(id="string"), optional_object=True),
)
