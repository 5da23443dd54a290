"""The dbt project's layers flow one way, as the folders say (README, "How the code is organised").

Read from the manifest of `dbt parse` (every `ref` and `source`, also those made inside macros):

- staging (`models/staging/<vendor>/`) reads only its own vendor's dbt source, never a model;
- intermediate (`models/intermediate/`) reads only staging and intermediate models (never core);
- core (`models/core/`, `fct_*` / `dim_*`) reads staging, intermediate and core;
- marts (`models/marts/`, with the rollups of core facts in `models/marts/intermediate/`) read
  anything below;
- no model but a staging model reads a source.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.dbt_project import DBT_ENV, DBT_PROJECT_DIR, dbt_executable

VENDORS = {"stripe", "hubspot", "ga4", "zendesk", "finance"}
LOADER_TABLES = {"quarantine", "load_audit", "pending_partitions"}

# What each layer may read (models only; sources are staging's alone).
MAY_READ = {
    "staging": set(),
    "intermediate": {"staging", "intermediate"},
    "core": {"staging", "intermediate", "core"},
    "marts": {"staging", "intermediate", "core", "marts"},
    # semantic-layer helpers (MetricFlow) sit on top, like the marts
    "semantic": {"staging", "intermediate", "core", "marts"},
}
SCHEMA = {"staging": "staging", "intermediate": "intermediate", "core": "core", "marts": "marts"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("dbt_target")
    database = str(target / "parse.duckdb")
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            "--no-partial-parse",
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **DBT_ENV, "TALLY_WAREHOUSE": database, "TALLY_PIPELINE_DB": database},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((target / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "tally"
    }


def _layer(node: dict) -> str:
    """`staging`, `intermediate`, `core`, `marts` (incl. marts/intermediate), from the folder."""
    parts = Path(node["original_file_path"]).parts  # ('models', '<layer>', ...)
    assert parts[0] == "models", node["original_file_path"]
    return parts[1]


def _vendor(node: dict) -> str:
    return Path(node["original_file_path"]).parts[2]


def _reads(manifest: dict, node: dict) -> Iterator[tuple[str, dict]]:
    """(kind, node) for everything the model reads: `model` or `source`."""
    for uid in node["depends_on"]["nodes"]:
        if uid.startswith("source."):
            yield "source", manifest["sources"][uid]
        elif uid.startswith("model."):
            yield "model", manifest["nodes"][uid]


def test_every_model_sits_in_a_known_layer(manifest: dict) -> None:
    unknown = {
        n["original_file_path"] for n in _models(manifest).values() if _layer(n) not in MAY_READ
    }
    assert not unknown


def test_staging_reads_only_its_own_vendors_source(manifest: dict) -> None:
    wrong = []
    for node in _models(manifest).values():
        if _layer(node) != "staging":
            continue
        vendor = _vendor(node)
        assert vendor in VENDORS, node["original_file_path"]
        assert node["name"].startswith(f"stg_{vendor}__"), node["name"]
        for kind, read in _reads(manifest, node):
            if kind == "model" or read["source_name"] != vendor:
                wrong.append((node["name"], read["unique_id"]))
        assert any(kind == "source" for kind, _ in _reads(manifest, node)), node["name"]
    assert not wrong, wrong


def test_only_staging_reads_sources(manifest: dict) -> None:
    wrong = [
        (node["name"], read["unique_id"])
        for node in _models(manifest).values()
        if _layer(node) != "staging"
        for kind, read in _reads(manifest, node)
        if kind == "source"
    ]
    assert not wrong, wrong


def test_each_layer_reads_only_its_own_or_lower_layers(manifest: dict) -> None:
    wrong = [
        (f"{_layer(node)}/{node['name']}", f"{_layer(read)}/{read['name']}")
        for node in _models(manifest).values()
        for kind, read in _reads(manifest, node)
        if kind == "model" and _layer(read) not in MAY_READ[_layer(node)]
    ]
    assert not wrong, wrong


def test_intermediate_never_reads_core(manifest: dict) -> None:
    wrong = [
        (node["name"], read["name"])
        for node in _models(manifest).values()
        if _layer(node) == "intermediate"
        for kind, read in _reads(manifest, node)
        if kind == "model" and _layer(read) in ("core", "marts")
    ]
    assert not wrong, wrong


def test_rollups_of_core_facts_live_on_the_marts_side(manifest: dict) -> None:
    """An `int_*` model that reads a fact or dimension is in models/marts/intermediate/."""
    for node in _models(manifest).values():
        reads_core = any(
            kind == "model" and _layer(read) == "core" for kind, read in _reads(manifest, node)
        )
        if node["name"].startswith("int_") and reads_core:
            assert node["original_file_path"].startswith("models/marts/intermediate/"), node[
                "original_file_path"
            ]


def test_schemas_stay_those_the_orchestration_keys_assets_by(manifest: dict) -> None:
    for node in _models(manifest).values():
        layer, path = _layer(node), node["original_file_path"]
        if path.startswith("models/marts/intermediate/"):
            assert node["schema"] == "intermediate", path
        elif layer in SCHEMA:
            assert node["schema"] == SCHEMA[layer], path
        if layer == "core":
            assert node["name"].startswith(("fct_", "dim_")), path


def test_one_source_per_vendor_plus_the_loaders_tables(manifest: dict) -> None:
    sources = [s for s in manifest["sources"].values() if s["package_name"] == "tally"]
    assert {s["source_name"] for s in sources} == VENDORS | {"loader"}
    for source in sources:
        assert source["schema"] == "raw", source["unique_id"]
        name = source["source_name"]
        if name == "loader":
            assert source["identifier"] == source["name"]
            continue
        assert source["identifier"] == f"{name}_{source['name']}", source["unique_id"]
        assert source["original_file_path"] == f"models/staging/{name}/_{name}__sources.yml"
    loader = {s["name"] for s in sources if s["source_name"] == "loader"}
    assert loader == LOADER_TABLES


def test_source_freshness_only_ever_warns(manifest: dict) -> None:
    for source in manifest["sources"].values():
        freshness = source.get("freshness") or {}
        error_after = freshness.get("error_after") or {}
        assert not error_after.get("count"), source["unique_id"]


def _tests_of(manifest: dict) -> dict[str, list[dict]]:
    """Generic tests by the model they are attached to."""
    by_model: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            by_model.setdefault(node["attached_node"], []).append(node)
    return by_model


def test_every_model_has_a_primary_key_test(manifest: dict) -> None:
    tests = _tests_of(manifest)
    missing = []
    for uid, node in _models(manifest).items():
        kinds: dict[str, set[str | None]] = {}
        for test in tests.get(uid, []):
            meta = test.get("test_metadata") or {}
            kinds.setdefault(meta.get("name"), set()).add(test.get("column_name"))
        has_key = "primary_key" in kinds or "unique_key" in kinds
        if not has_key and _key_guaranteed_by_intervals(manifest, node, tests):
            continue
        if not has_key:
            missing.append(node["name"])
    assert not missing, missing


def _key_guaranteed_by_intervals(manifest: dict, node: dict, tests: dict) -> bool:
    """A daily expansion of intervals (a view) whose key rests on its intervals' model having
    a non-overlap test (`meta.key_guaranteed_by`), tested there on one row per change."""
    source = node["config"].get("meta", {}).get("key_guaranteed_by")
    uid = f"model.{manifest['metadata']['project_name']}.{source}" if source else None
    return uid is not None and any(
        (t.get("test_metadata") or {}).get("name") == "non_overlapping_intervals"
        for t in tests.get(uid, [])
    )


def test_every_check_says_whether_it_blocks(manifest: dict) -> None:
    """`meta.blocking` matches the severity: error blocks the publish, warn only reports."""
    wrong = [
        (node["name"], node["config"]["severity"], node["config"].get("meta", {}).get("blocking"))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node["config"].get("meta", {}).get("blocking")
        is not (node["config"]["severity"].lower() == "error")
    ]
    assert not wrong, wrong
