"""Shared fixtures: real landing zones (generated, vendor samples) and real warehouses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock

from sample import generate

REPO = Path(__file__).resolve().parents[1]
VENDOR_SAMPLES = REPO.parent / "shared" / "vendor-samples" / "landing"

# A small company whose history crosses Stripe's 2025-03-31 (basil) layout change.
SMALL_START, SMALL_END = date(2025, 1, 1), date(2025, 5, 31)

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")

# `make test` runs the modules on parallel workers (pytest-xdist, `--dist loadfile`: a module and
# its fixtures stay on one worker). The longest modules start first, so the suite does not end
# with one of them running alone; measured on 2 cores, longest first.
LONGEST_MODULES = (
    "scaleout/test_spark_parity.py",
    "orchestration/test_incremental_refresh.py",
    "faults/test_faults.py",
    "e2e/test_serving.py",
    "faults/test_disk_use.py",
    "e2e/test_tally_run.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        module = item.path.relative_to(tests).as_posix()
        return LONGEST_MODULES.index(module) if module in LONGEST_MODULES else len(LONGEST_MODULES)

    items.sort(key=rank)  # stable: a module's tests keep their order


def tally_cli() -> list[str]:
    """The installed `tally` entry point of this venv."""
    return [str(Path(sys.executable).with_name("tally"))]


def run_tally(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*tally_cli(), *map(str, args)],
        capture_output=True,
        text=True,
        # Each run records itself in its warehouse's own Dagster instance.
        env={k: v for k, v in {**os.environ, **(env or {})}.items() if k != "DAGSTER_HOME"},
        timeout=900,
    )


@pytest.fixture(scope="session")
def vendor_landing() -> Path:
    if not VENDOR_SAMPLES.is_dir():
        pytest.fail(
            f"vendor samples not found at {VENDOR_SAMPLES} (../shared must sit beside the repo)"
        )
    return VENDOR_SAMPLES


def _made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make) -> Path:
    """`make(folder)` once per test session, whichever pytest-xdist worker asks first; the
    other workers wait for it and share the folder (a full run of the small zone is ~40 s of
    the suite's 2 cores, and every worker needs it)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read only: a test that changes files copies it first (`copy_landing`)."""
    return _made_once(
        tmp_path_factory,
        "small_landing",
        lambda out: generate(out, SMALL_START, SMALL_END, scale=0.3, seed=7),
    )


@pytest.fixture(scope="session")
def small_warehouse(small_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`tally run` on the small landing zone, once per test session; each worker gets its own
    copy (DuckDB lets one process write a file: a test opening it must not lock out another
    worker's)."""

    def build(folder: Path) -> None:
        warehouse = folder / "warehouse.duckdb"
        result = run_tally("run", "--landing", small_landing, "--warehouse", warehouse)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        warehouse.with_suffix(".stdout").write_text(result.stdout)

    built = _made_once(tmp_path_factory, "small_wh_build", build)
    own = tmp_path_factory.mktemp("small_wh")
    shutil.copytree(built, own, symlinks=True, dirs_exist_ok=True)
    return own / "warehouse.duckdb"


def pipeline_db(warehouse: Path) -> Path:
    """The pipeline's own database (raw to marts) beside a served warehouse file."""
    return warehouse.with_name(f".{warehouse.name}.tally") / "pipeline.duckdb"


def copy_warehouse(src: Path, dst: Path) -> Path:
    """A served warehouse and the pipeline folder beside it (its history), as a new warehouse."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    shutil.copytree(
        src.with_name(f".{src.name}.tally"),
        dst.with_name(f".{dst.name}.tally"),
        ignore=shutil.ignore_patterns("dagster", "run.lock"),
    )
    return dst


def copy_landing(src: Path, dst: Path, skip: tuple[str, ...] = ()) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*skip))
    return dst
