"""Zendesk Support API objects as the incremental export returns them (integer ids)."""

from ingestion.specs import ObjectSpec, fields

SOURCE = "zendesk"

OBJECTS = (
    ObjectSpec(SOURCE, "tickets", fields(id="id", created_at="string", status="string")),
    ObjectSpec(SOURCE, "ticket_metrics", fields(id="id", ticket_id="id")),
    ObjectSpec(SOURCE, "users", fields(id="id")),
    ObjectSpec(SOURCE, "organizations", fields(id="id")),
    ObjectSpec(SOURCE, "satisfaction_ratings", fields(id="id", ticket_id="id", score="string")),
)
