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

Stripe-only scenarios, side by side with the floor (`--scenarios stripe10k stripe100k`; any
`stripe<N>` or `stripe<N>k` works, e.g. `stripe1k` for a quick check):

    .venv/bin/python bench/run.py --scenarios stripe10k stripe100k --repeats 3

generate a Stripe-only landing zone of N customers once (sample/stripe_only.py, cached in
bench/cache/landing-stripe<N>k), then alternate, `--repeats` times: `tally run` into a fresh
warehouse, and bench/floor_stripe_mrr.py (bare DuckDB reading the landed JSON: the fewest steps
for the same month-end MRR and movements). Each run is a whole process, timed with the peak
resident memory of its process tree (sampled from /proc every 0.1 s; GNU time's max RSS of the
largest single process when higher). After each pair the floor's numbers are checked against the
warehouse's `marts.kpi_monthly` to the cent. Tally's time is split into phases from its Dagster
event log (step start/end) and dbt's run_results.json (per node): start-up (process start to the
first step), load (ingestion steps), dbt SQL (model nodes executing), tests (test nodes executing),
dbt overhead (the rest of the dbt step: dbt start-up, manifest, compilation, Dagster events),
publish, and other (the rest: between steps, summary, exit). Results: a section of
bench/RESULTS.md (earlier runs kept as history) and bench/cache/results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
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
    log: Path | None = field(default=None, compare=False, repr=False)

    def __iter__(self):  # results.json keeps [seconds, peak]
        return iter((self.seconds, self.peak_mib))


LOGS = CACHE / "logs"
STRIPE_KEY = "stripe"  # results.json: the Stripe-only scenarios, apart from the scales
SECTION_START = "<!-- stripe-scenarios: written by bench/run.py --scenarios -->"
SECTION_END = "<!-- /stripe-scenarios -->"


class TreePeak(threading.Thread):
    """Peak resident memory of a process and all its descendants, summed, sampled from /proc."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_bytes = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            with contextlib.suppress(OSError):
                self.peak_bytes = max(self.peak_bytes, self._tree_rss())
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def _tree_rss(self) -> int:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            todo += children.get(pid, [])
            try:
                with open(f"/proc/{pid}/statm", "rb") as handle:
                    total += int(handle.read().split()[1]) * self.PAGE
            except OSError:
                continue
        return total


def timed(cmd: list[str], env: dict[str, str] | None = None, log: str = "run") -> Measure:
    """Run a whole process; its wall time and its process tree's peak RSS: the sum over the tree
    sampled from /proc, or GNU time's max RSS (the largest single process) when higher."""
    LOGS.mkdir(parents=True, exist_ok=True)
    stamp = LOGS / f"{log}-{int(time.time())}"
    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    wrapped = [gnu_time, "-f", "%M", "-o", f"{stamp}.maxrss", *cmd] if gnu_time else cmd
    started = time.monotonic()
    with open(f"{stamp}.log", "w") as out:
        process = subprocess.Popen(
            wrapped, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        sampler = TreePeak(process.pid)
        sampler.start()
        returncode = process.wait()
        sampler.stop()
    elapsed = time.monotonic() - started
    if returncode != 0:
        tail = Path(f"{stamp}.log").read_text()[-6000:]
        raise SystemExit(f"failed: {' '.join(cmd)}\n{tail}")
    if gnu_time:
        peak_kib = float(Path(f"{stamp}.maxrss").read_text().split()[-1])
    else:
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Measure(elapsed, max(peak_kib / 1024, sampler.peak_bytes / 2**20), Path(f"{stamp}.log"))


def landing_for(scale: float) -> Path:
    return generated_landing(CACHE / f"landing-scale{scale:g}", "--scale", str(scale))


def generated_landing(folder: Path, *options: str) -> Path:
    """`tally generate --seed 42 <options>` into `folder`, once (cached)."""
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(
            [str(BIN / "tally"), "generate", "--out", str(folder), "--seed", "42", *options],
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
    """dbt's compiled SQL for every model, compiled against a copy of a built pipeline database
    named like `database` (the compiled SQL names the database by its file name), as a full
    refresh (no incremental window). Compiled once: the SQL does not depend on the data."""
    target = CACHE / "compiled"
    if (target / "manifest.json").exists():
        return target / "manifest.json"
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, database)
    subprocess.run(
        [
            str(BIN / "dbt"),
            "compile",
            "--quiet",
            "--full-refresh",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--vars",
            json.dumps({"pipeline_db": str(database)}),
        ],
        cwd=REPO / "dbt_project",
        check=True,
        env={**os.environ, "DO_NOT_TRACK": "1"},
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
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        default=None,
        help="sample-company scales (default 1 when no --scenarios are given)",
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=[],
        metavar="stripe<N>[k]",
        help="Stripe-only scenarios, tally vs the floor (stripe10k, stripe100k)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of (b) and (c)")
    parser.add_argument("--full-repeats", type=int, default=2, help="repetitions of (a), (d)")
    parser.add_argument(
        "--nightly-only",
        action="store_true",
        help="re-measure (b) and (c) on the warehouses a previous run left (one unmeasured "
        "warm-up run each first); (a) and (d) are taken from bench/cache/results.json",
    )
    args = parser.parse_args()
    if args.scales is None:
        args.scales = [] if args.scenarios else [1.0]
    for scenario in args.scenarios:
        run_stripe_scenario(scenario, args.repeats)
    if not args.scales:
        return None
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
            bare = work / "bare" / "pipeline.duckdb"  # named like the pipeline database
            manifest = compile_manifest(work / ".full.duckdb.tally" / "pipeline.duckdb", bare)
            runs["d"].append(bare_duckdb(full, bare, manifest, f"{tag}-d"))
            bare.unlink()
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
        **{
            k: {x: [Measure(*m) for m in v] for x, v in r.items()}
            for k, r in previous.items()
            if k != STRIPE_KEY
        },
        **results,
    }
    write_results(merged, args)


def write_results(results: dict[str, dict[str, list[Measure]]], args: argparse.Namespace) -> None:
    """RESULTS.md (a table a reader can check against the targets) and results.json (raw);
    scales measured earlier and not now are kept."""
    saved = CACHE / "results.json"
    earlier = json.loads(saved.read_text()) if saved.exists() else {}
    if earlier:
        results = {
            **{
                k: {x: [Measure(*m) for m in v] for x, v in r.items()}
                for k, r in earlier.items()
                if k != STRIPE_KEY
            },
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
    results_md = REPO / "bench" / "RESULTS.md"
    stripe_section = _section(results_md.read_text()) if results_md.exists() else None
    text = "\n".join(lines) + "\n"
    if stripe_section:
        text += "\n" + stripe_section + "\n"
    results_md.write_text(text)
    raw = {
        scale: {k: [[m.seconds, m.peak_mib] for m in v] for k, v in runs.items()}
        for scale, runs in results.items()
    }
    if STRIPE_KEY in earlier:
        raw[STRIPE_KEY] = earlier[STRIPE_KEY]
    (CACHE / "results.json").write_text(json.dumps(raw, indent=1))


# ---------------------------------------------------------------------------------------------
# Stripe-only scenarios: tally vs the floor

PHASES = ("start-up", "load", "dbt SQL", "tests", "dbt overhead", "publish", "other")
KPI_COLUMNS = (
    "mrr",
    "paying_customers",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
)


def customers_of(scenario: str) -> int:
    match = re.fullmatch(r"stripe(\d+)(k?)", scenario)
    if not match:
        raise SystemExit(f"unknown scenario {scenario!r} (expected stripe<N> or stripe<N>k)")
    return int(match.group(1)) * (1000 if match.group(2) else 1)


def stripe_landing(scenario: str) -> tuple[Path, dict]:
    """The scenario's landing zone, generated once (seed 42, the generator's default window)."""
    from sample.stripe_only import generate_stripe_only

    folder = CACHE / f"landing-{scenario}"
    marker = CACHE / f"landing-{scenario}.json"  # beside it: tally warns of hidden files
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        summary = generate_stripe_only(folder, customers_of(scenario), seed=42)
        info = {
            "customers": summary.customers,
            "subscriptions": summary.subscriptions,
            "records": summary.records,
            "files": summary.files,
            "mb": round(summary.bytes / 1e6, 1),
            "generate_s": round(summary.seconds, 1),
        }
        print(f"{scenario}: generated {info}")
        marker.write_text(json.dumps(info))
    return folder, json.loads(marker.read_text())


def run_stripe_scenario(scenario: str, repeats: int) -> None:
    landing, info = stripe_landing(scenario)
    work = CACHE / "runs" / scenario
    tally_runs: list[dict] = []
    floor_runs: list[dict] = []
    agreement: list[dict] = []
    for n in range(repeats):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        warehouse = work / "warehouse.duckdb"
        launched = time.time()
        measure = tally_run(landing, warehouse, log=f"{scenario}-tally")
        phases = tally_phases(warehouse, launched, measure)
        tally_runs.append({"seconds": measure.seconds, "peak_mib": measure.peak_mib, **phases})
        floor_json = work / "floor.json"
        measure = timed(
            [
                sys.executable,
                str(REPO / "bench" / "floor_stripe_mrr.py"),
                str(landing),
                "--json",
                str(floor_json),
            ],
            env={"PYTHONPATH": str(REPO)},
            log=f"{scenario}-floor",
        )
        floor_runs.append({"seconds": measure.seconds, "peak_mib": measure.peak_mib})
        agreement.append(compare_with_floor(warehouse, floor_json))
        print(
            f"{scenario} #{n + 1}: tally {tally_runs[-1]['seconds']:.1f} s, floor "
            f"{measure.seconds:.1f} s, agree: {agreement[-1]['agree']}"
        )
    entry = {
        "date": date.today().isoformat(),
        "commit": _commit(),
        "cores": os.cpu_count(),
        "repeats": repeats,
        "landing": info,
        "tally": tally_runs,
        "floor": floor_runs,
        "agreement": agreement,
    }
    saved = CACHE / "results.json"
    raw = json.loads(saved.read_text()) if saved.exists() else {}
    raw.setdefault(STRIPE_KEY, {}).setdefault(scenario, []).append(entry)
    CACHE.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(raw, indent=1))
    write_stripe_section(raw[STRIPE_KEY])


def _commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return result.stdout.strip() or "?"


def compare_with_floor(warehouse: Path, floor_json: Path) -> dict:
    """The floor's months against the served warehouse's marts.kpi_monthly (marts only)."""
    import duckdb

    floor = {m["month"]: m for m in json.loads(floor_json.read_text())}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select month, {', '.join(KPI_COLUMNS)} from marts.kpi_monthly order by month"
        ).fetchall()
    worst = Decimal(0)
    months_match = sorted(floor) == [row[0].isoformat() for row in rows]
    for month, *values in rows:
        expected = floor.get(month.isoformat())
        if expected is None:
            continue
        for column, value in zip(KPI_COLUMNS, values, strict=True):
            diff = abs(Decimal(str(value)) - Decimal(str(expected[column])))
            worst = max(worst, diff)
    agree = months_match and worst < Decimal("0.005")
    return {"agree": agree, "months": len(rows), "max_abs_diff": str(worst)}


def _intervals_union(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


def _step_spans(tally_dir: Path, since: float) -> dict[str, list[tuple[float, float]]]:
    """(start, end) of every Dagster step of the runs recorded since `since`, from the run's
    event log (sqlite), else from the first and last line each step logged."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for db in tally_dir.rglob("history/runs/*.db"):
        if db.name == "index.db" or db.stat().st_mtime < since:
            continue
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        starts: dict[str, float] = {}
        for kind, step, stamp in con.execute(
            "select dagster_event_type, step_key, timestamp from event_logs "
            "where dagster_event_type in ('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE') "
            "order by id"
        ):
            at = datetime.fromisoformat(str(stamp)).replace(tzinfo=UTC).timestamp()
            if kind == "STEP_START":
                starts[step] = at
            elif step in starts:
                spans.setdefault(step, []).append((starts.pop(step), at))
        con.close()
    if spans:
        return spans
    line = re.compile(
        r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) \w+ \S+ - \S+ - (?:\d+ - )?(\S+) - "
    )
    seen: dict[str, list[float]] = {}
    for log in tally_dir.rglob("*.log"):
        if log.stat().st_mtime < since:
            continue
        for text in log.read_text(errors="replace").splitlines():
            if m := line.match(text):
                at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
                seen.setdefault(m.group(2), []).append(at.replace(tzinfo=UTC).timestamp())
    return {step: [(min(t), max(t))] for step, t in seen.items()}


def _kind(step: str) -> str:
    key = step.lower()
    if "dbt" in key:
        return "dbt"
    if key.startswith("raw") or "ingest" in key or "load" in key:
        return "load"
    if any(word in key for word in ("publish", "serv", "export", "dashboard")):
        return "publish"
    return "other"


def tally_phases(warehouse: Path, launched: float, measure: Measure) -> dict[str, float]:
    """Tally's wall time split into PHASES (seconds), from its Dagster event log and dbt's
    run_results.json files written during the run. Missing sources give missing phases."""
    tally_dirs = [p for p in warehouse.parent.glob(f".{warehouse.name}*") if p.is_dir()]
    spans: dict[str, list[tuple[float, float]]] = {}
    for folder in tally_dirs:
        for step, found in _step_spans(folder, launched).items():
            spans.setdefault(step, []).extend(found)
    phases = dict.fromkeys(PHASES, 0.0)
    if not spans:
        return {"phases_found": False}
    all_spans = [s for found in spans.values() for s in found]
    first_start = min(a for a, _ in all_spans)
    phases["start-up"] = max(first_start - launched, 0.0)
    by_kind: dict[str, list[tuple[float, float]]] = {}
    for step, found in spans.items():
        by_kind.setdefault(_kind(step), []).extend(found)
    dbt_wall = _intervals_union(by_kind.get("dbt", []))
    phases["load"] = _intervals_union(by_kind.get("load", []))
    phases["publish"] = _intervals_union(by_kind.get("publish", []))
    models, tests = [], []
    results = [
        p
        for root in (*tally_dirs, REPO / "dbt_project" / "target")
        for p in root.rglob("run_results.json")
        if p.stat().st_mtime >= launched
    ]
    for path in results:
        for node in json.loads(path.read_text()).get("results", []):
            execute = [t for t in node.get("timing", []) if t.get("name") == "execute"]
            if not execute or not execute[0].get("started_at"):
                continue
            span = (_ts(execute[0]["started_at"]), _ts(execute[0]["completed_at"]))
            kind = node["unique_id"].split(".", 1)[0]
            (tests if kind in ("test", "unit_test") else models).append(span)
    sql = _intervals_union(models)
    both = _intervals_union(models + tests)
    phases["dbt SQL"] = sql
    phases["tests"] = both - sql
    phases["dbt overhead"] = max(dbt_wall - both, 0.0)
    phases["other"] = max(measure.seconds - sum(phases.values()), 0.0)
    return {**phases, "phases_found": True, "dbt_nodes": len(models) + len(tests)}


def _section(text: str) -> str | None:
    if SECTION_START not in text:
        return None
    start = text.index(SECTION_START)
    end = text.find(SECTION_END, start)
    return text[start : end + len(SECTION_END)] if end >= 0 else text[start:]


def _with_earlier_rows(lines: list[str], previous: list[str]) -> list[str]:
    """The new section, keeping the rows of the previous one that it does not repeat: runs
    measured on another machine (or before bench/cache was cleared) are not in results.json,
    and RESULTS.md is their only record. Earlier table rows follow the new ones (newest
    first); earlier runs precede them in the list of every run (newest last)."""
    kept = [line for line in previous if line not in lines]
    rows = [line for line in kept if line.startswith("| stripe")]
    runs = [line for line in kept if line.startswith("- stripe")]
    merged: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("- stripe") and runs:
            merged += runs
            runs = []
        merged.append(line)
        if line.startswith("| stripe") and not lines[index + 1].startswith("| stripe"):
            summary = " customers, " in line  # else the phase table
            merged += [row for row in rows if (" customers, " in row) == summary]
    return merged


def write_stripe_section(stripe: dict[str, list[dict]]) -> None:
    """The section of RESULTS.md for the Stripe-only scenarios: the latest run of each, its
    phases, and every earlier run as history; the rest of RESULTS.md is kept."""
    med = statistics.median
    lines = [
        SECTION_START,
        "## Stripe-only: Tally vs the floor",
        "",
        "Measured by `bench/run.py --scenarios ...`: a Stripe-only landing zone "
        "(sample/stripe_only.py, seed 42, 2025-01-01..2025-04-30 landed after a simulated "
        "year of history, both Stripe API layouts, four currencies) of N customers; each "
        "repetition is `tally run` into a fresh warehouse, then the floor "
        "(`bench/floor_stripe_mrr.py`: bare DuckDB on the landed JSON, the same month-end MRR, "
        "paying customers and five movements), each a whole process; medians. Peak memory: "
        "the process tree's resident set (sampled). Agreement: the floor against "
        "`marts.kpi_monthly` to the cent, every repetition.",
        "",
        "| scenario | landing | tally | floor | tally/floor | peak tally | peak floor | agree "
        "| date, commit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario, entries in sorted(stripe.items(), key=lambda kv: customers_of(kv[0])):
        e = entries[-1]
        t = med(r["seconds"] for r in e["tally"])
        f = med(r["seconds"] for r in e["floor"])
        agree = all(a["agree"] for a in e["agreement"])
        land = e["landing"]
        lines.append(
            f"| {scenario} | {land['customers']:,} customers, {land['mb']} MB, "
            f"{land['files']} files | {t:.1f} s | {f:.1f} s | {t / f:.1f} | "
            f"{max(r['peak_mib'] for r in e['tally']):,.0f} MiB | "
            f"{max(r['peak_mib'] for r in e['floor']):,.0f} MiB | "
            f"{'yes' if agree else 'NO'} ({len(e['agreement'])}/{len(e['agreement'])}"
            f"{'' if agree else ' failed'}) | {e['date']}, {e['commit']} |"
        )
    lines += [
        "",
        "Where Tally's time goes (medians, seconds; from the Dagster event log and dbt's "
        "run_results.json):",
        "",
        "| scenario | " + " | ".join(PHASES) + " | total |",
        "|---|" + "---|" * (len(PHASES) + 1),
    ]
    for scenario, entries in sorted(stripe.items(), key=lambda kv: customers_of(kv[0])):
        runs = [r for r in entries[-1]["tally"] if r.get("phases_found")]
        label = f"{scenario} ({entries[-1]['date']}, {entries[-1]['commit']})"
        if not runs:
            lines.append(f"| {label} | " + " | ".join("?" for _ in PHASES) + " | |")
            continue
        cells = [f"{med(r[p] for r in runs):.1f}" for p in PHASES]
        lines.append(
            f"| {label} | " + " | ".join(cells) + f" | {med(r['seconds'] for r in runs):.1f} |"
        )
    lines += ["", "Every run (tally s / MiB; floor s / MiB), newest last:", ""]
    for scenario, entries in sorted(stripe.items(), key=lambda kv: customers_of(kv[0])):
        for e in entries:
            pairs = ", ".join(
                f"{t['seconds']:.1f} / {t['peak_mib']:,.0f}; {f['seconds']:.1f} / "
                f"{f['peak_mib']:,.0f}"
                for t, f in zip(e["tally"], e["floor"], strict=True)
            )
            lines.append(f"- {scenario}, {e['date']} at {e['commit']}: {pairs}")
    lines.append(SECTION_END)
    results_md = REPO / "bench" / "RESULTS.md"
    text = results_md.read_text() if results_md.exists() else "# Benchmark results\n"
    old = _section(text)
    section = "\n".join(_with_earlier_rows(lines, old.splitlines() if old else []))
    text = text.replace(old, section) if old else text.rstrip("\n") + "\n\n" + section + "\n"
    results_md.write_text(text)


if __name__ == "__main__":
    main()
