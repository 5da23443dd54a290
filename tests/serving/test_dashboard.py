"""The KPI dashboard page: built from small hand-made marts, rendered for real in headless Chromium.

The marts here are a tiny DuckDB file made in the test (14 months, 7 channels, a year of cohorts),
so the page is tested without running the pipeline. Chromium checks what only a browser knows:
every chart has drawn marks, no two labels of a chart overlap and none is cut off, and the
screenshot is not blank.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
import struct
import subprocess
import zlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.serving.dashboard import (
    dashboard_path,
    figures,
    vega_lite_spec,
    write_dashboard,
    write_page,
)

# Each chart's title: the catalog names (KPIS.md) of the KPIs it draws.
TITLES = [
    "mrr",
    "net_new_mrr = new_mrr + reactivation_mrr + expansion_mrr − contraction_mrr − churned_mrr",
    "arr",
    "customer_churn_rate, gross_mrr_churn_rate",
    "nrr, grr",
    "logo_retention by cohort_month",
    "new_leads, new_mqls, new_sqls, new_opportunities, new_customers by channel",
    "first_reply_minutes_median, resolution_minutes_median",
    "csat",
    "nps",
]
CHANNELS = [
    "organic_search",
    "paid_search",
    "paid_social",
    "direct",
    "referral",
    "email",
    "organic_social",
]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,2400",
]
SVG_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


def _months(n: int) -> list[date]:
    return [date(2024 + (m // 12), m % 12 + 1, 1) for m in range(n)]


def make_marts(path: Path, *, currency: str | None = None, warnings: list | None = None) -> Path:
    """A served warehouse with hand-made rows in the marts the dashboard reads."""
    months = _months(14)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.kpi_monthly (
                month date, mrr decimal(38, 4), arr decimal(38, 4), paying_customers bigint,
                new_mrr decimal(38, 4), reactivation_mrr decimal(38, 4),
                expansion_mrr decimal(38, 4), contraction_mrr decimal(38, 4),
                churned_mrr decimal(38, 4), net_new_mrr decimal(38, 4),
                customer_churn_rate double, gross_mrr_churn_rate double, nrr double, grr double,
                first_reply_minutes_median double, resolution_minutes_median double,
                csat double, nps double
            )
            """
        )
        mrr = 0.0
        for i, month in enumerate(months):
            new, react, expa = 9000.0 + 500 * i, 300.0 * (i % 3), 1200.0 + 40 * i
            contr, churn = (0.0, 0.0) if i == 0 else (600.0 + 10 * i, 2500.0 + 900 * (i % 4))
            if i == 9:  # a bad month: the bridge goes below zero
                new, churn = 1000.0, 16000.0
            start, net = mrr, new + react + expa - contr - churn
            mrr = start + net
            con.execute(
                "insert into marts.kpi_monthly values "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    month,
                    round(mrr, 4),
                    round(mrr * 12, 4),
                    40 + 6 * i,
                    new,
                    react,
                    expa,
                    contr,
                    churn,
                    net,
                    None if i == 0 else 0.012 + 0.004 * (i % 5),
                    None if i == 0 else (contr + churn) / start,
                    None if i == 0 else (start + expa - contr - churn) / start,
                    None if i == 0 else (start - contr - churn) / start,
                    35.0 + 3 * (i % 4),
                    600.0 + 45 * (i % 6),
                    None if i == 0 else 0.78 + 0.015 * (i % 7),
                    None if i < 2 else -20.0 + 6 * i,
                ],
            )
        if currency:
            con.execute("alter table marts.kpi_monthly add column reporting_currency varchar")
            con.execute("update marts.kpi_monthly set reporting_currency = ?", [currency])
        con.execute(
            """
            create table marts.kpi_by_channel_monthly (
                month date, channel varchar, new_leads bigint, new_mqls bigint, new_sqls bigint,
                new_opportunities bigint, new_customers bigint
            )
            """
        )
        con.executemany(
            "insert into marts.kpi_by_channel_monthly values (?, ?, ?, ?, ?, ?, ?)",
            [
                (month, channel, 60 - 7 * c + i, 30 - 3 * c, 14 - c, 9 - c, 5 - c // 2)
                for i, month in enumerate(months)
                for c, channel in enumerate(CHANNELS)
            ],
        )
        con.execute(
            """
            create table marts.cohort_retention (
                cohort_month date, months_since_start integer, segment varchar,
                segment_value varchar, customers bigint, logo_retention double
            )
            """
        )
        con.executemany(
            "insert into marts.cohort_retention values (?, ?, ?, ?, ?, ?)",
            [
                (cohort, k, segment, value, 20, (0.97**k) if segment == "all" else 0.5)
                for c, cohort in enumerate(months[:12])
                for k in range(14 - c)
                for segment, value in (("all", "all"), ("plan", "pro"))
            ],
        )
        if warnings is not None:
            con.execute(
                "create table marts.run_warnings (check_name varchar, model varchar, "
                "message varchar)"
            )
            if warnings:
                con.executemany("insert into marts.run_warnings values (?, ?, ?)", warnings)
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    served = make_marts(tmp_path_factory.mktemp("served") / "warehouse.duckdb")
    target = write_dashboard(served)
    assert target == dashboard_path(served) == served.with_name("warehouse_dashboard.html")
    return target


def _svgs(text: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", text, re.S)


def _axis_labels(svg: str, axis: str) -> list[str]:
    """The visible tick labels of the chart's `X` or `Y` axes."""
    labels = []
    for group in re.findall(
        rf'<g class="mark-group role-axis"[^>]*aria-label="{axis}-axis[^"]*">(.*?)'
        r'<g class="mark-rule role-axis-domain"',
        svg,
        re.S,
    ):
        for block in re.findall(
            r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', group, re.S
        ):
            for attrs, text in re.findall(r"<text([^>]*)>([^<]*)</text>", block):
                if 'opacity="0"' not in attrs:
                    labels.append(html.unescape(text))
    return labels


def _number(label: str) -> float:
    """`−$1.5k` -> -1500.0, `12%` -> 12.0, `1,200` -> 1200.0."""
    text = label.replace("−", "-").replace(",", "")
    text = re.sub(r"^(-?)[^\d\-.]+", r"\1", text)  # currency symbol or code
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(text[-1:], 1.0)
    return float(text.rstrip("kMB%")) * scale


# --- the page as written ---------------------------------------------------------------------


def test_page_is_self_contained_without_javascript(page: Path) -> None:
    text = page.read_text()
    assert "<script" not in text and "<iframe" not in text
    for namespace in SVG_NAMESPACES:
        text = text.replace(namespace, "")
    assert "http://" not in text and "https://" not in text
    assert not list(page.parent.glob(".*.writing"))


def test_every_chart_is_valid_vega_lite(page: Path) -> None:
    """The specs as rendered, checked against Vega-Lite's JSON schema (a run skips the check)."""
    served = page.with_name("warehouse.duckdb")
    with duckdb.connect(str(served), read_only=True) as con:
        drawn = [figure for figure in figures(con, "USD") if figure.chart]
        assert [figure.title for figure in drawn] == TITLES
        for figure in drawn:
            assert vega_lite_spec(figure.chart(), validate=True)["$schema"], figure.title


def test_every_chart_is_titled_with_catalog_names(page: Path) -> None:
    text = page.read_text()
    titles = [html.unescape(t) for t in re.findall(r"<h2>(.*?)</h2>", text)]
    assert titles == TITLES
    assert len(_svgs(text)) == len(TITLES)
    legends = " ".join(re.findall(r'aria-label="Symbol legend[^"]*"', text))
    for kpi in ["mrr", "arr", "nrr", "grr", "csat", "nps", "new_leads", "new_customers"]:
        assert re.search(rf"\b{kpi}\b", legends), kpi


def test_value_axes_have_round_ticks(page: Path) -> None:
    """Tick steps are 1, 2 or 5 times a power of ten, and every tick is a multiple of the step."""
    for title, svg in zip(TITLES, _svgs(page.read_text()), strict=True):
        axis = "X" if title.startswith("new_leads") else "Y"
        if title.startswith("logo_retention"):
            continue  # both axes are categories
        values = [_number(label) for label in _axis_labels(svg, axis)]
        assert len(values) >= 3, (title, values)
        steps = {round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}
        assert len(steps) == 1, (title, values)
        step = abs(steps.pop())
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mantissa, m) for m in (1, 2, 5)), (title, values)
        assert all(math.isclose(v / step, round(v / step), abs_tol=1e-6) for v in values), title


def test_money_axes_carry_the_reporting_currency(page: Path, tmp_path: Path) -> None:
    svgs = dict(zip(TITLES, _svgs(page.read_text()), strict=True))
    for title in ("mrr", "arr", TITLES[1]):
        labels = _axis_labels(svgs[title], "Y")
        assert all(label.lstrip("−").startswith("$") for label in labels), (title, labels)
        assert "(USD)" in svgs[title]
    # a currency named in the marts wins over the parameter
    served = make_marts(tmp_path / "eur.duckdb", currency="EUR")
    text = write_dashboard(served, reporting_currency="GBP").read_text()
    labels = _axis_labels(_svgs(text)[0], "Y")
    assert labels and all(label.startswith("€") for label in labels), labels
    assert "(EUR)" in text and "(GBP)" not in text


def test_mrr_bridge_is_signed_with_a_zero_line(page: Path) -> None:
    bridge = _svgs(page.read_text())[1]
    labels = _axis_labels(bridge, "Y")
    assert any(label.startswith("−") for label in labels) and "$0" in labels, labels
    assert 'class="mark-rule role-mark' in bridge  # the zero rule


def test_rates_and_nrr_are_percent_axes_of_their_own(page: Path) -> None:
    svgs = dict(zip(TITLES, _svgs(page.read_text()), strict=True))
    for title in ("customer_churn_rate, gross_mrr_churn_rate", "nrr, grr", "csat"):
        labels = _axis_labels(svgs[title], "Y")
        assert labels and all(label.endswith("%") for label in labels), (title, labels)
        assert len(set(labels)) == len(labels), (title, labels)  # enough decimals to differ
    assert "nrr" not in svgs["customer_churn_rate, gross_mrr_churn_rate"].split("legend")[-1]


def test_funnel_stages_side_by_side_and_heatmap_has_a_colour_legend(page: Path) -> None:
    svgs = dict(zip(TITLES, _svgs(page.read_text()), strict=True))
    funnel = svgs[TITLES[6]]
    assert all(f">{channel}</text>" in funnel for channel in CHANNELS)
    # side by side: every bar starts at zero, and a channel's five stages sit at five offsets
    bars = re.findall(
        r'aria-label="count: [\d,]+; channel: (\w+); kpi: (\w+)"[^>]*d="M([\d.]+),([\d.]+)h', funnel
    )
    assert len(bars) == len(CHANNELS) * 5
    assert {float(x) for _, _, x, _ in bars} == {0.0}
    for channel in CHANNELS:
        assert len({y for c, _, _, y in bars if c == channel}) == 5, channel
    heatmap = svgs["logo_retention by cohort_month"]
    assert 'aria-label="Gradient legend' in heatmap and "logo_retention" in heatmap
    assert ">100%</text>" in heatmap and ">0%</text>" in heatmap


def test_warnings_are_listed_first_when_the_run_left_some(tmp_path: Path) -> None:
    rows = [("fresh", "raw/zendesk", "no file landed for 3 days <late>")]
    text = write_dashboard(make_marts(tmp_path / "w.duckdb", warnings=rows)).read_text()
    section = re.search(r'<section class="warnings".*?</section>', text, re.S).group(0)
    assert "fresh" in section and "raw/zendesk" in section and "&lt;late&gt;" in section
    assert text.index('class="warnings"') < text.index('<figure class="chart"')


def test_the_page_from_the_pipeline_database_is_the_served_files_page(tmp_path: Path) -> None:
    """A publish renders the page from the pipeline database's marts (any schema: Spark's
    are `spark_marts`) with the run's warnings passed in, while it copies the marts: the page is
    the one the served copy gives, warnings in the same order."""
    rows = [("ranges", "kpi_daily", "b"), ("fresh", None, "a"), ("fresh", "raw/x", "c")]
    served = make_marts(tmp_path / "w.duckdb", warnings=rows)
    with duckdb.connect(str(tmp_path / "pipeline.duckdb")) as con:
        con.execute("attach ? as served (read_only)", [str(served)])
        con.execute("create schema built")
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'served' "
            "and table_name <> 'run_warnings'"
        ).fetchall():
            con.execute(f'create table built."{table}" as from served.marts."{table}"')
        con.execute("detach served")
        page = write_page(con, tmp_path / "page.html", schema="built", warnings=rows)

    def undated(text: str) -> str:  # and the renderer numbers gradients per process
        return re.sub(r"gradient_\d+", "gradient", re.sub(r"Generated [^<]* UTC", "", text))

    assert undated(page.read_text()) == undated(write_dashboard(served).read_text())
    assert page.read_text().count("<li>") == 3


@pytest.mark.parametrize("warnings", [None, []], ids=["no table", "empty table"])
def test_no_warnings_area_without_warnings(tmp_path: Path, warnings: list | None) -> None:
    text = write_dashboard(make_marts(tmp_path / "w.duckdb", warnings=warnings)).read_text()
    assert 'class="warnings"' not in text


def test_empty_marts_give_a_page_not_an_error(tmp_path: Path) -> None:
    served = tmp_path / "empty.duckdb"
    with duckdb.connect(str(served)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.kpi_monthly (month date, mrr decimal(38, 4))")
        con.execute("create table marts.kpi_by_channel_monthly (month date, channel varchar)")
        for stage in ("new_leads", "new_mqls", "new_sqls", "new_opportunities", "new_customers"):
            con.execute(f"alter table marts.kpi_by_channel_monthly add column {stage} bigint")
        con.execute(
            "create table marts.cohort_retention (cohort_month date, months_since_start int, "
            "segment varchar, logo_retention double)"
        )
    text = write_dashboard(served).read_text()
    assert "No data in the marts yet" in text and text.count("No data for this chart") == 10


# --- in the browser ------------------------------------------------------------------------

# Run in the page (a test copy only: the real page has no script), then the DOM is dumped.
LAYOUT_PROBE = """
<script>
const report = [];
for (const figure of document.querySelectorAll('figure.chart')) {
  const svg = figure.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('g.role-mark > *')].filter((m) => {
    const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length;
  const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() &&
    t.getAttribute('opacity') !== '0' && getComputedStyle(t).visibility !== 'hidden');
  const rects = texts.map((t) => [t.textContent, t.getBoundingClientRect()]);
  const overlaps = [], clipped = [];
  for (let i = 0; i < rects.length; i++) {
    const [name, r] = rects[i];
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
        r.bottom > box.bottom + 1) clipped.push(name);
    for (let j = i + 1; j < rects.length; j++) {
      const s = rects[j][1];
      const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (w > 1 && h > 1) overlaps.push([name, rects[j][0]]);
    }
  }
  report.push({title: figure.querySelector('h2').textContent, width: box.width,
               height: box.height, marks, texts: texts.length, overlaps, clipped});
}
const out = document.createElement('pre');
out.id = 'layout-report';
out.textContent = JSON.stringify(report);
document.body.appendChild(out);
</script>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium package")
    return path


def _chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def layout(chromium: str, page: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text().replace("</body>", LAYOUT_PROBE + "</body>"))
    profile = tmp_path_factory.mktemp("profile-dom")
    dom = _chromium(chromium, profile, "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'<pre id="layout-report">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


def test_chromium_draws_every_chart(layout: list[dict]) -> None:
    assert [chart["title"] for chart in layout] == TITLES
    for chart in layout:
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["marks"] >= 3, chart  # lines, points, bars or cells: not an empty frame
        assert chart["texts"] >= 5, chart  # tick labels, axis titles, legend


def test_no_chart_label_overlaps_or_is_cut_off(layout: list[dict]) -> None:
    for chart in layout:
        assert chart["overlaps"] == [], (chart["title"], chart["overlaps"])
        assert chart["clipped"] == [], (chart["title"], chart["clipped"])


def test_screenshot_is_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    _chromium(chromium, tmp_path / "profile-shot", f"--screenshot={shot}", page.as_uri())
    assert shot.exists()
    pixels = _png_pixel_bytes(shot.read_bytes())
    distinct = len(set(pixels[i : i + 3] for i in range(0, min(len(pixels), 3_000_000), 3)))
    assert distinct > 20  # text, grid lines and colored series, not a blank page


def _png_pixel_bytes(png: bytes) -> bytes:
    """The decompressed image data of a PNG (filter bytes included: enough to see variety)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, data = 8, b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        if kind == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return zlib.decompress(data)


# --- the real pipeline (shares the session's small warehouse with the other e2e tests) -------


@pytest.mark.e2e
def test_pipeline_run_writes_the_dashboard(small_warehouse: Path) -> None:
    text = dashboard_path(small_warehouse).read_text()
    assert [html.unescape(t) for t in re.findall(r"<h2>(.*?)</h2>", text)][-10:] == TITLES
    assert "<script" not in text and len(_svgs(text)) == len(TITLES)
