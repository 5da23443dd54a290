"""The nightly refresh: yesterday's partition (and everything downstream) at 02:00."""

from __future__ import annotations

import dagster as dg

from ingestion.settings import Settings


def build_nightly_schedule(
    job: dg.UnresolvedAssetJobDefinition, settings: Settings
) -> dg.ScheduleDefinition:
    return dg.build_schedule_from_partitioned_job(
        job,
        name="nightly_refresh",
        hour_of_day=int(settings.schedule_cron.split()[1]),
        minute_of_hour=int(settings.schedule_cron.split()[0]),
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
