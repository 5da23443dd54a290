"""Which dbt tests a refresh runs: invariants always, column hygiene on full builds."""

from __future__ import annotations

from pathlib import Path

from orchestration.assets.dbt import COLUMN_TESTS, build_args
from orchestration.settings import TallySettings


def _settings(tmp_path: Path, **env: str) -> TallySettings:
    return TallySettings.from_env(
        environ={f"TALLY_{k}": v for k, v in env.items()}, warehouse_path=tmp_path / "w.duckdb"
    )


def test_a_refresh_skips_column_tests_a_full_build_runs_them(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    refresh = build_args(settings, full_refresh=False, first_build=False)
    excluded = refresh[refresh.index("--exclude") + 1].split()
    assert excluded == [f"test_name:{name}" for name in COLUMN_TESTS]
    assert "unit_test" in refresh
    for args in (
        build_args(settings, full_refresh=False, first_build=True),
        build_args(settings, full_refresh=True, first_build=False),
        build_args(_settings(tmp_path, REFRESH_TESTS="all"), full_refresh=False),
    ):
        assert "--exclude" not in args


def test_an_unknown_refresh_tests_value_is_a_settings_problem(tmp_path: Path) -> None:
    assert any("refresh tests" in p for p in _settings(tmp_path, REFRESH_TESTS="some").problems())
    assert not _settings(tmp_path).problems()
