"""What BI users can open carries no personal data: no email address, person's name or email
domain from the landing zone in the served file, its Parquet folder or the dashboard."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.serving.dashboard import dashboard_path
from orchestration.serving.warehouse import parquet_dir

pytestmark = pytest.mark.e2e


def _records(landing: Path, source: str, obj: str):
    for path in sorted((landing / source / obj).glob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


def _personal_strings(landing: Path) -> set[str]:
    """Emails, their domains and full names, as the vendors' records carry them."""
    found: set[str] = set()
    for record in _records(landing, "stripe", "customers"):
        found |= {record.get("email") or "", record.get("name") or ""}
    for record in _records(landing, "hubspot", "contacts"):
        props = record.get("properties", {})
        found.add(props.get("email") or "")
        found.add(f"{props.get('firstname') or ''} {props.get('lastname') or ''}".strip())
    for record in _records(landing, "hubspot", "companies"):
        found.add(record.get("properties", {}).get("domain") or "")
    for record in _records(landing, "zendesk", "users"):
        found |= {record.get("email") or "", record.get("name") or ""}
    found |= {s.split("@", 1)[1] for s in list(found) if "@" in s}
    return {s.lower() for s in found if len(s) >= 5}


def test_served_file_parquet_and_dashboard_carry_no_personal_data(
    small_landing: Path, small_warehouse: Path
) -> None:
    personal = _personal_strings(small_landing)
    assert len(personal) > 100  # the scan has something to find
    texts: list[str] = []
    with duckdb.connect(str(small_warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            texts += [
                str(v).lower()
                for (v,) in con.execute(
                    f'select distinct "{column}" from "{schema}"."{table}" where "{column}" '
                    "is not null"
                ).fetchall()
            ]
        for parquet in sorted(parquet_dir(small_warehouse).glob("*.parquet")):
            row = con.execute("select * from read_parquet(?)", [str(parquet)]).fetchall()
            texts += [str(v).lower() for r in row for v in r if isinstance(v, str)]
    page = dashboard_path(small_warehouse).read_text().lower()
    leaks = sorted({p for p in personal if any(p in t for t in texts) or p in page})
    assert leaks == []
