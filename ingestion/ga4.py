"""GA4 BigQuery-export event rows, one event per line, one file per `events_YYYYMMDD` table.

Only the event's identity is required: the export schema gains and loses columns between
years (`collected_traffic_source`, `is_active_user`, ...), and older rows must still load.
"""

from ingestion.specs import ObjectSpec, fields

SOURCE = "ga4"

OBJECTS = (
    ObjectSpec(
        SOURCE,
        "events",
        fields(
            event_date="string",
            event_timestamp="epoch_micros",
            event_name="string",
            user_pseudo_id="string",
        ),
    ),
)
