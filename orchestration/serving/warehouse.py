"""Publishing: what BI tools read changes once, whole, after a run has succeeded.

The pipeline builds in its own database (`.<name>.tally/pipeline.duckdb`, raw to marts), which no
BI user is given. Publishing copies the marts, and only the marts, into a new file beside the
served one, exports them as Parquet into a new folder and renders the dashboard from them; then
three renames put the file, the Parquet folder (a symlink to a versioned folder) and the page in
place. Its cost is the marts' size, not the warehouse's. A reader sees the previous snapshot or
the new one, never a half-written one, and never meets the pipeline's lock; a failed or killed
run leaves the previous one served. Paths reach SQL only as bound parameters.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

REQUIRED_MARTS = ("kpi_daily", "kpi_monthly", "mrr_movements")


def dashboard_path(served: Path) -> Path:
    """The dashboard page beside the served file."""
    return served.with_name(f"{served.stem}_dashboard.html")


def parquet_dir(served: Path) -> Path:
    """The Parquet folder readers use: a symlink to the published version's folder."""
    return served.with_name(f"{served.stem}_marts")


@dataclass(frozen=True)
class PublishReport:
    served: Path
    marts: dict[str, int]  # mart -> rows
    parquet_files: int
    dashboard: Path


class PublishError(RuntimeError):
    pass


def publish(
    pipeline_db: Path,
    served: Path,
    warnings: list[tuple[str, str, str]],
    docs: dict[str, dict] | None = None,
    schema: str = "marts",
) -> PublishReport:
    """Copy the marts (plus `marts.run_warnings`: check, model, message) into a new served file,
    with their dbt descriptions as SQL comments (`docs`: mart -> {description, columns}), export
    Parquet and the dashboard beside it, then swap all three in."""
    if not pipeline_db.exists():
        raise PublishError(f"nothing to publish: {pipeline_db} does not exist")
    next_file = served.with_name(f".{served.name}.next")
    for leftover in (next_file, next_file.with_name(next_file.name + ".wal")):
        leftover.unlink(missing_ok=True)
    # The dashboard renders in the renderer's thread (see start_renderer; its charts in the
    # chart engine's process) from the pipeline database's marts, the same rows the copy takes,
    # while the marts are copied and the Parquet is written: the page costs the publish nothing
    # but its own rendering.
    start_renderer()
    page_next = dashboard_path(next_file)
    rendering = _RENDERER.submit(_render_dashboard, pipeline_db, page_next, schema, warnings)
    try:
        marts = _copy_marts(pipeline_db, next_file, warnings, docs or {}, schema)
    except BaseException:
        _settle(rendering)
        raise
    missing = set(REQUIRED_MARTS) - set(marts)
    if missing:
        _settle(rendering)
        next_file.unlink(missing_ok=True)
        raise PublishError(f"not published: marts missing from the build: {sorted(missing)}")
    _fsync(next_file)
    version = f".{served.stem}_marts.{os.getpid()}.{os.urandom(4).hex()}"
    folder = served.with_name(version)
    files = export_parquet(next_file, list(marts), folder)
    page = rendering.result()

    # The swap: three renames, nothing computed in between.
    os.replace(next_file, served)
    _swap_symlink(parquet_dir(served), folder.name)
    os.replace(page, dashboard_path(served))
    _fsync_dir(served.parent)
    _remove_old_versions(served, keep=folder.name)
    return PublishReport(served, marts, files, dashboard_path(served))


# The dashboard's libraries (pandas, altair: ~0.6 s to import, ~110 MB) load once per process, in
# a thread of their own, and its chart engine (V8, ~0.5 s to start) in a process of its own
# (serving/chart_engine.py): by the dbt step before it starts dbt (that process then only waits
# on dbt), else when a publish starts. Processes that only load the definitions (the UI's code
# server) start neither.
_RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard")
_renderer_loading: list[Future[None]] = []


def start_renderer() -> None:
    """Start the chart engine and importing the dashboard's libraries (once per process)."""
    from orchestration.serving import chart_engine

    chart_engine.start()
    if not _renderer_loading:
        _renderer_loading.append(_RENDERER.submit(_import_renderer))


def _import_renderer() -> None:
    import orchestration.serving.dashboard  # noqa: F401


def _render_dashboard(
    pipeline_db: Path, target: Path, schema: str, warnings: list[tuple[str, str, str]]
) -> Path:
    from orchestration.serving.dashboard import write_page

    # The same file the copy opens, in the same mode: one database instance in this process.
    with duckdb.connect(str(pipeline_db)) as con:
        return write_page(con, target, schema=schema, warnings=warnings)


def _settle(future: Future[Path]) -> None:
    """Wait for a page no longer wanted (it holds the pipeline database open) and drop it."""
    with contextlib.suppress(Exception):  # the publish's own error is the one to report
        future.result().unlink(missing_ok=True)


def _copy_marts(
    pipeline_db: Path,
    target: Path,
    warnings: list[tuple[str, str, str]],
    docs: dict[str, dict],
    schema: str,
) -> dict[str, int]:
    # Not read-only: DuckDB attaches a new file only from a writable connection (this run
    # holds the warehouse's lock, so nothing else writes the pipeline database now).
    with duckdb.connect(str(pipeline_db)) as con:
        con.execute("attach ? as served_next", [str(target)])
        con.execute("create schema served_next.marts")
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = ? "
                "order by 1",
                [schema],
            ).fetchall()
        ]
        for name in names:
            # Views (kpi_long) become tables: the served file stands alone.
            con.execute(f'create table served_next.marts."{name}" as from {schema}."{name}"')
        con.execute(
            "create table served_next.marts.run_warnings "
            "(check_name varchar, model varchar, message varchar)"
        )
        if warnings:
            con.executemany("insert into served_next.marts.run_warnings values (?, ?, ?)", warnings)
        docs = {**docs, "run_warnings": RUN_WARNINGS_DOC}
        for name in [*names, "run_warnings"]:
            _comment(con, name, docs.get(name, {}))
        counts = {
            name: con.execute(f'select count(*) from served_next.marts."{name}"').fetchone()[0]
            for name in [*names, "run_warnings"]
        }
        con.execute("checkpoint served_next")
        con.execute("detach served_next")
    return counts


RUN_WARNINGS_DOC = {
    "description": "Checks that warned (ranges, plausibility) in the published run: they did "
    "not block the publish.",
    "columns": {
        "check_name": "The dbt test.",
        "model": "The model it guards.",
        "message": "What it found.",
    },
}


def _literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no bound parameter); only dbt's own
    descriptions reach here, never a path or a landed value."""
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def _comment(con: duckdb.DuckDBPyConnection, mart: str, doc: dict) -> None:
    """dbt's descriptions as DuckDB comments, so any SQL client shows them: one call of all the
    statements (a mart has ~60 columns; a call each paid Python's round trip each time)."""
    statements = []
    if doc.get("description"):
        statements.append(
            f'comment on table served_next.marts."{mart}" is {_literal(doc["description"])}'
        )
    columns = {
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where database_name = 'served_next' "
            "and schema_name = 'marts' and table_name = ?",
            [mart],
        ).fetchall()
    }
    statements += [
        f'comment on column served_next.marts."{mart}"."{column}" is {_literal(text)}'
        for column, text in (doc.get("columns") or {}).items()
        if text and column in columns
    ]
    if statements:
        con.execute(";\n".join(statements))


def mart_docs(manifest: Path) -> dict[str, dict]:
    """Each mart's description and column descriptions, from dbt's manifest."""
    import json

    if not manifest.exists():
        return {}
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {
        n["name"]: {
            "description": n.get("description") or "",
            "columns": {c: v.get("description") or "" for c, v in n.get("columns", {}).items()},
        }
        for n in nodes
        if n["resource_type"] == "model" and n.get("schema") == "marts"
    }


def _swap_symlink(link: Path, target_name: str) -> None:
    """Point `link` at `target_name` atomically (an old real folder is replaced once)."""
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    tmp = link.with_name(f".{link.name}.swap")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target_name)
    os.replace(tmp, link)


def _remove_old_versions(served: Path, keep: str) -> None:
    for old in served.parent.glob(f".{served.stem}_marts.*"):
        if old.name != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def export_parquet(database: Path, marts: list[str], folder: Path) -> int:
    """Every mart as `<mart>.parquet`, readable by pandas/pyarrow without surprises.

    DECIMAL money columns are written as DOUBLE and HUGEINT counts as BIGINT (pandas reads a
    Parquet decimal as an `object` column of `Decimal`s; the warehouse keeps the exact type).
    The dbt descriptions travel in the file's key-value metadata: `tally.description` (the
    mart), `tally.columns` (JSON: column -> description) and `tally.warehouse_types` (JSON:
    column -> the DuckDB type before the cast).
    """
    import json

    import yaml

    docs_file = Path(__file__).resolve().parents[2] / "dbt_project/models/marts/_marts__models.yml"
    docs: dict[str, dict] = {}
    if docs_file.exists():
        for model in (yaml.safe_load(docs_file.read_text()) or {}).get("models") or []:
            docs[model["name"]] = {
                "description": " ".join(str(model.get("description") or "").split()),
                "columns": {
                    c["name"]: " ".join(str(c.get("description") or "").split())
                    for c in model.get("columns") or []
                },
            }

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as con:
        for mart in marts:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [mart],
            ).fetchall()
            select = ", ".join(
                f'cast("{name}" as double) as "{name}"'
                if kind.startswith("DECIMAL")
                else f'cast("{name}" as bigint) as "{name}"'
                if kind in ("HUGEINT", "UHUGEINT")
                else f'"{name}"'
                for name, kind in columns
            )
            doc = docs.get(mart, {"description": "", "columns": {}})
            metadata = {
                "tally.mart": mart,
                "tally.description": doc["description"],
                "tally.columns": json.dumps({n: doc["columns"].get(n, "") for n, _ in columns}),
                "tally.warehouse_types": json.dumps(dict(columns)),
            }
            kv = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in metadata.items())
            con.execute(
                f'copy (select {select} from marts."{mart}") to ? '
                f"(format parquet, kv_metadata {{{kv}}})",
                [str(folder / f"{mart}.parquet")],
            )
    return len(marts)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
