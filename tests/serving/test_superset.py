"""Superset over the served warehouse, for real: started, provisioned, queried, rendered.

`make superset` starts Apache Superset (its own venv, `.venv-superset`) with the warehouse
registered read-only and the KPI dashboard provisioned. This test does the same on the session's
small warehouse on a free port, then checks that what Superset answers (SQL Lab and the chart
data API with the provisioned metrics) equals a direct DuckDB read of the same file, that every
chart has data, and that the dashboard draws every chart in headless Chromium after a login.
It skips only when the Superset venv was not built (`make superset-env`; `make test` builds it).
"""

from __future__ import annotations

import http.cookiejar
import json
import math
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.request
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SUPERSET_VENV = REPO / ".venv-superset"
SUPERSET_PY = SUPERSET_VENV / "bin" / "python"
SUPERSET_DIR = REPO / "orchestration" / "serving" / "superset"
PASSWORD = "tally-test-password"
CHARTS = ["MRR over months", "MRR bridge", "Churn and NRR", "Cohort retention (logos)"]
CHARTS += ["Funnel by channel"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """A logged-in Superset API client with the standard library (JWT, session, CSRF)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.headers = {"Referer": url}
        login = {"username": "admin", "password": PASSWORD, "provider": "db"}
        token = self.call("POST", "/api/v1/security/login", login)["access_token"]
        self.headers["Authorization"] = f"Bearer {token}"
        self.headers["X-CSRFToken"] = self.call("GET", "/api/v1/security/csrf_token/")["result"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {**self.headers, **({"Content-Type": "application/json"} if data else {})}
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=120) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read()[:2000]!r}") from None


@pytest.fixture(scope="module")
def superset(small_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    if not (SUPERSET_VENV / ".installed").exists() or not SUPERSET_PY.exists():
        pytest.skip("the Superset venv is not built: `make superset-env`")
    home = tmp_path_factory.mktemp("superset_home")
    port = _free_port()
    out = home / "serve.out"
    started = time.monotonic()
    with out.open("w") as handle:
        server = subprocess.Popen(
            [
                *(str(SUPERSET_PY), str(SUPERSET_DIR / "serve.py")),
                *("--warehouse", str(small_warehouse), "--home", str(home), "--port", str(port)),
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "TALLY_SUPERSET_PASSWORD": PASSWORD},
        )
    try:
        ready = None
        while ready is None and time.monotonic() - started < 900:
            if server.poll() is not None:
                log = home / "superset.log"
                pytest.fail(
                    f"serve.py exited {server.returncode}: {out.read_text()[-3000:]}\n"
                    f"{log.read_text()[-5000:] if log.exists() else ''}"
                )
            ready = next(
                (line for line in out.read_text().splitlines() if line.startswith("READY ")), None
            )
            time.sleep(1)
        assert ready, f"Superset not ready in 900s: {out.read_text()[-3000:]}"
        _, url, result = ready.split(" ", 2)
        info = json.loads(result)
        print(f"Superset started and provisioned in {time.monotonic() - started:.0f}s")
        yield {"url": url, "api": Api(url), **info, "warehouse": small_warehouse}
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


def _direct(warehouse: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _same(superset_value: Any, direct_value: Any) -> bool:
    if direct_value is None or superset_value is None:
        return direct_value is None and superset_value is None
    if isinstance(direct_value, datetime | date):
        if isinstance(superset_value, int | float):  # epoch milliseconds
            seen = datetime.fromtimestamp(superset_value / 1000, tz=UTC).date()
        else:
            seen = date.fromisoformat(str(superset_value)[:10])
        day = direct_value.date() if isinstance(direct_value, datetime) else direct_value
        return seen == day
    if isinstance(direct_value, int | float | Decimal) and not isinstance(direct_value, bool):
        return math.isclose(float(superset_value), float(direct_value), rel_tol=1e-9, abs_tol=1e-9)
    return superset_value == direct_value


def test_sql_lab_reads_kpi_monthly_as_duckdb_does(superset: dict) -> None:
    sql = "select * from marts.kpi_monthly order by month"
    answer = superset["api"].call(
        "POST",
        "/api/v1/sqllab/execute/",
        {
            "database_id": superset["database_id"],
            "sql": sql,
            "schema": "marts",
            "runAsync": False,
            "client_id": "tallytest1",
            "queryLimit": 1000,
        },
    )
    expected = _direct(superset["warehouse"], sql)
    rows = answer["data"]
    assert len(rows) == len(expected) >= 5
    assert [c["column_name"] for c in answer["columns"]] == list(expected[0])
    for got, want in zip(rows, expected, strict=True):
        wrong = {k: (got[k], v) for k, v in want.items() if not _same(got[k], v)}
        assert not wrong, (want["month"], wrong)


def test_provisioned_metrics_equal_the_mart(superset: dict) -> None:
    """Saved metrics (SUM, ratios of sums of parts) at the mart's grain give the mart's values."""
    metrics = ["mrr", "arr", "paying_customers", "new_mrr", "churned_mrr", "net_new_mrr"]
    metrics += ["arpa", "nrr", "grr", "customer_churn_rate", "gross_mrr_churn_rate"]
    metrics += ["net_mrr_churn_rate", "quick_ratio", "customer_retention_rate", "cac", "ltv"]
    answer = superset["api"].call(
        "POST",
        "/api/v1/chart/data",
        {
            "datasource": {"id": superset["datasets"]["kpi_monthly"], "type": "table"},
            "queries": [
                {
                    "columns": ["month"],
                    "metrics": metrics,
                    "orderby": [["month", True]],
                    "row_limit": 1000,
                }
            ],
            "result_format": "json",
            "result_type": "full",
        },
    )
    rows = answer["result"][0]["data"]
    expected = _direct(
        superset["warehouse"],
        f"select month, {', '.join(metrics)} from marts.kpi_monthly order by 1",
    )
    assert len(rows) == len(expected) >= 5
    assert any(row["nrr"] is not None for row in rows)
    for got, want in zip(rows, expected, strict=True):
        wrong = {k: (got[k], v) for k, v in want.items() if not _same(got[k], v)}
        assert not wrong, (want["month"], wrong)


def test_every_chart_has_data(superset: dict) -> None:
    assert list(superset["charts"]) == CHARTS
    for name, chart_id in superset["charts"].items():
        answer = superset["api"].call("GET", f"/api/v1/chart/{chart_id}/data/")
        query = answer["result"][0]
        assert query.get("error") is None and query["rowcount"] > 0, (name, query.get("error"))


def test_warehouse_registered_read_only(superset: dict) -> None:
    api = superset["api"]
    database = api.call("GET", f"/api/v1/database/{superset['database_id']}/connection")
    database = database["result"]
    path = Path(superset["warehouse"]).resolve()
    assert database["sqlalchemy_uri"] == f"duckdb:///{path}"
    extra = json.loads(database["extra"])
    assert extra["engine_params"]["connect_args"] == {"read_only": True}
    assert database["allow_dml"] is False
    with pytest.raises(AssertionError):
        api.call(
            "POST",
            "/api/v1/sqllab/execute/",
            {
                "database_id": superset["database_id"],
                "sql": "delete from marts.kpi_monthly",
                "runAsync": False,
                "client_id": "tallytest2",
            },
        )
    assert _direct(path, "select count(*) as n from marts.kpi_monthly")[0]["n"] >= 5


def test_datasets_carry_the_dbt_descriptions(superset: dict) -> None:
    docs = yaml.safe_load((REPO / "dbt_project/models/marts/_marts__models.yml").read_text())
    kpi_monthly = next(m for m in docs["models"] if m["name"] == "kpi_monthly")
    described = {c["name"]: " ".join(c["description"].split()) for c in kpi_monthly["columns"]}
    dataset = superset["api"].call("GET", f"/api/v1/dataset/{superset['datasets']['kpi_monthly']}")
    columns = {c["column_name"]: c for c in dataset["result"]["columns"]}
    for name in ("month", "mrr", "nrr", "customer_churn_rate"):
        assert columns[name]["description"] == described[name]
    assert columns["month"]["is_dttm"]
    metrics = {m["metric_name"]: m["expression"] for m in dataset["result"]["metrics"]}
    assert metrics["mrr"] == "SUM(mrr)"
    assert metrics["nrr"] == (
        "SUM(mrr_start + expansion_mrr - contraction_mrr - churned_mrr) / NULLIF(SUM(mrr_start), 0)"
    )
    assert set(superset["datasets"]) >= {
        "kpi_daily",
        "kpi_monthly",
        "kpi_by_channel_monthly",
        "mrr_movements",
        "cohort_retention",
        "kpi_long",
        "run_warnings",
    }


def test_dashboard_renders_in_chromium(superset: dict, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium package")
    shot = tmp_path / "superset-dashboard.png"
    result = subprocess.run(
        [
            *(str(SUPERSET_PY), str(SUPERSET_DIR / "screenshot.py"), "--url", superset["url"]),
            *("--password", PASSWORD, "--out", str(shot), "--chromium", chromium),
            *("--expected-charts", str(len(CHARTS)), "--timeout", "180"),
        ],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["path"] == "/superset/dashboard/tally-kpis/", report
    assert report["titles"] == CHARTS, report
    assert report["drawn"] == report["charts"] == len(CHARTS), report
    assert report["errors"] == [] and report["exceptions"] == [], report
    pixels = _png_pixels(shot.read_bytes())
    distinct = len(set(pixels[i : i + 3] for i in range(0, min(len(pixels), 6_000_000), 3)))
    assert distinct > 50, distinct  # lines, bars, a heatmap: not a blank page


def _png_pixels(png: bytes) -> bytes:
    """The decompressed image data of a PNG (filter bytes included: enough to see variety)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, data = 8, b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        if png[offset + 4 : offset + 8] == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return zlib.decompress(data)
