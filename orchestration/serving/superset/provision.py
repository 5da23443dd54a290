"""Provision a running Superset with the Tally warehouse and its KPI dashboard (REST API).

Run with the Superset virtualenv's python (serve.py calls it once the server answers):

    .venv-superset/bin/python orchestration/serving/superset/provision.py \
        --url http://127.0.0.1:8088 --warehouse data/warehouse.duckdb --password ...

What it makes, idempotently (a second run updates in place, by name):

- the database `Tally warehouse`: `duckdb:////abs/path/warehouse.duckdb` opened read-only
  (engine params `{"connect_args": {"read_only": true}}`), no DML, exposed in SQL Lab;
- one dataset per table of schema `marts`, its columns described from the dbt YAML
  (`dbt_project/models/marts/_marts__models.yml`) and its metrics from the semantic layer
  (`dbt_project/models/semantic/_semantic_models.yml`): a ratio KPI whose parts are columns of
  the mart is the ratio of their sums (`nrr` = SUM(mrr_start + expansion - contraction -
  churned) / NULLIF(SUM(mrr_start), 0)), an additive KPI is `SUM(column)`, and a KPI the mart
  does not carry the parts of is the mart's value (`MAX(column)`: one row per period, not
  re-aggregable across periods);
- the charts of CHARTS and the dashboard `tally-kpis` holding them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import requests
import yaml

REPO = Path(__file__).resolve().parents[3]
MARTS_YAML = REPO / "dbt_project/models/marts/_marts__models.yml"
SEMANTIC_YAML = REPO / "dbt_project/models/semantic/_semantic_models.yml"

DATABASE_NAME = "Tally warehouse"
DASHBOARD_SLUG = "tally-kpis"
DASHBOARD_TITLE = "Tally KPIs"
TIME_COLUMNS = {"month", "date", "as_of_date", "cohort_month", "period_start"}
MAIN_TIME_COLUMN = {
    "kpi_daily": "date",
    "kpi_monthly": "month",
    "kpi_by_channel_monthly": "month",
    "mrr_movements": "month",
    "cohort_retention": "cohort_month",
    "kpi_long": "period_start",
}
# Dimensions that are numbers: grouped by, never summed.
NUMERIC_DIMENSIONS = {"months_since_start"}
# Where the mart carries the parts of a KPI the semantic layer reads as a value.
OVERRIDES = {
    ("kpi_by_channel_monthly", "cac"): (
        "SUM(marketing_expenses) / NULLIF(SUM(new_customers), 0)",
        "The channel's marketing spend / its new customers (ratio of sums).",
    ),
}
PERCENT = re.compile(r"(_rate|^nrr|^grr|_retention|_margin|stickiness|^marketing_roi)")
SQL_WORDS = {"nullif", "null", "and", "or", "not", "case", "when", "then", "else", "end"}


# --- metrics from the semantic layer ---------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(str(text or "").split())


def load_docs() -> dict[str, dict[str, Any]]:
    """mart -> {"description": ..., "columns": {column: description}} from the dbt YAML."""
    docs = {}
    for model in yaml.safe_load(MARTS_YAML.read_text()).get("models") or []:
        docs[model["name"]] = {
            "description": _words(model.get("description")),
            "columns": {
                c["name"]: _words(c.get("description")) for c in model.get("columns") or []
            },
        }
    return docs


STOCKS: set[str] = set()  # measures measured at the period's end (non-additive over time)


def load_semantic() -> tuple[dict[str, str], dict[str, dict]]:
    """(measure -> its SQL expression over its mart's columns, metric name -> metric)."""
    spec = yaml.safe_load(SEMANTIC_YAML.read_text())
    measures = {}
    for model in spec.get("semantic_models") or []:
        for measure in model.get("measures") or []:
            measures[measure["name"]] = str(measure.get("expr") or measure["name"])
            if measure.get("non_additive_dimension"):
                STOCKS.add(measure["name"])
    metrics = {metric["name"]: metric for metric in spec.get("metrics") or []}
    return measures, metrics


def _identifiers(expr: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr) if w.lower() not in SQL_WORDS}


def metric_sql(
    mart: str, column: str, columns: set[str], measures: dict[str, str], metrics: dict[str, dict]
) -> tuple[str, str]:
    """(SQL expression, how it is made) of the Superset metric for a numeric mart column."""
    if (mart, column) in OVERRIDES:
        return OVERRIDES[(mart, column)]
    metric = metrics.get(column) or {}
    kind = metric.get("type")
    params = metric.get("type_params") or {}
    note = str((metric.get("config") or {}).get("meta", {}).get("note") or "")

    def summed(measure: str) -> str | None:
        expr = measures.get(measure)
        if expr is None or not _identifiers(expr) <= columns:
            return None
        return f"SUM({expr})"

    if kind == "ratio":
        num, den = summed(params.get("numerator", "")), summed(params.get("denominator", ""))
        if num and den:
            return f"{num} / NULLIF({den}, 0)", "Ratio of sums of its parts."
    if kind == "derived":
        expr = str(params.get("expr") or "")
        parts = {}
        for ref in params.get("metrics") or []:
            ref_metric = metrics.get(ref["name"]) or {}
            ref_note = (ref_metric.get("config") or {}).get("meta", {}).get("note")
            ref_measure = (ref_metric.get("type_params") or {}).get("measure", "")
            parts[ref["name"]] = (
                summed(ref_measure) if ref_metric.get("type") == "simple" and not ref_note else None
            )
        if parts and all(parts.values()):
            sql = re.sub(
                r"[A-Za-z_][A-Za-z0-9_]*",
                lambda m: parts.get(m.group(0), m.group(0)),
                expr,
            )
            return sql.replace("nullif", "NULLIF"), "Ratio of sums of its parts."
    if kind in ("ratio", "derived") or note.startswith("The mart's value"):
        return (
            f"MAX({column})",
            "The mart's value: one row per period, not re-aggregable across periods.",
        )
    if column in STOCKS or column in ("mrr_start", "customers_start", "cash_balance"):
        return (
            f"SUM({column})",
            "A stock, measured at the period's end: read it at the mart's grain (a sum across "
            "periods means nothing).",
        )
    return f"SUM({column})", "Sum."


def dataset_metrics(mart: str, columns: dict[str, str], docs: dict) -> list[dict[str, Any]]:
    """Superset metrics of a mart: one per numeric column (columns: name -> Superset type)."""
    measures, metrics = load_semantic()
    names = set(columns)
    described = docs.get(mart, {}).get("columns", {})
    out = [
        {
            "metric_name": "count",
            "expression": "COUNT(*)",
            "verbose_name": "rows",
            "description": "Number of rows.",
        }
    ]
    for column, kind in columns.items():
        numeric = any(t in kind.upper() for t in ("INT", "DECIMAL", "DOUBLE", "FLOAT", "NUMERIC"))
        if not numeric or column in NUMERIC_DIMENSIONS or column == "count":
            continue
        sql, how = metric_sql(mart, column, names, measures, metrics)
        semantic = metrics.get(column) or {}
        description = _words(semantic.get("description") or described.get(column) or column)
        out.append(
            {
                "metric_name": column,
                "expression": sql,
                "verbose_name": column,
                "description": f"{description} {how}".strip(),
                "d3format": ".1%" if PERCENT.search(column) else ",.2f",
            }
        )
    if mart == "mrr_movements":
        out.append(
            {
                "metric_name": "customers",
                "expression": "COUNT(DISTINCT customer_key)",
                "verbose_name": "customers",
                "description": "Distinct customers with a movement.",
            }
        )
    return out


# --- charts and the dashboard ------------------------------------------------------------------


def _adhoc(sql: str, label: str) -> dict[str, Any]:
    return {
        "expressionType": "SQL",
        "sqlExpression": sql,
        "label": label,
        "hasCustomLabel": True,
        "optionName": f"metric_{label}",
    }


def _time_axis(column: str) -> dict[str, Any]:
    return {
        "columnType": "BASE_AXIS",
        "sqlExpression": column,
        "label": column,
        "expressionType": "SQL",
        "timeGrain": "P1M",
    }


BRIDGE = [
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    _adhoc("-SUM(contraction_mrr)", "contraction_mrr"),
    _adhoc("-SUM(churned_mrr)", "churned_mrr"),
]
FUNNEL = ["new_contacts", "new_leads", "new_mqls", "new_sqls", "new_opportunities", "new_customers"]
SEGMENT_ALL = {
    "expressionType": "SIMPLE",
    "subject": "segment",
    "operator": "==",
    "comparator": "all",
    "clause": "WHERE",
    "optionName": "filter_segment_all",
}

# name -> (mart, viz_type, form data beyond the common keys, query columns, dashboard width)
CHARTS: dict[str, tuple[str, str, dict[str, Any], list, int]] = {
    "MRR over months": (
        "kpi_monthly",
        "echarts_timeseries_line",
        {
            "x_axis": "month",
            "time_grain_sqla": "P1M",
            "metrics": ["mrr"],
            "y_axis_format": "SMART_NUMBER",
            "markerEnabled": True,
            "show_legend": True,
        },
        [_time_axis("month")],
        6,
    ),
    "MRR bridge": (
        "kpi_monthly",
        "echarts_timeseries_bar",
        {
            "x_axis": "month",
            "time_grain_sqla": "P1M",
            "metrics": BRIDGE,
            "stack": "Stack",
            "y_axis_format": "SMART_NUMBER",
            "show_legend": True,
        },
        [_time_axis("month")],
        6,
    ),
    "Churn and NRR": (
        "kpi_monthly",
        "echarts_timeseries_line",
        {
            "x_axis": "month",
            "time_grain_sqla": "P1M",
            "metrics": ["nrr", "grr", "customer_churn_rate", "gross_mrr_churn_rate"],
            "y_axis_format": ".1%",
            "markerEnabled": True,
            "show_legend": True,
        },
        [_time_axis("month")],
        6,
    ),
    "Cohort retention (logos)": (
        "cohort_retention",
        "heatmap_v2",
        {
            "x_axis": "cohort_month",
            "time_grain_sqla": "P1M",
            "groupby": "months_since_start",
            "metric": "logo_retention",
            "adhoc_filters": [SEGMENT_ALL],
            "y_axis_format": ".0%",
            "x_axis_time_format": "%Y-%m",
            "sort_x_axis": "alpha_asc",
            "sort_y_axis": "alpha_asc",
            "normalize_across": "heatmap",
            "linear_color_scheme": "superset_seq_1",
            "show_legend": True,
            "show_values": True,
            "legend_type": "continuous",
        },
        [_time_axis("cohort_month"), "months_since_start"],
        6,
    ),
    "Funnel by channel": (
        "kpi_by_channel_monthly",
        "echarts_timeseries_bar",
        {
            "x_axis": "channel",
            "metrics": FUNNEL,
            "y_axis_format": "SMART_NUMBER",
            "x_axis_sort_asc": True,
            "show_legend": True,
        },
        ["channel"],
        12,
    ),
}


def chart_payloads(
    name: str, dataset_id: int, dashboard_id: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(form data, chart POST/PUT body with a saved query context) of a chart."""
    mart, viz, extra, columns, _ = CHARTS[name]
    form = {
        "datasource": f"{dataset_id}__table",
        "viz_type": viz,
        "time_range": "No filter",
        "adhoc_filters": [],
        "row_limit": 10_000,
        "color_scheme": "supersetColors",
        **extra,
    }
    metrics = form.get("metrics") or [form["metric"]]
    filters = [
        {"col": f["subject"], "op": f["operator"], "val": f["comparator"]}
        for f in form["adhoc_filters"]
    ]
    query_context = {
        "datasource": {"id": dataset_id, "type": "table"},
        "force": False,
        "queries": [
            {
                "columns": columns,
                "metrics": metrics,
                "filters": filters,
                "orderby": [[c if isinstance(c, str) else c["label"], True] for c in columns],
                "row_limit": 10_000,
                "extras": {"time_grain_sqla": "P1M", "having": "", "where": ""},
                "time_range": "No filter",
            }
        ],
        "form_data": form,
        "result_format": "json",
        "result_type": "full",
    }
    body = {
        "slice_name": name,
        "viz_type": viz,
        "datasource_id": dataset_id,
        "datasource_type": "table",
        "params": json.dumps(form),
        "query_context": json.dumps(query_context),
        "dashboards": [dashboard_id],
        "description": f"From marts.{mart}.",
    }
    return form, body


def dashboard_layout(charts: dict[str, int]) -> dict[str, Any]:
    """position_json: rows of charts (12 grid columns per row)."""
    layout: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": DASHBOARD_TITLE}},
    }
    rows: list[list[str]] = [[]]
    used = 0
    for name, chart_id in charts.items():
        width = CHARTS[name][4]
        if used + width > 12:
            rows.append([])
            used = 0
        rows[-1].append(name)
        used += width
        layout[f"CHART-{chart_id}"] = {
            "type": "CHART",
            "id": f"CHART-{chart_id}",
            "children": [],
            "meta": {"width": width, "height": 60, "chartId": chart_id, "sliceName": name},
        }
    for i, names in enumerate(rows, 1):
        row = f"ROW-{i}"
        layout["GRID_ID"]["children"].append(row)
        layout[row] = {
            "type": "ROW",
            "id": row,
            "children": [f"CHART-{charts[n]}" for n in names],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for n in names:
            layout[f"CHART-{charts[n]}"]["parents"] = ["ROOT_ID", "GRID_ID", row]
    return layout


# --- the REST API ------------------------------------------------------------------------------


class Superset:
    """A logged-in API client (JWT plus the CSRF token write calls need)."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Referer"] = self.url
        token = self._ok(
            self.http.post(
                f"{self.url}/api/v1/security/login",
                json={"username": username, "password": password, "provider": "db"},
                timeout=60,
            )
        )["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.headers["X-CSRFToken"] = self.get("/api/v1/security/csrf_token/")["result"]

    @staticmethod
    def _ok(response: requests.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise RuntimeError(
                f"{response.request.method} {response.url}: {response.status_code} "
                f"{response.text[:2000]}"
            )
        return response.json()

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self._ok(self.http.get(self.url + path, params=params, timeout=120))

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._ok(self.http.post(self.url + path, json=body, timeout=120))

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._ok(self.http.put(self.url + path, json=body, timeout=120))

    def find(self, kind: str, column: str, value: str) -> dict[str, Any] | None:
        """The first `kind` (database, dataset, chart, dashboard) whose `column` equals value."""
        value_rison = "'" + value.replace("!", "!!").replace("'", "!'") + "'"
        q = f"(filters:!((col:{column},opr:eq,value:{value_rison})),page_size:100)"
        rows = [r for r in self.get(f"/api/v1/{kind}/", q=q)["result"] if r.get(column) == value]
        return rows[0] if rows else None

    def upsert(self, kind: str, column: str, value: str, body: dict[str, Any]) -> int:
        found = self.find(kind, column, value)
        if found:
            self.put(f"/api/v1/{kind}/{found['id']}", body)
            return found["id"]
        return self.post(f"/api/v1/{kind}/", body)["id"]


def provision(url: str, warehouse: Path, username: str, password: str) -> dict[str, Any]:
    """Register the warehouse read-only, its datasets, the charts and the dashboard."""
    api = Superset(url, username, password)
    database_id = api.upsert(
        "database",
        "database_name",
        DATABASE_NAME,
        {
            "database_name": DATABASE_NAME,
            "sqlalchemy_uri": f"duckdb:///{warehouse.resolve()}",
            "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
            "expose_in_sqllab": True,
            "allow_dml": False,
            "allow_ctas": False,
            "allow_cvas": False,
            "allow_file_upload": False,
        },
    )
    tables = api.get(f"/api/v1/database/{database_id}/tables/", q="(schema_name:marts,force:!t)")[
        "result"
    ]
    docs = load_docs()
    datasets = {}
    for table in sorted(t["value"] for t in tables):
        datasets[table] = _dataset(api, database_id, table, docs)

    dashboard = api.find("dashboard", "slug", DASHBOARD_SLUG)
    dashboard_id = (
        dashboard["id"]
        if dashboard
        else api.post(
            "/api/v1/dashboard/", {"dashboard_title": DASHBOARD_TITLE, "slug": DASHBOARD_SLUG}
        )["id"]
    )
    charts = {}
    for name, (mart, *_rest) in CHARTS.items():
        _, body = chart_payloads(name, datasets[mart], dashboard_id)
        charts[name] = api.upsert("chart", "slice_name", name, body)
    api.put(
        f"/api/v1/dashboard/{dashboard_id}",
        {
            "dashboard_title": DASHBOARD_TITLE,
            "slug": DASHBOARD_SLUG,
            "published": True,
            "position_json": json.dumps(dashboard_layout(charts)),
            "json_metadata": json.dumps(
                {
                    "color_scheme": "supersetColors",
                    "refresh_frequency": 0,
                    "expanded_slices": {},
                    "label_colors": {},
                    "timed_refresh_immune_slices": [],
                    "default_filters": "{}",
                    "chart_configuration": {},
                    "native_filter_configuration": [],
                }
            ),
        },
    )
    return {
        "database_id": database_id,
        "datasets": datasets,
        "charts": charts,
        "dashboard_id": dashboard_id,
        "dashboard_url": f"{api.url}/superset/dashboard/{DASHBOARD_SLUG}/",
    }


def _dataset(api: Superset, database_id: int, table: str, docs: dict) -> int:
    found = api.find("dataset", "table_name", table)
    if found is None:
        dataset_id = api.post(
            "/api/v1/dataset/", {"database": database_id, "schema": "marts", "table_name": table}
        )["id"]
    else:
        dataset_id = found["id"]
        api.put(f"/api/v1/dataset/{dataset_id}/refresh", {})
    current = api.get(f"/api/v1/dataset/{dataset_id}")["result"]
    described = docs.get(table, {"description": "", "columns": {}})
    keep = ("id", "column_name", "type", "expression", "filterable", "groupby")
    columns = []
    for column in current["columns"]:
        name = column["column_name"]
        columns.append(
            {
                **{k: column[k] for k in keep if column.get(k) is not None},
                "verbose_name": column.get("verbose_name"),
                "description": described["columns"].get(name) or column.get("description"),
                "is_dttm": name in TIME_COLUMNS or bool(column.get("is_dttm")),
            }
        )
    types = {c["column_name"]: str(c.get("type") or "") for c in current["columns"]}
    old_metrics = {m["metric_name"]: m["id"] for m in current.get("metrics") or []}
    metrics = [
        {**metric, "id": old_metrics[metric["metric_name"]]}
        if metric["metric_name"] in old_metrics
        else metric
        for metric in dataset_metrics(table, types, docs)
    ]
    main_dttm = MAIN_TIME_COLUMN.get(table)
    api.put(
        f"/api/v1/dataset/{dataset_id}?override_columns=false",
        {
            "description": described["description"] or f"marts.{table}",
            "main_dttm_col": main_dttm if main_dttm in types else None,
            "columns": columns,
            "metrics": metrics,
        },
    )
    return dataset_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    args = parser.parse_args(argv)
    started = time.monotonic()
    result = provision(args.url, args.warehouse, args.username, args.password)
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
