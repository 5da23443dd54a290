"""The KPI dashboard page, rendered for real in headless Chromium."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from orchestration.serving.dashboard import dashboard_path, write_dashboard

pytestmark = pytest.mark.e2e

TITLES = [
    "MRR",
    "MRR bridge",
    "ARR",
    "Churn and NRR (%)",
    "Cohort retention (logos)",
    "Funnel by channel (last 12 months)",
    "Support times (minutes, median)",
    "CSAT and NPS",
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
]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium package")
    return path


@pytest.fixture(scope="module")
def page(small_warehouse: Path) -> Path:
    # `tally run` wrote it after publishing; write it again to test the function itself
    assert dashboard_path(small_warehouse).exists()
    return write_dashboard(small_warehouse)


def test_dashboard_is_self_contained(page: Path) -> None:
    text = page.read_text()
    assert (
        "<script" not in text
        and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        and "https://" not in text
    )


def test_chromium_draws_every_chart(chromium: str, page: Path, tmp_path: Path) -> None:
    dom = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile-dom'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    for title in TITLES:
        assert f"<h2>{title}</h2>" in dom.replace("&amp;", "&"), title
    assert dom.count("<svg") == len(TITLES)
    assert dom.count('<path d="M') >= 6  # the line charts have lines


def test_screenshot_is_not_blank(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile-shot'}",
            f"--screenshot={shot}",
            "--window-size=1280,1600",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
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
