"""When runs start: the nightly refresh and the landing-zone sensor. Both request one run of
`tally_refresh` over a range of days; the run loads them and rebuilds what they move."""

from __future__ import annotations

import json
from datetime import date, timedelta

import dagster as dg

from ingestion.catalog import ALL_OBJECTS
from ingestion.landing import object_files
from orchestration.partitions import FIRST_DAY_TAG, LAST_DAY_TAG, month_key, range_tags
from orchestration.settings import TallySettings


def build_nightly_schedule(
    job: dg.UnresolvedAssetJobDefinition, settings: TallySettings
) -> dg.ScheduleDefinition:
    """At 02:00 (TALLY_SCHEDULE_CRON, TALLY_SCHEDULE_TZ): yesterday's partition. Its month marts
    are refreshed in the same run, so on the 1st the month just ended is closed."""

    @dg.schedule(
        name="nightly_refresh",
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.schedule_timezone,
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def nightly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = context.scheduled_execution_time.date() - timedelta(days=1)
        return dg.RunRequest(
            run_key=f"nightly-{day}",
            partition_key=month_key(day),
            tags={FIRST_DAY_TAG: day.isoformat(), LAST_DAY_TAG: day.isoformat()},
        )

    return nightly_refresh


def landed_days_since(settings: TallySettings, after_mtime: float) -> tuple[list[date], float]:
    """Days with a file landed (or re-landed) after `after_mtime`, and the newest mtime seen."""
    days: set[date] = set()
    newest = after_mtime
    for spec in ALL_OBJECTS:
        for landed in object_files(settings.landing, spec):
            mtime = landed.path.stat().st_mtime
            if mtime > after_mtime and landed.partition is not None:
                days.add(landed.partition)
            newest = max(newest, mtime)
    return sorted(days), newest


def build_landing_sensor(
    job: dg.UnresolvedAssetJobDefinition, settings: TallySettings
) -> dg.SensorDefinition:
    """New or re-landed files start one run over the range of days they cover (late and
    corrected data included: each day is reloaded whole, its facts rebuilt, and every month it
    moves rewritten)."""

    @dg.sensor(
        name="landing_zone_sensor",
        job=job,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def landing_zone_sensor(context: dg.SensorEvaluationContext):
        state = json.loads(context.cursor) if context.cursor else {"mtime": 0.0}
        days, newest = landed_days_since(settings, state["mtime"])
        days = [d for d in days if settings.first_partition <= d <= date.today()]
        if not days:
            return dg.SkipReason(f"no file landed in {settings.landing} since the last run")
        context.update_cursor(json.dumps({"mtime": newest}))
        return dg.RunRequest(
            run_key=f"landed-{days[0]}-{days[-1]}-{newest}", tags=range_tags(days[0], days[-1])
        )

    return landing_zone_sensor
