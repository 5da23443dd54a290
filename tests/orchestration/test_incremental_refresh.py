"""A refresh of some days touches only their partitions (and the months they move), and leaves
the warehouse exactly as a full rebuild of the same landing zone would: new days, late days and
corrected (re-landed) days alike. Real runs: Dagster in process, dbt, DuckDB files."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.settings import Settings
from orchestration.cli import RunOutcome, execute_refresh
from orchestration.partitions import months_to_refresh
from tests.conftest import SMALL_END, copy_landing, run_tally

LAST_DAY = SMALL_END  # 2025-05-31
LATE_DAY = date(2025, 3, 10)
COMPARED_SCHEMAS = ("core", "marts")


def _refresh(landing: Path, warehouse: Path, day: date) -> list[RunOutcome]:
    settings = Settings(landing_dir=landing, warehouse_path=warehouse)
    settings = settings.with_overrides(partitions_start=date(2025, 1, 1))
    runs = execute_refresh(settings, day, day, months_to_refresh(day, LAST_DAY))
    assert [r.success for r in runs] == [True, True], runs
    return runs


def _partitions(runs: list[RunOutcome]) -> dict[str, set[str]]:
    touched: dict[str, set[str]] = {}
    for run in runs:
        for key, partition in run.materialized:
            if partition is not None:
                touched.setdefault(key, set()).add(partition)
    return touched


def _differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Rows of every core and mart table found in one warehouse and not the other (doubles
    compared to 6 decimals: a sum's last bits depend on the order of addition)."""
    con = duckdb.connect()
    con.execute(f"attach '{left}' as l (read_only)")
    con.execute(f"attach '{right}' as r (read_only)")
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'l' "
        f"and schema_name in {COMPARED_SCHEMAS} order by all"
    ).fetchall()
    assert len(tables) > 15
    found = {}
    for schema, table in tables:
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = 'l' "
            "and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchall()
        select = ", ".join(
            f'round("{c}", 6)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in columns
        )
        counts = tuple(
            con.execute(
                f"select count(*) from (select {select} from {a}.{schema}.{table} "
                f"except all select {select} from {b}.{schema}.{table})"
            ).fetchone()[0]
            for a, b in (("l", "r"), ("r", "l"))
        )
        if counts != (0, 0):
            found[f"{schema}.{table}"] = counts
    return found


def _loaded_at_by_day(warehouse: Path) -> dict[date, object]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(
            con.execute(
                "select _partition_date, max(_loaded_at) from raw.stripe_subscriptions group by 1"
            ).fetchall()
        )


@pytest.fixture(scope="module")
def history(small_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A warehouse fully loaded with every day but the last, and the complete landing zone."""
    root = tmp_path_factory.mktemp("incremental")
    landing = copy_landing(small_landing, root / "landing")
    held = root / "held"
    for path in landing.rglob(f"{LAST_DAY.isoformat()}.*"):
        target = held / path.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    warehouse = root / "warehouse.duckdb"
    result = run_tally("run", "--landing", landing, "--warehouse", warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for path in held.rglob("*.*"):
        shutil.move(path, landing / path.relative_to(held))
    return {"landing": landing, "warehouse": warehouse, "caught_up": False}


def test_a_new_day_touches_only_its_partitions_and_equals_a_full_rebuild(
    history: dict, small_warehouse: Path
) -> None:
    landing, warehouse = history["landing"], history["warehouse"]
    loaded_before = _loaded_at_by_day(warehouse)

    runs = _refresh(landing, warehouse, LAST_DAY)
    history["caught_up"] = True

    touched = _partitions(runs)
    daily = {k: v for k, v in touched.items() if not k.startswith("marts/")}
    monthly = {k: v for k, v in touched.items() if k.startswith("marts/")}
    assert {"raw/ga4", "raw/stripe", "staging/stg_ga4__events", "core/fct_web_sessions"} <= set(
        daily
    )
    assert all(parts == {LAST_DAY.isoformat()} for parts in daily.values()), daily
    assert {"marts/kpi_monthly", "marts/mrr_movements", "marts/kpi_by_channel_monthly"} <= set(
        monthly
    )
    assert all(parts == {"2025-05-01"} for parts in monthly.values()), monthly
    # earlier days' raw rows were not reloaded
    loaded_after = _loaded_at_by_day(warehouse)
    assert {d: loaded_after[d] for d in loaded_before} == loaded_before
    assert LAST_DAY in loaded_after
    # small_warehouse: one full run of the same complete landing zone
    assert _differences(warehouse, small_warehouse) == {}


def _cancel_late(landing: Path) -> str:
    """Re-land LATE_DAY's subscriptions with one more line: a subscription active until then
    (and never touched again) canceled that day. Returns its id."""
    versions: dict[str, tuple[str, dict]] = {}
    for path in sorted((landing / "stripe" / "subscriptions").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                versions[record["id"]] = (path.stem, record)
    sub_id, (_, record) = next(
        (k, v)
        for k, v in sorted(versions.items())
        if v[0] < LATE_DAY.isoformat() and v[1]["status"] == "active"
    )
    ended = int(datetime(2025, 3, 10, 12, tzinfo=UTC).timestamp())
    record = {**record, "status": "canceled", "ended_at": ended, "canceled_at": ended}
    day_file = landing / "stripe" / "subscriptions" / f"{LATE_DAY.isoformat()}.jsonl"
    with day_file.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    return sub_id


def _visit_late(landing: Path) -> None:
    """Re-land LATE_DAY's GA4 events with a new visitor's session (a late export)."""
    day_file = landing / "ga4" / "events" / f"{LATE_DAY.isoformat()}.jsonl.gz"
    lines = gzip.decompress(day_file.read_bytes()).decode().splitlines()
    first = json.loads(lines[0])
    visitor = {**first, "user_pseudo_id": "late-visitor.1", "user_id": None}
    lines.append(json.dumps(visitor))
    day_file.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def _kpi(warehouse: Path, column: str, month: str) -> float:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select {column} from marts.kpi_monthly where month = ?", [month]
        ).fetchone()[0]


def test_a_corrected_old_day_restates_downstream_and_equals_a_full_rebuild(
    history: dict, tmp_path: Path
) -> None:
    landing, warehouse = history["landing"], history["warehouse"]
    if not history["caught_up"]:
        _refresh(landing, warehouse, LAST_DAY)
    mrr_before = _kpi(warehouse, "mrr", "2025-03-01")
    visitors_before = _kpi(warehouse, "unique_visitors", "2025-03-01")
    _cancel_late(landing)
    _visit_late(landing)

    runs = _refresh(landing, warehouse, LATE_DAY)

    touched = _partitions(runs)
    assert touched["raw/stripe"] == touched["core/fct_web_sessions"] == {"2025-03-10"}
    assert touched["marts/kpi_monthly"] == {"2025-03-01", "2025-04-01", "2025-05-01"}
    assert _kpi(warehouse, "mrr", "2025-03-01") < mrr_before
    assert _kpi(warehouse, "unique_visitors", "2025-03-01") == visitors_before + 1
    rebuilt = tmp_path / "rebuilt.duckdb"
    result = run_tally("run", "--landing", landing, "--warehouse", rebuilt)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _differences(warehouse, rebuilt) == {}
