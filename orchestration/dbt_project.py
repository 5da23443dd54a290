"""The dbt project's paths and its manifest.

The manifest is made by a build step (`make install` and `make test` run this module,
`python -m orchestration.dbt_project`; `tally run` calls `ensure_manifest` before it loads the
definitions). Importing this module has no side effect, except under `dagster dev`, where a
project edited since the last parse is parsed again so the UI shows the models dbt will run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"

# dbt must never phone home (no network here, and users' pipelines should not either).
DBT_ENV = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}


def dbt_executable() -> str:
    """The venv's dbt, so nothing relies on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest() -> Path:
    """Parse the dbt project when the manifest is missing (a fresh clone) or older than a file
    of the project (a model just edited), so assets always match the models dbt will run."""
    manifest = MANIFEST_PATH
    if not manifest.exists() or _newest_source_mtime() > manifest.stat().st_mtime:
        parse_project()
    return manifest


def parse_project() -> None:
    """`dbt parse` in full, as a run on the default settings would (`--target duckdb`, no
    vars): the manifest Dagster's assets are defined from, and the saved parse
    (`partial_parse.msgpack`) copied into a fresh warehouse's target folder, so its first build
    parses only what changed since (see orchestration/dbt_build.py).
    Runs on other warehouses may parse at the same moment: each parses into its own folder and
    renames its files into place, the manifest last, so a reader never sees half of one."""
    target = MANIFEST_PATH.parent
    scratch = target / f".parse-{os.getpid()}"
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--no-partial-parse",  # see drop_stale_partial_parse
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target",
            "duckdb",
            "--target-path",
            str(scratch),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, **DBT_ENV},
    )
    try:
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
        os.replace(scratch / PARTIAL_PARSE_FILE, target / PARTIAL_PARSE_FILE)
        os.replace(scratch / "manifest.json", MANIFEST_PATH)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def drop_stale_partial_parse(target: Path) -> None:
    """After any change to the project, a run's dbt parses once in full. dbt-core 1.11.16's
    partial parse, after an edit of the singular tests' YAML (tests/_tests.yml), kept those
    tests without their properties: severities and meta silently reverted to `error`, which
    would turn a warning into a blocked publish."""
    cache = target / PARTIAL_PARSE_FILE
    manifest = MANIFEST_PATH
    if cache.exists() and manifest.exists() and manifest.stat().st_mtime > cache.stat().st_mtime:
        cache.unlink()


def _newest_source_mtime() -> float:
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "tests"):
        sources += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in sources if p.exists())


if os.environ.get("DAGSTER_IS_DEV_CLI"):  # set by `dagster dev` for its code servers
    ensure_manifest()

if __name__ == "__main__":
    parse_project()
