"""HubSpot CRM v3 objects: `{id, properties{...strings}, createdAt, updatedAt, archived}`."""

from ingestion.specs import ObjectSpec, fields

SOURCE = "hubspot"

_CRM_OBJECT = fields(id="id", properties="object")

OBJECTS = tuple(
    ObjectSpec(SOURCE, name, _CRM_OBJECT)
    for name in ("contacts", "companies", "deals", "feedback_submissions")
)
