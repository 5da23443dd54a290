"""`finance/expenses.csv` and `finance/fx_rates.csv` for the simulated company."""

from __future__ import annotations

import csv
import math
import random
from datetime import date, timedelta
from pathlib import Path

from sample.business import CHANNELS

# Marketing spend by acquisition channel (USD a month at scale 1); organic channels cost content.
_MARKETING = {
    "paid_search": 9000,
    "paid_social": 6000,
    "email": 1200,
    "organic_search": 2500,
    "referral": 1500,
    "organic_social": 800,
}
# EUR, GBP and JPY in USD, with a small daily random walk.
_FX_START = {"EUR": 1.09, "GBP": 1.27, "JPY": 0.0068}


def write_finance(out: Path, start: date, end: date, scale: float, rng: random.Random) -> None:
    folder = out / "finance"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "expenses.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "category", "channel", "amount", "currency"])
        writer.writerow([f"{start:%Y-%m}", "opening_cash", "", f"{250000 * scale:.2f}", "USD"])
        month, n = date(start.year, start.month, 1), 0
        while month <= end:
            growth = 1 + 0.04 * n
            for category, base in (
                ("cogs", 6000),
                ("support", 4500),
                ("sales", 14000),
                ("rnd", 30000),
                ("g_and_a", 9000),
            ):
                amount = base * scale * growth * rng.uniform(0.9, 1.1)
                writer.writerow([f"{month:%Y-%m}", category, "", f"{amount:.2f}", "USD"])
            for channel, base in _MARKETING.items():
                assert channel in CHANNELS
                season = 1 + 0.2 * math.cos(2 * math.pi * (month.month - 1) / 12)
                amount = base * scale * growth * season * rng.uniform(0.85, 1.15)
                writer.writerow([f"{month:%Y-%m}", "marketing", channel, f"{amount:.2f}", "USD"])
            # A European contractor billed in EUR: conversion is part of the data.
            writer.writerow([f"{month:%Y-%m}", "rnd", "", f"{4000 * scale:.2f}", "EUR"])
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            n += 1
    with (folder / "fx_rates.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "currency", "rate_to_reporting"])
        rates = dict(_FX_START)
        day = start
        while day <= end:
            for currency in rates:
                rates[currency] *= 1 + rng.gauss(0, 0.003)
                writer.writerow([day.isoformat(), currency, f"{rates[currency]:.8f}"])
            day += timedelta(days=1)
