"""The dbt project as Dagster sees it, read from its manifest: one asset per model and one asset
check per dbt test that guards one model; and dbt's "node finished" events as the Dagster events
that record them.

Models are keyed by schema (`staging/stg_...`, `marts/kpi_monthly`). A vendor's dbt source is the
ingestion asset `raw/<vendor>` that loads it, so the graph is one lineage from landing files to
marts; any other source table is `raw/<table>`. Plain functions of the manifest's JSON: the
process that defines the assets imports neither dbt nor an integration that imports it (~1.3 s
of every `tally run`, on the path to its first step).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

VENDOR_SOURCES = ("stripe", "hubspot", "ga4", "zendesk", "finance")
ENGINE_KINDS = {"dbt", "duckdb"}
WARN, ERROR = dg.AssetCheckSeverity.WARN, dg.AssetCheckSeverity.ERROR

Manifest = Mapping[str, Any]
Node = Mapping[str, Any]


def load_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def asset_key(manifest: Manifest, unique_id: str) -> dg.AssetKey:
    if unique_id.startswith("source."):
        source = manifest["sources"][unique_id]
        name = source["source_name"]
        return dg.AssetKey(["raw", name if name in VENDOR_SOURCES else source["name"]])
    node = manifest["nodes"][unique_id]
    return dg.AssetKey([node["schema"], node["name"]])


def models(manifest: Manifest) -> list[Node]:
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("materialized") != "ephemeral"
    ]


def model_specs(manifest: Manifest) -> list[dg.AssetSpec]:
    return [_model_spec(manifest, node) for node in models(manifest)]


def _model_spec(manifest: Manifest, node: Node) -> dg.AssetSpec:
    parents = [
        p for p in node["depends_on"]["nodes"] if p.startswith(("model.", "seed.", "source."))
    ]
    columns = [
        dg.TableColumn(name, type=c.get("data_type") or "?", description=c.get("description"))
        for name, c in node.get("columns", {}).items()
    ]
    relation = node.get("relation_name") or f"{node['schema']}.{node['alias']}"
    return dg.AssetSpec(
        key=asset_key(manifest, node["unique_id"]),
        deps=sorted({asset_key(manifest, p) for p in parents}, key=lambda k: k.path),
        # The model's SQL under its description, so the UI shows what the asset runs.
        description=f"{node.get('description') or ''}\n\n#### Raw SQL:\n```sql\n"
        f"{node.get('raw_code', '').strip()}\n```".strip(),
        group_name=node["schema"],
        kinds=ENGINE_KINDS,
        code_version=node["checksum"]["checksum"],
        skippable=True,  # a failed model yields nothing; its dependents are skipped
        metadata={
            "dbt/unique_id": node["unique_id"],
            "dbt/path": node["original_file_path"],
            "dagster/relation_identifier": relation.replace('"', ""),
            **({"dagster/column_schema": dg.TableSchema(columns=columns)} if columns else {}),
        },
    )


def guarded_model(manifest: Manifest, test: Node) -> str | None:
    """The model a test checks: a generic test's attached node, a singular test's only parent,
    or the model its `meta.dagster.ref` names; None for a test over several models (its
    outcome still blocks or warns through run_results.json, orchestration/check_results.py)."""
    attached = test.get("attached_node")
    parents = test["depends_on"]["nodes"]
    if len(parents) == 1:
        attached = parents[0]
    ref = ((test.get("config") or {}).get("meta") or test.get("meta") or {}).get("dagster", {})
    if ref.get("ref"):
        name = ref["ref"]["name"]
        attached = next((u for u, n in manifest["nodes"].items() if n["name"] == name), None)
    node = manifest["nodes"].get(attached or "")
    return attached if node and node["resource_type"] == "model" else None


def tests(manifest: Manifest) -> list[tuple[Node, str]]:
    """(test, the model it guards) for every test that guards one model."""
    found = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test":
            model = guarded_model(manifest, node)
            if model is not None:
                found.append((node, model))
    return found


def check_specs(manifest: Manifest) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=test["name"],
            asset=asset_key(manifest, model),
            description=test.get("description") or None,
        )
        for test, model in tests(manifest)
    ]


# dbt-core's info-level result lines, one per node run (each carries the node and its status).
RESULT_EVENTS = ("LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult")


def dagster_events(
    event: Mapping[str, Any], manifest: Manifest
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """What one dbt event records in Dagster: a model built (materialized), a test run (its
    check's result; a warning is a failed check of severity WARN). Skipped nodes, failed models
    and every other event record nothing."""
    if event.get("info", {}).get("name") not in RESULT_EVENTS:
        return
    data = event["data"]
    info = data.get("node_info") or {}
    status = (info.get("node_status") or "").lower()
    node = manifest["nodes"].get(info.get("unique_id", ""))
    if node is None or status == "skipped":
        return
    metadata: dict[str, Any] = {"unique_id": node["unique_id"], "status": status}
    if data.get("execution_time") is not None:
        metadata["Execution Duration"] = float(data["execution_time"])
    if node["resource_type"] in ("model", "seed", "snapshot") and status == "success":
        key = asset_key(manifest, node["unique_id"])
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    elif node["resource_type"] == "test":
        model = guarded_model(manifest, node)
        if model is None:
            return
        if data.get("num_failures"):
            metadata["failed_row_count"] = int(data["num_failures"])
        yield dg.AssetCheckResult(
            asset_key=asset_key(manifest, model),
            check_name=node["name"],
            passed=status == "pass",
            severity=WARN if status == "warn" else ERROR,
            metadata=metadata,
        )
