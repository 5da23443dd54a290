"""The nightly refresh, and the sensor that starts a run when files land."""

from __future__ import annotations

import json
from datetime import date, timedelta

import dagster as dg

from ingestion.catalog import ALL_OBJECTS
from ingestion.landing import object_files
from ingestion.settings import Settings


def build_nightly_schedule(
    job: dg.UnresolvedAssetJobDefinition, settings: Settings
) -> dg.ScheduleDefinition:
    """At 02:00 (TALLY_SCHEDULE_CRON, TALLY_SCHEDULE_TZ): yesterday's partition, then every
    model downstream, so on the 1st the month just ended is closed with its last day."""

    @dg.schedule(
        name="nightly_refresh",
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.schedule_timezone,
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def nightly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = (context.scheduled_execution_time.date() - timedelta(days=1)).isoformat()
        return dg.RunRequest(run_key=f"nightly-{day}", partition_key=day)

    return nightly_refresh


def landed_days_since(settings: Settings, after_mtime: float) -> tuple[list[date], float]:
    """Days with a file landed (or re-landed) after `after_mtime`, and the newest mtime seen."""
    days: set[date] = set()
    newest = after_mtime
    for spec in ALL_OBJECTS:
        for landed in object_files(settings.landing_dir, spec):
            mtime = landed.path.stat().st_mtime
            if mtime > after_mtime and landed.partition is not None:
                days.add(landed.partition)
            newest = max(newest, mtime)
    return sorted(days), newest


def build_landing_sensor(
    job: dg.UnresolvedAssetJobDefinition, settings: Settings
) -> dg.SensorDefinition:
    """New or re-landed files start one run over the range of days they cover (late and
    corrected data included: the day is reloaded whole and every model rebuilt)."""

    @dg.sensor(
        name="landing_zone_sensor",
        job=job,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext):
        state = json.loads(context.cursor) if context.cursor else {"mtime": 0.0}
        days, newest = landed_days_since(settings, state["mtime"])
        days = [d for d in days if d <= date.today()]  # a future day has no partition yet
        if not days:
            return dg.SkipReason(f"no file landed in {settings.landing_dir} since the last run")
        context.update_cursor(json.dumps({"mtime": newest}))
        start, end = days[0].isoformat(), days[-1].isoformat()
        return dg.RunRequest(
            run_key=f"landed-{start}-{end}-{newest}",
            tags={
                "dagster/asset_partition_range_start": start,
                "dagster/asset_partition_range_end": end,
            },
        )

    return landing_zone_sensor
