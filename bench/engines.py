"""Benchmark: the same refresh on DuckDB and on Spark (session mode), side by side.

Not run by the test suite. Usage (from the repo root; Spark needs Java 17):

    .venv/bin/python bench/engines.py --repeats 2

Two generated landing zones (cached in bench/cache/): `small` (6 weeks, scale 0.1) and `medium`
(6 months, scale 0.3). For each, alternately per repetition: `tally run --engine duckdb` and
`tally run --engine spark` into a fresh warehouse (a full build), then a one-day refresh of the
last day on each warehouse. Each run is a whole process, timed with its process tree's peak
memory (the JVM included). Phases as bench/run.py splits them (start-up, load, dbt SQL, tests,
dbt overhead: for Spark that is the JVM and session start and dbt's per-node work, publish).
Writes a section of bench/RESULTS.md and bench/cache/engines.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

from run import (
    BIN,
    CACHE,
    PHASES,
    REPO,
    Measure,
    _commit,
    generated_landing,
    tally_phases,
    timed,
)

SIZES = {
    "small": (date(2025, 1, 1), date(2025, 2, 15), 0.1),
    "medium": (date(2025, 1, 1), date(2025, 6, 30), 0.3),
}
ENGINES = ("duckdb", "spark")
SECTION_START = "<!-- engines: written by bench/engines.py -->"
SECTION_END = "<!-- /engines -->"


def landing(size: str) -> Path:
    start, end, scale = SIZES[size]
    return generated_landing(
        CACHE / f"landing-engines-{size}",
        *("--start", str(start), "--end", str(end), "--scale", str(scale)),
    )


def run(engine: str, zone: Path, warehouse: Path, *days: str, log: str) -> dict:
    """`engine` is duckdb, spark, or `duckdb@<checkout>`: the CLI of another checkout (the
    code before a change), to show the DuckDB path did not get slower."""
    engine, _, checkout = engine.partition("@")
    if checkout:
        args = [str(BIN / "python"), "-m", "orchestration.cli", "run"]
        env = {"PYTHONPATH": checkout}
    else:
        args, env = [str(BIN / "tally"), "run", "--engine", engine], {}
    args += ["--landing", str(zone), "--warehouse", str(warehouse)]
    if days:
        args += ["--start", days[0], "--end", days[-1]]
    launched = time.time()
    measure: Measure = timed(args, env=env, log=log)
    return {
        "seconds": measure.seconds,
        "peak_mib": measure.peak_mib,
        **tally_phases(warehouse, launched, measure),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--baseline", help="another checkout whose DuckDB path runs too (e.g. a git worktree)"
    )
    args = parser.parse_args()
    engines = [*ENGINES, *([f"duckdb@{args.baseline}"] if args.baseline else [])]
    results: dict[str, dict[str, dict[str, list[dict]]]] = {}
    for size in args.sizes:
        zone = landing(size)
        last_day = SIZES[size][1].isoformat()
        for repeat in range(args.repeats):
            for engine in engines:
                label = "duckdb@base" if "@" in engine else engine
                root = CACHE / f"wh-engines-{size}-{label.replace('@', '-')}"
                shutil.rmtree(root, ignore_errors=True)
                warehouse = root / "warehouse.duckdb"
                full = run(engine, zone, warehouse, log=f"{root.name}-full")
                nightly = run(
                    engine,
                    zone,
                    warehouse,
                    last_day,
                    last_day,
                    log=f"{root.name}-day",
                )
                cell = results.setdefault(size, {}).setdefault(label, {})
                cell.setdefault("full build", []).append(full)
                cell.setdefault("one-day refresh", []).append(nightly)
                print(
                    f"{size} {label} #{repeat + 1}: full {full['seconds']:.1f} s, "
                    f"one day {nightly['seconds']:.1f} s",
                    flush=True,
                )
        # After each size: a later failure keeps what was measured.
        (CACHE / "engines.json").write_text(json.dumps(results, indent=2))
        write_section(results, args.repeats, args.baseline)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r.get(key, 0.0) for r in runs)


def write_section(results: dict, repeats: int, baseline: str | None) -> None:
    lines = [
        SECTION_START,
        f"## DuckDB vs Spark (session mode), {date.today()}, commit {_commit()}",
        "",
        f"`bench/engines.py --repeats {repeats}`: medians of whole `tally run` processes, peak "
        "RSS of the process tree (the JVM included). small: 6 weeks at scale 0.1; medium: "
        "6 months at scale 0.3."
        + (
            f" `duckdb@base`: the DuckDB path of {baseline} (before the change)."
            if baseline
            else ""
        ),
        "",
        "| size | run | engine | wall s | peak MiB | " + " | ".join(PHASES) + " |",
        "|---|---|---|---|---|" + "---|" * len(PHASES),
    ]
    for size, engines in results.items():
        for kind in ("full build", "one-day refresh"):
            for engine, by_kind in engines.items():
                runs = by_kind[kind]
                phases = " | ".join(f"{_median(runs, p):.1f}" for p in PHASES)
                lines.append(
                    f"| {size} | {kind} | {engine} | {_median(runs, 'seconds'):.1f} | "
                    f"{_median(runs, 'peak_mib'):.0f} | {phases} |"
                )
    lines += ["", SECTION_END]
    section = "\n".join(lines)
    path = REPO / "bench" / "RESULTS.md"
    text = path.read_text()
    if SECTION_START in text:
        start = text.index(SECTION_START)
        end = text.index(SECTION_END, start) + len(SECTION_END)
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
