"""A dbt process started at the beginning of a `tally run`, its imports done by the time the
build needs it.

Importing dbt-core and its adapter costs a new process 1.3-3 s of CPU (2.8 s on the 2-core
bench machine of 2026-12-07) before dbt reads its first argument; a refresh paid it after the
load, on the build's critical path. `tally run` starts this process once its checks pass
(`warm_dbt()`), so the imports run on the second core while the CLI imports Dagster and loads
the landed files. The build's launcher (`orchestration.dbt_process`, started by
orchestration/dbt_build.py as before) then hands its arguments, working directory, environment
and standard streams to the warm process over a Unix socket and waits for its exit code: dbt
writes straight into the pipe the dbt asset reads, and the launcher exits with dbt's code.

On DuckDB, the warm process also parses the project ahead of the build, with the build's own
vars, target, directory and environment (`dbt_build.parse_request`; its log in
`<warehouse state>/dbt/parse/`): dbt's start-up before its first node lost ~0.5 s of partial
parse. The build reuses that manifest only when the launcher's options and dbt/tally
environment are the parse's (`parse_identity`); otherwise, or when the parse failed, dbt parses
as before.

The warm process serves one build and exits; it also exits when the `tally` process that
started it is gone, and `tally` stops it if the run ends without a build (a failed load).
Without one (the Dagster UI, the daemon, a failed hand-over), the launcher runs dbt itself, as
before.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SOCKET_ENV = "TALLY_DBT_WARM_SOCKET"
_STREAMS = (0, 1, 2)


@contextlib.contextmanager
def warm_dbt(parse: dict[str, Any] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A warm dbt process for the build started inside the block (its launcher finds it
    through `TALLY_DBT_WARM_SOCKET`); stopped at the end if it served nothing. With `parse`
    (orchestration.dbt_build.parse_request), it parses the project ahead of the build."""
    folder = Path(tempfile.mkdtemp(prefix="tally-dbt-"))
    path = folder / "socket"
    request = folder / "parse.json"
    if parse is not None:
        request.write_text(json.dumps(parse))
    process = subprocess.Popen(
        # -P: the working directory is not put on sys.path (a `dbt/` folder there is no dbt)
        [sys.executable, "-P", "-m", "orchestration.dbt_warm", str(path)]
        + ([str(request)] if parse is not None else []),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    previous = os.environ.get(SOCKET_ENV)
    os.environ[SOCKET_ENV] = str(path)
    try:
        yield process
    finally:
        if previous is None:
            os.environ.pop(SOCKET_ENV, None)
        else:
            os.environ[SOCKET_ENV] = previous
        if process.poll() is None:
            process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        path.unlink(missing_ok=True)
        request.unlink(missing_ok=True)
        folder.rmdir()


def hand_over(argv: list[str]) -> int | None:
    """Run `argv` (the launcher's own arguments) in the warm process; its exit code, or None
    when there is no warm process to take them (the caller then runs dbt itself)."""
    path = os.environ.get(SOCKET_ENV)
    if not path:
        return None
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(path)
    except OSError:
        client.close()
        return None
    with client:
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        payload = json.dumps(request).encode() + b"\n"
        try:
            socket.send_fds(client, [payload], list(_STREAMS))
            reader = client.makefile("rb")
            pid = int(reader.readline())
        except (OSError, ValueError):
            return None  # the warm process took nothing: dbt has not started
        # From here dbt runs over there: an interrupt (the run's SIGINT to dbt) goes to it.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda received, _frame: _forward(pid, received))
        line = reader.readline()
    return int(line) if line.strip() else 2  # no code: the warm process died


def _forward(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def parse_identity(argv: list[str], cwd: str, env: dict[str, str]) -> tuple[Any, ...]:
    """What dbt's parse of the project depends on, for a parse request or a launcher's build:
    the project options of the command line, the directory dbt runs in and the environment it
    reads (DBT_*, TALLY_*). A build reuses a parse made ahead only when they are equal."""
    from orchestration.dbt_process import split_options

    options, dbt_args = split_options(argv)

    def option(name: str) -> str | None:
        return dbt_args[dbt_args.index(name) + 1] if name in dbt_args[:-1] else None

    read = {
        k: v
        for k, v in env.items()
        if (k.startswith(("DBT_", "TALLY_")) or k == "DO_NOT_TRACK")
        and k not in (SOCKET_ENV, "DBT_LOG_PATH")
    }
    return (
        option("--vars"),
        option("--target"),
        option("--profiles-dir"),
        option("--project-dir"),
        options.get("workdir", cwd),
        sorted(read.items()),
    )


def _parse_ahead(request_file: str) -> tuple[tuple[Any, ...], Any] | None:
    """The project parsed as the build will need it (its identity, dbt's manifest), or None
    when the parse fails (the build then parses, and reports, itself)."""
    request = json.loads(Path(request_file).read_text())
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    try:
        from dbt.cli.main import dbtRunner

        outcome = dbtRunner().invoke([*request["argv"], "--no-write-json"])
    except Exception:  # noqa: BLE001 - the build parses itself and says what is wrong
        return None
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    if not outcome.success or outcome.result is None:
        return None
    return parse_identity(request["argv"], request["cwd"], request["env"]), outcome.result


def serve(path: str, parse_request: str | None = None) -> None:
    """Import dbt (and parse the project, when asked), wait for one launcher, run its build
    with its streams, report the code."""
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    import dbt.adapters.duckdb  # noqa: F401  (the imports are the point)
    import dbt.cli.main  # noqa: F401
    import dbt.task.build  # noqa: F401

    parsed = _parse_ahead(parse_request) if parse_request else None

    listener.settimeout(1.0)
    while True:
        try:
            connection, _ = listener.accept()
            break
        except TimeoutError:
            if os.getppid() != parent:  # the run that started us is gone
                os._exit(0)
    listener.close()
    connection.settimeout(None)
    message, fds, _, _ = socket.recv_fds(connection, 1 << 16, len(_STREAMS))
    while not message.endswith(b"\n"):
        chunk = connection.recv(1 << 16)
        if not chunk:
            os._exit(0)
        message += chunk
    request = json.loads(message)
    for fd, stream in zip(fds, _STREAMS, strict=True):
        os.dup2(fd, stream)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    connection.sendall(f"{os.getpid()}\n".encode())

    from orchestration.dbt_process import finish, run

    manifest = None
    if parsed is not None:
        identity, manifest = parsed
        if identity != parse_identity(request["argv"], request["cwd"], request["env"]):
            manifest = None  # another project, target, vars or environment: dbt parses
    code = run(request["argv"], manifest)
    finish()  # the database closed and the streams flushed before the launcher exits
    connection.sendall(f"{code}\n".encode())
    os._exit(code)


if __name__ == "__main__":
    serve(*sys.argv[1:3])
