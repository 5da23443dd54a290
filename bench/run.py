"""Benchmark: whole-process timings of the pipeline on generated landing zones.

Not run by the test suite. Usage (from the repo root):

    .venv/bin/python bench/run.py --scales 1 --repeats 3 --full-repeats 2
    .venv/bin/python bench/run.py --scales 1 10 --repeats 3 --full-repeats 1

For each scale it generates a 24-month landing zone once (cached in bench/cache/), then measures,
each repetition a fresh process (`tally run`, timed with its peak memory):

  (a) full backfill: every day, into an empty warehouse;
  (b) one nightly partition (the last day) after the full history is loaded;
  (c) the same nightly partition when only the last 3 months of history exist;
  (d) the same transformations by bare DuckDB: raw loading plus the dbt models' compiled SQL run
      in dependency order, without dbt or Dagster.

and writes bench/RESULTS.md with medians, peak memory and the ratios (b)/(c) and (a)/(d).
(b) and (c) repeat `--repeats` times on the warehouse (a) left (a nightly partition re-run is
the same work each time); (a) and (d), the long ones, repeat `--full-repeats` times. Each run's
output is kept in bench/cache/logs/ for profiling (the Dagster step timings).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / "cache"
BIN = Path(sys.executable).parent
START, END = date(2024, 1, 1), date(2025, 12, 31)
LAST_DAY = END.isoformat()
THREE_MONTHS_BEFORE = date(2025, 10, 1)


@dataclass
class Measure:
    seconds: float
    peak_mib: float


LOGS = CACHE / "logs"


def timed(cmd: list[str], env: dict[str, str] | None = None, log: str = "run") -> Measure:
    """Run a whole process; its wall time and its process tree's peak RSS, measured by GNU
    time when available (else the children's high-water mark so far)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    stamp = LOGS / f"{log}-{int(time.time())}"
    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    wrapped = [gnu_time, "-f", "%M", "-o", f"{stamp}.maxrss", *cmd] if gnu_time else cmd
    started = time.monotonic()
    result = subprocess.run(
        wrapped, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    elapsed = time.monotonic() - started
    Path(f"{stamp}.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    if gnu_time:
        peak_kib = float(Path(f"{stamp}.maxrss").read_text().split()[-1])
    else:
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Measure(elapsed, peak_kib / 1024)


def landing_for(scale: float) -> Path:
    folder = CACHE / f"landing-scale{scale:g}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            [
                str(BIN / "tally"),
                "generate",
                "--out",
                str(folder),
                "--scale",
                str(scale),
                "--seed",
                "42",
            ],
            check=True,
        )
        (folder / ".complete").touch()
    return folder


def recent_landing(full: Path) -> Path:
    """The same landing zone with only the last 3 months of dated files."""
    folder = full.with_name(full.name + "-last3m")
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for path in full.rglob("*"):
        if path.is_dir() or path.name.startswith("."):
            continue
        rel = path.relative_to(full)
        day = path.name.split(".")[0]
        if rel.parts[0] != "finance" and date.fromisoformat(day) < THREE_MONTHS_BEFORE:
            continue
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
    (folder / ".complete").touch()
    return folder


def tally_run(landing: Path, warehouse: Path, *days: str, log: str) -> Measure:
    args = [str(BIN / "tally"), "run", "--landing", str(landing), "--warehouse", str(warehouse)]
    if days:
        args += ["--start", days[0], "--end", days[-1]]
    return timed(args, log=log)


def compile_manifest(built: Path, database: Path) -> Path:
    """dbt's compiled SQL for every model, compiled against a built copy named like `database`
    (the compiled SQL names the database by its file name). Compiled once: the SQL does not
    depend on the data."""
    target = CACHE / "compiled"
    if (target / "manifest.json").exists():
        return target / "manifest.json"
    shutil.copyfile(built, database)
    subprocess.run(
        [
            str(BIN / "dbt"),
            "compile",
            "--quiet",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=REPO / "dbt_project",
        check=True,
        env={**os.environ, "TALLY_WAREHOUSE": str(database), "DO_NOT_TRACK": "1"},
    )
    database.unlink()
    return target / "manifest.json"


def bare_duckdb(landing: Path, database: Path, manifest: Path, log: str) -> Measure:
    return timed(
        [
            sys.executable,
            str(REPO / "bench" / "bare_duckdb.py"),
            str(landing),
            str(database),
            str(manifest),
        ],
        env={"PYTHONPATH": str(REPO)},
        log=log,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of (b) and (c)")
    parser.add_argument("--full-repeats", type=int, default=2, help="repetitions of (a), (d)")
    parser.add_argument(
        "--nightly-only",
        action="store_true",
        help="re-measure (b) and (c) on the warehouses a previous run left (one unmeasured "
        "warm-up run each first); (a) and (d) are taken from bench/cache/results.json",
    )
    args = parser.parse_args()
    if args.nightly_only:
        return remeasure_nightly(args)
    shutil.rmtree(CACHE / "compiled", ignore_errors=True)  # compile the current models
    results: dict[str, dict[str, list[Measure]]] = {}
    for scale in args.scales:
        tag = f"scale{scale:g}"
        full = landing_for(scale)
        recent = recent_landing(full)
        work = CACHE / "runs" / tag
        runs: dict[str, list[Measure]] = {"a": [], "b": [], "c": [], "d": []}
        for _ in range(args.full_repeats):
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            runs["a"].append(tally_run(full, work / "full.duckdb", log=f"{tag}-a"))
            manifest = compile_manifest(work / "full.duckdb", work / "bare.duckdb")
            runs["d"].append(bare_duckdb(full, work / "bare.duckdb", manifest, f"{tag}-d"))
            (work / "bare.duckdb").unlink()
        tally_run(recent, work / "recent.duckdb", log=f"{tag}-recent-history")
        for _ in range(args.repeats):
            runs["b"].append(tally_run(full, work / "full.duckdb", LAST_DAY, log=f"{tag}-b"))
            runs["c"].append(tally_run(recent, work / "recent.duckdb", LAST_DAY, log=f"{tag}-c"))
        results[f"{scale:g}"] = runs
        print(json.dumps({k: [round(m.seconds, 1) for m in v] for k, v in runs.items()}))
        write_results(results, args)


def remeasure_nightly(args: argparse.Namespace) -> None:
    previous = json.loads((CACHE / "results.json").read_text())
    results: dict[str, dict[str, list[Measure]]] = {}
    for scale in args.scales:
        tag = f"scale{scale:g}"
        full, work = landing_for(scale), CACHE / "runs" / tag
        recent = recent_landing(full)
        runs = {k: [Measure(*m) for m in previous[f"{scale:g}"][k]] for k in "ad"}
        runs |= {"b": [], "c": []}
        tally_run(full, work / "full.duckdb", LAST_DAY, log=f"{tag}-b-warmup")
        tally_run(recent, work / "recent.duckdb", LAST_DAY, log=f"{tag}-c-warmup")
        for _ in range(args.repeats):
            runs["b"].append(tally_run(full, work / "full.duckdb", LAST_DAY, log=f"{tag}-b"))
            runs["c"].append(tally_run(recent, work / "recent.duckdb", LAST_DAY, log=f"{tag}-c"))
        results[f"{scale:g}"] = runs
    merged = {
        **{k: {x: [Measure(*m) for m in v] for x, v in r.items()} for k, r in previous.items()},
        **results,
    }
    write_results(merged, args)


def write_results(results: dict[str, dict[str, list[Measure]]], args: argparse.Namespace) -> None:
    """RESULTS.md (a table a reader can check against the targets) and results.json (raw);
    scales measured earlier and not now are kept."""
    saved = CACHE / "results.json"
    if saved.exists():
        earlier = json.loads(saved.read_text())
        results = {
            **{k: {x: [Measure(*m) for m in v] for x, v in r.items()} for k, r in earlier.items()},
            **results,
        }
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `bench/run.py` on this machine ({os.cpu_count()} cores, "
        f"{date.today().isoformat()}): (b) and (c) {args.repeats} repetitions, (a) and (d) "
        f"{args.full_repeats}, every one a whole process; medians. Peak memory is the largest "
        "resident set of a `tally run` process tree (GNU time's max RSS; dbt runs as a child); "
        "(d)'s own peak is listed apart (bare DuckDB takes its default 80% of RAM).",
        "",
        "| scale | (a) full backfill | (b) nightly, full history | (c) nightly, 3 months | "
        "(d) bare DuckDB | (b)/(c) | (a)/(d) | peak memory (a-c) | peak (d) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, runs in results.items():
        med = {k: statistics.median(m.seconds for m in v) for k, v in runs.items()}
        peak = max(m.peak_mib for k in "abc" for m in runs[k])
        peak_d = max(m.peak_mib for m in runs["d"])
        lines.append(
            f"| {scale} | {med['a']:.1f} s | {med['b']:.1f} s | {med['c']:.1f} s | "
            f"{med['d']:.1f} s | {med['b'] / med['c']:.2f} | {med['a'] / med['d']:.2f} | "
            f"{peak:,.0f} MiB | {peak_d:,.0f} MiB |"
        )
    lines += ["", "Every measurement (seconds, peak MiB):", ""]
    for scale, runs in results.items():
        for kind, measures in runs.items():
            values = ", ".join(f"{m.seconds:.1f} s / {m.peak_mib:,.0f} MiB" for m in measures)
            lines.append(f"- scale {scale} ({kind}): {values}")
    (REPO / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    raw = {
        scale: {k: [[m.seconds, m.peak_mib] for m in v] for k, v in runs.items()}
        for scale, runs in results.items()
    }
    (CACHE / "results.json").write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()
