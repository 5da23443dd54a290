"""The bench's floor (bench/floor_stripe_mrr.py, bare DuckDB on the landed JSON) and Tally
(`tally run`, read from the served warehouse's marts) make the same MRR numbers, to the cent, on
a Stripe-only landing zone of ~300 customers over 4 months (both Stripe API layouts)."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sample.stripe_only import generate_stripe_only
from tests.conftest import REPO, run_tally

pytestmark = pytest.mark.e2e

START, END = date(2025, 1, 1), date(2025, 4, 30)
CENT = Decimal("0.005")


def _floor_module():
    spec = importlib.util.spec_from_file_location(
        "floor_stripe_mrr", REPO / "bench" / "floor_stripe_mrr.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stripe_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stripe_only_landing")
    generate_stripe_only(out, 300, seed=17, start=START, end=END)  # reactivations too
    return out


def _tally_months(landing: Path, warehouse: Path, columns: tuple[str, ...]) -> list[dict]:
    result = run_tally("run", "--landing", landing, "--warehouse", warehouse)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select month, {', '.join(columns)} from marts.kpi_monthly order by month"
        ).fetchall()
    return [dict(zip(("month", *columns), row, strict=True)) for row in rows]


def test_floor_matches_tally(stripe_landing: Path, tmp_path: Path) -> None:
    floor = _floor_module()
    expected = floor.floor_kpis(stripe_landing)
    actual = _tally_months(stripe_landing, tmp_path / "wh.duckdb", floor.KPI_COLUMNS)
    assert [m["month"] for m in actual] == [m["month"] for m in expected]
    assert len(expected) == 4
    mismatches = [
        (t["month"], column, t[column], f[column])
        for t, f in zip(actual, expected, strict=True)
        for column in floor.KPI_COLUMNS
        if abs(Decimal(str(t[column])) - Decimal(str(f[column]))) >= CENT
    ]
    assert not mismatches, mismatches
    # the comparison is not vacuous: every movement happens somewhere in the four months
    for column in floor.KPI_COLUMNS:
        assert any(f[column] for f in expected), column
