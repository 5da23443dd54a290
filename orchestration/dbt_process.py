"""`python -m orchestration.dbt_process --workdir DIR [--results FILE] <dbt arguments>`: dbt,
started in DIR.

Runs start dbt in the warehouse's state directory, where the profile's relative path
(`pipeline.duckdb`) names that warehouse's pipeline database. dbt hashes the profile's
connection settings and the `--vars` into its partial-parse state; with no per-warehouse path
in either, a fresh warehouse starts from the parse saved beside the manifest
(`dbt_project/target/partial_parse.msgpack`, copied in by orchestration/dbt_build.py) instead
of parsing the project in full: 3.1 s instead of 6.7 s for `dbt parse` on 2 cores.

With `--results FILE`, dbt writes no JSON artifact of its own (`--no-write-json`) and this
process writes the invocation's results to FILE. A build wrote `manifest.json` twice (after the
parse and at the end), `semantic_manifest.json` twice and `graph.gpickle`: ~1 s of every
refresh, for files nothing reads (tally reads the project's manifest, made at install time, and
the run's `run_results.json`).
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2  # as the `dbt` command exits


def split_options(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """(this launcher's options, the arguments for dbt): `--workdir` and `--results`, each
    with its value, lead the command line."""
    options: dict[str, str] = {}
    while argv[:1] in (["--workdir"], ["--results"]) and len(argv) >= 2:
        options[argv[0][2:]] = argv[1]
        argv = argv[2:]
    return options, argv


def run_writing_results(dbt_args: list[str], results: Path, manifest: Any = None) -> int:
    """dbt without its JSON artifacts; the run's results written to `results`. With
    `manifest` (parsed ahead by the warm process, orchestration/dbt_warm.py), dbt does not
    parse the project again."""
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner(manifest=manifest).invoke([*dbt_args, "--no-write-json"])
    if isinstance(outcome.exception, KeyboardInterrupt):
        raise outcome.exception
    if hasattr(outcome.result, "write"):
        outcome.result.write(str(results))
    if outcome.success:
        return EXIT_OK
    return EXIT_ERROR if outcome.exception is not None else EXIT_FAILED


def run(argv: list[str], manifest: Any = None) -> int:
    """The launcher's arguments run in this process: dbt's exit code."""
    options, dbt_args = split_options(argv)
    results = Path(options["results"]).resolve() if "results" in options else None
    if "workdir" in options:
        os.chdir(options["workdir"])
    sys.argv = ["dbt", *dbt_args]  # dbt records it as the run's invocation_command
    if results is not None:
        return run_writing_results(dbt_args, results, manifest)
    from dbt.cli.main import cli

    try:
        cli()
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_ERROR if done.code else EXIT_OK
    return EXIT_OK


def main() -> None:
    from orchestration.dbt_warm import hand_over

    code = hand_over(sys.argv[1:])  # a warm dbt process started by `tally run`, if any
    if code is None:
        code = run(sys.argv[1:])
    finish()
    os._exit(code)


def finish() -> None:
    """What exiting must still do, without the interpreter's teardown of dbt's ~2,000 modules
    (~0.4 s a build, paid while Dagster waits): the atexit handlers (dbt-duckdb's closes the
    database, a checkpoint, so the next reader replays no log; logging flushes its files) and
    the standard streams flushed."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()


if __name__ == "__main__":
    main()
