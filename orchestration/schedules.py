"""When runs start: the nightly refresh, the landing-zone sensor, and the month refresh that
follows every successful daily run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from ingestion.catalog import ALL_OBJECTS
from ingestion.landing import object_files
from ingestion.settings import Settings
from orchestration.partitions import last_landed_day, months_to_refresh


def range_tags(start: str, end: str) -> dict[str, str]:
    """Tags of a single run over a range of partitions (a single-run backfill)."""
    return {ASSET_PARTITION_RANGE_START_TAG: start, ASSET_PARTITION_RANGE_END_TAG: end}


def build_nightly_schedule(
    job: dg.UnresolvedAssetJobDefinition, settings: Settings
) -> dg.ScheduleDefinition:
    """At 02:00 (TALLY_SCHEDULE_CRON, TALLY_SCHEDULE_TZ): yesterday's partition. Its success
    starts the month refresh of yesterday's month, so on the 1st the month just ended is
    closed with its last day."""

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
    """New or re-landed files start one daily run over the range of days they cover (late and
    corrected data included: each day is reloaded whole, its facts rebuilt, and the month
    refresh that follows rewrites every month it moves)."""

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
        return dg.RunRequest(run_key=f"landed-{start}-{end}-{newest}", tags=range_tags(start, end))

    return landing_zone_sensor


def month_refresh_request(
    daily_run_tags: dict[str, str], as_of: date | None, run_key: str
) -> dg.RunRequest | dg.SkipReason:
    """The monthly run that follows a daily run: from its first day's month through the as-of
    day's month (on the 1st, yesterday's partition makes that last month: it is closed)."""
    key = daily_run_tags.get(ASSET_PARTITION_RANGE_START_TAG) or daily_run_tags.get(
        PARTITION_NAME_TAG
    )
    if not key:
        return dg.SkipReason("the daily run had no partition")
    first = date.fromisoformat(key)
    start, end = months_to_refresh(first, as_of or first)
    return dg.RunRequest(run_key=run_key, tags=range_tags(start, end))


def build_month_refresh_sensor(
    daily_job: dg.UnresolvedAssetJobDefinition,
    monthly_job: dg.UnresolvedAssetJobDefinition,
    settings: Settings,
) -> dg.SensorDefinition:
    """After a daily run succeeds: one monthly run over its first day's month through the
    latest landed day's month (the months whose figures the refreshed days move)."""

    @dg.run_status_sensor(
        name="month_refresh_after_daily",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[daily_job],
        request_job=monthly_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def month_refresh_after_daily(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        as_of = last_landed_day(settings, datetime.now(UTC).date())
        return month_refresh_request(run.tags, as_of, run_key=f"months-after-{run.run_id}")

    return month_refresh_after_daily
