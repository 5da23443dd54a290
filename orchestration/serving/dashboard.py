"""A static KPI dashboard page, written beside the served warehouse after every run.

One self-contained HTML file with inline SVG charts: no JavaScript, no CDN, so it opens from a
file share or an offline laptop. The drawing helpers are pure functions of the numbers; only
`write_dashboard` reads the warehouse and writes the file.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 260, 64, 28, 12
COLORS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563")

Series = tuple[str, Sequence[float | None]]


def dashboard_path(served: Path) -> Path:
    return served.with_name(f"{served.stem}_dashboard.html")


def _fmt(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e3:
        return f"{value / 1e3:.1f}k"
    if magnitude and magnitude < 1:
        return f"{value:.2f}"
    return f"{value:.0f}"


def _scale(lo: float, hi: float) -> tuple[float, float]:
    if lo == hi:
        return (lo - 1, hi + 1)
    return (min(lo, 0.0), hi) if lo >= 0 else (lo, max(hi, 0.0))


def _frame(labels: Sequence[str], lo: float, hi: float, body: str, legend: Sequence[str]) -> str:
    plot_w, plot_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP
    grid = []
    for i in range(5):
        value = lo + (hi - lo) * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        grid.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" '
            f'stroke="#e5e7eb"/><text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end" font-size="11" fill="#6b7280">{_fmt(value)}</text>'
        )
    step = max(1, math.ceil(len(labels) / 8))
    for i in range(0, len(labels), step):
        x = PAD_LEFT + plot_w * (i + 0.5) / max(len(labels), 1)
        grid.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11" '
            f'fill="#6b7280">{html.escape(labels[i])}</text>'
        )
    keys = "".join(
        f'<tspan fill="{COLORS[i % len(COLORS)]}">&#9632; {html.escape(name)}</tspan> '
        for i, name in enumerate(legend)
    )
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT + 18}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(grid)}{body}'
        f'<text x="{PAD_LEFT}" y="{HEIGHT + 14}" font-size="12">{keys}</text></svg>'
    )


def line_chart(labels: Sequence[str], series: Sequence[Series]) -> str:
    values = [v for _, vs in series for v in vs if v is not None]
    lo, hi = _scale(min(values, default=0.0), max(values, default=1.0))
    plot_w, plot_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP
    body = []
    for n, (_, points) in enumerate(series):
        path, pen_down = [], False
        for i, value in enumerate(points):
            if value is None:
                pen_down = False
                continue
            x = PAD_LEFT + plot_w * (i + 0.5) / max(len(labels), 1)
            y = PAD_TOP + plot_h - plot_h * (value - lo) / (hi - lo)
            path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            pen_down = True
        body.append(
            f'<path d="{" ".join(path)}" fill="none" stroke="{COLORS[n % len(COLORS)]}" '
            'stroke-width="2"/>'
        )
    return _frame(labels, lo, hi, "".join(body), [name for name, _ in series])


def bar_chart(labels: Sequence[str], series: Sequence[Series], stacked: bool = True) -> str:
    """Bars per label; positive values stack up from 0, negative ones down."""
    ups = [sum(max(v or 0, 0) for _, vs in series for v in [vs[i]]) for i in range(len(labels))]
    downs = [sum(min(v or 0, 0) for _, vs in series for v in [vs[i]]) for i in range(len(labels))]
    lo, hi = _scale(min(downs, default=0.0), max(ups, default=1.0))
    plot_w, plot_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / max(len(labels), 1)

    def y_of(value: float) -> float:
        return PAD_TOP + plot_h - plot_h * (value - lo) / (hi - lo)

    body = []
    for i in range(len(labels)):
        up = down = 0.0
        for n, (_, values) in enumerate(series):
            value = values[i] or 0.0
            base = up if value >= 0 else down
            top, bottom = (base + value, base) if value >= 0 else (base, base + value)
            if value >= 0:
                up += value
            else:
                down += value
            x = PAD_LEFT + slot * i + slot * 0.15
            body.append(
                f'<rect x="{x:.1f}" y="{y_of(top):.1f}" width="{slot * 0.7:.1f}" '
                f'height="{max(y_of(bottom) - y_of(top), 0):.1f}" '
                f'fill="{COLORS[n % len(COLORS)]}"/>'
            )
    return _frame(labels, lo, hi, "".join(body), [name for name, _ in series])


def heatmap(rows: Sequence[str], columns: int, cells: dict[tuple[int, int], float]) -> str:
    """Values in [0, 1] as shades of blue: rows (cohorts) by columns (months since start)."""
    size_w = (WIDTH - 90) / max(columns, 1)
    size_h = min(18.0, 400 / max(len(rows), 1))
    body = []
    for r, label in enumerate(rows):
        y = 20 + r * size_h
        body.append(
            f'<text x="80" y="{y + size_h * 0.75:.1f}" text-anchor="end" font-size="10" '
            f'fill="#374151">{html.escape(label)}</text>'
        )
        for c in range(columns):
            if (r, c) not in cells:
                continue
            value = max(0.0, min(1.0, cells[(r, c)]))
            shade = int(245 - 200 * value)
            body.append(
                f'<rect x="{86 + c * size_w:.1f}" y="{y:.1f}" width="{size_w - 1:.1f}" '
                f'height="{size_h - 1:.1f}" fill="rgb({shade},{shade + 5},255)">'
                f"<title>{label} +{c}: {value:.0%}</title></rect>"
            )
    height = 30 + len(rows) * size_h
    return (
        f'<svg viewBox="0 0 {WIDTH} {height:.0f}" width="100%" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><text x="86" y="12" font-size="11" '
        f'fill="#6b7280">months since first payment &#8594;</text>{"".join(body)}</svg>'
    )


def _figure(title: str, svg: str, note: str = "") -> str:
    return (
        f'<figure class="chart"><h2>{html.escape(title)}</h2>{svg}'
        + (f"<figcaption>{html.escape(note)}</figcaption>" if note else "")
        + "</figure>"
    )


def render(con: duckdb.DuckDBPyConnection, generated_at: datetime) -> str:
    """The page, from the marts of an open warehouse connection."""
    months = con.execute(
        """
        select strftime(month, '%Y-%m'), mrr, arr, new_mrr, reactivation_mrr, expansion_mrr,
               -contraction_mrr, -churned_mrr, customer_churn_rate, gross_mrr_churn_rate, nrr,
               first_reply_minutes_median, resolution_minutes_median, csat, nps,
               paying_customers
        from marts.kpi_monthly order by month
        """
    ).fetchall()
    labels = [m[0] for m in months]

    def col(i: int, factor: float = 1.0) -> list[float | None]:
        return [None if m[i] is None else float(m[i]) * factor for m in months]

    channels = con.execute(
        """
        select channel, sum(unique_visitors), sum(new_leads), sum(new_customers)
        from marts.kpi_by_channel_monthly
        where month >= (select max(month) - interval 11 month from marts.kpi_monthly)
        group by channel having sum(unique_visitors) + sum(new_leads) + sum(new_customers) > 0
        order by sum(new_customers) desc, channel
        """
    ).fetchall()
    cohorts = con.execute(
        """
        select strftime(cohort_month, '%Y-%m'), months_since_start, logo_retention
        from marts.cohort_retention where segment = 'all' order by cohort_month
        """
    ).fetchall()
    cohort_rows = sorted({c[0] for c in cohorts})
    cells = {(cohort_rows.index(c), int(k)): float(v) for c, k, v in cohorts if v is not None}
    latest = months[-1] if months else None
    headline = (
        ""
        if latest is None
        else (
            f'<p class="headline">{html.escape(latest[0])}: MRR <b>{_fmt(float(latest[1]))}</b> · '
            f"ARR <b>{_fmt(float(latest[2]))}</b> · paying customers <b>{latest[15]}</b></p>"
        )
    )
    figures = [
        _figure("MRR", line_chart(labels, [("MRR", col(1))])),
        _figure(
            "MRR bridge",
            bar_chart(
                labels,
                [
                    ("new", col(3)),
                    ("reactivation", col(4)),
                    ("expansion", col(5)),
                    ("contraction", col(6)),
                    ("churned", col(7)),
                ],
            ),
            "Movements of each month: start + movements = end.",
        ),
        _figure("ARR", line_chart(labels, [("ARR", col(2))])),
        _figure(
            "Churn and NRR (%)",
            line_chart(
                labels,
                [
                    ("customer churn", col(8, 100)),
                    ("gross MRR churn", col(9, 100)),
                    ("NRR", col(10, 100)),
                ],
            ),
        ),
        _figure(
            "Cohort retention (logos)",
            heatmap(cohort_rows, max((int(c[1]) for c in cohorts), default=0) + 1, cells),
        ),
        _figure(
            "Funnel by channel (last 12 months)",
            bar_chart(
                [c[0] for c in channels],
                [
                    ("leads", [float(c[2]) for c in channels]),
                    ("new customers", [float(c[3]) for c in channels]),
                ],
            ),
        ),
        _figure(
            "Support times (minutes, median)",
            line_chart(labels, [("first reply", col(11)), ("resolution", col(12))]),
        ),
        _figure("CSAT and NPS", line_chart(labels, [("CSAT (%)", col(13, 100)), ("NPS", col(14))])),
    ]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tally KPIs</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #111827; background: #fff; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }}
figure.chart {{ margin: 0; padding: 12px; border: 1px solid #e5e7eb; border-radius: 8px; }}
h1 {{ margin: 0 0 4px; }} h2 {{ font-size: 15px; margin: 0 0 8px; }}
figcaption, .meta {{ color: #6b7280; font-size: 12px; }}
</style></head>
<body><h1>Tally KPIs</h1>{headline}
<p class="meta">Generated {generated_at:%Y-%m-%d %H:%M} UTC from the marts.</p>
<main>{"".join(figures)}</main></body></html>
"""


def write_dashboard(served: Path) -> Path:
    target = dashboard_path(served)
    with duckdb.connect(str(served), read_only=True) as con:
        page = render(con, datetime.now(UTC))
    partial = target.with_name(f".{target.name}.writing")
    partial.write_text(page, encoding="utf-8")
    partial.replace(target)
    return target
