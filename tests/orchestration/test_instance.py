"""The warehouse's Dagster instance: pooled event log, same files as Dagster's default."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.instance import CONFIG_MARK, PooledSqliteEventLogStorage, prepare_home


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="numbers")])
def numbers() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"rows": 3},
        check_results=[dg.AssetCheckResult(check_name="positive", passed=True)],
    )


def test_runs_are_recorded_through_the_pool_and_readable_by_dagsters_own_storage(
    tmp_path: Path,
) -> None:
    home = prepare_home(tmp_path / "dagster")
    job = dg.Definitions(assets=[numbers]).resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        first = job.execute_in_process(instance=instance)
        second = job.execute_in_process(instance=instance)
        assert first.success and second.success
        written = [len(instance.all_logs(r.run_id)) for r in (first, second)]
    assert all(n > 5 for n in written)

    # The UI, or an older tally, reads the same files with Dagster's stock storage.
    stock = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert [len(stock.get_logs_for_run(r.run_id)) for r in (first, second)] == written
    latest = stock.get_latest_materialization_events([dg.AssetKey("numbers")])
    assert latest[dg.AssetKey("numbers")].run_id == second.run_id
    stock.dispose()


def test_own_config_is_rewritten_a_users_is_kept(tmp_path: Path) -> None:
    home = tmp_path / "dagster"
    config = prepare_home(home) / "dagster.yaml"
    assert config.read_text().startswith(CONFIG_MARK)
    assert str(home.resolve() / "history" / "runs") in config.read_text()

    moved = tmp_path / "moved"
    home.rename(moved)  # a warehouse folder moved: its instance paths follow
    prepare_home(moved)
    assert str(moved.resolve() / "history") in (moved / "dagster.yaml").read_text()
    assert str(home.resolve()) not in (moved / "dagster.yaml").read_text()

    mine = "telemetry:\n  enabled: false\n"
    (moved / "dagster.yaml").write_text(mine)
    prepare_home(moved)
    assert (moved / "dagster.yaml").read_text() == mine
