"""Daily partitions: a landed file's day. The start is a setting, never read from the data, so
the definitions load the same anywhere (an empty landing zone, a CI machine, the UI)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from orchestration.settings import TallySettings

# Dagster's documented run tags of a single run over a range of partitions (a single-run
# backfill); the UI's backfill dialog and our CLI, schedule and sensor all set them.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def daily_partitions(settings: TallySettings) -> dg.DailyPartitionsDefinition:
    # end_offset=1 includes today: a file may land for the running day.
    return dg.DailyPartitionsDefinition(
        start_date=settings.first_partition.isoformat(),
        timezone=settings.schedule_timezone,
        end_offset=1,
    )


def range_tags(start: date, end: date) -> dict[str, str]:
    """Tags of one run over the days `start..end`, however many."""
    return {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}
