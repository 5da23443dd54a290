"""Checks made before a run does any work: each problem is one line, and nothing is created.

A run that would fail after minutes on a bad argument, or publish a figure known to be wrong,
is refused at once instead (the CLI exits 2).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb

from ingestion.catalog import ALL_OBJECTS
from ingestion.landing import object_files
from orchestration.settings import TallySettings


def engine_problems(settings: TallySettings) -> list[str]:
    """Spark needs a Java runtime and the Spark packages (`make install` brings both)."""
    if settings.engine != "spark":
        return []
    found = []
    if shutil.which("java") is None:
        found.append("engine spark needs Java 17 on PATH (Debian: openjdk-17-jre-headless)")
    for module in ("pyspark", "dbt.adapters.spark"):
        if importlib.util.find_spec(module) is None:
            found.append(f"engine spark needs the Python package {module.split('.')[-1]}")
    return found


def path_problems(settings: TallySettings) -> list[str]:
    """The landing zone must exist; the warehouse's folder must exist or be creatable."""
    found = []
    if not settings.landing.is_dir():
        found.append(f"landing directory {settings.landing} does not exist")
    folder = settings.served.parent
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        found.append(f"warehouse directory {folder} cannot be written")
    return found


def history_gaps(settings: TallySettings, start: date) -> list[str]:
    """Objects with landed days before `start` that the warehouse has never loaded.

    State KPIs (MRR, customers, backlog) need every earlier record version, and monthly web
    KPIs every day of the month: a refresh from `start` on top of a missing history would
    publish wrong figures (e.g. every paying customer counted as new). So it is refused.
    """
    landed: dict[str, set[date]] = {}
    for spec in ALL_OBJECTS:
        days = {f.partition for f in object_files(settings.landing, spec) if f.partition}
        earlier = {d for d in days if d < start}
        if earlier:
            landed[f"{spec.source}/{spec.name}"] = earlier
    if not landed:
        return []
    loaded: set[tuple[str, date]] = set()
    if settings.pipeline_db.exists():
        with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
            if con.execute(
                "select count(*) from duckdb_tables() "
                "where schema_name = 'raw' and table_name = 'load_audit'"
            ).fetchone()[0]:
                loaded = {
                    (f"{source}/{obj}", day)
                    for source, obj, day in con.execute(
                        "select distinct source, object, partition_date from raw.load_audit "
                        "where partition_date < ?",
                        [start],
                    ).fetchall()
                }
    by_source: dict[str, list[tuple[str, list[date]]]] = {}
    for name, days in sorted(landed.items()):
        missing = sorted(d for d in days if (name, d) not in loaded)
        if missing:
            source, obj = name.split("/", 1)
            by_source.setdefault(source, []).append((obj, missing))
    return [
        f"{source} ({', '.join(obj for obj, _ in objects)}): landed days "
        f"{min(m[0] for _, m in objects)}..{max(m[-1] for _, m in objects)} before {start} "
        "not loaded"
        for source, objects in sorted(by_source.items())
    ]


def missing_fx(settings: TallySettings) -> list[str]:
    """Currencies Stripe prices use with no rate to the reporting currency in fx_rates.csv."""
    prices = settings.landing / "stripe" / "prices"
    if not any(prices.glob("*.jsonl*")):
        return []
    fx = settings.landing / "finance" / "fx_rates.csv"
    try:
        with duckdb.connect() as con:
            used = {
                c.upper()
                for (c,) in con.execute(
                    "select distinct json_extract_string(json, '$.currency') "
                    "from read_json_objects(?, ignore_errors = true)",
                    [str(prices / "*.jsonl*")],
                ).fetchall()
                if c
            }
            rated = (
                {
                    str(c).upper()
                    for (c,) in con.execute(
                        "select distinct currency from read_csv(?, all_varchar = true)",
                        [str(fx)],
                    ).fetchall()
                    if c
                }
                if fx.exists()
                else set()
            )
    except duckdb.Error:
        return []  # unreadable files are the loader's to quarantine, with file and line
    missing = sorted(used - rated - {settings.reporting_currency})
    if not missing:
        return []
    return [
        f"reporting currency {settings.reporting_currency}: prices are in {', '.join(missing)} "
        f"with no rate in {Path('finance') / 'fx_rates.csv'} (missing FX rate)"
    ]
