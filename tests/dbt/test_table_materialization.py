"""The one-statement table materialization on DuckDB (macros/materializations/table_duckdb.sql):
a table is replaced whole or not at all, a view of the same name becomes a table, and a model
asking for what the macro does not apply is refused. Real dbt on a real DuckDB file, in a
minimal project that uses the project's own macro file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_project import DBT_ENV, DBT_PROJECT_DIR, dbt_executable

MACRO = DBT_PROJECT_DIR / "macros" / "materializations" / "table_duckdb.sql"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    shutil.copy(MACRO, root / "macros" / MACRO.name)
    (root / "dbt_project.yml").write_text(
        "name: lean\nversion: '1.0'\nconfig-version: 2\nprofile: lean\n"
        "models:\n  lean:\n    +materialized: table\n"
    )
    (root / "profiles.yml").write_text(
        "lean:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {tmp_path / 'lean.duckdb'}\n      threads: 1\n"
    )
    return root


def _model(project: Path, name: str, sql: str) -> None:
    (project / "models" / f"{name}.sql").write_text(sql)


def _dbt(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [dbt_executable(), *args, "--profiles-dir", str(project), "--no-partial-parse"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **DBT_ENV},
    )


def _rows(project: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(project.parent / "lean.duckdb"), read_only=True) as con:
        return con.execute(f"select * from main.{table} order by all").fetchall()


def test_a_table_is_replaced_whole_or_not_at_all(project: Path) -> None:
    _model(project, "accounts", "select 1 as id, 'a' as name union all select 2, 'b'")
    built = _dbt(project, "run")
    assert built.returncode == 0, built.stdout[-2000:]
    assert _rows(project, "accounts") == [(1, "a"), (2, "b")]

    _model(project, "accounts", "select 3 as id, 'c' as name")
    rebuilt = _dbt(project, "run")
    assert rebuilt.returncode == 0, rebuilt.stdout[-2000:]
    assert _rows(project, "accounts") == [(3, "c")]

    # a select that fails half-way (after rows were produced) leaves the last good table
    _model(
        project,
        "accounts",
        "select id, case when id = 2 then error('bad row') else 'x' end as name "
        "from range(1, 4) t(id)",
    )
    failed = _dbt(project, "run")
    assert failed.returncode == 1
    assert "bad row" in failed.stdout
    assert _rows(project, "accounts") == [(3, "c")]


def test_a_view_of_the_same_name_becomes_a_table(project: Path) -> None:
    _model(project, "daily", "{{ config(materialized='view') }} select 1 as n")
    assert _dbt(project, "run").returncode == 0
    _model(project, "daily", "select 2 as n")
    built = _dbt(project, "run")
    assert built.returncode == 0, built.stdout[-2000:]
    with duckdb.connect(str(project.parent / "lean.duckdb"), read_only=True) as con:
        kind = con.execute(
            "select table_type from information_schema.tables where table_name = 'daily'"
        ).fetchone()
    assert kind == ("BASE TABLE",)
    assert _rows(project, "daily") == [(2,)]


def test_a_model_asking_for_what_the_macro_does_not_apply_is_refused(project: Path) -> None:
    _model(project, "granted", "{{ config(grants={'select': ['bi_reader']}) }} select 1 as n")
    refused = _dbt(project, "run")
    assert refused.returncode == 1
    assert "does not apply grants" in refused.stdout
