"""The single-writer model: the pipeline never writes the warehouse BI tools read.

A run works on a private copy (`.<name>.work` beside the served file, so a rename between them
is atomic): it starts as a copy of the served warehouse, the run loads and builds into it, and
only after every step succeeded is it checkpointed and renamed over the served file. A reader
therefore never meets the pipeline's lock, and sees the previous snapshot or the new one, never
a mix; a failed or killed run leaves the previous warehouse served (the next run resumes from
its work file, which loads idempotently).

Every mart is also exported as Parquet beside the warehouse (`<name>_marts/<mart>.parquet`), each
file replaced atomically, for tools that read files rather than DuckDB.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb


def work_path(served: Path) -> Path:
    return served.with_name(f".{served.name}.work")


def parquet_dir(served: Path) -> Path:
    return served.with_name(f"{served.stem}_marts")


def ensure_work_file(served: Path) -> Path:
    """The run's private database: resumed if a previous run left one, else a served copy."""
    work = work_path(served)
    if not work.exists() and served.exists():
        partial = work.with_name(work.name + ".copying")
        shutil.copyfile(served, partial)
        os.replace(partial, work)
    return work


@dataclass(frozen=True)
class PublishReport:
    served: Path
    marts: dict[str, int]  # mart -> rows
    parquet_files: int


class PublishError(RuntimeError):
    pass


def publish(served: Path) -> PublishReport:
    """Validate the work database, then swap it in atomically and export the marts."""
    work = work_path(served)
    if not work.exists():
        raise PublishError(f"nothing to publish: {work} does not exist")
    with duckdb.connect(str(work)) as con:
        marts = {
            name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        }
        missing = {"kpi_daily", "kpi_monthly", "mrr_movements"} - set(marts)
        if missing:
            raise PublishError(f"not published: marts missing from the build: {sorted(missing)}")
        con.execute("checkpoint")
    wal = work.with_name(work.name + ".wal")
    if wal.exists():
        raise PublishError(f"not published: {wal} was not checkpointed")
    _fsync(work)
    os.replace(work, served)
    _fsync_dir(served.parent)
    return PublishReport(served, marts, export_parquet(served, list(marts)))


def export_parquet(served: Path, marts: list[str]) -> int:
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

    folder = parquet_dir(served)
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(served), read_only=True) as con:
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
            target = folder / f"{mart}.parquet"
            partial = folder / f".{mart}.parquet.writing"
            con.execute(
                f'copy (select {select} from marts."{mart}") to {literal(str(partial))} '
                f"(format parquet, kv_metadata {{{kv}}})"
            )
            os.replace(partial, target)
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
