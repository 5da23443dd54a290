"""Log in to Superset in headless Chromium, open a dashboard, wait for its charts, screenshot it.

Run with the Superset virtualenv's python (it holds websocket-client):

    .venv-superset/bin/python orchestration/serving/superset/screenshot.py \
        --url http://127.0.0.1:8088 --dashboard tally-kpis --password ... --out shot.png

Drives Chromium over the DevTools protocol (a fresh --user-data-dir, Debian's /usr/bin/chromium
by default): the `/login/` form is posted from the page itself (its CSRF token included), so
the session cookie lives in that profile; then the dashboard loads as a user would see it.
Prints a JSON report: the charts on the page, those drawn (a canvas or svg inside), the chart
titles, error messages shown, JavaScript exceptions, the screenshot's path.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--remote-debugging-port=0",
]

PROBE = """(() => {
  const holders = [...document.querySelectorAll('.dashboard-component-chart-holder')];
  // ECharts draw on a canvas; a table chart is a table. (Header icons are svg: not counted.)
  const drawn = holders.filter(h => [...h.querySelectorAll('.chart-container canvas, canvas, '
    + '.chart-container table')].some(e => e.getBoundingClientRect().width > 50
                                        && e.getBoundingClientRect().height > 50));
  const titles = holders.map(h => {
    const t = h.querySelector('.header-title, [data-test="editable-title"], .editable-title');
    return t ? t.innerText.trim() : '';
  });
  const errors = [...document.querySelectorAll(
    '.alert-danger, .ant-alert-error, [data-test="error-tooltip"], .chart-error')]
    .map(e => e.innerText.trim()).filter(Boolean);
  const loading = document.querySelectorAll('.loading, [data-test="loading-indicator"]').length;
  return JSON.stringify({path: location.pathname, charts: holders.length,
                         drawn: drawn.length, titles, errors, loading});
})()"""


class Page:
    """A minimal synchronous DevTools client for one page target."""

    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.exceptions: list[str] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.exceptions.append(
                    (details.get("exception") or {}).get("description") or details.get("text", "")
                )
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url: str, timeout: float = 60) -> None:
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate("document.readyState") == "complete":
                return
            time.sleep(0.25)
        raise TimeoutError(f"{url} did not load in {timeout:.0f}s")


def _devtools_port(profile: Path, browser: subprocess.Popen, timeout: float = 60) -> int:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise RuntimeError(f"chromium exited ({browser.returncode})")
        if port_file.exists() and port_file.read_text().strip():
            return int(port_file.read_text().splitlines()[0])
        time.sleep(0.2)
    raise TimeoutError("chromium did not open its DevTools port")


def capture(
    url: str,
    dashboard: str,
    username: str,
    password: str,
    out: Path,
    chromium: str = "/usr/bin/chromium",
    expected_charts: int = 1,
    timeout: float = 180,
) -> dict[str, Any]:
    profile = Path(tempfile.mkdtemp(prefix="superset-chromium-"))
    browser = subprocess.Popen(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port = _devtools_port(profile, browser)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = [t for t in json.load(r) if t.get("type") == "page"]
        page = Page(targets[0]["webSocketDebuggerUrl"])
        page.call("Runtime.enable")
        page.call("Page.enable")
        page.call(
            "Emulation.setDeviceMetricsOverride",
            width=1400,
            height=1800,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.goto(f"{url}/login/")
        status = page.evaluate(
            "fetch('/login/', {method: 'POST', redirect: 'follow', body: new URLSearchParams({"
            f"username: {json.dumps(username)}, password: {json.dumps(password)}, "
            "csrf_token: document.getElementById('csrf_token').value})})"
            ".then(r => fetch('/api/v1/me/')).then(r => r.status)"
        )
        if status != 200:
            raise RuntimeError(f"login failed: /api/v1/me/ answered {status}")
        page.goto(f"{url}/superset/dashboard/{dashboard}/")
        deadline = time.monotonic() + timeout
        report: dict[str, Any] = {}
        while time.monotonic() < deadline:
            report = json.loads(page.evaluate(PROBE))
            done = report["drawn"] >= expected_charts and report["drawn"] == report["charts"]
            if (done and not report["loading"]) or report["errors"]:
                break
            time.sleep(1)
        time.sleep(2)  # chart animations settle
        report = json.loads(page.evaluate(PROBE))
        shot = page.call("Page.captureScreenshot", format="png")
        out.write_bytes(base64.b64decode(shot["data"]))
        report["screenshot"] = str(out)
        report["exceptions"] = page.exceptions
        page.ws.close()
        return report
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=15)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--dashboard", default="tally-kpis")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", type=Path, default=Path("superset-dashboard.png"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--expected-charts", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args(argv)
    report = capture(
        args.url,
        args.dashboard,
        args.username,
        args.password,
        args.out,
        args.chromium,
        args.expected_charts,
        args.timeout,
    )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
