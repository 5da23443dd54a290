"""A refresh of some days loads only their partitions, rebuilds what they move in one dbt build,
and leaves the warehouse exactly as a full rebuild of the same landing zone would: new days,
late days, corrected (re-landed) days, and days whose build failed before. Real runs: Dagster
in process, dbt, DuckDB files."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import RunOutcome, execute_refresh
from orchestration.settings import TallySettings
from tests.conftest import SMALL_END, copy_landing, pipeline_db, run_tally

LAST_DAY = SMALL_END  # 2025-05-31
LATE_DAY = date(2025, 3, 10)
COMPARED_SCHEMAS = ("staging", "intermediate", "core", "marts")


def _settings(landing: Path, warehouse: Path) -> TallySettings:
    return TallySettings.from_env(
        environ={}, landing_dir=landing, warehouse_path=warehouse, partitions_start="2025-01-01"
    )


def _refresh(landing: Path, warehouse: Path, day: date) -> RunOutcome:
    run = execute_refresh(_settings(landing, warehouse), day, day)
    assert run.success, run.errors
    return run


def _partitions(run: RunOutcome) -> dict[str, set[str]]:
    touched: dict[str, set[str]] = {}
    for key, partition in run.materialized:
        touched.setdefault(key, set()).add(partition or "-")
    return touched


def _pending(warehouse: Path) -> int:
    with duckdb.connect(str(pipeline_db(warehouse)), read_only=True) as con:
        return con.execute("select count(*) from raw.pending_partitions").fetchone()[0]


def _differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Rows of every staging to mart table found in one pipeline database and not the other
    (doubles compared to 6 decimals: a sum's last bits depend on the order of addition)."""
    con = duckdb.connect()
    con.execute("attach ? as l (read_only)", [str(pipeline_db(left))])
    con.execute("attach ? as r (read_only)", [str(pipeline_db(right))])
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
    with duckdb.connect(str(pipeline_db(warehouse)), read_only=True) as con:
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

    run = _refresh(landing, warehouse, LAST_DAY)
    history["caught_up"] = True

    touched = _partitions(run)
    assert touched["raw/ga4"] == touched["raw/stripe"] == {"2025-05-01"}  # its month
    # every model once, unpartitioned: one dbt build per refresh
    assert touched["core/fct_web_sessions"] == touched["marts/kpi_monthly"] == {"-"}
    assert _pending(warehouse) == 0
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


def _load_only(landing: Path, warehouse: Path, day: date) -> None:
    """A run that loads `day`'s GA4 file and dies before its dbt build."""
    import dagster as dg

    from orchestration.definitions import REFRESH_JOB, build_definitions
    from orchestration.partitions import range_tags

    defs = build_definitions(_settings(landing, warehouse))
    with dg.DagsterInstance.ephemeral() as instance:  # the load only: dbt never runs
        loaded = defs.resolve_job_def(REFRESH_JOB).execute_in_process(
            instance=instance,
            asset_selection=[dg.AssetKey(["raw", "ga4"])],
            tags=range_tags(day, day),
        )
    assert loaded.success


def _kpi(warehouse: Path, column: str, month: str) -> float:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select {column} from marts.kpi_monthly where month = ?", [month]
        ).fetchone()[0]


def test_a_dead_run_and_a_corrected_old_day_are_rebuilt_and_equal_a_full_rebuild(
    history: dict, tmp_path: Path
) -> None:
    """Raw data of a day changes and its run dies before dbt; then an older day is re-landed
    with a late cancellation and a late visitor. The refresh of that older day rebuilds both:
    nothing stale is published, the late records restate their month, and the warehouse equals
    a full rebuild of the same landing zone (one rebuild checks both)."""
    landing, warehouse = history["landing"], history["warehouse"]
    if not history["caught_up"]:
        _refresh(landing, warehouse, LAST_DAY)
        history["caught_up"] = True
    dead_day = date(2025, 2, 12)
    day_file = landing / "ga4" / "events" / f"{dead_day.isoformat()}.jsonl.gz"
    lines = gzip.decompress(day_file.read_bytes()).decode().splitlines()
    day_file.write_bytes(gzip.compress(("\n".join(lines[: len(lines) // 2]) + "\n").encode()))
    _load_only(landing, warehouse, dead_day)
    assert _pending(warehouse) == 1
    visitors_feb = _kpi(warehouse, "unique_visitors", "2025-02-01")  # not rebuilt yet
    mrr_before = _kpi(warehouse, "mrr", "2025-03-01")
    visitors_before = _kpi(warehouse, "unique_visitors", "2025-03-01")
    _cancel_late(landing)
    _visit_late(landing)

    run = _refresh(landing, warehouse, LATE_DAY)

    assert _pending(warehouse) == 0
    assert _partitions(run)["raw/stripe"] == {"2025-03-01"}
    assert _kpi(warehouse, "unique_visitors", "2025-02-01") < visitors_feb
    assert _kpi(warehouse, "mrr", "2025-03-01") < mrr_before
    assert _kpi(warehouse, "unique_visitors", "2025-03-01") == visitors_before + 1
    rebuilt = tmp_path / "rebuilt.duckdb"
    result = run_tally("run", "--landing", landing, "--warehouse", rebuilt)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _differences(warehouse, rebuilt) == {}
