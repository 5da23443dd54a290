"""Daily partitions: a landed file's day is its partition."""

from __future__ import annotations

from datetime import date

import dagster as dg

from ingestion.catalog import ALL_OBJECTS
from ingestion.landing import partition_days
from ingestion.settings import Settings

FALLBACK_START = date(2024, 1, 1)


def first_partition_day(settings: Settings) -> date:
    """The configured start, else the earliest landed day, else a fixed fallback."""
    if settings.partitions_start:
        return settings.partitions_start
    days = partition_days(settings.landing_dir, ALL_OBJECTS)
    return days[0] if days else FALLBACK_START


def daily_partitions(settings: Settings) -> dg.DailyPartitionsDefinition:
    # end_offset=1 includes today: a file may land for the running day.
    return dg.DailyPartitionsDefinition(
        start_date=first_partition_day(settings).isoformat(),
        timezone=settings.schedule_timezone,
        end_offset=1,
    )
