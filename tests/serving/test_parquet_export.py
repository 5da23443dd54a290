"""The Parquet export of the marts, read back with pandas in the project's own environment."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.serving.warehouse import export_parquet, parquet_dir


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """A tiny warehouse with two hand-made marts (exact DECIMAL money, a HUGEINT count)."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.kpi_monthly as
            select * from (values
                (date '2025-01-01', 1000.1250::decimal(38, 4), 12000.1500::decimal(38, 4),
                 4::bigint, 0.25::double, 310::hugeint),
                (date '2025-02-01', 1100.0000::decimal(38, 4), 13200.0000::decimal(38, 4),
                 5::bigint, null::double, 420::hugeint)
            ) as t(month, mrr, arr, paying_customers, customer_churn_rate, pageviews)
            """
        )
        con.execute(
            """
            create table marts.mrr_movements as
            select 'c1' as customer_key, date '2025-02-01' as month,
                   -50.5::decimal(38, 4) as movement_amount
            """
        )
    return path


def _export(served: Path, marts: list[str]) -> Path:
    """Export into the served file's Parquet folder (the publish step is being reshaped to pass
    the folder explicitly; both call shapes are accepted here)."""
    folder = parquet_dir(served)
    if len(inspect.signature(export_parquet).parameters) == 3:
        assert export_parquet(served, marts, folder) == len(marts)
    else:
        assert export_parquet(served, marts) == len(marts)
    return folder


def test_money_columns_read_back_numeric_with_pandas(served: Path) -> None:
    folder = _export(served, ["kpi_monthly", "mrr_movements"])
    monthly = pd.read_parquet(folder / "kpi_monthly.parquet")
    for column in ("mrr", "arr", "paying_customers", "customer_churn_rate", "pageviews"):
        assert pd.api.types.is_numeric_dtype(monthly[column]), (column, monthly[column].dtype)
    assert monthly["mrr"].tolist() == [1000.125, 1100.0]
    assert monthly["pageviews"].tolist() == [310, 420]
    assert pd.isna(monthly["customer_churn_rate"].iloc[1])  # a NULL ratio stays missing
    movements = pd.read_parquet(folder / "mrr_movements.parquet")
    assert movements["movement_amount"].tolist() == [-50.5]


def test_dbt_descriptions_travel_in_parquet_metadata(served: Path) -> None:
    folder = _export(served, ["kpi_monthly"])
    metadata = pq.read_schema(folder / "kpi_monthly.parquet").metadata
    assert metadata[b"tally.mart"] == b"kpi_monthly"
    assert b"every KPI" in metadata[b"tally.description"]
    columns = json.loads(metadata[b"tally.columns"])
    assert list(columns) == [
        "month",
        "mrr",
        "arr",
        "paying_customers",
        "customer_churn_rate",
        "pageviews",
    ]
    assert columns["mrr"].startswith("Monthly recurring revenue")
    assert json.loads(metadata[b"tally.warehouse_types"])["mrr"] == "DECIMAL(38,4)"


def test_export_leaves_no_partial_files(served: Path) -> None:
    folder = _export(served, ["kpi_monthly", "mrr_movements"])
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["kpi_monthly.parquet", "mrr_movements.parquet"]
