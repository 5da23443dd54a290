"""The landing zone reads only what it should, and lists everything it does not read.

Loader-level: every object of the catalog is loaded from a hand-made landing zone into an
in-memory DuckDB, then `raw.quarantine` and `raw.load_audit` are read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from ingestion.catalog import ALL_OBJECTS
from ingestion.loader import load_object

SECRET = "root:x:0:0:SECRET-LINE-NEVER-TO-BE-READ"


def _ticket(ticket_id: int) -> str:
    return json.dumps({"id": ticket_id, "created_at": "2025-02-14T10:00:00Z", "status": "open"})


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _load_all(landing: Path, con: duckdb.DuckDBPyConnection | None = None):
    con = con or duckdb.connect()
    for spec in ALL_OBJECTS:
        for report in load_object(con, landing, spec):
            assert report.reconciles, report
    return con


def _audit(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(
        "select file, source, object, lines_read, lines_loaded, lines_quarantined, file_problem"
        " from raw.load_audit"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    _write(root / "zendesk/tickets/2025-02-14.jsonl", _ticket(1) + "\n")
    return root


def test_a_symlinked_file_is_refused_and_never_read(landing: Path, tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside" / "passwd", SECRET + "\n" + _ticket(2) + "\n")
    os.symlink(outside, landing / "zendesk/tickets/2025-02-15.jsonl")
    inside = landing / "zendesk/tickets/2025-02-14.jsonl"
    os.symlink(inside, landing / "zendesk/tickets/2025-02-16.jsonl")  # a link inside too
    con = _load_all(landing)
    rows = con.execute(
        "select file, line_number, partition_date, raw, reason from raw.quarantine order by file"
    ).fetchall()
    assert [r[:4] for r in rows] == [
        ("zendesk/tickets/2025-02-15.jsonl", None, None, None),
        ("zendesk/tickets/2025-02-16.jsonl", None, None, None),
    ]
    assert all(r[4].startswith("symbolic link: refused, not read") for r in rows)
    everything = con.execute(
        "select string_agg(record::varchar, '') from raw.zendesk_tickets"
    ).fetchone()[0]
    assert SECRET not in everything and '"id": 2' not in everything
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone()[0] == 1
    audit = _audit(con)
    assert audit["zendesk/tickets/2025-02-15.jsonl"][:5] == ("zendesk", "tickets", 0, 0, 0)


def test_a_symlinked_object_folder_is_refused(landing: Path, tmp_path: Path) -> None:
    outside = _write(tmp_path / "elsewhere" / "2025-02-14.jsonl", SECRET + "\n")
    os.symlink(outside.parent, landing / "zendesk/users")
    con = _load_all(landing)
    rows = con.execute("select file, line_number, raw, reason from raw.quarantine").fetchall()
    assert len(rows) == 1
    file, line, raw, reason = rows[0]
    assert (file, line, raw) == ("zendesk/users/", None, None)
    assert reason.startswith("symbolic link to a folder: refused")
    assert con.execute("select count(*) from raw.zendesk_users").fetchone()[0] == 0


def test_unread_entries_are_each_listed_in_the_audit(landing: Path) -> None:
    _write(landing / "zendesk/tickets/.2025-02-14.jsonl", _ticket(3) + "\n")
    _write(landing / "zendesk/tickets/archive/2025-02-13.jsonl", _ticket(4) + "\n")
    _write(landing / "zendesk/ticket/2025-02-14.jsonl", _ticket(5) + "\n")
    _write(landing / "zendesk/notes.txt", "hello\n")
    _write(landing / "salesforce/accounts/2025-02-14.jsonl", '{"id": 1}\n')
    _write(landing / "README.txt", "landing zone\n")
    _write(landing / ".DS_Store", "x")
    _write(landing / "finance/fx_rates.csv", "date,currency,rate_to_reporting\n")
    con = _load_all(landing)
    audit = _audit(con)
    problems = {file: row[-1] for file, row in audit.items() if row[-1]}
    assert set(problems) == {
        "zendesk/tickets/.2025-02-14.jsonl",
        "zendesk/tickets/archive/",
        "zendesk/ticket/2025-02-14.jsonl",
        "zendesk/notes.txt",
        "salesforce/accounts/2025-02-14.jsonl",
        "README.txt",
        ".DS_Store",
    }
    assert problems["zendesk/tickets/.2025-02-14.jsonl"].startswith("hidden")
    assert problems["zendesk/tickets/archive/"].startswith("folder inside an object folder")
    assert problems["zendesk/ticket/2025-02-14.jsonl"].startswith(
        'unknown object folder "ticket" for zendesk (known: tickets, '
    )
    assert problems["salesforce/accounts/2025-02-14.jsonl"].startswith(
        'unknown source folder "salesforce"'
    )
    assert audit["zendesk/ticket/2025-02-14.jsonl"][:5] == ("zendesk", "ticket", 0, 0, 0)
    assert audit["salesforce/accounts/2025-02-14.jsonl"][:2] == ("salesforce", "accounts")
    assert audit["README.txt"][:2] == ("", "")
    # not read: only ticket 1 loaded, nothing quarantined
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone()[0] == 1
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0

    # listed once per load, replaced (not appended) by the next load, gone once removed
    (landing / "zendesk/ticket/2025-02-14.jsonl").unlink()
    (landing / "salesforce/accounts/2025-02-14.jsonl").unlink()
    _load_all(landing, con)
    again = _audit(con)
    assert con.execute("select count(*) from raw.load_audit").fetchone()[0] == len(again)
    assert set(audit) - set(again) == {
        "zendesk/ticket/2025-02-14.jsonl",
        "salesforce/accounts/2025-02-14.jsonl",
    }
    assert "zendesk/ticket/" in again  # the now-empty unknown folder is still listed
    assert "salesforce/accounts/" in again


def test_a_day_partition_load_keeps_listing_unread_entries(landing: Path) -> None:
    from datetime import date

    _write(landing / "zendesk/tickets/.2025-02-14.jsonl", _ticket(3) + "\n")
    con = duckdb.connect()
    tickets = next(s for s in ALL_OBJECTS if s.table == "zendesk_tickets")
    for _ in range(2):
        reports = load_object(con, landing, tickets, {date(2025, 2, 14)})
        assert [r.file for r in reports if r.file_problem] == ["zendesk/tickets/.2025-02-14.jsonl"]
    assert (
        con.execute(
            "select count(*) from raw.load_audit where file_problem is not null"
        ).fetchone()[0]
        == 1
    )
