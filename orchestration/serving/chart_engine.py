"""The dashboard's charts rendered to SVG in a process of their own.

vl-convert (Vega-Lite to SVG on a V8 engine) holds the GIL while it renders, ~0.1 s a chart: in
a thread of the run's process it stalled the publish's own work beside it (copying the marts:
0.36 s alone, 1.45 s next to the page). A child process renders on the other core instead. It is
started while dbt builds (its import and the engine's ~0.5 s warm-up are then off the run's
path) and speaks JSON lines: a request `{"spec": ..., "locale": ...}` on its stdin, a reply
`{"svg": ...}` or `{"error": ...}` on its stdout, in order. It exits when its stdin closes (its
parent ended). Without it (it could not start or died), the charts render in this process.
"""

from __future__ import annotations

import atexit
import json
import select
import subprocess
import sys
import threading
from typing import Any

VEGA_LITE_OPTIONS: dict[str, Any] = {"allowed_base_urls": []}  # nothing fetched, ever
REPLY_TIMEOUT_S = 60  # a chart takes ~0.1 s; an engine this late is killed, the page drawn here

_lock = threading.Lock()
_engine: list[subprocess.Popen[str]] = []


class ChartError(RuntimeError):
    pass


def start() -> None:
    """Start the engine process (once per process; a no-op while it runs)."""
    with _lock:
        if _engine and _engine[0].poll() is None:
            return
        _engine.clear()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "orchestration.serving.chart_engine"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        except OSError:
            return  # render in this process
        _engine.append(process)


@atexit.register
def stop() -> None:
    """End the engine (at exit too); one stuck in a request is killed, never waited on."""
    locked = _lock.acquire(timeout=5)
    try:
        while _engine:
            process = _engine.pop()
            if not locked:
                process.kill()
                continue
            if process.stdin:
                process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
    finally:
        if locked:
            _lock.release()


def render(specs: list[dict], vl_version: str, locale: dict) -> list[str]:
    """Each Vega-Lite spec as an SVG string, by the engine process when it runs."""
    start()
    with _lock:
        process = _engine[0] if _engine and _engine[0].poll() is None else None
        if process is not None:
            try:
                return _ask(process, specs, vl_version, locale)
            except (OSError, ValueError):  # the engine died mid-way: render here
                _engine.clear()
    return [_to_svg(spec, vl_version, locale) for spec in specs]


def _ask(
    process: subprocess.Popen[str], specs: list[dict], vl_version: str, locale: dict
) -> list[str]:
    assert process.stdin and process.stdout
    # One request, then its reply: writing every request before reading a reply deadlocks once
    # both pipes' buffers (64 KB) are full, a spec of years of months and an SVG of ~100 KB.
    replies = []
    for spec in specs:
        request = {"spec": spec, "vl_version": vl_version, "locale": locale}
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        # One reply per request, so nothing waits in the reader's buffer: select sees it.
        if not select.select([process.stdout], [], [], REPLY_TIMEOUT_S)[0]:
            process.kill()
            raise ValueError(f"the chart engine did not answer in {REPLY_TIMEOUT_S} s")
        line = process.stdout.readline()
        if not line:
            raise ValueError("the chart engine exited")
        replies.append(json.loads(line))
    errors = [reply["error"] for reply in replies if "error" in reply]
    if errors:
        raise ChartError(f"a chart could not be rendered: {errors[0]}")
    return [reply["svg"] for reply in replies]


def _to_svg(spec: dict, vl_version: str, locale: dict) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(
        spec, vl_version=vl_version, format_locale=locale, **VEGA_LITE_OPTIONS
    )


def _serve() -> None:
    import vl_convert

    # The engine starts on first use (~0.4 s): now, before the first chart is asked for.
    vl_convert.vegalite_to_svg({"mark": "point"}, **VEGA_LITE_OPTIONS)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = {"svg": _to_svg(request["spec"], request["vl_version"], request["locale"])}
        except Exception as error:  # reported to the parent, which raises it
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
