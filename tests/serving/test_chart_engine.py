"""The chart engine process renders what vl-convert renders in this process, reports a chart it
cannot render, and a dead engine leaves the page to this process."""

from __future__ import annotations

import os
import signal
import threading

import pytest
import vl_convert

from orchestration.serving import chart_engine
from orchestration.serving.dashboard import VEGA_LITE, number_locale

SPEC = {
    "data": {"values": [{"month": "2025-01-01", "mrr": 1200.5}, {"month": "2025-02-01", "mrr": 0}]},
    "mark": "line",
    "encoding": {
        "x": {"field": "month", "type": "temporal"},
        "y": {"field": "mrr", "type": "quantitative", "axis": {"format": "$,.0f"}},
    },
}
LOCALE = number_locale("EUR")


def _here(spec: dict) -> str:
    return vl_convert.vegalite_to_svg(
        spec, vl_version=VEGA_LITE, format_locale=LOCALE, allowed_base_urls=[]
    )


def test_the_engine_renders_what_this_process_renders() -> None:
    chart_engine.start()
    engine = chart_engine._engine[0]
    specs = [SPEC, {**SPEC, "mark": "bar"}]
    assert chart_engine.render(specs, VEGA_LITE, LOCALE) == [_here(s) for s in specs]
    assert chart_engine._engine == [engine] and engine.poll() is None  # the same process
    assert "€" in chart_engine.render([SPEC], VEGA_LITE, LOCALE)[0]


def test_a_chart_it_cannot_render_is_an_error_naming_why() -> None:
    broken = {**SPEC, "data": {"url": "https://example.com/data.json"}}  # nothing is fetched
    with pytest.raises(chart_engine.ChartError, match="a chart could not be rendered"):
        chart_engine.render([SPEC, broken], VEGA_LITE, LOCALE)
    assert chart_engine.render([SPEC], VEGA_LITE, LOCALE) == [_here(SPEC)]  # still serving


def test_a_dead_engine_is_replaced_or_the_charts_render_here() -> None:
    chart_engine.start()
    chart_engine._engine[0].kill()
    chart_engine._engine[0].wait()
    assert chart_engine.render([SPEC], VEGA_LITE, LOCALE) == [_here(SPEC)]
    chart_engine.stop()
    assert chart_engine._engine == []


def test_charts_larger_than_the_pipes_buffers_do_not_stall() -> None:
    """Specs and SVGs over 64 KB each (years of daily points): every request must be read as
    its reply is, or both pipes fill and both processes wait on each other."""
    days = [{"day": "2025-01-01T00:00:00Z", "n": n} for n in range(4000)]
    big = {
        "data": {"values": days},
        "mark": "point",
        "encoding": {
            "x": {"field": "n", "type": "quantitative"},
            "y": {"field": "n", "type": "quantitative"},
        },
    }
    done: list[list[str]] = []
    worker = threading.Thread(
        target=lambda: done.append(chart_engine.render([big] * 3, VEGA_LITE, LOCALE)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    assert done, "the chart engine stalled"
    assert len(done[0]) == 3 and all(len(svg) > 2**16 for svg in done[0])


def test_an_engine_that_stops_answering_is_killed_and_the_charts_render_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chart_engine.start()
    stuck = chart_engine._engine[0]
    os.kill(stuck.pid, signal.SIGSTOP)  # alive, but never answers
    monkeypatch.setattr(chart_engine, "REPLY_TIMEOUT_S", 1)
    assert chart_engine.render([SPEC], VEGA_LITE, LOCALE) == [_here(SPEC)]
    assert stuck.wait(timeout=10) == -signal.SIGKILL
