"""Benchmark (d): the same work as `tally run` by bare DuckDB, without dbt or Dagster.

Loads every landed file with the same loaders, then runs the dbt models' compiled SQL (from a
manifest produced by `dbt compile`) in dependency order. Usage:
    bare_duckdb.py LANDING DATABASE MANIFEST
"""

from __future__ import annotations

import json
import sys
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from ingestion.catalog import ALL_OBJECTS
from ingestion.finance import CSV_OBJECTS, load_csv
from ingestion.loader import load_object


def main(landing: Path, database: Path, manifest_path: Path) -> None:
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    for spec in ALL_OBJECTS:
        load_object(con, landing, spec)
    for csv_spec in CSV_OBJECTS:
        load_csv(con, landing, csv_spec)
    nodes = json.loads(manifest_path.read_text())["nodes"]
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}
    order = TopologicalSorter(
        {uid: [d for d in n["depends_on"]["nodes"] if d in models] for uid, n in models.items()}
    ).static_order()
    for uid in order:
        node = models[uid]
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        con.execute(f'create schema if not exists "{node["schema"]}"')
        con.execute(
            f'create or replace {kind} "{node["schema"]}"."{node["name"]}" as '
            f"({node['compiled_code']})"
        )
    con.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
