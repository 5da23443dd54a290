"""What a dbt build's checks said, in a few lines a person reads: from `run_results.json`.

A test with `severity: error` that fails means the numbers would be wrong (the MRR bridge, keys,
raw-to-staging reconciliation, a missing FX rate): the build fails and nothing is published. A
test with `severity: warn` (ranges, plausibility) is reported and the refresh publishes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

MAX_ROWS_SHOWN = 3


@dataclass(frozen=True)
class CheckOutcome:
    check: str  # the dbt test's name
    model: str  # the model it guards (or the failing model itself)
    status: str  # "fail" / "error" (blocking) or "warn"
    failures: int | None
    message: str
    compiled_sql: str | None
    test: str | None = None  # the generic test's name (`within_ranges`), None for others

    @property
    def blocking(self) -> bool:
        return self.status in ("fail", "error")


def read_outcomes(
    target_dir: Path, database: Path | None = None, manifest_path: Path | None = None
) -> list[CheckOutcome]:
    """Every node of the last dbt invocation that did not pass, from its artifacts. With the
    models' `database` (read after dbt has exited), a range warning says which KPIs left their
    range, where (see `range_breaches`). The nodes are described by `manifest_path`, by default
    the manifest dbt wrote beside the results (a tally build writes none: it passes the
    project's, see orchestration/dbt_process.py)."""
    results_path = target_dir / "run_results.json"
    if not results_path.exists():
        return []
    results = json.loads(results_path.read_text())["results"]
    manifest_path = manifest_path or target_dir / "manifest.json"
    nodes = json.loads(manifest_path.read_text())["nodes"] if manifest_path.exists() else {}
    outcomes = []
    for result in results:
        if result["status"] not in ("fail", "error", "warn"):
            continue
        node = nodes.get(result["unique_id"], {})
        outcome = CheckOutcome(
            check=node.get("name", result["unique_id"]),
            model=_guarded_model(node) or node.get("name", result["unique_id"]),
            status=result["status"],
            failures=result.get("failures"),
            message=(result.get("message") or "").strip(),
            compiled_sql=result.get("compiled_code")
            if node.get("resource_type") == "test"
            else None,
            test=(node.get("test_metadata") or {}).get("name"),
        )
        breaches = range_breaches(database, outcome) if outcome.test == "within_ranges" else ""
        outcomes.append(replace(outcome, message=breaches) if breaches else outcome)
    return outcomes


def range_breaches(database: Path | None, outcome: CheckOutcome, limit: int = 5) -> str:
    """`within_ranges`' rows (kpi, row_label, value, lower_bound, upper_bound) as one line: each KPI
    out of its range, in how many rows, and its first breach. Empty if they cannot be read."""
    if database is None or not outcome.compiled_sql or not database.exists():
        return ""
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            rows = con.execute(
                f"""
                select kpi, count(*), min(lower_bound), min(upper_bound),
                       arg_min(value, row_label), min(row_label)
                from ({outcome.compiled_sql}) group by kpi order by kpi
                """
            ).fetchall()
    except duckdb.Error:
        return ""
    parts = [
        f"{kpi} in {n} row(s) out of [{_bound(lower)}, {_bound(upper)}], first {value:g} at {label}"
        for kpi, n, lower, upper, value, label in rows[:limit]
    ]
    more = f"; and {len(rows) - limit} more KPI(s)" if len(rows) > limit else ""
    return "; ".join(parts) + more


def _bound(value: float | None) -> str:
    return "..." if value is None else f"{value:g}"


def node_counts(target_dir: Path) -> dict[str, float]:
    """Models and tests the last dbt invocation ran, and the seconds its nodes' SQL took."""
    results_path = target_dir / "run_results.json"
    if not results_path.exists():
        return {}
    counts: dict[str, float] = {"sql_seconds": 0.0}
    for result in json.loads(results_path.read_text())["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
        counts["sql_seconds"] += result.get("execution_time") or 0.0
    return counts


def _guarded_model(node: dict) -> str | None:
    attached = node.get("attached_node") or next(
        (n for n in node.get("depends_on", {}).get("nodes", []) if n.startswith("model.")), None
    )
    return attached.rsplit(".", 1)[-1] if attached else None


def failing_rows(database: Path | None, outcome: CheckOutcome) -> list[tuple]:
    """A few of the rows a failing test returned (read-only, after dbt has exited). None: the
    models live elsewhere (Spark), where the test's SQL cannot be re-run from here."""
    if database is None or not outcome.compiled_sql or not database.exists():
        return []
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            return con.execute(
                f"select * from ({outcome.compiled_sql}) limit {MAX_ROWS_SHOWN}"
            ).fetchall()
    except duckdb.Error:
        return []


def blocking_summary(
    outcomes: list[CheckOutcome], database: Path | None, limit: int = 3
) -> list[str]:
    """At most ~10 lines: each blocking check, its model, its message and a few failing rows."""
    blocking = [o for o in outcomes if o.blocking]
    lines = []
    for outcome in blocking[:limit]:
        count = f"{outcome.failures} failing row(s)" if outcome.failures else outcome.status
        lines.append(f"blocking check {outcome.check} on {outcome.model}: {count}")
        if outcome.status == "error" and outcome.message:
            lines.append(f"    {outcome.message.splitlines()[-1][:200]}")
        for row in failing_rows(database, outcome)[:2]:
            lines.append(f"    e.g. {row}"[:200])
    if len(blocking) > limit:
        lines.append(f"... and {len(blocking) - limit} more blocking check(s)")
    return lines


def dbt_errors(messages: list[str], limit: int = 3) -> list[str]:
    """dbt's own error messages (a build that stopped before running any node: a compilation
    error, an engine that did not start), as its log stream gave them, for the summary."""
    return [" ".join(m.split())[:300] for m in messages if m.strip()][-limit:]
