"""The semantic layer (MetricFlow, dbt_project/models/semantic): every catalog KPI is a metric
under its catalog name, with the catalog's formula, and returns the marts' numbers."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
KPIS_MD = REPO.parent / "shared" / "KPIS.md"
BIN = Path(sys.executable).parent

# Ratio KPIs whose components the marts carry: ratio metrics of exactly these components.
RATIOS = {
    "arpa": ("mrr", "paying_customers"),
    "customer_churn_rate": ("churned_customers", "customers_start"),
    "gross_mrr_churn_rate": ("lost_mrr", "mrr_start"),
    "net_mrr_churn_rate": ("net_lost_mrr", "mrr_start"),
    "nrr": ("retained_mrr_net", "mrr_start"),
    "grr": ("retained_mrr_gross", "mrr_start"),
    "customer_retention_rate": ("retained_customers_end", "customers_start"),
    "quick_ratio": ("gained_mrr", "lost_mrr"),
    "visitor_to_lead_rate": ("new_leads", "unique_visitors"),
    "signup_conversion_rate": ("signups", "unique_visitors"),
    "stickiness": ("dau", "mau"),
    "tickets_per_customer": ("tickets_created", "paying_customers"),
}
# The numerator helpers: the catalog formula, term by term, over kpi_monthly's columns.
HELPER_EXPRESSIONS = {
    "lost_mrr": "churned_mrr + contraction_mrr",
    "net_lost_mrr": "churned_mrr + contraction_mrr - expansion_mrr",
    "retained_mrr_net": "mrr_start + expansion_mrr - contraction_mrr - churned_mrr",
    "retained_mrr_gross": "mrr_start - contraction_mrr - churned_mrr",
    "gained_mrr": "new_mrr + reactivation_mrr + expansion_mrr",
    "retained_customers_end": "paying_customers - new_customers - reactivated_customers",
}
DERIVED = {
    "acv": "arr / nullif(paying_customers, 0)",
    "ltv": "arpa * gross_margin / nullif(customer_churn_rate, 0)",
    "ltv_to_cac": "arpa * gross_margin / nullif(customer_churn_rate, 0) / nullif(cac, 0)",
}
DAY_GRAIN = ["mrr", "arr", "paying_customers", "cmrr", "carr", "open_backlog", "revenue"]
DAY_GRAIN += ["cash_collected", "tickets_created", "tickets_solved", "arpa", "acv"]
DAY_GRAIN += ["tickets_per_customer"]


def catalog() -> dict[str, str]:
    """KPI name -> definition, from the KPI tables of KPIS.md (the marts table excluded)."""
    if not KPIS_MD.exists():
        pytest.fail(f"{KPIS_MD} not found (../shared must sit beside the repo)")
    kpis = {}
    for line in KPIS_MD.read_text().split("## Marts")[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            for name in re.findall(r"`(\w+)`", cells[0]):
                kpis[name] = cells[1].replace("`", "")
    assert len(kpis) > 60
    return kpis


def _run(args: list[str], project: Path, database: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        # the profile's database, under either name the settings have used
        "TALLY_PIPELINE_DB": str(database),
        "TALLY_WAREHOUSE": str(database),
    }
    return subprocess.run(
        args, cwd=project, capture_output=True, text=True, timeout=600, env=env, check=False
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dbt project, parsed: its own target/ (never the shared one)."""
    root = tmp_path_factory.mktemp("semantic")
    copy = root / "dbt_project"
    shutil.copytree(
        REPO / "dbt_project", copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    database = root / "warehouse.duckdb"
    result = _run([str(BIN / "dbt"), "parse", "--profiles-dir", "."], copy, database)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return copy


@pytest.fixture(scope="module")
def semantic(project: Path) -> dict:
    return json.loads((project / "target" / "semantic_manifest.json").read_text())


def _metrics(semantic: dict) -> dict[str, dict]:
    return {m["name"]: m for m in semantic["metrics"]}


def _meta(metric: dict) -> dict:
    return metric.get("config", {}).get("meta") or metric.get("meta") or {}


def _measures(semantic: dict) -> dict[str, tuple[dict, dict]]:
    return {m["name"]: (m, sm) for sm in semantic["semantic_models"] for m in sm["measures"]}


def test_every_catalog_kpi_is_a_metric_under_its_name(semantic: dict) -> None:
    metrics = _metrics(semantic)
    missing = sorted(set(catalog()) - set(metrics))
    assert not missing, missing
    models = {sm["name"] for sm in semantic["semantic_models"]}
    assert models == {"kpi_daily", "kpi_monthly", "kpi_by_channel_monthly", "cohort_retention"}
    assert "metricflow_time_spine" in json.dumps(semantic.get("project_configuration", {}))


def test_metrics_carry_the_catalog_description_and_formula(semantic: dict) -> None:
    metrics = _metrics(semantic)
    for name, definition in catalog().items():
        metric = metrics[name]
        assert metric["description"], name
        assert metric["label"] == name
        assert _meta(metric)["formula"] == definition, name


def test_ratios_are_ratio_metrics_of_their_components_never_averages(semantic: dict) -> None:
    metrics, measures = _metrics(semantic), _measures(semantic)
    for name, (numerator, denominator) in RATIOS.items():
        params = metrics[name]["type_params"]
        assert metrics[name]["type"] == "ratio", name
        assert (params["numerator"]["name"], params["denominator"]["name"]) == (
            numerator,
            denominator,
        ), name
    for helper, expression in HELPER_EXPRESSIONS.items():
        measure, model = measures[helper]
        assert (measure["expr"], measure["agg"], model["name"]) == (
            expression,
            "sum",
            "kpi_monthly",
        )
    for name, expression in DERIVED.items():
        assert metrics[name]["type"] == "derived"
        assert metrics[name]["type_params"]["expr"] == expression, name
    # no measure averages anything; a KPI the marts cannot rebuild is their value, and says so
    assert {m["agg"] for m, _ in measures.values()} <= {"sum", "max"}
    for measure, model in measures.values():
        if measure["agg"] == "max":
            assert model["name"] == "kpi_monthly"
            assert "not carry the components" in _meta(metrics[measure["name"]])["note"]
    simple_rates = [
        n
        for n, m in metrics.items()
        if m["type"] == "simple" and n in catalog() and measures[n][0]["agg"] == "sum"
        if n.endswith(("_rate", "_ratio")) or n in ("nrr", "grr", "arpa", "acv", "stickiness")
    ]
    assert not simple_rates, simple_rates


def test_grains_and_dimensions_where_the_marts_have_them(semantic: dict) -> None:
    measures = _measures(semantic)
    dims = {
        sm["name"]: {d["name"]: d for d in sm["dimensions"]} for sm in semantic["semantic_models"]
    }
    assert dims["kpi_daily"]["date"]["type_params"]["time_granularity"] == "day"
    assert dims["kpi_monthly"]["month_start"]["type_params"]["time_granularity"] == "month"
    assert {"channel"} <= set(dims["kpi_by_channel_monthly"])
    assert {"cohort_month", "segment", "segment_value", "months_since_start"} <= set(
        dims["cohort_retention"]
    )
    for stock in ("mrr", "arr", "paying_customers", "cmrr", "carr", "open_backlog"):
        measure, model = measures[stock]
        assert model["name"] == "kpi_daily"
        assert measure["non_additive_dimension"]["window_choice"] == "max", stock
    for funnel in ("new_leads", "new_mqls", "new_sqls", "new_opportunities", "new_contacts"):
        assert measures[funnel][1]["name"] == "kpi_by_channel_monthly", funnel


# --- the numbers, through MetricFlow, against the real pipeline's marts ----------------------


def _mf(
    project: Path, database: Path, metrics: list[str], group_by: str, out: Path
) -> pd.DataFrame:
    result = _run(
        [
            str(BIN / "mf"),
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            group_by,
            "--csv",
            str(out),
        ],
        project,
        database,
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    return pd.read_csv(out)


def _same(a: object, b: object) -> bool:
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def assert_metrics_match_marts(project: Path, database: Path, tmp_path: Path) -> None:
    """Every catalog KPI by metric_time__month equals marts.kpi_monthly, month by month; the
    day-grain ones by metric_time__day equal marts.kpi_daily."""
    names = sorted(catalog())
    months = _mf(project, database, names, "metric_time__month", tmp_path / "months.csv")
    days = _mf(project, database, DAY_GRAIN, "metric_time__day", tmp_path / "days.csv")
    with duckdb.connect(str(database), read_only=True) as con:
        monthly = con.execute("select * from marts.kpi_monthly").df()
        daily = con.execute("select * from marts.kpi_daily").df()
    for mf, mart, key, time in (
        (months, monthly, "month", "metric_time__month"),
        (days, daily, "date", "metric_time__day"),
    ):
        mf[key] = pd.to_datetime(mf[time]).dt.strftime("%Y-%m-%d")
        mart[key] = pd.to_datetime(mart[key]).dt.strftime("%Y-%m-%d")
        joined = mart.merge(mf, on=key, suffixes=("_mart", "_mf"))
        assert len(joined) == len(mart) >= 3, (key, len(joined), len(mart))
        columns = [c for c in mf.columns if c not in (key, time)]
        assert set(columns) <= set(mart.columns), set(columns) - set(mart.columns)
        wrong = [
            (c, row[key], row[f"{c}_mart"], row[f"{c}_mf"])
            for c in columns
            for _, row in joined.iterrows()
            if not _same(row[f"{c}_mart"], row[f"{c}_mf"])
        ]
        assert not wrong, wrong[:20]


@pytest.mark.e2e
def test_metrics_return_the_marts_numbers(
    project: Path, small_warehouse: Path, tmp_path: Path
) -> None:
    # the copy is named like the parsed profile's database (its name is in the metrics' SQL)
    database = project.parent / "warehouse.duckdb"
    shutil.copyfile(small_warehouse, database)
    assert_metrics_match_marts(project, database, tmp_path)
