"""The warm dbt process: a launcher hands it the build (arguments, directory, streams) and
exits with its code; without one, the launcher runs dbt itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.dbt_warm import SOCKET_ENV, hand_over, parse_identity, warm_dbt


def _launcher(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_process", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _listening() -> None:
    """Wait for the warm process's socket: a launcher started before it would run dbt itself
    (in a run, the load and Dagster's start come first; here nothing does)."""
    socket_path = Path(os.environ[SOCKET_ENV])
    deadline = time.monotonic() + 120
    while not socket_path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert socket_path.exists()


def test_without_a_warm_process_the_launcher_runs_dbt_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SOCKET_ENV, raising=False)
    assert hand_over(["--version"]) is None
    monkeypatch.setenv(SOCKET_ENV, str(tmp_path / "gone"))  # a run that has ended
    assert hand_over(["--version"]) is None


def test_the_warm_process_runs_the_launchers_build_with_its_streams(tmp_path: Path) -> None:
    with warm_dbt() as warm:
        _listening()
        done = _launcher("--workdir", str(tmp_path), "--version", cwd=Path.cwd())
        assert warm.wait(timeout=120) == 0, "the warm process served the launcher and exited"
    assert done.returncode == 0, done.stderr
    assert "Core:" in done.stdout  # dbt wrote into the launcher's own stdout
    assert SOCKET_ENV not in os.environ


def test_a_failing_build_exits_with_the_same_code_warm_or_not(tmp_path: Path) -> None:
    args = ("debug", "--project-dir", str(tmp_path), "--profiles-dir", str(tmp_path))
    cold = _launcher(*args, cwd=tmp_path)
    with warm_dbt() as warm:
        _listening()
        warm_run = _launcher(*args, cwd=tmp_path)
        warm.wait(timeout=120)
    assert cold.returncode != 0
    assert warm_run.returncode == cold.returncode, warm_run.stdout + warm_run.stderr
    assert warm.returncode == cold.returncode  # the code came from the warm process


def test_a_build_reuses_the_parse_made_ahead_only_for_the_same_project_options() -> None:
    """The warm process's parse (a `tally run`'s) stands in for the build's own only when the
    build's vars, target, directory and dbt/tally environment are the parse's."""
    env = {"DBT_TARGET_PATH": "/w/dbt", "TALLY_REPORTING_CURRENCY": "EUR", "HOME": "/root"}
    parse = ["parse", "--no-use-colors", "--vars", '{"a": 1}', "--target", "duckdb"]
    identity = parse_identity(parse, "/w", {**env, "DBT_LOG_PATH": "/w/dbt/parse"})

    def build(*options: str, **changes: str) -> tuple:
        argv = ["--workdir", "/w", "--results", "/w/r.json", "build", *options]
        launcher_env = {**env, SOCKET_ENV: "/tmp/s", "DBT_LOG_PATH": "/w/dbt", **changes}
        return parse_identity(argv, "/repo/dbt_project", launcher_env)

    same = ("--vars", '{"a": 1}', "--exclude-resource-type", "unit_test", "--target", "duckdb")
    assert build(*same) == identity  # other build options, log path and socket do not count
    assert build(*same, HOME="/elsewhere") == identity
    assert build("--vars", '{"a": 2}', "--target", "duckdb") != identity
    assert build("--target", "duckdb") != identity  # defaults instead of the vars
    assert build(*same, TALLY_REPORTING_CURRENCY="USD") != identity
    assert build(*same, DBT_TARGET_PATH="/v/dbt") != identity
