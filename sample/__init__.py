"""Deterministic sample landing zone of a fictional B2B SaaS company (`tally generate`)."""

from __future__ import annotations

import json
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sample.business import Simulation
from sample.crm_helpdesk_records import hubspot_records, zendesk_records
from sample.finance_files import write_finance
from sample.ga4_events import write_ga4
from sample.stripe_records import (
    catalog_records,
    customer_record,
    invoice_records,
    subscription_records,
)

DEFAULT_START = date(2024, 1, 1)
DEFAULT_END = date(2025, 12, 31)


@dataclass(frozen=True)
class GenerationSummary:
    accounts: int
    paying_accounts: int
    records: dict[str, int]  # "<source>/<object>" -> lines written
    files: int
    bytes: int


def generate(
    out: Path,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    scale: float = 1.0,
    seed: int = 42,
) -> GenerationSummary:
    """Write a complete landing zone to `out` (replacing what the generator wrote there)."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    out = Path(out)
    for source in ("stripe", "hubspot", "ga4", "zendesk", "finance"):
        shutil.rmtree(out / source, ignore_errors=True)
    simulation = Simulation(start, end, scale, seed)
    accounts = simulation.run()
    end_at = simulation.end_at
    rng = random.Random(seed + 1)

    files: dict[tuple[str, str, date], list[str]] = defaultdict(list)

    def add(source: str, records) -> None:
        for obj, day, record in records:
            if start <= day <= end:
                files[(source, obj, day)].append(json.dumps(record, separators=(",", ":")))

    add("stripe", catalog_records(start))
    for account in accounts:
        add("stripe", [customer_record(account)])
        for sub in account.subscriptions:
            add("stripe", subscription_records(account, sub))
            for invoice in sub.invoices:
                add("stripe", invoice_records(account, invoice))
        add("hubspot", hubspot_records(account, rng, end_at))
        add("zendesk", zendesk_records(account, rng, end_at))

    counts: dict[str, int] = defaultdict(int)
    for (source, obj, day), lines in sorted(files.items()):
        folder = out / source / obj
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{day.isoformat()}.jsonl").write_text("\n".join(lines) + "\n")
        counts[f"{source}/{obj}"] += len(lines)
    counts["ga4/events"] = write_ga4(out, accounts, start, end, scale, seed)
    write_finance(out, start, end, scale, rng)

    written = [p for p in out.rglob("*") if p.is_file()]
    return GenerationSummary(
        accounts=len(accounts),
        paying_accounts=sum(a.converted for a in accounts),
        records=dict(sorted(counts.items())),
        files=len(written),
        bytes=sum(p.stat().st_size for p in written),
    )


__all__ = ["generate", "GenerationSummary", "DEFAULT_START", "DEFAULT_END"]
