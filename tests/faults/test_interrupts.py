"""SIGTERM stops a run the way Ctrl-C does: no later step runs, nothing is published, the exit
code says so (128 + 15), and the lock is free for the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from orchestration.run_lock import is_busy
from orchestration.settings import TallySettings
from tests.conftest import tally_cli


def test_sigterm_stops_the_run_and_publishes_nothing(small_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    settings = TallySettings.from_env(environ={}, warehouse_path=warehouse)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    process = subprocess.Popen(
        [*tally_cli(), "run", "--landing", str(small_landing), "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not settings.pipeline_db.exists():
        time.sleep(0.2)  # the run is loading
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 128 + signal.SIGTERM, stderr[-2000:]
    assert "stopped by SIGTERM" in stderr
    assert not warehouse.exists()
    assert is_busy(settings.lock_path) is None
