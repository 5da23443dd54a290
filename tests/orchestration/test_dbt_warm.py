"""The warm dbt process: a launcher hands it the build (arguments, directory, streams) and
exits with its code; without one, the launcher runs dbt itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.dbt_warm import SOCKET_ENV, hand_over, warm_dbt


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
