"""Disk use stays flat: one-day refreshes, one after another, grow the warehouse's data by about
what they load, not by a copy of dbt's artifacts or old exports per run. (Two things grow by
design and are bounded elsewhere: dbt's own log rotates at 10 MB x 5 files, and Dagster's run
history keeps a record of every run for the UI.)"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from orchestration.cli import execute_refresh
from orchestration.settings import TallySettings
from sample import generate
from tests.conftest import run_tally

pytestmark = pytest.mark.e2e

FIRST, LAST = date(2025, 1, 1), date(2025, 1, 31)
REFRESHES = 2  # before the fix, each refresh added ~16 MB: the second one shows it as nine do


def _size(folder: Path) -> int:
    """Data and artifacts: everything but Dagster's run history and dbt's rotating log."""
    return sum(
        p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and "dagster" not in p.relative_to(folder).parts
        and not p.name.startswith("dbt.log")
    )


def test_nightly_refreshes_keep_disk_use_flat(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate(landing, FIRST, LAST, scale=0.05, seed=5)
    held = tmp_path / "held"
    days = [LAST - timedelta(days=n) for n in range(REFRESHES)][::-1]
    for path in landing.rglob("*.*"):
        if any(path.name.startswith(d.isoformat()) for d in days):
            target = held / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
    served = tmp_path / "wh" / "warehouse.duckdb"
    first = run_tally("run", "--landing", landing, "--warehouse", served)
    assert first.returncode == 0, first.stderr[-2000:]
    settings = TallySettings.from_env(
        environ={}, landing_dir=landing, warehouse_path=served, partitions_start="2025-01-01"
    )
    dbt_dir = settings.dbt_target_dir
    entries = sorted(p.name for p in dbt_dir.iterdir() if not p.name.startswith("dbt.log"))
    sizes, landed = [], 0
    for day in days:
        for path in held.rglob(f"{day.isoformat()}.*"):
            target = landing / path.relative_to(held)
            landed += path.stat().st_size
            shutil.move(path, target)
        assert execute_refresh(settings, day, day).success
        sizes.append(_size(served.parent))
    growth = sizes[-1] - sizes[0]
    # what the refreshed days landed (GA4 gzipped, ~10x in the raw table), plus a few MB of run
    # records and DuckDB's block allocation; before, each refresh added ~16 MB of dbt artifacts
    assert growth <= 10 * landed + 8 * 2**20, (sizes, landed)
    assert len(list(served.parent.glob(".warehouse_marts.*"))) == 1  # old exports removed
    # one dbt target folder, overwritten: no folder per invocation
    assert sorted(p.name for p in dbt_dir.iterdir() if not p.name.startswith("dbt.log")) == entries
    assert len(list(dbt_dir.glob("dbt.log*"))) <= 6
