"""`tally`: generate a sample landing zone, or run the pipeline on any landing zone.

`tally run` refreshes a range of days as the nightly schedule does, in one process: one run of
`tally_daily` over the days (a single-run backfill, however many days), then one run of
`tally_monthly` over the months they move.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ingestion.catalog import ALL_OBJECTS
from ingestion.landing import partition_days
from ingestion.settings import Settings

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    return args.handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tally", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="load a landing zone and build every model")
    run.add_argument("--landing", type=Path, help="landing zone directory (TALLY_LANDING)")
    run.add_argument("--warehouse", type=Path, help="DuckDB file to write (TALLY_WAREHOUSE)")
    run.add_argument("--start", type=date.fromisoformat, help="first day to load (default: all)")
    run.add_argument("--end", type=date.fromisoformat, help="last day to load (default: all)")
    run.add_argument("--reporting-currency", help="TALLY_REPORTING_CURRENCY (default USD)")
    run.add_argument("--reporting-tz", help="TALLY_REPORTING_TZ (default UTC)")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every incremental model from all loaded data (after a model change)",
    )
    run.set_defaults(handler=_run)

    gen = commands.add_parser("generate", help="write the deterministic sample landing zone")
    gen.add_argument("--out", type=Path, required=True, help="directory to write")
    gen.add_argument("--start", type=date.fromisoformat, default=None)
    gen.add_argument("--end", type=date.fromisoformat, default=None)
    gen.add_argument(
        "--scale", type=float, default=1.0, help="volume multiplier (1 = ~2,000 customers)"
    )
    gen.add_argument("--seed", type=int, default=42)
    gen.set_defaults(handler=_generate)
    return parser


def _generate(args: argparse.Namespace) -> int:
    from sample import DEFAULT_END, DEFAULT_START, generate

    started = time.monotonic()
    summary = generate(
        args.out, args.start or DEFAULT_START, args.end or DEFAULT_END, args.scale, args.seed
    )
    print(
        f"wrote {summary.files} files ({summary.bytes / 1e6:.1f} MB) to {args.out} "
        f"in {time.monotonic() - started:.1f}s: {summary.accounts} accounts, "
        f"{summary.paying_accounts} converted to paying"
    )
    for name, count in summary.records.items():
        print(f"  {name:<32} {count:>10,} lines")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    settings = Settings().with_overrides(
        landing_dir=args.landing,
        warehouse_path=args.warehouse,
        reporting_currency=args.reporting_currency,
        reporting_timezone=args.reporting_tz,
    )
    problem = _check_paths(settings)
    if problem:
        print(f"tally run: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    days = partition_days(settings.landing_dir, ALL_OBJECTS)
    if not days:
        print(
            f"tally run: no dated files (<source>/<object>/YYYY-MM-DD.jsonl[.gz]) under "
            f"{settings.landing_dir}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    today = datetime.now(UTC).date()
    future = [d for d in days if d > today]
    if future:
        print(
            f"warning: {len(future)} day(s) of files are dated after today ({future[0]}...); "
            "they are not loaded until their day comes",
            file=sys.stderr,
        )
        days = [d for d in days if d <= today] or days[:0]
    start, end = args.start or days[0], args.end or (days[-1] if days else today)
    if start > end:
        print(f"tally run: --start {start} is after --end {end}", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings = settings.with_overrides(partitions_start=min(days[0], start))

    print(f"tally run: {settings.landing_dir} -> {settings.warehouse_path}, days {start}..{end}")
    started = time.monotonic()
    ok = _execute(settings, start, end, as_of=days[-1], full_refresh=args.full_refresh)
    elapsed = time.monotonic() - started
    if not ok:
        print(f"tally run: FAILED after {elapsed:.1f}s (see the errors above)", file=sys.stderr)
        return EXIT_RUN_FAILED
    print(f"tally run: succeeded in {elapsed:.1f}s")
    from orchestration.serving.summary import print_summary

    print_summary(settings.warehouse_path)
    return EXIT_OK


def _check_paths(settings: Settings) -> str | None:
    if not settings.landing_dir.is_dir():
        return f"landing directory {settings.landing_dir} does not exist"
    parent = settings.warehouse_path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the warehouse directory {parent}: {exc.strerror}"
    probe = parent / f".tally-write-probe-{int(time.time() * 1e6)}"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        return f"warehouse directory {parent} is not writable: {exc.strerror}"
    return None


def _execute(
    settings: Settings, start: date, end: date, as_of: date, full_refresh: bool = False
) -> bool:
    from orchestration.partitions import months_to_refresh

    runs = execute_refresh(settings, start, end, months_to_refresh(start, as_of), full_refresh)
    for run in runs:
        touched = ", ".join(f"{key}[{parts}]" for key, parts in run.partitions_by_asset().items())
        print(f"  {run.job}: {'ok' if run.success else 'FAILED'}; partitioned: {touched or '-'}")
    return all(run.success for run in runs)


@dataclass
class RunOutcome:
    job: str
    success: bool
    materialized: list[tuple[str, str | None]]  # (asset key, partition key or None)

    def partitions_by_asset(self) -> dict[str, str]:
        """Partitioned assets and their first..last partition written (for the run log)."""
        spans: dict[str, list[str]] = {}
        for key, partition in self.materialized:
            if partition is not None:
                spans.setdefault(key, []).append(partition)
        return {
            key: (min(p) if len(set(p)) == 1 else f"{min(p)}..{max(p)}") for key, p in spans.items()
        }


def execute_refresh(
    settings: Settings,
    start: date,
    end: date,
    months: tuple[str, str],
    full_refresh: bool = False,
) -> list[RunOutcome]:
    """The daily run over `start..end`, then (if it succeeded) the monthly run over `months`."""
    import dagster as dg

    from orchestration.definitions import DAILY_JOB, MONTHLY_JOB, build_definitions
    from orchestration.schedules import range_tags

    # A single-run backfill then records one "planned" event per asset, not one per day.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    defs = build_definitions(settings)
    extra = {"tally/full_refresh": "true"} if full_refresh else {}
    plan = [
        (DAILY_JOB, range_tags(start.isoformat(), end.isoformat())),
        (MONTHLY_JOB, range_tags(*months)),
    ]
    outcomes: list[RunOutcome] = []
    with dg.DagsterInstance.ephemeral() as instance:
        for job_name, tags in plan:
            result = defs.resolve_job_def(job_name).execute_in_process(
                instance=instance,
                tags={**tags, **extra},
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
                raise_on_error=False,
            )
            outcomes.append(
                RunOutcome(
                    job_name,
                    result.success,
                    [
                        (e.asset_key.to_user_string(), e.partition)
                        for e in (
                            event.materialization
                            for event in result.get_asset_materialization_events()
                        )
                    ],
                )
            )
            if not result.success:
                break
    return outcomes


if __name__ == "__main__":
    sys.exit(main())
