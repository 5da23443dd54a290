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
    folder = parquet_dir(served)
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(served), read_only=True) as con:
        for mart in marts:
            target = folder / f"{mart}.parquet"
            partial = folder / f".{mart}.parquet.writing"
            con.execute(f"copy (select * from marts.\"{mart}\") to '{partial}' (format parquet)")
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
