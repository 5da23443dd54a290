"""Daily partitions (a landed file's day) and monthly partitions (the month-grain marts)."""

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


def monthly_partitions(settings: Settings) -> dg.MonthlyPartitionsDefinition:
    # end_offset=1 includes the running month (month-to-date).
    return dg.MonthlyPartitionsDefinition(
        start_date=first_partition_day(settings).replace(day=1).isoformat(),
        timezone=settings.schedule_timezone,
        end_offset=1,
    )


def months_to_refresh(first_day: date, as_of: date) -> tuple[str, str]:
    """Monthly partition keys a refresh of days from `first_day` writes: its month through the
    as-of day's month, as every stock KPI after a changed day moves. (Earlier months whose
    figures a late record restates are rewritten by the models' change detection.)"""
    last = max(first_day, as_of)
    return first_day.replace(day=1).isoformat(), last.replace(day=1).isoformat()


def last_landed_day(settings: Settings, today: date) -> date | None:
    days = [d for d in partition_days(settings.landing_dir, ALL_OBJECTS) if d <= today]
    return days[-1] if days else None
