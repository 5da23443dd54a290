"""`tally`: generate a sample landing zone, or run the pipeline on any landing zone.

`tally run` refreshes a range of days as the nightly schedule does: one run of `tally_refresh`
(a single-run backfill, however many days), recorded in the Dagster instance the UI reads.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ingestion.catalog import ALL_OBJECTS
from ingestion.landing import partition_days
from orchestration.settings import TallySettings

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    # A single-run backfill records one "planned" event per asset, not one per day.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    parser = _parser()
    args = parser.parse_args(argv)
    return args.handler(args)


def entry_point() -> None:
    """The `tally` command: `main`, then an exit without the interpreter's teardown.

    Finalising the ~3,000 modules a run imports (Dagster, dbt, pandas, altair) took ~1.2 s after
    every command had finished its work. Nothing is left to it: the run's files and databases
    are closed by their own `with` blocks, the atexit handlers (logging, temporary files, thread
    pools) run here, and the output is flushed before the process ends.
    """
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


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
        "--engine",
        choices=("duckdb", "spark"),
        help="where dbt builds the models (TALLY_ENGINE, default duckdb; spark needs Java 17)",
    )
    run.add_argument("--verbose", action="store_true", help="print Dagster's and dbt's logs")
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
    gen.add_argument(
        "--stripe-only",
        action="store_true",
        help="only Stripe objects and finance/fx_rates.csv, N customers (benchmarks)",
    )
    gen.add_argument(
        "--customers",
        type=int,
        default=10_000,
        help="with --stripe-only: Stripe customers (bench: 10000, 100000)",
    )
    gen.set_defaults(handler=_generate)
    return parser


def _generate(args: argparse.Namespace) -> int:
    from sample import DEFAULT_END, DEFAULT_START, generate

    start, end = args.start or DEFAULT_START, args.end or DEFAULT_END
    problem = (
        f"--end {end} is before --start {start}"
        if end < start
        else f"--scale must be a positive number (got {args.scale})"
        if not args.scale > 0
        else None
    )
    if problem:
        print(f"tally generate: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.stripe_only:
        return _generate_stripe_only(args)
    started = time.monotonic()
    summary = generate(args.out, start, end, args.scale, args.seed)
    print(
        f"wrote {summary.files} files ({summary.bytes / 1e6:.1f} MB) to {args.out} "
        f"in {time.monotonic() - started:.1f}s: {summary.accounts} accounts, "
        f"{summary.paying_accounts} converted to paying"
    )
    for name, count in summary.records.items():
        print(f"  {name:<32} {count:>10,} lines")
    return EXIT_OK


def _generate_stripe_only(args: argparse.Namespace) -> int:
    from sample import stripe_only

    if args.customers < 1:
        print(f"tally generate: --customers must be positive ({args.customers})", file=sys.stderr)
        return EXIT_BAD_INPUT
    s = stripe_only.generate_stripe_only(
        args.out,
        args.customers,
        args.seed,
        args.start or stripe_only.DEFAULT_START,
        args.end or stripe_only.DEFAULT_END,
    )
    print(
        f"wrote {s.files} files ({s.bytes / 1e6:.1f} MB) to {args.out} in {s.seconds:.1f}s: "
        f"{s.customers} Stripe customers, {s.accounts} accounts, {s.subscriptions} subscriptions"
    )
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from orchestration.preflight import engine_problems, history_gaps, missing_fx, path_problems

    try:
        settings = TallySettings.from_env(
            landing_dir=args.landing,
            warehouse_path=args.warehouse,
            reporting_currency=args.reporting_currency,
            reporting_timezone=args.reporting_tz,
            engine=args.engine,
        )
    except Exception as exc:  # a malformed TALLY_* variable
        return _refuse(f"bad settings: {exc}")
    problems = settings.problems() + path_problems(settings) + engine_problems(settings)
    if problems:
        return _refuse(*problems)
    days = partition_days(settings.landing, ALL_OBJECTS)
    if not days:
        return _refuse(
            f"no dated files (<source>/<object>/YYYY-MM-DD.jsonl[.gz]) under {settings.landing}"
        )
    today = datetime.now(UTC).date()
    future = [d for d in days if d > today]
    if future:
        print(
            f"warning: {len(future)} day(s) of files are dated after today ({future[0]}...); "
            "they are not loaded until their day comes",
            file=sys.stderr,
        )
        days = [d for d in days if d <= today]
        if not days:
            return _refuse("every landed file is dated after today")
    start, end = args.start or days[0], args.end or days[-1]
    if start > end:
        return _refuse(f"--start {start} is after --end {end}")
    problems = missing_fx(settings) + [
        f"history missing: {gap}; run from the first landed day first (without --start)"
        for gap in history_gaps(settings, start)
    ]
    if problems:
        return _refuse(*problems[:5])
    from orchestration.run_lock import is_busy

    busy = is_busy(settings.lock_path) if settings.lock_path.parent.exists() else None
    if busy:
        return _refuse(f"{settings.served}: {busy}")
    if days[0] < settings.first_partition:
        settings = settings.with_overrides(partitions_start=days[0].isoformat())

    print(f"tally run: {settings.landing} -> {settings.served}, days {start}..{end}")
    started = time.monotonic()
    from orchestration.dbt_build import parse_request
    from orchestration.dbt_warm import warm_dbt

    # dbt's imports and its parse of the project run on the other core while this one imports
    # Dagster and loads the files.
    parse = parse_request(settings) if settings.engine == "duckdb" else None
    with _signals_received() as received, warm_dbt(parse):
        try:
            outcome = execute_refresh(settings, start, end, args.full_refresh, verbose=args.verbose)
        except KeyboardInterrupt:
            received.append(signal.SIGINT)
    if received:
        # Dagster stops at the interrupt: no later step runs, nothing is published, the loaded
        # days stay pending for the next run.
        print(
            f"tally run: stopped by {signal.Signals(received[0]).name}; the previously "
            "published warehouse is still served",
            file=sys.stderr,
        )
        return 128 + received[0]
    elapsed = time.monotonic() - started
    if not outcome.success:
        for line in outcome.errors[:10]:
            print(f"  {line}", file=sys.stderr)
        print(
            f"tally run: FAILED after {elapsed:.1f}s; the previously published warehouse is "
            "still served",
            file=sys.stderr,
        )
        return EXIT_RUN_FAILED
    for line in outcome.phases:
        print(f"  {line}")
    print(f"tally run: succeeded in {elapsed:.1f}s ({outcome.describe()})")
    from orchestration.serving.summary import print_summary

    print_summary(settings)
    return EXIT_OK


@contextlib.contextmanager
def _signals_received() -> Iterator[list[int]]:
    """SIGINT and SIGTERM stop a run through Dagster's own interrupt handling (which replaces
    Python-level handlers while it runs); the interpreter's wakeup fd still records which
    signal arrived, so the exit code can say it (128 + signal)."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    previous = signal.set_wakeup_fd(write_end)
    received: list[int] = []
    try:
        yield received
    finally:
        signal.set_wakeup_fd(previous)
        with contextlib.suppress(BlockingIOError):
            received += [b for b in os.read(read_end, 64) if b in (signal.SIGINT, signal.SIGTERM)]
        received.sort(key=lambda signum: signum != signal.SIGTERM)
        os.close(read_end)
        os.close(write_end)


def _refuse(*problems: str) -> int:
    for problem in problems:
        print(f"tally run: {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT


@dataclass
class RunOutcome:
    success: bool
    materialized: list[tuple[str, str | None]]  # (asset key, partition key or None)
    errors: list[str]
    phases: list[str] = field(default_factory=list)  # one line per phase, with its timing

    def describe(self) -> str:
        assets = {key for key, _ in self.materialized}
        months = sorted({p[:7] for _, p in self.materialized if p is not None})
        span = f"load partitions {months[0]}..{months[-1]}" if months else "no load partition"
        return f"{len(assets)} assets, {span}"


def execute_refresh(
    settings: TallySettings,
    start: date,
    end: date,
    full_refresh: bool = False,
    verbose: bool = False,
) -> RunOutcome:
    """One run of `tally_refresh` over `start..end`, in the Dagster instance the UI reads
    (DAGSTER_HOME, else the warehouse's own `.<name>.tally/dagster`)."""
    import dagster as dg

    from orchestration.dbt_project import ensure_manifest
    from orchestration.instance import prepare_home

    home = prepare_home(Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home))
    ensure_manifest()
    from orchestration.assets.dbt import FULL_REFRESH_TAG
    from orchestration.definitions import REFRESH_JOB, build_definitions
    from orchestration.partitions import range_tags

    defs = build_definitions(settings)
    tags = {**range_tags(start, end), **({FULL_REFRESH_TAG: "true"} if full_refresh else {})}
    log_file = settings.state_dir / "last_run.log"
    print(f"  full log: {log_file}")
    with (
        dg.DagsterInstance.from_config(str(home)) as instance,
        log_file.open("w") as log,
        contextlib.redirect_stdout(sys.stdout if verbose else log),
        contextlib.redirect_stderr(sys.stderr if verbose else log),
    ):
        result = defs.resolve_job_def(REFRESH_JOB).execute_in_process(
            instance=instance,
            tags=tags,
            run_config={"loggers": {"console": {}, "warnings": {}}},
            raise_on_error=False,
        )
        records = instance.all_logs(result.run_id)
    errors = [_failure_text(event.step_failure_data) for event in result.get_step_failure_events()]
    return RunOutcome(
        result.success,
        [
            (e.asset_key.to_user_string(), e.partition)
            for e in (event.materialization for event in result.get_asset_materialization_events())
        ],
        [line for error in errors for line in error.splitlines() if line.strip()],
        _phase_lines(result, records, settings),
    )


def _phase_lines(result: object, records: list, settings: TallySettings) -> list[str]:
    """Load, dbt build and publish: how long each took and what it did (from the run's own
    events and dbt's run_results.json)."""
    import dagster as dg

    from orchestration.check_results import node_counts

    starts: dict[str, float] = {}
    spans: dict[str, float] = {}
    finished = (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE)
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = record.timestamp
        elif event.event_type in finished and event.step_key in starts:
            spans[event.step_key] = record.timestamp - starts[event.step_key]
    per_source = {  # every partition's event carries the run's counts: once per source
        m.asset_key: int(m.metadata["lines_loaded"].value)
        for m in (e.materialization for e in result.get_asset_materialization_events())
        if m.asset_key.path[0] == "raw" and "lines_loaded" in m.metadata
    }
    lines_loaded = sum(per_source.values())
    load = sum(t for step, t in spans.items() if step.startswith("raw__"))
    counts = node_counts(settings.dbt_target_dir)
    found = [f"load       {load:6.1f}s  {lines_loaded:,} lines"]
    if "tally_dbt" in spans:
        found.append(
            f"dbt build  {spans['tally_dbt']:6.1f}s  {counts.get('model', 0)} models, "
            f"{counts.get('test', 0)} tests ({counts.get('sql_seconds', 0):.1f}s of SQL)"
        )
    if "warehouse__published" in spans:
        found.append(f"publish    {spans['warehouse__published']:6.1f}s")
    return found


def _failure_text(data: object) -> str:
    """A step failure in its own words: a Failure's description, else the innermost cause."""
    if data is None:
        return ""
    user = getattr(data, "user_failure_data", None)
    if user is not None and user.description:
        return user.description.strip()
    error = data.error
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return (getattr(error, "message", "") or "").strip()


if __name__ == "__main__":
    entry_point()
