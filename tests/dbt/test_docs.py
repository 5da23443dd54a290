"""`make docs`: a static dbt docs page that opens from disk and shows the models, every mart
column described."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.dbt_project import DBT_PROJECT_DIR
from tests.conftest import pipeline_db

pytestmark = pytest.mark.e2e

MARTS = {
    "kpi_daily",
    "kpi_monthly",
    "kpi_by_channel_monthly",
    "mrr_movements",
    "cohort_retention",
    "kpi_long",
}


@pytest.fixture(scope="module")
def docs(small_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("docs")
    # The same command `make docs` runs, against the pipeline database (read for its catalog).
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "docs",
            "generate",
            "--static",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--vars",
            json.dumps({"pipeline_db": str(pipeline_db(small_warehouse))}),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return target


def test_docs_describe_every_mart_column(docs: Path) -> None:
    catalog = json.loads((docs / "catalog.json").read_text())
    manifest = json.loads((docs / "manifest.json").read_text())
    marts = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts"
    }
    assert set(marts) == MARTS
    for name, node in marts.items():
        built = catalog["nodes"][node["unique_id"]]["columns"]
        undocumented = [c for c in built if not node["columns"].get(c, {}).get("description")]
        assert not undocumented, (name, undocumented)


def test_static_page_shows_a_model_when_opened_from_disk(docs: Path, tmp_path: Path) -> None:
    """Opened as a file:// URL, the page must not need to fetch manifest.json (it is blank
    then): the static page embeds it. Rendered in headless Chromium."""
    page = docs / "static_index.html"
    assert page.exists()
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is needed (make test installs it)")
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            f"{page.as_uri()}#!/model/model.tally.kpi_monthly",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "kpi_monthly" in dom and "mrr" in dom
