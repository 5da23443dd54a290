"""One run per warehouse: a second run is refused at once and never breaks the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.run_lock import WarehouseBusy, hold, is_busy
from orchestration.settings import TallySettings
from tests.conftest import run_tally


def test_a_held_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    lock = tmp_path / "state" / "run.lock"
    with hold(lock):
        assert "another run" in (is_busy(lock) or "")
        with pytest.raises(WarehouseBusy), hold(lock):
            pass
    assert is_busy(lock) is None


def test_a_second_tally_run_exits_2_while_one_holds_the_warehouse(
    small_landing: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    settings = TallySettings.from_env(environ={}, warehouse_path=warehouse)
    with hold(settings.lock_path):
        result = run_tally("run", "--landing", small_landing, "--warehouse", warehouse)
    assert result.returncode == 2
    assert "another run is using this warehouse" in result.stderr
    assert not warehouse.exists()
