"""A static KPI dashboard page, written beside the served warehouse after every run.

One self-contained HTML file: every chart is a Vega-Lite spec (built with Altair) rendered to
inline SVG by `vl-convert` at write time, so the page has no JavaScript and no CDN and opens from a
file share or an offline laptop. Every chart is titled with the catalog names of its KPIs
(KPIS.md); money axes carry the reporting currency, rates are percentages on their own axes.

`render` turns an open warehouse connection into the page; `write_dashboard` opens the served file
read-only and replaces the page atomically.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd

from orchestration.serving import chart_engine
from orchestration.serving.warehouse import dashboard_path

VEGA_LITE = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
WIDTH, HEIGHT = 520, 220
# Charts: a font the renderer measures and browsers draw alike (DejaVu Sans on Linux, its
# metric sibling Verdana elsewhere), so labels placed by vl-convert do not collide in a browser.
CHART_FONT = "DejaVu Sans, Verdana, sans-serif"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
PALETTE = ["#2563eb", "#16a34a", "#0891b2", "#ea580c", "#dc2626", "#9333ea", "#4b5563"]
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "¥"}
BRIDGE = ["new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr"]
BRIDGE_COLORS = ["#2563eb", "#0891b2", "#16a34a", "#f59e0b", "#dc2626"]
FUNNEL = ["new_leads", "new_mqls", "new_sqls", "new_opportunities", "new_customers"]


# --- axis formats (Vega expressions: the labels are computed when the SVG is rendered) -------


def number_locale(currency: str) -> dict:
    """d3-format locale whose `$` is the reporting currency's symbol (or its code)."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), f"{currency.upper()} ")
    return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": [symbol, ""]}


# Money ticks: d3's SI format with the precision of the tick step (`$0`, `$1.5k`, `−$20k`,
# `$1.2M`), billions as B, and plain amounts below 1,000 (no "m" for milli).
MONEY_LABELS = (
    "abs(datum.value) < 1000 ? format(datum.value, '$,~f') : replace(datum.label, 'G', 'B')"
)


def _month_axis() -> alt.X:
    return alt.X(
        "utcyearmonth(month):T",
        title=None,
        axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month", labelOverlap="greedy"),
    )


def _money_axis(currency: str, title: str) -> alt.Axis:
    return alt.Axis(title=f"{title} ({currency})", format="$s", labelExpr=MONEY_LABELS, tickCount=5)


def _percent_axis(title: str) -> alt.Axis:
    # no precision in the format: Vega picks the one of the tick step (0.5%, 1%, ...)
    return alt.Axis(title=title, format="%", tickCount=5)


def _color(names: list[str], colors: list[str] | None = None) -> alt.Color:
    return alt.Color(
        "kpi:N",
        title=None,
        sort=names,
        scale=alt.Scale(domain=names, range=colors or PALETTE[: len(names)]),
        legend=alt.Legend(orient="bottom", columns=min(len(names), 3), labelLimit=260),
    )


def _long(frame: pd.DataFrame, kpis: list[str]) -> pd.DataFrame:
    long = frame.melt(id_vars=["month"], value_vars=kpis, var_name="kpi", value_name="value")
    return long.dropna(subset=["value"])


def _lines(frame: pd.DataFrame, kpis: list[str], y_axis: alt.Axis, zero: bool = True) -> alt.Chart:
    data = _long(frame, kpis)
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=28), strokeWidth=2)
        .encode(
            x=_month_axis(),
            y=alt.Y("value:Q", axis=y_axis, scale=alt.Scale(zero=zero, nice=True)),
            color=_color(kpis),
        )
    )


# --- the charts ----------------------------------------------------------------------------


def mrr_bridge(frame: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Movements of each month as signed stacked bars (losses below zero), net_new_mrr on top."""
    signed = frame[["month", *BRIDGE, "net_new_mrr"]].copy()
    for loss in ("contraction_mrr", "churned_mrr"):
        signed[loss] = -signed[loss]
    bars = (
        alt.Chart(_long(signed, BRIDGE))
        .mark_bar()
        .encode(
            x=alt.X(
                "utcyearmonth(month):O",
                title=None,
                axis=alt.Axis(format="%b %Y", labelAngle=0, labelOverlap="greedy"),
            ),
            y=alt.Y("sum(value):Q", axis=_money_axis(currency, "movement"), stack="zero"),
            color=_color([*BRIDGE, "net_new_mrr"], [*BRIDGE_COLORS, "#111827"]),
            order=alt.Order("order:Q"),
        )
        .transform_calculate(order=f"indexof({BRIDGE!r}, datum.kpi)")
    )
    net = (
        alt.Chart(_long(signed, ["net_new_mrr"]))
        .mark_tick(thickness=3, size=16)
        .encode(x="utcyearmonth(month):O", y="value:Q", color=alt.Color("kpi:N"))
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#111827").encode(y="y:Q")
    return alt.layer(bars, net, zero)


def cohort_heatmap(cohorts: pd.DataFrame) -> alt.Chart:
    rows = cohorts["cohort"].nunique()
    return (
        alt.Chart(cohorts)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "months_since_start:O",
                title="months since the cohort month",
                axis=alt.Axis(labelAngle=0, labelOverlap="greedy"),
            ),
            y=alt.Y(
                "cohort:O",
                title="cohort_month",
                sort="ascending",
                axis=alt.Axis(labelOverlap="greedy"),
            ),
            color=alt.Color(
                "logo_retention:Q",
                title="logo_retention",
                scale=alt.Scale(domain=[0, 1], scheme="blues"),
                legend=alt.Legend(format=".0%", orient="right", gradientLength=120, titleLimit=200),
            ),
        )
        .properties(height=max(120, min(22 * rows, 480)))
    )


def funnel_by_channel(channels: pd.DataFrame) -> alt.Chart:
    """Each stage its own bar, side by side (not stacked: a stage is a subset of the one before)."""
    stages = [s for s in FUNNEL if s in channels.columns]
    data = channels.melt(id_vars=["channel"], value_vars=stages, var_name="kpi", value_name="value")
    order = channels.sort_values(stages[0], ascending=False)["channel"].tolist()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "channel:N",
                title=None,
                sort=order,
                axis=alt.Axis(labelLimit=200, labelPadding=6),
            ),
            yOffset=alt.YOffset("kpi:N", sort=stages),
            x=alt.X("value:Q", title="count", axis=alt.Axis(tickCount=5, format=",.0f")),
            color=_color(stages),
        )
        .properties(height=alt.Step(6))
    )


@dataclass(frozen=True)
class Figure:
    title: str  # the catalog names of the KPIs drawn
    note: str
    chart: Callable[[], alt.TopLevelMixin] | None  # None: no data yet


MONTHLY = [
    "month",
    "mrr",
    "arr",
    "paying_customers",
    *BRIDGE,
    "net_new_mrr",
    "customer_churn_rate",
    "gross_mrr_churn_rate",
    "nrr",
    "grr",
    "first_reply_minutes_median",
    "resolution_minutes_median",
    "csat",
    "nps",
]


def _frame_months(con: duckdb.DuckDBPyConnection, schema: str = "marts") -> pd.DataFrame:
    """kpi_monthly's charted columns (a column the mart lacks comes back empty)."""
    frame = con.execute(f"select * from {schema}.kpi_monthly order by month").df()
    frame = frame.reindex(columns=MONTHLY)
    for column in frame.columns:
        if column in ("month", "as_of_date"):
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
        else:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def _has(frame: pd.DataFrame, kpis: list[str]) -> bool:
    return not frame.empty and bool(frame[kpis].notna().to_numpy().any())


def figures(con: duckdb.DuckDBPyConnection, currency: str, schema: str = "marts") -> list[Figure]:
    months = _frame_months(con, schema)
    channels = con.execute(
        f"""
        select channel, {", ".join(f"sum({s}) as {s}" for s in FUNNEL)}
        from {schema}.kpi_by_channel_monthly
        where month > (select max(month) - interval 12 month from {schema}.kpi_monthly)
        group by channel
        having {" + ".join(f"coalesce(sum({s}), 0)" for s in FUNNEL)} > 0
        order by channel
        """
    ).df()
    channels[FUNNEL] = channels[FUNNEL].astype(float)
    cohorts = con.execute(
        f"""
        select strftime(cohort_month, '%Y-%m') as cohort, months_since_start, logo_retention
        from {schema}.cohort_retention
        where segment = 'all' and logo_retention is not null
        order by cohort_month, months_since_start
        """
    ).df()

    def when(ok: bool, build: Callable[[], alt.TopLevelMixin]) -> Callable | None:
        return build if ok else None

    money = lambda title: _money_axis(currency, title)  # noqa: E731
    return [
        Figure(
            "mrr",
            f"End of month, {currency}.",
            when(_has(months, ["mrr"]), lambda: _lines(months, ["mrr"], money("mrr"))),
        ),
        Figure(
            "net_new_mrr = new_mrr + reactivation_mrr + expansion_mrr − contraction_mrr − "
            "churned_mrr",
            "The MRR bridge: gains above zero, losses below; the black tick is net_new_mrr.",
            when(_has(months, BRIDGE), lambda: mrr_bridge(months, currency)),
        ),
        Figure(
            "arr",
            f"mrr × 12, {currency}.",
            when(_has(months, ["arr"]), lambda: _lines(months, ["arr"], money("arr"))),
        ),
        Figure(
            "customer_churn_rate, gross_mrr_churn_rate",
            "Monthly rates.",
            when(
                _has(months, ["customer_churn_rate", "gross_mrr_churn_rate"]),
                lambda: _lines(
                    months,
                    ["customer_churn_rate", "gross_mrr_churn_rate"],
                    _percent_axis("rate"),
                ),
            ),
        ),
        Figure(
            "nrr, grr",
            "Monthly net and gross revenue retention.",
            when(
                _has(months, ["nrr", "grr"]),
                lambda: _lines(months, ["nrr", "grr"], _percent_axis("retention"), zero=False),
            ),
        ),
        Figure(
            "logo_retention by cohort_month",
            "Share of each cohort's customers still paying, month by month.",
            when(not cohorts.empty, lambda: cohort_heatmap(cohorts)),
        ),
        Figure(
            "new_leads, new_mqls, new_sqls, new_opportunities, new_customers by channel",
            "Last 12 months; stages side by side.",
            when(not channels.empty, lambda: funnel_by_channel(channels)),
        ),
        Figure(
            "first_reply_minutes_median, resolution_minutes_median",
            "Minutes (calendar time).",
            when(
                _has(months, ["first_reply_minutes_median", "resolution_minutes_median"]),
                lambda: _lines(
                    months,
                    ["first_reply_minutes_median", "resolution_minutes_median"],
                    alt.Axis(title="minutes", format=",.0f", tickCount=5),
                ),
            ),
        ),
        Figure(
            "csat",
            "good ÷ (good + bad) ratings.",
            when(
                _has(months, ["csat"]),
                lambda: _lines(months, ["csat"], _percent_axis("csat")),
            ),
        ),
        Figure(
            "nps",
            "Promoters − detractors, per 100 responses (−100 to 100).",
            when(
                _has(months, ["nps"]),
                lambda: _lines(months, ["nps"], alt.Axis(title="nps", format=",.0f", tickCount=5)),
            ),
        ),
    ]


def vega_lite_spec(chart: alt.TopLevelMixin, validate: bool = False) -> dict:
    """The chart's Vega-Lite spec with the page's look. Altair's JSON-schema validation (~0.2 s
    of the page's 10 charts, holding the GIL the publish's copy needs) runs in the tests, on
    every figure (tests/serving/test_dashboard.py), not in every run."""
    spec = (
        chart.properties(width=WIDTH)
        .configure(font=CHART_FONT, background="white")
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=11, titleFontSize=11, labelColor="#374151", grid=True)
        .configure_legend(labelFontSize=11, symbolType="square")
        .to_dict(validate=validate)
    )
    if "height" not in spec and not spec.get("layer", [{}])[0].get("height"):
        spec["height"] = HEIGHT
    return spec


def to_svgs(charts: list[alt.TopLevelMixin], currency: str) -> list[str]:
    """The charts as SVG strings, rendered offline (no data or font is fetched) by the chart
    engine's process (orchestration/serving/chart_engine.py)."""
    specs = [vega_lite_spec(chart) for chart in charts]
    svgs = chart_engine.render(specs, VEGA_LITE, number_locale(currency))
    return [svg.replace("<svg ", '<svg role="img" ', 1) for svg in svgs]


def run_warnings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """Rows of `marts.run_warnings` (check_name, model, message), if that table exists."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'run_warnings'"
    ).fetchone()[0]
    if not exists:
        return []
    return _as_text(
        con.execute(
            "select check_name, model, message from marts.run_warnings "
            "order by check_name nulls last, model nulls last"
        ).fetchall()
    )


def _as_text(rows: list[tuple]) -> list[tuple[str, str, str]]:
    return [tuple("" if v is None else str(v) for v in row) for row in rows]  # type: ignore[misc]


def reporting_currency(con: duckdb.DuckDBPyConnection, default: str, schema: str = "marts") -> str:
    """The marts' `reporting_currency` column if they carry one, else `default`."""
    found = con.execute(
        "select table_name from information_schema.columns where table_schema = ? "
        "and table_catalog = current_database() and column_name = 'reporting_currency' "
        "order by table_name = 'kpi_monthly' desc limit 1",
        [schema],
    ).fetchone()
    if found:
        value = con.execute(
            f'select max(reporting_currency) from {schema}."{found[0]}"'
        ).fetchone()[0]
        if value:
            return str(value).upper()
    return default.upper()


def _sorted_warnings(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """As `run_warnings` reads them from the table: text, sorted, None last."""
    return _as_text(
        sorted(rows, key=lambda r: (r[0] is None, r[0] or "", r[1] is None, r[1] or ""))
    )


def _warnings_html(rows: list[tuple[str, str, str]]) -> str:
    if not rows:
        return ""
    items = "".join(
        f"<li><b>{html.escape(check)}</b>"
        + (f" <code>{html.escape(model)}</code>" if model else "")
        + f": {html.escape(message)}</li>"
        for check, model, message in rows
    )
    return (
        f'<section class="warnings" role="alert"><h2>Warnings of the last run ({len(rows)})</h2>'
        f"<ul>{items}</ul></section>"
    )


def _headline(months: pd.DataFrame, currency: str) -> str:
    if months.empty:
        return '<p class="headline">No data in the marts yet.</p>'
    last = months.iloc[-1]
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")

    def money(value: float) -> str:
        return "n/a" if pd.isna(value) else f"{symbol}{value:,.0f}"

    customers = last.get("paying_customers")
    return (
        f'<p class="headline">{html.escape(str(last["month"])[:7])}: mrr '
        f"<b>{money(last['mrr'])}</b> · arr <b>{money(last['arr'])}</b> · paying_customers "
        f"<b>{'n/a' if pd.isna(customers) else f'{int(customers):,}'}</b></p>"
    )


def render(
    con: duckdb.DuckDBPyConnection,
    generated_at: datetime,
    currency: str = "USD",
    schema: str = "marts",
    warnings: list[tuple[str, str, str]] | None = None,
) -> str:
    """The page, from the marts of an open warehouse connection (`schema`); the run's warnings
    from `warnings` (check, model, message) when given, else from `run_warnings`."""
    currency = reporting_currency(con, currency, schema)
    drawn = figures(con, currency, schema)
    svgs = iter(to_svgs([figure.chart() for figure in drawn if figure.chart], currency))
    parts = []
    for figure in drawn:
        body = next(svgs) if figure.chart else '<p class="empty">No data for this chart yet.</p>'
        parts.append(
            f'<figure class="chart"><h2>{html.escape(figure.title)}</h2>{body}'
            f"<figcaption>{html.escape(figure.note)}</figcaption></figure>"
        )
    shown = run_warnings(con) if warnings is None else _sorted_warnings(warnings)
    headline = _headline(_frame_months(con, schema), currency)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tally KPIs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: {FONT}; margin: 24px; color: #111827; background: #fff; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 16px; }}
figure.chart {{ margin: 0; padding: 12px; border: 1px solid #e5e7eb; border-radius: 8px;
  overflow-x: auto; }}
figure.chart svg {{ max-width: 100%; height: auto; display: block; }}
h1 {{ margin: 0 0 4px; }} h2 {{ font-size: 15px; margin: 0 0 8px; overflow-wrap: anywhere; }}
figcaption, .meta, .empty {{ color: #6b7280; font-size: 12px; }}
.warnings {{ border: 1px solid #f59e0b; background: #fffbeb; border-radius: 8px;
  padding: 8px 16px; margin: 12px 0; }}
.warnings h2 {{ color: #92400e; }} .warnings li {{ margin: 4px 0; }}
</style></head>
<body><h1>Tally KPIs</h1>{_warnings_html(shown)}{headline}
<p class="meta">Generated {generated_at:%Y-%m-%d %H:%M} UTC from the marts; amounts in
{html.escape(currency)}.</p>
<main>{"".join(parts)}</main></body></html>
"""


def write_dashboard(served: Path, reporting_currency: str | None = None) -> Path:
    """Write the page beside `served`; the currency falls back to TALLY_REPORTING_CURRENCY."""
    with duckdb.connect(str(served), read_only=True) as con:
        return write_page(con, dashboard_path(served), reporting_currency)


def write_page(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    reporting_currency: str | None = None,
    schema: str = "marts",
    warnings: list[tuple[str, str, str]] | None = None,
) -> Path:
    """Render the page from `con` into `target`, replaced whole (see `render`)."""
    currency = reporting_currency or os.environ.get("TALLY_REPORTING_CURRENCY") or "USD"
    page = render(con, datetime.now(UTC), currency, schema, warnings)
    partial = target.with_name(f".{target.name}.writing")
    partial.write_text(page, encoding="utf-8")
    partial.replace(target)
    return target
