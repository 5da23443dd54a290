"""`python -m orchestration.dbt_process --workdir DIR <dbt arguments>`: dbt, started in DIR.

Runs start dbt in the warehouse's state directory, where the profile's relative path
(`pipeline.duckdb`) names that warehouse's pipeline database. dbt hashes the profile's
connection settings and the `--vars` into its partial-parse state; with no per-warehouse path
in either, a fresh warehouse starts from the parse saved beside the manifest
(`dbt_project/target/partial_parse.msgpack`, copied in by dagster-dbt) instead of parsing the
project in full: 3.1 s instead of 6.7 s for `dbt parse` on 2 cores.
"""

from __future__ import annotations

import os
import sys


def split_workdir(argv: list[str]) -> tuple[str | None, list[str]]:
    """(`--workdir`'s value or None, the arguments for dbt)."""
    if argv[:1] == ["--workdir"] and len(argv) >= 2:
        return argv[1], argv[2:]
    return None, argv


def main() -> None:
    workdir, dbt_args = split_workdir(sys.argv[1:])
    if workdir is not None:
        os.chdir(workdir)
    sys.argv = ["dbt", *dbt_args]
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()
