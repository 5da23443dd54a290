"""Faults injected into a copy of a generated landing zone, each with the outcome it must have.

Every fault writes into files of its own (new lines appended to a day's file, or files of the
`stripe/subscription_schedules` object, which the generator never writes), so the expected
quarantine rows of each fault can be asserted on their own after one pipeline run.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

DAY = "2025-03-03"


@dataclass
class Expected:
    """What one fault must leave behind."""

    name: str
    # (file, line or None for the whole file, substring of the reason), exactly these rows.
    quarantined: list[tuple[str, int | None, str]] = field(default_factory=list)
    lines_injected: int = 0
    # SQL returning one row of one value, and the value it must return (effect on staging).
    check_sql: str | None = None
    check_value: object = None


def _append(landing: Path, relpath: str, lines: list[str | bytes]) -> int:
    """Append lines to a landed file (creating it); return the first new line's number."""
    path = landing / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_bytes() if path.exists() else b""
    if existing and not existing.endswith(b"\n"):
        existing += b"\n"
    first = existing.count(b"\n") + 1
    payload = b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
    path.write_bytes(existing + payload)
    return first


def _ticket(ticket_id: int, **extra) -> str:
    return json.dumps(
        {
            "id": ticket_id,
            "created_at": f"{DAY}T10:00:00Z",
            "status": "open",
            "updated_at": f"{DAY}T10:00:00Z",
            **extra,
        }
    )


def _schedule(schedule_id: str, **extra) -> str:
    return json.dumps(
        {
            "id": schedule_id,
            "object": "subscription_schedule",
            "status": "active",
            "subscription": None,
            "customer": "cus_x",
            "created": 1740000000,
            **extra,
        }
    )


def inject_all(landing: Path) -> list[Expected]:
    out: list[Expected] = []

    rel = f"zendesk/tickets/{DAY}.jsonl"
    n = _append(landing, rel, ['{"id": 99000001, "created_at": "2025-03-03T10:00:00Z", "sta'])
    out.append(Expected("truncated_json_line", [(rel, n, "not valid JSON")], 1))

    rel = f"hubspot/contacts/{DAY}.jsonl"
    n = _append(landing, rel, ["this is not json at all"])
    out.append(Expected("line_not_json", [(rel, n, "not valid JSON")], 1))

    rel = f"stripe/customers/{DAY}.jsonl"
    n = _append(landing, rel, ["[1, 2]", '"just a string"'])
    out.append(
        Expected(
            "json_not_an_object",
            [(rel, n, "not an object (got array)"), (rel, n + 1, "not an object (got varchar)")],
            2,
        )
    )

    rel = f"stripe/charges/{DAY}.jsonl"
    n = _append(
        landing,
        rel,
        [
            json.dumps(
                {"id": "ch_fault1", "amount": 500, "status": "succeeded", "created": 1740990000}
            )
        ],
    )
    out.append(
        Expected("missing_required_field", [(rel, n, 'missing required field "currency"')], 1)
    )

    rel = f"zendesk/tickets/{DAY}.jsonl"
    n = _append(landing, rel, [_ticket(99000003, created_at=1740990000)])
    out.append(
        Expected(
            "wrong_type",
            [(rel, n, 'field "created_at" has the wrong type: expected a string, got ubigint')],
            1,
        )
    )

    rel = f"stripe/customers/{DAY}.jsonl"
    n = _append(landing, rel, [json.dumps({"id": None, "created": 1740990000})])
    out.append(Expected("null_required_field", [(rel, n, 'missing required field "id"')], 1))

    rel = "stripe/subscription_schedules/2025-03-04.jsonl"
    (landing / rel).parent.mkdir(parents=True, exist_ok=True)
    (landing / rel).write_bytes(b"\xef\xbb\xbf" + _schedule("sub_sched_bom").encode() + b"\n")
    out.append(
        Expected(
            "utf8_bom",
            [],
            1,
            "select count(*) from staging.stg_stripe__subscription_schedules "
            "where subscription_schedule_id = 'sub_sched_bom'",
            1,
        )
    )

    rel = f"hubspot/companies/{DAY}.jsonl"
    n = _append(landing, rel, [b'{"id": "99000004", "properties": {"name": "Caf\xe9 \xff"}}'])
    out.append(Expected("invalid_utf8", [(rel, n, "not valid UTF-8")], 1))

    rel = "stripe/subscription_schedules/2025-03-05.jsonl"
    (landing / rel).write_bytes(b"")
    out.append(
        Expected(
            "empty_file", [], 0, f"select lines_read from raw.load_audit where file = '{rel}'", 0
        )
    )

    rel = "stripe/subscription_schedules/2025-03-06.jsonl"
    (landing / rel).write_text(
        "\n" + _schedule("sched_b1") + "\n\n   \n" + _schedule("sched_b2") + "\n\n"
    )
    out.append(
        Expected(
            "blank_lines",
            [],
            2,
            f"select lines_loaded || '/' || blank_lines from raw.load_audit where file = '{rel}'",
            "2/4",
        )
    )

    ga4_file = sorted((landing / "ga4" / "events").glob("2025-03-1*.jsonl.gz"))[0]
    rel = ga4_file.relative_to(landing).as_posix()
    full = gzip.decompress(ga4_file.read_bytes()).decode()
    ga4_file.write_bytes(ga4_file.read_bytes()[: int(ga4_file.stat().st_size * 0.6)])
    out.append(
        Expected(
            "truncated_gzip",
            [(rel, None, "gzip file is truncated")],
            0,
            "select (lines_loaded > 0 and lines_loaded < "
            f"{full.count(chr(10))})::int from raw.load_audit where file = '{rel}'",
            1,
        )
    )

    rel = "stripe/subscription_schedules/2025-03-07.jsonl"
    (landing / rel).write_text(
        _schedule("sched_dup", status="not_started")
        + "\n"
        + _schedule("sched_dup", status="active")
        + "\n"
    )
    out.append(
        Expected(
            "duplicate_ids_within_a_file",
            [],
            2,
            "select status from staging.stg_stripe__subscription_schedules "
            "where subscription_schedule_id = 'sched_dup'",
            "active",
        )
    )

    rel = "stripe/subscription_schedules/2025-03-08.jsonl"
    (landing / rel).write_text(_schedule("sched_x", status="active") + "\n")
    rel2 = "stripe/subscription_schedules/2025-03-09.jsonl"
    (landing / rel2).write_text(_schedule("sched_x", status="canceled") + "\n")
    out.append(
        Expected(
            "duplicate_ids_across_files",
            [],
            2,
            "select status from staging.stg_stripe__subscription_schedules "
            "where subscription_schedule_id = 'sched_x'",
            "canceled",
        )
    )

    _append(
        landing,
        "zendesk/tickets/2025-03-09.jsonl",
        [_ticket(99000005, status="solved", updated_at="2025-03-09T10:00:00Z")],
    )
    _append(
        landing,
        "zendesk/tickets/2025-03-10.jsonl",
        [_ticket(99000005, status="open", updated_at="2025-03-01T10:00:00Z")],
    )
    out.append(
        Expected(
            "versions_out_of_order",
            [],
            2,
            "select status from staging.stg_zendesk__tickets where ticket_id = 99000005",
            "solved",
        )
    )

    _append(
        landing,
        f"zendesk/tickets/{DAY}.jsonl",
        [_ticket(99000006, brand_new_field={"nested": [1, 2]}, via={"channel": "api"})],
    )
    out.append(
        Expected(
            "unknown_extra_fields_kept",
            [],
            1,
            "select record->'brand_new_field'->'nested'->>1 from raw.zendesk_tickets "
            "where record->>'id' = '99000006'",
            "2",
        )
    )

    rel = "zendesk/satisfaction_ratings/2025-03-11.jsonl"
    drifted = [
        json.dumps(
            {
                "id": 99000100 + i,
                "ticket_id": 1,
                "rating": "good",
                "created_at": "2025-03-11T10:00:00Z",
            }
        )
        for i in range(3)
    ]
    n = _append(landing, rel, drifted)
    out.append(
        Expected(
            "schema_drift_required_field_dropped",
            [(rel, n + i, 'missing required field "score"') for i in range(3)],
            3,
        )
    )

    rel = f"stripe/refunds/{DAY}.jsonl"
    n = _append(
        landing,
        rel,
        [
            json.dumps(
                {
                    "id": "re_fault",
                    "charge": "ch_1",
                    "amount": -500,
                    "currency": "usd",
                    "created": 1740990000,
                }
            )
        ],
    )
    out.append(Expected("negative_amount", [(rel, n, 'field "amount" = -500 is negative')], 1))

    rel = f"stripe/customers/{DAY}.jsonl"
    n = _append(landing, rel, [json.dumps({"id": "cus_ms", "created": 1740990000000})])
    out.append(
        Expected(
            "milliseconds_for_seconds",
            [(rel, n, 'field "created" = 1740990000000 is not Unix seconds')],
            1,
        )
    )

    rel = f"stripe/customers/{DAY}.jsonl"
    n = _append(landing, rel, [json.dumps({"id": "cus_future", "created": 7258118400})])
    out.append(
        Expected(
            "date_far_in_the_future",
            [(rel, n, 'field "created" = 7258118400 (2200-01-01) is after the day of its file')],
            1,
        )
    )

    rel = "zendesk/tickets/tickets-export-final.jsonl"
    (landing / rel).write_text(_ticket(99000007) + "\n")
    out.append(Expected("file_name_not_a_date", [(rel, None, "file name is not a day")], 0))

    rel = "stripe/subscription_schedules/2025-03-12.jsonl"
    (landing / rel).write_bytes(
        (_schedule("sched_crlf1") + "\r\n" + _schedule("sched_crlf2") + "\r\n").encode()
    )
    out.append(
        Expected(
            "crlf_line_endings",
            [],
            2,
            "select count(*) from staging.stg_stripe__subscription_schedules "
            "where subscription_schedule_id like 'sched_crlf%'",
            2,
        )
    )

    rel = "stripe/subscription_schedules/2025-03-13.jsonl.gz"
    (landing / rel).write_text(_schedule("sched_not_gzip") + "\n")
    out.append(Expected("gzip_that_is_not_gzip", [(rel, None, "corrupt gzip data")], 0))

    rel = "finance/expenses.csv"
    with (landing / rel).open("a") as handle:
        handle.write("2025-03,marketing,paid_search,12 thousand,USD\n")
    lines = (landing / rel).read_text().count("\n")
    out.append(
        Expected(
            "csv_row_with_bad_amount", [(rel, lines, 'field "amount" is not a decimal number')], 1
        )
    )

    rel = "stripe/subscription_schedules/2025-03-14.jsonl"
    (landing / rel).write_text(_schedule("sched_nan", x=1).replace('"x": 1', '"x": NaN') + "\n")
    # Python's json writes NaN; DuckDB's parser accepts it: the record loads, nothing is lost.
    out.append(
        Expected(
            "non_standard_json_nan",
            [],
            1,
            "select count(*) from staging.stg_stripe__subscription_schedules "
            "where subscription_schedule_id = 'sched_nan'",
            1,
        )
    )
    return out
