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

SOCKET_ENV = "TALLY_DBT_WARM_SOCKET"
_STREAMS = (0, 1, 2)


@contextlib.contextmanager
def warm_dbt() -> Iterator[subprocess.Popen[bytes]]:
    """A warm dbt process for the build started inside the block (its launcher finds it
    through `TALLY_DBT_WARM_SOCKET`); stopped at the end if it served nothing."""
    folder = Path(tempfile.mkdtemp(prefix="tally-dbt-"))
    path = folder / "socket"
    process = subprocess.Popen(
        # -P: the working directory is not put on sys.path (a `dbt/` folder there is no dbt)
        [sys.executable, "-P", "-m", "orchestration.dbt_warm", str(path)],
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


def serve(path: str) -> None:
    """Import dbt, wait for one launcher, run its build with its streams, report the code."""
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    import dbt.adapters.duckdb  # noqa: F401  (the imports are the point)
    import dbt.cli.main  # noqa: F401
    import dbt.task.build  # noqa: F401

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

    code = run(request["argv"])
    finish()  # the database closed and the streams flushed before the launcher exits
    connection.sendall(f"{code}\n".encode())
    os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1])
