"""Unbounded inputs and failing loads: a gzip bomb is capped and streamed, a failed load
reports its own error (not the rollback's)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from pathlib import Path

import duckdb
import pytest

from ingestion import file_reader
from ingestion.catalog import ALL_OBJECTS
from ingestion.file_reader import read_file_text
from ingestion.loader import load_object

TICKETS = next(s for s in ALL_OBJECTS if s.table == "zendesk_tickets")
TICKET = json.dumps({"id": 1, "created_at": "2025-02-14T10:00:00Z", "status": "open"}) + "\n"


def _gzip_of(path: Path, line: str, expanded_bytes: int) -> Path:
    """A gzip file of `line` repeated up to `expanded_bytes`, written without ever holding the
    expanded text (the compressed file stays small: a bomb)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = (line * (1 << 20 // len(line) + 1)).encode()
    with gzip.open(path, "wb", compresslevel=1) as out:
        written = 0
        while written < expanded_bytes:
            out.write(block)
            written += len(block)
    return path


def test_a_file_expanding_beyond_the_cap_is_quarantined_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALLY_MAX_FILE_BYTES", str(4 << 20))
    day = tmp_path / "zendesk/tickets"
    _gzip_of(day / "2025-02-14.jsonl.gz", TICKET, 16 << 20)
    (day / "2025-02-15.jsonl").write_text(TICKET * ((5 << 20) // len(TICKET)))  # plain, too
    (day / "2025-02-16.jsonl").write_text(TICKET)  # small: loads
    con = duckdb.connect()
    reports = {r.file: r for r in load_object(con, tmp_path, TICKETS)}
    for name in ("2025-02-14.jsonl.gz", "2025-02-15.jsonl"):
        report = reports[f"zendesk/tickets/{name}"]
        assert (report.lines_read, report.lines_loaded, report.lines_quarantined) == (0, 0, 0)
        assert report.file_problem == (
            "file is larger than 4,194,304 bytes once decompressed (TALLY_MAX_FILE_BYTES):"
            " not loaded, quarantined whole"
        )
    assert reports["zendesk/tickets/2025-02-16.jsonl"].lines_loaded == 1
    rows = con.execute("select file, line_number, raw from raw.quarantine order by file").fetchall()
    assert rows == [
        ("zendesk/tickets/2025-02-14.jsonl.gz", None, None),
        ("zendesk/tickets/2025-02-15.jsonl", None, None),
    ]


def test_a_gzip_bomb_is_never_held_whole_in_memory(tmp_path: Path) -> None:
    """256 MB expanded, capped at 32 MB: reading stops at the cap, so Python's peak allocation
    is about the cap (what a file within it holds anyway), far below the bomb."""
    bomb = _gzip_of(tmp_path / "bomb.jsonl.gz", TICKET, 256 << 20)
    assert bomb.stat().st_size < 4 << 20
    cap = 32 << 20
    tracemalloc.start()
    try:
        text = read_file_text(bomb, max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert text.utf8 == b"" and "larger than 33,554,432 bytes" in (text.problem or "")
    # the pieces up to the cap, plus one step's output while zlib assembles it
    assert peak < 2 * cap + 2 * file_reader.READ_STEP_BYTES < 256 << 20, peak


def test_streamed_gzip_keeps_multiple_members_and_reports_a_cut(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "pad": "x" * 200}) + "\n" for i in range(40000)]
    first, second = "".join(lines[:20000]).encode(), "".join(lines[20000:]).encode()
    whole = tmp_path / "two.jsonl.gz"
    whole.write_bytes(gzip.compress(first) + gzip.compress(second))
    result = read_file_text(whole)
    assert result.problem is None and result.utf8 == first + second
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes((gzip.compress(first) + gzip.compress(second))[:-5000])
    result = read_file_text(cut)
    assert result.problem and "truncated" in result.problem
    assert result.utf8.startswith(first) and len(result.utf8) > len(first)
    corrupt = tmp_path / "corrupt.jsonl.gz"
    data = bytearray(zlib.compress(first, wbits=31))
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64
    corrupt.write_bytes(bytes(data))
    result = read_file_text(corrupt)
    assert result.problem and (
        result.problem.startswith("corrupt gzip data") or "truncated" in result.problem
    )


def test_an_invalid_cap_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALLY_MAX_FILE_BYTES", "1GB")
    with pytest.raises(ValueError, match="TALLY_MAX_FILE_BYTES must be a number of bytes"):
        file_reader.max_file_bytes()


class _CommitFails:
    """A connection whose commit fails the way a real one can (a write conflict, a full disk):
    the transaction is over when the error is raised, so a rollback has nothing to roll back."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args, **kwargs):
        if sql.strip() == "commit":
            self._con.execute("rollback")
            raise duckdb.TransactionException("Failed to commit: simulated write conflict")
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def test_a_failed_load_reports_its_own_error_not_the_rollbacks(tmp_path: Path) -> None:
    (tmp_path / "zendesk/tickets").mkdir(parents=True)
    (tmp_path / "zendesk/tickets/2025-02-14.jsonl").write_text(TICKET)
    con = duckdb.connect()
    with pytest.raises(duckdb.TransactionException, match="simulated write conflict") as caught:
        load_object(_CommitFails(con), tmp_path, TICKETS)
    notes = " ".join(getattr(caught.value, "__notes__", []))
    assert "rollback" in notes and "no transaction is active" in notes
    # nothing half-loaded, and the connection is usable again
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone()[0] == 0
    assert load_object(con, tmp_path, TICKETS)[0].lines_loaded == 1
