"""Bad arguments are refused at once (exit 2, one line each) and create nothing; a run is
recorded in the Dagster instance the UI reads."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from orchestration.instance import PooledSqliteEventLogStorage
from tests.conftest import tally_cli


def _tally(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    return subprocess.run(
        [*tally_cli(), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_unknown_reporting_time_zone_is_refused_and_creates_nothing(
    small_landing: Path, tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere" / "w.duckdb"
    result = _tally(
        "run",
        "--landing",
        small_landing,
        "--warehouse",
        out,
        "--reporting-tz",
        "Mars/Olympus",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Mars/Olympus" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no ./data, no warehouse folder


def test_reporting_currency_without_rates_is_refused(small_landing: Path, tmp_path: Path) -> None:
    result = _tally(
        "run",
        "--landing",
        small_landing,
        "--warehouse",
        tmp_path / "w" / "w.duckdb",
        "--reporting-currency",
        "CHF",
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "missing FX rate" in result.stderr
    assert not (tmp_path / "w").exists()


def test_generate_refuses_bad_ranges_and_scales(tmp_path: Path) -> None:
    for args in (
        ("--start", "2025-02-01", "--end", "2025-01-01"),
        ("--scale", "0"),
        ("--scale", "-1"),
    ):
        result = _tally("generate", "--out", tmp_path / "landing", *args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "landing").exists()


def test_cli_runs_are_recorded_where_the_ui_looks(small_warehouse: Path) -> None:
    """`make dagster` reads the warehouse's own instance: the CLI run's materializations and
    checks are there (not in a throwaway in-memory instance)."""
    home = small_warehouse.with_name(f".{small_warehouse.name}.tally") / "dagster"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        assert instance.get_runs()
        for key in (["marts", "kpi_monthly"], ["raw", "stripe"], ["warehouse", "published"]):
            assert instance.get_latest_materialization_event(dg.AssetKey(key)) is not None, key


def test_unknown_engine_is_refused_and_creates_nothing(
    small_landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALLY_ENGINE", "snowflake")
    out = tmp_path / "elsewhere" / "w.duckdb"
    result = _tally("run", "--landing", small_landing, "--warehouse", out, cwd=tmp_path)
    assert result.returncode == 2
    assert "engine 'snowflake'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []
