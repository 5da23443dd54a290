"""The JSONL loader: idempotent day partitions, quarantine with reasons, reconciliation."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.catalog import ALL_OBJECTS
from ingestion.loader import (
    ensure_raw_tables,
    field_types_sql,
    load_object,
    rejection_reason_sql,
)
from ingestion.stripe import OBJECTS as STRIPE
from ingestion.zendesk import OBJECTS as ZENDESK

TICKETS = ZENDESK[0]
CHARGES = next(s for s in STRIPE if s.name == "charges")


def _ticket(ticket_id: int, **extra) -> str:
    return json.dumps(
        {"id": ticket_id, "created_at": "2024-01-01T10:00:00Z", "status": "open", **extra}
    )


def _land(landing: Path, relpath: str, lines: list[str]) -> Path:
    path = landing / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _table(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(
        f"select _file, _line_number, _partition_date, record::varchar from raw.{table} "
        "order by all"
    ).fetchall()


def _loaded(landing: Path, twice: bool = False) -> tuple[list, ...]:
    """One object's load into a fresh database (twice: loaded again, idempotent): its reports,
    raw rows, quarantine and audit."""
    con = duckdb.connect()
    reports = load_object(con, landing, TICKETS)
    if twice:
        load_object(con, landing, TICKETS)
    return (
        sorted(reports, key=lambda r: r.file),
        _table(con, "zendesk_tickets"),
        con.execute(
            "select file, line_number, reason, raw from raw.quarantine order by all"
        ).fetchall(),
        con.execute("select * exclude (loaded_at) from raw.load_audit order by all").fetchall(),
    )


def test_vendor_samples_load_every_line(vendor_landing: Path) -> None:
    con = duckdb.connect()
    read = 0
    for spec in ALL_OBJECTS:
        for report in load_object(con, vendor_landing, spec):
            assert report.reconciles
            assert report.lines_quarantined == 0, (report.file, report)
            read += report.lines_read
    assert read == 729  # every record of vendor-samples/README.md
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0


def test_loading_a_partition_twice_equals_once(tmp_path: Path) -> None:
    _land(tmp_path, "zendesk/tickets/2024-01-01.jsonl", [_ticket(1), _ticket(2)])
    _land(tmp_path, "zendesk/tickets/2024-01-02.jsonl", [_ticket(1, status="solved")])
    con = duckdb.connect()
    load_object(con, tmp_path, TICKETS)
    once = _table(con, "zendesk_tickets")
    load_object(con, tmp_path, TICKETS)
    load_object(con, tmp_path, TICKETS, {date(2024, 1, 2)})
    assert _table(con, "zendesk_tickets") == once
    assert len(once) == 3


def test_relanded_day_replaces_never_appends(tmp_path: Path) -> None:
    path = _land(tmp_path, "zendesk/tickets/2024-01-01.jsonl", [_ticket(1), _ticket(2)])
    con = duckdb.connect()
    load_object(con, tmp_path, TICKETS)
    path.write_text(_ticket(3) + "\n")
    load_object(con, tmp_path, TICKETS, {date(2024, 1, 1)})
    ids = con.execute("select record->>'id' from raw.zendesk_tickets").fetchall()
    assert ids == [("3",)]


def test_other_days_are_untouched_by_a_partition_load(tmp_path: Path) -> None:
    _land(tmp_path, "zendesk/tickets/2024-01-01.jsonl", [_ticket(1)])
    con = duckdb.connect()
    load_object(con, tmp_path, TICKETS)
    _land(tmp_path, "zendesk/tickets/2024-01-02.jsonl", [_ticket(2)])
    (tmp_path / "zendesk/tickets/2024-01-01.jsonl").write_text(_ticket(9) + "\n")
    load_object(con, tmp_path, TICKETS, {date(2024, 1, 2)})
    ids = sorted(
        r[0] for r in con.execute("select record->>'id' from raw.zendesk_tickets").fetchall()
    )
    assert ids == ["1", "2"]


def test_bad_lines_are_quarantined_with_reasons_and_the_rest_loads(tmp_path: Path) -> None:
    _land(
        tmp_path,
        "zendesk/tickets/2024-01-01.jsonl",
        [
            _ticket(1),
            '{"id": 2, "created_at": "2024-01-01T1',  # truncated
            "not json at all",
            "[1, 2, 3]",
            json.dumps({"id": 4, "status": "open"}),
            json.dumps({"id": 5, "created_at": 17040672, "status": "open"}),
            _ticket(6, brand_new_field={"kept": True}),
        ],
    )
    con = duckdb.connect()
    [report] = load_object(con, tmp_path, TICKETS)
    assert (report.lines_read, report.lines_loaded, report.lines_quarantined) == (7, 2, 5)
    reasons = dict(
        con.execute(
            "select line_number, reason from raw.quarantine order by line_number"
        ).fetchall()
    )
    assert reasons == {
        2: "line is not valid JSON (truncated or malformed)",
        3: "line is not valid JSON (truncated or malformed)",
        4: "line is JSON but not an object (got array)",
        5: 'missing required field "created_at"',
        6: 'field "created_at" has the wrong type: expected a string, got ubigint',
    }
    kept = con.execute(
        "select record->'brand_new_field'->>'kept' from raw.zendesk_tickets where _line_number = 7"
    ).fetchone()
    assert kept == ("true",)
    audit = con.execute(
        "select lines_read, lines_loaded, lines_quarantined from raw.load_audit"
    ).fetchall()
    assert audit == [(7, 2, 5)]


def test_milliseconds_for_seconds_are_quarantined(tmp_path: Path) -> None:
    charge = {
        "id": "ch_1",
        "amount": 100,
        "currency": "usd",
        "status": "succeeded",
        "created": 1700000000000,
    }
    _land(tmp_path, "stripe/charges/2024-01-01.jsonl", [json.dumps(charge)])
    con = duckdb.connect()
    load_object(con, tmp_path, CHARGES)
    (reason,) = con.execute("select reason from raw.quarantine").fetchone()
    assert (
        reason
        == 'field "created" = 1700000000000 is not Unix seconds (milliseconds or microseconds?)'
    )


def test_truncated_gzip_loads_complete_lines_and_reports_the_file(tmp_path: Path) -> None:
    payload = gzip.compress(("\n".join(_ticket(i) for i in range(200)) + "\n").encode())
    path = tmp_path / "zendesk/tickets/2024-01-01.jsonl.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(payload[: len(payload) * 2 // 3])
    con = duckdb.connect()
    [report] = load_object(con, tmp_path, TICKETS)
    assert report.file_problem and "truncated" in report.file_problem
    assert report.reconciles
    file_rows = con.execute(
        "select reason from raw.quarantine where line_number is null"
    ).fetchall()
    assert len(file_rows) == 1 and "truncated" in file_rows[0][0]


def test_missing_source_still_creates_empty_tables(tmp_path: Path) -> None:
    con = duckdb.connect()
    ensure_raw_tables(con, ALL_OBJECTS)
    for spec in ALL_OBJECTS:
        assert load_object(con, tmp_path, spec) == []
        assert con.execute(f"select count(*) from raw.{spec.table}").fetchone()[0] == 0


def test_file_name_that_is_not_a_day_is_reported(tmp_path: Path) -> None:
    _land(tmp_path, "zendesk/tickets/tickets-latest.jsonl", [_ticket(1)])
    con = duckdb.connect()
    reports = load_object(con, tmp_path, TICKETS)
    assert [r.file_problem for r in reports] == [
        "file name is not a day: expected YYYY-MM-DD.jsonl or .jsonl.gz"
    ]
    assert con.execute("select file, line_number from raw.quarantine").fetchall() == [
        ("zendesk/tickets/tickets-latest.jsonl", None)
    ]


def test_loading_in_day_chunks_equals_loading_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big object loads in chunks of whole days (one transaction each); the result, the
    quarantine and the audit are the same as one pass, misnamed files reported once."""
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        _land(tmp_path, f"zendesk/tickets/{day}.jsonl", [_ticket(1), "{not json", ""])
    _land(tmp_path, "zendesk/tickets/latest.jsonl", [_ticket(9)])

    at_once = _loaded(tmp_path, twice=True)
    monkeypatch.setattr("ingestion.loader.CHUNK_TEXT_BYTES", 1)  # every day its own chunk
    assert _loaded(tmp_path, twice=True) == at_once
    assert len(at_once[1]) == 3 and len(at_once[2]) == 4  # 3 bad lines + the misnamed file


def test_a_chunk_that_fails_to_commit_stops_the_load_after_the_chunks_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each day its own chunk, staged while the one before commits: the second commit fails,
    so the first day stays loaded, no later day is, the error is the load's, and the next
    load completes."""
    days = ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04")
    for n, day in enumerate(days):
        _land(tmp_path, f"zendesk/tickets/{day}.jsonl", [_ticket(10 * n + i) for i in range(2)])
    monkeypatch.setattr("ingestion.loader.CHUNK_TEXT_BYTES", 1)
    from ingestion import loader

    audit = loader._insert_audit
    commits = []

    def failing_second(con, spec, reports, loaded_at):
        commits.append([r.file for r in reports])
        if len(commits) == 2:
            raise duckdb.IOException("disk full while committing")
        audit(con, spec, reports, loaded_at)

    monkeypatch.setattr(loader, "_insert_audit", failing_second)
    con = duckdb.connect()
    with pytest.raises(duckdb.IOException, match="disk full"):
        load_object(con, tmp_path, TICKETS)
    assert len(commits) == 2  # the third chunk was staged, never committed
    assert {r[2].isoformat() for r in _table(con, "zendesk_tickets")} == {days[0]}
    staged = "select table_name from duckdb_tables() where database_name = '_tally_stage'"
    assert con.execute(staged).fetchall() == []  # nothing staged is left holding memory
    monkeypatch.setattr(loader, "_insert_audit", audit)
    reports = load_object(con, tmp_path, TICKETS)
    assert [r.lines_loaded for r in reports] == [2, 2, 2, 2]
    assert len(_table(con, "zendesk_tickets")) == 8


@pytest.mark.parametrize("spec", ALL_OBJECTS, ids=lambda s: s.table)
def test_rejection_sql_is_valid_for_every_object(spec) -> None:
    sql = rejection_reason_sql(spec, "line", field_types_sql(spec, "line"))
    reason = (
        duckdb.connect()
        .execute(f"select {sql} from (select '{{}}' as line, current_date as partition_date)")
        .fetchone()[0]
    )
    assert reason.startswith("missing required field")


def test_lines_are_kept_verbatim_as_text_and_json_typed_tables_still_load(tmp_path: Path) -> None:
    """The loader has parsed each line already, so raw keeps its text (no second JSON parse on
    insert), exactly as landed; a warehouse made by an earlier version (a JSON column) loads
    the same text."""
    spaced = '{"id": 7,   "created_at": "2024-01-01T10:00:00Z", "status": "open", "x": 2.50}'
    _land(tmp_path, "zendesk/tickets/2024-01-01.jsonl", [spaced])
    fresh, earlier = duckdb.connect(), duckdb.connect()
    earlier.execute("create schema raw")
    earlier.execute(
        f"create table raw.{TICKETS.table} (_file varchar not null, _line_number bigint "
        "not null, _partition_date date not null, _loaded_at timestamp not null, "
        "record json not null)"
    )
    for con in (fresh, earlier):
        load_object(con, tmp_path, TICKETS)
        assert _table(con, TICKETS.table) == [
            ("zendesk/tickets/2024-01-01.jsonl", 1, date(2024, 1, 1), spaced)
        ]
    types = "select data_type from duckdb_columns() where column_name = 'record'"
    assert fresh.execute(types).fetchall() == [("VARCHAR",)]


def _landed_with_traps(landing: Path) -> None:
    """Days of tickets with the lines a loader must get right: not JSON, blank, a byte-order
    mark, Windows line endings, invalid UTF-8 (one file gzipped)."""
    for n, day in enumerate(("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04")):
        _land(landing, f"zendesk/tickets/{day}.jsonl", [_ticket(10 * n + i) for i in range(3)])
    _land(landing, "zendesk/tickets/2024-01-05.jsonl", ["\ufeff" + _ticket(50), "{not json", ""])
    crlf = landing / "zendesk/tickets/2024-01-06.jsonl"
    crlf.write_bytes((_ticket(60) + "\r\n" + _ticket(61) + "\r\n").encode())
    bad_utf8 = landing / "zendesk/tickets/2024-01-07.jsonl.gz"
    bad_utf8.write_bytes(gzip.compress(_ticket(70).encode() + b"\n\xff\xfe broken\n"))


def test_text_beyond_ascii_loads_as_sent(tmp_path: Path) -> None:
    """Files reach DuckDB as UTF-8 bytes: accents, CJK and emoji arrive verbatim, in a plain
    and a gzipped file, and a file with one invalid line keeps its valid non-ASCII lines."""

    def ticket(ticket_id: int, subject: str) -> str:  # the characters as sent, not \u escapes
        return _ticket(ticket_id)[:-1] + f', "subject": "{subject}"}}'

    subjects = ["Türkiye", "請求書", "🚀 launch", "naïve — café"]
    _land(
        tmp_path, "zendesk/tickets/2024-01-01.jsonl", [ticket(i, s) for i, s in enumerate(subjects)]
    )
    gz = tmp_path / "zendesk/tickets/2024-01-02.jsonl.gz"
    gz.write_bytes(gzip.compress((ticket(9, "Zürich") + "\n").encode()))
    mixed = tmp_path / "zendesk/tickets/2024-01-03.jsonl"
    mixed.write_bytes(ticket(10, "Łódź").encode() + b"\n\xff broken\n")
    assert not mixed.read_bytes().isascii()
    reports, rows, quarantined, _ = _loaded(tmp_path)
    assert all(r.reconciles for r in reports)
    assert rows[0][3].endswith('"subject": "Türkiye"}')
    assert [json.loads(r[3])["subject"] for r in rows] == [*subjects, "Zürich", "Łódź"]
    assert [(n, r) for _, n, r, _ in quarantined] == [(2, "line is not valid UTF-8")]


def test_batches_split_at_once_equal_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file its own batch, two batches split at once on their own cursors: the same raw
    rows, quarantine and audit as one batch for all."""
    _landed_with_traps(tmp_path)
    one_batch = _loaded(tmp_path)
    monkeypatch.setattr("ingestion.loader.BATCH_FILES", 1)
    assert _loaded(tmp_path) == one_batch
    reports, rows, quarantined, _ = one_batch
    assert len(reports) == 7 and all(r.reconciles for r in reports)
    assert len(rows) == 4 * 3 + 1 + 2 + 1
    assert [(f.rsplit("/", 1)[1], n, r) for f, n, r, _ in quarantined] == [
        ("2024-01-05.jsonl", 2, "line is not valid JSON (truncated or malformed)"),
        ("2024-01-07.jsonl.gz", 2, "line is not valid UTF-8"),
    ]


def test_a_batch_that_fails_to_split_loads_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure on one of the splitting cursors is the load's error; the object's raw table
    keeps what it held, and the next load works."""
    _landed_with_traps(tmp_path)
    con = duckdb.connect()
    load_object(con, tmp_path, TICKETS)
    before = _table(con, "zendesk_tickets")
    monkeypatch.setattr("ingestion.loader.BATCH_FILES", 1)
    from ingestion import loader

    split = loader._insert_lines
    calls = []

    def failing_third(cursor, spec, batch, lines):
        calls.append(batch)
        if len(calls) == 3:
            raise duckdb.OutOfMemoryException("no room to split this batch")
        split(cursor, spec, batch, lines)

    monkeypatch.setattr(loader, "_insert_lines", failing_third)
    with pytest.raises(duckdb.OutOfMemoryException, match="no room to split"):
        load_object(con, tmp_path, TICKETS)
    assert _table(con, "zendesk_tickets") == before
    monkeypatch.setattr(loader, "_insert_lines", split)
    load_object(con, tmp_path, TICKETS)
    assert _table(con, "zendesk_tickets") == before
