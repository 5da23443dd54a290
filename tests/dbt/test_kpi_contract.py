"""The mart contract: every KPI name of ../shared/KPIS.md is a column of marts.kpi_monthly."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e

KPIS_MD = REPO.parent / "shared" / "KPIS.md"
# Rows of the catalog tables that name a rule, not a KPI column.
NOT_COLUMNS = {"all funnel KPIs"}
# KPIs with no daily meaning (monthly finance, month-over-month, all-time identity).
MONTHLY_ONLY = {
    "net_cash_flow",
    "cash_balance",
    "gross_margin",
    "net_profit_margin",
    "cac",
    "ltv",
    "ltv_to_cac",
    "cac_payback_months",
    "cost_to_serve",
    "marketing_roi",
    "lead_velocity_rate",
    "identity_match_rate_hubspot",
    "identity_match_rate_zendesk",
    "identity_match_rate_ga4",
}


def catalog_names() -> set[str]:
    text = KPIS_MD.read_text()
    names: set[str] = set()
    for section in re.split(r"^## ", text, flags=re.M):
        if not section.startswith(("Billing KPIs", "Finance KPIs", "Funnel KPIs", "Support KPIs")):
            continue
        for line in section.splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 2 and cells[1] not in ("name", "---", *NOT_COLUMNS):
                names |= set(re.findall(r"`([a-z0-9_]+)`", cells[1]))
    names |= set(re.findall(r"`(identity_match_rate_[a-z0-9]+)`", text))
    return names


def _columns(warehouse: Path, table: str) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {r[0] for r in con.execute(f"describe marts.{table}").fetchall()}


def test_catalog_is_parsed() -> None:
    names = catalog_names()
    assert {"mrr", "nrr_12m", "marketing_roi", "stickiness", "nps"} <= names
    assert len(names) > 70


def test_every_catalog_kpi_is_a_kpi_monthly_column(small_warehouse: Path) -> None:
    missing = catalog_names() - _columns(small_warehouse, "kpi_monthly")
    assert not missing, sorted(missing)


def test_every_daily_kpi_is_a_kpi_daily_column(small_warehouse: Path) -> None:
    missing = catalog_names() - MONTHLY_ONLY - _columns(small_warehouse, "kpi_daily")
    assert not missing, sorted(missing)
