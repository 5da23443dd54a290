"""Load partitions: a landed file's month, with the run's exact days as tags.

A Dagster run over a range of partitions records one materialization per partition and per
asset, at a few milliseconds each in the instance's sqlite storage: daily partitions made a
two-year backfill write ~3,000 of them and a landing zone spanning fifteen years ~22,000 (six
minutes of bookkeeping for 121 files). Monthly partitions keep the UI's view of what is loaded
(a month is materialized when any of its days was loaded) at 4 events per month, while the run
still loads exactly its days: `tally/first_day` and `tally/last_day` narrow the months' window.
The start is a setting, never read from the data, so the definitions load the same anywhere.
"""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg

from orchestration.settings import TallySettings

# Dagster's documented run tags of a single run over a range of partitions (a single-run
# backfill); the UI's backfill dialog and our CLI, schedule and sensor all set them.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
FIRST_DAY_TAG = "tally/first_day"
LAST_DAY_TAG = "tally/last_day"


def landing_partitions(settings: TallySettings) -> dg.MonthlyPartitionsDefinition:
    # end_offset=1 includes the running month: a file may land for today.
    return dg.MonthlyPartitionsDefinition(
        start_date=settings.first_partition.replace(day=1).isoformat(),
        timezone=settings.schedule_timezone,
        end_offset=1,
    )


def month_key(day: date) -> str:
    return day.replace(day=1).isoformat()


def range_tags(start: date, end: date) -> dict[str, str]:
    """Tags of one run loading the days `start..end` (the months holding them), however many."""
    return {
        RANGE_START_TAG: month_key(start),
        RANGE_END_TAG: month_key(end),
        FIRST_DAY_TAG: start.isoformat(),
        LAST_DAY_TAG: end.isoformat(),
    }


def days_to_load(window_start: date, window_end: date, tags: dict[str, str]) -> list[date]:
    """The days of the partitions' window [start, end), narrowed to the run's day tags."""
    first = max(window_start, date.fromisoformat(tags.get(FIRST_DAY_TAG, "0001-01-01")))
    last = min(
        window_end - timedelta(days=1), date.fromisoformat(tags.get(LAST_DAY_TAG, "9999-12-31"))
    )
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
