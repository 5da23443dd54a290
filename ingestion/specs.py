"""Declared shape of every landed object: what a line needs to be loaded rather than quarantined.

Only what the pipeline relies on is required; everything else a vendor sends is kept as-is in
the raw JSON. Schemas are declared, never inferred from a file, because one day's file is no
guide to the next (a column null all day, an older API layout beside a newer one).

A field has a kind, and a kind is a type plus a plausibility rule: Stripe amounts are integers
in minor units (`"28.62"` is not), Stripe timestamps are Unix seconds (not milliseconds), GA4's
`event_timestamp` is Unix microseconds of the file's day. `required` fields must be present with
their kind; `checked` fields may be absent or null, but when present must have their kind. A
field name with `[]` (`items.data[].current_period_end`) checks every element of that array.
"""

from __future__ import annotations

from dataclasses import dataclass

# DuckDB json_type() names accepted for each kind of field.
KINDS: dict[str, tuple[str, ...]] = {
    "string": ("VARCHAR",),
    "integer": ("BIGINT", "UBIGINT"),
    "number": ("BIGINT", "UBIGINT", "DOUBLE"),
    "boolean": ("BOOLEAN",),
    "object": ("OBJECT",),
    "array": ("ARRAY",),
    # An id that some exports write as a number and others as a string.
    "id": ("VARCHAR", "BIGINT", "UBIGINT"),
    # A reference that the API may return expanded (an object) or as an id (a string).
    "ref": ("VARCHAR", "OBJECT"),
    # BigQuery's JSON extract writes INT64 as a string; the Python client writes a number.
    "int64": ("BIGINT", "UBIGINT", "VARCHAR"),
    # Unix seconds (Stripe): an integer that is not in milliseconds.
    "epoch_seconds": ("BIGINT", "UBIGINT"),
    # A Stripe amount: an integer in the currency's minor unit, never a decimal or a string.
    "minor_units": ("BIGINT", "UBIGINT"),
    # GA4 event_timestamp: Unix microseconds (an INT64, so possibly a string) of the file's day.
    "epoch_micros": ("BIGINT", "UBIGINT", "VARCHAR"),
}

KIND_LABELS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "id": "a string or integer id",
    "ref": "an id string or an expanded object",
    "int64": "an integer (or integer string)",
    "epoch_seconds": "Unix epoch seconds",
    "minor_units": "an integer amount in minor units",
    "epoch_micros": "Unix epoch microseconds",
}

# Unix seconds beyond this (year 5138) are milliseconds or microseconds sent by mistake.
MAX_EPOCH_SECONDS = 100_000_000_000
# A record cannot be created after the day of the file that exports it (time zones aside).
CREATED_AFTER_FILE_DAY_TOLERANCE_DAYS = 2
# GA4 files hold one day's events (`events_YYYYMMDD`, the property's time zone): an event's
# microsecond timestamp falls within a day or so of it (time zones, and Measurement Protocol
# events backdated up to 72 hours). Milliseconds read as microseconds date it in 1970, seconds
# in 1970 too, nanoseconds tens of thousands of years ahead.
EVENT_TIME_TOLERANCE_DAYS = 3
# No event, invoice or subscription of a SaaS company predates this.
EARLIEST_PLAUSIBLE_DATE = "2000-01-01"


@dataclass(frozen=True)
class Field:
    """A field and its kind (a required one must be present, not null, of that kind)."""

    name: str
    kind: str

    @property
    def path(self) -> str:
        """The DuckDB JSON path; a `[]` part becomes `[*]` (every element)."""
        parts = []
        for part in self.name.split("."):
            array = part.endswith("[]")
            key = part.removesuffix("[]")
            parts.append(f'"{key}"' + ("[*]" if array else ""))
        return "$." + ".".join(parts)

    @property
    def is_array(self) -> bool:
        return "[]" in self.name


@dataclass(frozen=True)
class ObjectSpec:
    """One landed object type: `<landing>/<source>/<name>/<YYYY-MM-DD>.jsonl[.gz]`."""

    source: str
    name: str
    required: tuple[Field, ...]
    optional_object: bool = False  # LANDING.md marks a few Stripe objects optional
    # Amounts that cannot be negative when present (a refund of -5 is a broken export).
    non_negative: tuple[str, ...] = ()
    # Optional fields that must have their kind when present and not null.
    checked: tuple[Field, ...] = ()
    # A boolean field that marks a deletion (`{"id": "cus_1", "object": "customer",
    # "deleted": true}` is how Stripe returns a deleted object): such a line needs only
    # `deleted_marker_requires` and loads as a new version of its object.
    deleted_flag: str | None = None
    deleted_marker_requires: tuple[str, ...] = ("id",)

    @property
    def table(self) -> str:
        return f"{self.source}_{self.name}"


def fields(named: dict[str, str] | None = None, /, **kinds: str) -> tuple[Field, ...]:
    """`fields(id="string", created="epoch_seconds")`; dots in keyword names are written with
    `__`; names with array parts go in a dict: `fields({"items.data[].quantity": "integer"})`."""
    pairs = list((named or {}).items()) + [(k.replace("__", "."), v) for k, v in kinds.items()]
    return tuple(Field(name, kind) for name, kind in pairs)
