"""The same models on DuckDB and on Spark give the same KPIs (issue: "Beyond one machine").

Real runs through the CLI on both engines (`tally run --engine duckdb|spark`: the loader,
Dagster, dbt-duckdb / dbt-spark in a local session, the publish), on one landing zone holding a
small generated company and every real vendor sample (a Spark build costs its ~200 queries
whatever the data, so one zone with both costs one build, not two); then one day re-landed with
late data and refreshed on both.
Every column of every mart is compared: money to the cent, ratios to 1e-9, counts and keys
exactly. Needs Java 17 (`make test` installs it)."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from sample import generate
from tests.conftest import run_tally

pytestmark = [pytest.mark.spark, pytest.mark.e2e]

START, END = date(2025, 1, 1), date(2025, 2, 15)
LATE_DAY = date(2025, 1, 20)
ENGINES = ("duckdb", "spark")


def _run(engine: str, landing: Path, warehouse: Path, *args: str) -> str:
    result = run_tally(
        "run", "--engine", engine, "--landing", landing, "--warehouse", warehouse, *args
    )
    assert result.returncode == 0, f"{engine}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout


def mart_differences(left: Path, right: Path) -> dict[str, str]:
    """Every mart of two served warehouses, column by column: DECIMAL (money) rounded to the
    cent, DOUBLE (ratios) within 1e-9, everything else exact. {} when equal."""
    con = duckdb.connect()
    con.execute("attach ? as l (read_only)", [str(left)])
    con.execute("attach ? as r (read_only)", [str(right)])
    tables = [
        t
        for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'l' "
            "and schema_name = 'marts' and table_name <> 'run_warnings' order by 1"
        ).fetchall()
    ]
    assert len(tables) >= 6, tables
    found = {}
    for table in tables:
        left_cols = dict(_columns(con, "l", table))
        right_cols = dict(_columns(con, "r", table))
        if set(left_cols) != set(right_cols):
            found[table] = f"columns differ: {sorted(set(left_cols) ^ set(right_cols))}"
            continue
        kinds = {c: (left_cols[c], right_cols[c]) for c in left_cols}
        floats = [c for c, k in kinds.items() if {"DOUBLE", "FLOAT"} & set(k)]
        money = {c for c, k in kinds.items() if any(t.startswith("DECIMAL") for t in k)}
        exact = [c for c in left_cols if c not in floats]
        counts = []
        for a, b in (("l", "r"), ("r", "l")):
            select = ", ".join(_normalized(c, c in money) for c in exact)
            counts.append(
                con.execute(
                    f"select count(*) from (select {select} from {a}.marts.{table} "
                    f"except all select {select} from {b}.marts.{table})"
                ).fetchone()[0]
            )
        if counts != [0, 0]:
            found[table] = f"{counts[0]} row(s) only on the left, {counts[1]} only on the right"
            continue
        on = " and ".join(
            f"{_normalized(c, c in money, 'x')} is not distinct from "
            f"{_normalized(c, c in money, 'y')}"
            for c in exact
        )
        for column in floats:
            off = con.execute(
                f"select count(*) from l.marts.{table} x join r.marts.{table} y on {on} "
                f'where (x."{column}" is null) <> (y."{column}" is null) '
                f'or abs(x."{column}" - y."{column}") > 1e-9 * greatest(1, abs(x."{column}"))'
            ).fetchone()[0]
            if off:
                found[f"{table}.{column}"] = f"{off} value(s) differ beyond 1e-9"
    return found


def _normalized(column: str, money: bool, alias: str = "") -> str:
    """Money to the cent; anything else as it is."""
    ref = f'{alias}."{column}"' if alias else f'"{column}"'
    return f"round({ref}, 2)" if money else ref


def _columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = ? "
        "and schema_name = 'marts' and table_name = ? order by column_index",
        [db, table],
    ).fetchall()


def _warnings(warehouse: Path) -> set[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return set(con.execute("select check_name, model from marts.run_warnings").fetchall())


def _reland_with_late_events(landing: Path, day: date) -> int:
    """Re-land `day`'s GA4 file with late events: every line again for new visitors."""
    path = landing / "ga4" / "events" / f"{day.isoformat()}.jsonl.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    late = []
    for line in lines[::5]:
        event = json.loads(line)
        event["user_pseudo_id"] = f"late.{event['user_pseudo_id']}"
        late.append(json.dumps(event))
    path.write_bytes(gzip.compress(("\n".join(lines + late) + "\n").encode()))
    return len(late)


def _add_vendor_samples(landing: Path, vendor_landing: Path) -> None:
    """Every vendor sample file into the generated zone (their days never meet the company's),
    and the company's FX rates carried to the samples' last day: the calendar then runs to it,
    and a day without a rate blocks a publish."""
    for source in sorted(p for p in vendor_landing.rglob("*") if p.is_file()):
        target = landing / source.relative_to(vendor_landing)
        assert not target.exists(), target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    last_day = max(date.fromisoformat(p.name[:10]) for p in landing.rglob("????-??-??.*"))
    rates_file = landing / "finance" / "fx_rates.csv"
    with rates_file.open() as handle:
        rates = list(csv.DictReader(handle))
    latest = {row["currency"]: row["rate_to_reporting"] for row in rates}  # file is by date
    day = max(date.fromisoformat(row["date"]) for row in rates) + timedelta(days=1)
    with rates_file.open("a") as handle:
        while day <= last_day:
            handle.writelines(f"{day},{c},{rate}\n" for c, rate in sorted(latest.items()))
            day += timedelta(days=1)


def _in_parallel(*jobs: Callable[[], None]) -> None:
    """The jobs at once: each Spark run is mostly one busy driver thread, so the Spark builds
    and the DuckDB builds share the 2 cores well (the module's wall time is about its longest
    chain of Spark runs, not their sum)."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, vendor_landing: Path) -> dict[str, Path]:
    """A few weeks of a small company plus the vendor samples, built on both engines at once;
    then one day of the company re-landed with late events and refreshed on both (the
    re-landing waits for both builds)."""
    root = tmp_path_factory.mktemp("parity")
    landing = root / "landing"
    generate(landing, START, END, scale=0.1, seed=23)
    _add_vendor_samples(landing, vendor_landing)
    paths = {engine: root / engine / "warehouse.duckdb" for engine in ENGINES}
    paths |= {f"built/{e}": root / f"built-{e}.duckdb" for e in ENGINES}
    paths |= {"landing": landing, "before-reland": root / "before-reland.duckdb"}
    late: list[int] = []

    def reland() -> None:  # once both engines have built the zone
        shutil.copyfile(paths["duckdb"], paths["before-reland"])
        late.append(_reland_with_late_events(landing, LATE_DAY))

    both_built = threading.Barrier(len(ENGINES), action=reland, timeout=3600)

    def build_then_refresh(engine: str) -> Callable[[], None]:
        def job() -> None:
            served = paths[engine]
            try:
                _run(engine, landing, served)
                shutil.copyfile(served, paths[f"built/{engine}"])
                both_built.wait()
            except BaseException:
                both_built.abort()  # the other engine's thread stops waiting
                raise
            day = LATE_DAY.isoformat()
            _run(engine, landing, served, "--start", day, "--end", day)

        return job

    _in_parallel(*(build_then_refresh(engine) for engine in ENGINES))
    assert late and late[0] > 0
    return paths


def test_the_company_and_the_vendor_samples_give_equal_marts(built: dict[str, Path]) -> None:
    assert mart_differences(built["built/duckdb"], built["built/spark"]) == {}
    assert _warnings(built["built/duckdb"]) == _warnings(built["built/spark"])


def test_the_vendor_samples_are_in_the_compared_marts(built: dict[str, Path]) -> None:
    """The calendar reaches back to the samples' first day, and their GA4 rows (2020-2021, long
    before the company) count as visitors on both engines."""
    for engine in ENGINES:
        with duckdb.connect(str(built[f"built/{engine}"]), read_only=True) as con:
            first_month, visitors = con.execute(
                "select min(month), sum(unique_visitors) filter (where month < '2022-01-01') "
                "from marts.kpi_monthly"
            ).fetchone()
        assert first_month < START and visitors > 0, engine


def test_relanded_day_refreshes_equal_on_both(built: dict[str, Path]) -> None:
    # The late visitors moved the KPIs, and both engines agree on the new figures.
    assert mart_differences(built["before-reland"], built["duckdb"]) != {}
    assert mart_differences(built["duckdb"], built["spark"]) == {}


def test_a_failed_spark_build_leaves_the_served_warehouse(built: dict[str, Path]) -> None:
    """Spark cannot start (a heap too small for the JVM): the run fails, says why, and BI tools
    keep the last published file, byte for byte."""
    served = built["spark"]
    before = served.read_bytes()
    result = run_tally(
        "run",
        "--engine",
        "spark",
        "--landing",
        built["landing"],
        "--warehouse",
        served,
        env={"TALLY_SPARK_MEMORY": "1m"},
    )
    assert result.returncode != 0
    assert "previously published warehouse is still served" in result.stdout + result.stderr
    assert served.read_bytes() == before
