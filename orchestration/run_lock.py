"""One run at a time per warehouse: a run-level lock, taken before any work.

A DuckDB file takes one writer; two runs on one warehouse would otherwise meet halfway, in
DuckDB's file lock, and one would die mid-build. The lock is an `flock` on a file in the
pipeline's folder, held for the whole run by the `run_lock` resource (CLI and UI runs alike)
and released by the kernel if the process dies.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg


class WarehouseBusy(RuntimeError):
    pass


@contextmanager
def hold(lock_path: Path) -> Iterator[None]:
    """Hold the warehouse's run lock, or raise WarehouseBusy at once (never wait halfway)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseBusy(
                f"another run is using this warehouse ({holder}); wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_busy(lock_path: Path) -> str | None:
    """The holder's description if a run holds the lock now, else None."""
    try:
        with hold(lock_path):
            return None
    except WarehouseBusy as busy:
        return str(busy)


class RunLock(dg.ConfigurableResource):
    """Held from the run's first step to its end (resources live for the whole run)."""

    lock_path: str

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[RunLock]:
        try:
            with hold(Path(self.lock_path)):
                yield self
        except WarehouseBusy as busy:
            raise dg.Failure(description=str(busy), allow_retries=False) from None
