"""bench/run.py rewrites the Stripe section of RESULTS.md from bench/cache/results.json; the
rows of earlier runs that the cache no longer holds (another machine, a cleared cache) stay."""

from __future__ import annotations

import importlib.util
import sys

from tests.conftest import REPO


def _bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["bench_run"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


HEADER = (
    "| scenario | landing | tally | floor | tally/floor | peak tally | peak floor | agree "
    "| date, commit |"
)
PHASE_HEADER = (
    "| scenario | start-up | load | dbt SQL | tests | dbt overhead | publish | other | total |"
)


def _section(summary: list[str], phases: list[str], runs: list[str]) -> list[str]:
    return [
        "<!-- stripe-scenarios -->",
        HEADER,
        "|---|---|---|---|---|---|---|---|---|",
        *summary,
        "",
        PHASE_HEADER,
        "|---|---|---|---|---|---|---|---|---|",
        *phases,
        "",
        "Every run, newest last:",
        "",
        *runs,
        "<!-- /stripe-scenarios -->",
    ]


def test_earlier_rows_stay_under_the_new_ones_and_runs_stay_before_them() -> None:
    old_row = (
        "| stripe10k | 10,000 customers, 42.8 MB, 364 files | 16.2 s | 0.6 s | 26.5 | 740 MiB "
        "| 276 MiB | yes (3/3) | 2026-12-07, aaa |"
    )
    new_row = old_row.replace("16.2 s", "15.0 s").replace("aaa", "bbb")
    old_phase = "| stripe10k (2026-12-07, aaa) | 3.5 | 1.5 | 3.2 | 1.8 | 4.5 | 1.4 | 0.3 | 16.2 |"
    new_phase = "| stripe10k | 3.0 | 1.5 | 3.2 | 1.8 | 4.0 | 1.3 | 0.2 | 15.0 |"
    old_run = "- stripe10k, 2026-12-07 at aaa: 16.2 / 740; 0.6 / 276"
    new_run = "- stripe10k, 2026-12-08 at bbb: 15.0 / 700; 0.6 / 270"
    previous = _section([old_row], [old_phase], [old_run])
    written = _section([new_row], [new_phase], [new_run])

    merged = _bench_run()._with_earlier_rows(written, previous)

    assert merged == _section([new_row, old_row], [new_phase, old_phase], [old_run, new_run])
    assert _bench_run()._with_earlier_rows(merged, merged) == merged  # nothing doubles
