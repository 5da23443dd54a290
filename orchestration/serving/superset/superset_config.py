"""Superset configuration for Tally (read by Superset through SUPERSET_CONFIG_PATH).

Everything Superset keeps (users, the database connection, datasets, charts, the dashboard)
lives in a SQLite file in the state folder `TALLY_SUPERSET_HOME` (default
`data/superset/`). The warehouse itself is registered read-only by provision.py. No example
data, no telemetry, no call to anything but 127.0.0.1: the server works offline.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
STATE = Path(os.environ.get("TALLY_SUPERSET_HOME") or REPO / "data" / "superset").resolve()
STATE.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SUPERSET_SECRET_KEY from the environment, else one generated once per state folder."""
    if os.environ.get("SUPERSET_SECRET_KEY"):
        return os.environ["SUPERSET_SECRET_KEY"]
    key_file = STATE / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(STATE)

# No examples, no telemetry, nothing fetched from the internet.
SUPERSET_LOAD_EXAMPLES = False
SCARF_ANALYTICS = False
MAPBOX_API_KEY = ""
PREFERRED_DATABASES: list[str] = ["DuckDB"]
FEATURE_FLAGS = {
    "DASHBOARD_RBAC": False,
    "ALERT_REPORTS": False,
    "EMBEDDED_SUPERSET": False,
}
# Not a public server: plain HTTP on 127.0.0.1, no HTTPS redirect from Talisman.
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
SESSION_COOKIE_SECURE = False
WTF_CSRF_ENABLED = True
# Logins come from one local user (and the test); no rate limiter storage warnings.
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
# The warehouse is read-only: SQL Lab runs SELECTs only, synchronously.
SQLLAB_ASYNC_TIME_LIMIT_SEC = 60
SQLLAB_TIMEOUT = 60
SUPERSET_WEBSERVER_TIMEOUT = 120
ROW_LIMIT = 50_000
