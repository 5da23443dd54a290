"""Declared shape of every landed object: what a line needs to be loaded rather than quarantined.

Only what the pipeline relies on is required; everything else a vendor sends is kept as-is in
the raw JSON. Schemas are declared, never inferred from a file, because one day's file is no
guide to the next (a column null all day, an older API layout beside a newer one).
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
}

# Unix seconds beyond this (year 5138) are milliseconds or microseconds sent by mistake.
MAX_EPOCH_SECONDS = 100_000_000_000
# A record cannot be created after the day of the file that exports it (time zones aside).
CREATED_AFTER_FILE_DAY_TOLERANCE_DAYS = 2


@dataclass(frozen=True)
class Field:
    """A required field: present, not null, of the given kind."""

    name: str
    kind: str

    @property
    def path(self) -> str:
        return "$." + ".".join(f'"{part}"' for part in self.name.split("."))


@dataclass(frozen=True)
class ObjectSpec:
    """One landed object type: `<landing>/<source>/<name>/<YYYY-MM-DD>.jsonl[.gz]`."""

    source: str
    name: str
    required: tuple[Field, ...]
    optional_object: bool = False  # LANDING.md marks a few Stripe objects optional
    # Amounts that cannot be negative when present (a refund of -5 is a broken export).
    non_negative: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"{self.source}_{self.name}"


def fields(**kinds: str) -> tuple[Field, ...]:
    """`fields(id="string", created="epoch_seconds")`; dots in names are written with `__`."""
    return tuple(Field(name.replace("__", "."), kind) for name, kind in kinds.items())
