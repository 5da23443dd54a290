"""One dbt invocation in a child process (`orchestration.dbt_process`), its JSON log read as it
runs.

dbt runs in its own process: a crash or a leak of dbt's never takes the run's process with it,
the run's process never imports dbt, and `tally run`'s warm dbt (orchestration/dbt_warm.py)
can take the invocation over. dbt logs JSON lines on stdout (stderr joins them); each is handed
on as a dict, anything else (a Python warning, a traceback) as text. An interrupt of the run
(Dagster's, on SIGINT or SIGTERM) is passed to dbt as SIGINT, which stops its nodes and
closes the database cleanly.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.dbt_project import (
    DBT_ENV,
    DBT_PROJECT_DIR,
    MANIFEST_PATH,
    PARTIAL_PARSE_FILE,
    drop_stale_partial_parse,
    ensure_manifest,
)

if TYPE_CHECKING:
    from orchestration.settings import TallySettings

STOP_TIMEOUT_SECONDS = 25


@dataclass
class DbtInvocation:
    process: subprocess.Popen[bytes]
    errors: list[str] = field(default_factory=list)  # dbt's error-level messages

    def lines(self) -> Iterator[dict[str, Any] | str]:
        """dbt's log lines until it exits: JSON events as dicts, other output as text."""
        assert self.process.stdout is not None
        with self.process.stdout:
            for raw in self.process.stdout:
                text = raw.decode(errors="replace").rstrip("\n")
                try:
                    event = json.loads(text)
                except ValueError:
                    yield text
                    continue
                if not isinstance(event, dict) or "info" not in event:
                    yield text
                    continue
                if event["info"].get("level") == "error" and event["info"].get("msg"):
                    self.errors.append(event["info"]["msg"])
                yield event
        self.process.wait()

    def stop(self) -> None:
        """SIGINT (dbt's own clean stop), then wait; killed if it does not stop in time. The
        caller's `finally`: an interrupt while the log is read lands here as well."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def succeeded(self) -> bool:
        return self.process.wait() == 0 and not self.errors


def launcher_command(args: list[str], workdir: Path, results: Path, target: str) -> list[str]:
    """The launcher (orchestration/dbt_process.py) in this venv's Python: dbt started in the
    warehouse's state directory, its results written to `results`."""
    return [
        sys.executable,
        "-m",
        "orchestration.dbt_process",
        "--workdir",
        str(workdir),
        "--results",
        str(results),
        *args,
        "--target",
        target,  # profiles.yml has one output per engine
    ]


def prepare_target_dir(target_dir: Path) -> None:
    """The warehouse's dbt folder, starting from the project's saved parse when it has none
    yet, and without a saved parse older than the project's last parse (see
    `drop_stale_partial_parse`)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    drop_stale_partial_parse(target_dir)
    saved_parse = MANIFEST_PATH.parent / PARTIAL_PARSE_FILE
    if saved_parse.exists() and not (target_dir / PARTIAL_PARSE_FILE).exists():
        shutil.copyfile(saved_parse, target_dir / PARTIAL_PARSE_FILE)


def dbt_env(target_dir: Path) -> dict[str, str]:
    """The environment of dbt in a run: this process's, plus where dbt writes and how it logs."""
    return {
        **os.environ,
        **DBT_ENV,
        "DBT_LOG_FORMAT": "json",
        # dbt.log keeps every statement's SQL (debug level) as text: formatting each of ~1,000
        # events a build as JSON cost ~0.5 s of dbt's one busy thread. The errors and the
        # events tally reads come from the JSON stream on stdout.
        "DBT_LOG_FORMAT_FILE": "text",
        "DBT_TARGET_PATH": str(target_dir),
        "DBT_LOG_PATH": str(target_dir),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "PYTHONUNBUFFERED": "1",
    }


def vars_args(settings: TallySettings) -> list[str]:
    """`--vars` of the settings that differ from the project's defaults (none on defaults)."""
    dbt_vars = settings.dbt_vars()
    return ["--vars", json.dumps(dbt_vars, sort_keys=True)] if dbt_vars else []


def parse_request(settings: TallySettings) -> dict[str, Any]:
    """The parse a warm dbt process can do ahead of a run's build (orchestration/dbt_warm.py):
    the build's own project options, directory and environment, its log in `<target>/parse/`."""
    # A project edited since its last parse is parsed in full first, so that the warehouse's
    # saved parse, older than that, is dropped here, before the warm process would read it.
    ensure_manifest()
    target_dir = settings.dbt_target_dir
    prepare_target_dir(target_dir)
    return {
        "argv": ["parse", "--no-use-colors", *vars_args(settings), "--target", settings.engine],
        "cwd": str(settings.state_dir),
        "env": {**dbt_env(target_dir), "DBT_LOG_PATH": str(target_dir / "parse")},
    }


def start_dbt(args: list[str], workdir: Path, target_dir: Path, target: str) -> DbtInvocation:
    """`dbt <args>` with its artifacts and log in `target_dir` (the warehouse's own), starting
    from the project's saved parse when the folder has none yet."""
    prepare_target_dir(target_dir)
    env = dbt_env(target_dir)
    process = subprocess.Popen(
        launcher_command(args, workdir, target_dir / "run_results.json", target),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=DBT_PROJECT_DIR,
    )
    return DbtInvocation(process)
