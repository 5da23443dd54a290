"""The Dagster instance a warehouse's runs are recorded in (`.<name>.tally/dagster`).

Dagster's stock sqlite event log opens a new engine, connection and transaction for every
event, fsyncs every commit and checkpoints the WAL on every close: ~10 ms an event, and a
refresh records ~800 events (planned and done materializations, one per dbt test as an asset
check). `PooledSqliteEventLogStorage` keeps the same files and tables (the UI and older runs read
them as before) but reuses one engine per database file and commits with `synchronous=NORMAL`
(WAL: durable across a crashed process, an OS crash may lose the last events).
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData

CONFIG_MARK = "# written by tally"
_OPEN_ENGINES = 8  # the index and the latest runs' files; the UI may browse many runs


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's sqlite event log with one reused engine per shard (see the module doc)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, db.Engine] = OrderedDict()
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                pool_size=1,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _normal_sync)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # most recently used last
        while len(self._engines) > _OPEN_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def has_table(self, table_name: str) -> bool:
        """Asked before most event writes; a table, once there, stays."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


def _normal_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def instance_config(home: Path) -> str:
    """dagster.yaml for a warehouse's instance: Dagster's default sqlite layout (runs in
    `history/`, events in `history/runs/`, schedules in `schedules/`), pooled event log."""
    home = home.resolve()
    return "\n".join(
        [
            f"{CONFIG_MARK} (orchestration/instance.py); delete this file to get it rewritten,",
            "# or replace it with your own configuration (tally then leaves it alone).",
            "run_storage:",
            "  module: dagster._core.storage.runs",
            "  class: SqliteRunStorage",
            "  config:",
            f"    base_dir: {home / 'history'}",
            "event_log_storage:",
            "  module: orchestration.instance",
            "  class: PooledSqliteEventLogStorage",
            "  config:",
            f"    base_dir: {home / 'history' / 'runs'}",
            "schedule_storage:",
            "  module: dagster._core.storage.schedules",
            "  class: SqliteScheduleStorage",
            "  config:",
            f"    base_dir: {home / 'schedules'}",
            "",
        ]
    )


def prepare_home(home: Path) -> Path:
    """Create the instance folder and write its dagster.yaml when it is missing, empty or ours
    (the folder may have moved with its warehouse); a user's own configuration is kept."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = config.read_text() if config.exists() else ""
    if not current.strip() or current.startswith(CONFIG_MARK):
        wanted = instance_config(home)
        if current != wanted:
            config.write_text(wanted)
    return home


if __name__ == "__main__":  # `make dagster`: python -m orchestration.instance <home>
    print(prepare_home(Path(sys.argv[1])))
