"""Start Superset on 127.0.0.1 over a Tally warehouse, provisioned with the KPI dashboard.

Run with the Superset virtualenv's python (`make superset` does):

    .venv-superset/bin/python orchestration/serving/superset/serve.py \
        --warehouse data/warehouse.duckdb [--home data/superset] [--port 8088]

Steps: `superset db upgrade`, `superset fab create-admin` (first time), `superset init` (when
the Superset version changed), gunicorn on 127.0.0.1, then provision.py through the REST API.
Prints one line `READY <url> <json>` once the dashboard is there, then serves until
interrupted (SIGINT/SIGTERM stop the server). Server logs go to `<home>/superset.log`.

The admin login is `admin` with the password of TALLY_SUPERSET_PASSWORD, else one generated
once and kept in `<home>/admin_password`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE))

import provision  # noqa: E402


def superset_env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(HERE / "superset_config.py"),
        "TALLY_SUPERSET_HOME": str(home),
        "FLASK_APP": "superset",
        "DO_NOT_TRACK": "1",
        "SCARF_ANALYTICS": "false",
        "PYTHONUNBUFFERED": "1",
    }


def admin_password(home: Path) -> str:
    if os.environ.get("TALLY_SUPERSET_PASSWORD"):
        return os.environ["TALLY_SUPERSET_PASSWORD"]
    stored = home / "admin_password"
    if not stored.exists():
        fd = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(12))
    return stored.read_text().strip()


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(args, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args)}; see {log}")


def prepare(home: Path, password: str, log: Path) -> None:
    """Metadata database, admin user, roles and permissions (skipped when already done)."""
    from importlib.metadata import version

    env = superset_env(home)
    cli = str(Path(sys.executable).with_name("superset"))
    stamp = home / ".initialized"
    current = version("apache-superset")
    if stamp.exists() and stamp.read_text().strip() == current:
        return
    _run([cli, "db", "upgrade"], env, log)
    _run(
        [
            *(cli, "fab", "create-admin", "--username", "admin", "--firstname", "Tally"),
            *("--lastname", "Admin", "--email", "admin@localhost", "--password", password),
        ],
        env,
        log,
    )
    _run([cli, "init"], env, log)
    stamp.write_text(current)


def start_server(home: Path, host: str, port: int, log: Path) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    args = [
        *(gunicorn, "--workers", "1", "--threads", "8", "--timeout", "120"),
        *("--graceful-timeout", "5"),
        *("--bind", f"{host}:{port}", "superset.app:create_app()"),
    ]
    out = log.open("a")
    return subprocess.Popen(
        args, env=superset_env(home), stdout=out, stderr=subprocess.STDOUT, cwd=home
    )


def wait_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"Superset exited ({server.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"Superset did not answer {url}/health in {timeout:.0f}s; see {log}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--home", type=Path, default=REPO / "data" / "superset")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    args = parser.parse_args(argv)
    warehouse = args.warehouse.resolve()
    if not warehouse.is_file():
        parser.error(f"no warehouse at {warehouse} (run `make demo` first)")
    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    log = home / "superset.log"
    password = admin_password(home)
    url = f"http://{args.host}:{args.port}"

    started = time.monotonic()
    print(f"preparing Superset's metadata in {home} (log: {log})", flush=True)
    prepare(home, password, log)
    server = start_server(home, args.host, args.port, log)

    def stop(*_: object) -> None:
        # Only signal here: the main flow's server.wait() returns once gunicorn has stopped
        # (a second wait inside the handler would block on the first one's lock).
        if server.poll() is None:
            server.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        wait_healthy(url, server, log)
        result = provision.provision(url, warehouse, "admin", password)
        result["seconds"] = round(time.monotonic() - started, 1)
        print(
            f"Superset: {result['dashboard_url']} (user admin, password {password})\n"
            f"warehouse {warehouse}, read-only",
            flush=True,
        )
        print(f"READY {url} {json.dumps(result)}", flush=True)
        server.wait()
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
