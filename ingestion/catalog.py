"""Every landed JSONL object the pipeline knows, by source."""

from ingestion import ga4, hubspot, stripe, zendesk
from ingestion.specs import ObjectSpec

SOURCES: dict[str, tuple[ObjectSpec, ...]] = {
    stripe.SOURCE: stripe.OBJECTS,
    hubspot.SOURCE: hubspot.OBJECTS,
    ga4.SOURCE: ga4.OBJECTS,
    zendesk.SOURCE: zendesk.OBJECTS,
}

ALL_OBJECTS: tuple[ObjectSpec, ...] = tuple(spec for specs in SOURCES.values() for spec in specs)
