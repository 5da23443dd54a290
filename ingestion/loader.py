"""Load landed JSONL files into DuckDB `raw.<source>_<object>`, one day-partition at a time.

Set-based: each file's text goes to DuckDB once, and DuckDB splits, validates and inserts every
line in a handful of SQL statements per object. A day is replaced whole (delete + insert in one
transaction), so loading a partition twice gives the same tables as loading it once.

Every non-blank line ends up in exactly one of `raw.<table>` or `raw.quarantine`, and
`raw.load_audit` records per file: lines read = loaded + quarantined.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

import duckdb

from ingestion.catalog import SOURCES
from ingestion.checks import field_types_sql, field_values_sql, rejection_reason_sql
from ingestion.file_reader import FileText, max_file_bytes, read_file_text
from ingestion.landing import (
    OTHER_SOURCES,
    LandedFile,
    UnreadEntry,
    object_files,
    refused_files,
    unread_entries,
)
from ingestion.specs import ObjectSpec

__all__ = [
    "FileReport",
    "ensure_raw_tables",
    "field_types_sql",
    "field_values_sql",
    "load_object",
    "rejection_reason_sql",
]

RAW_SCHEMA = "raw"

_QUARANTINE_DDL = f"""
create table if not exists {RAW_SCHEMA}.quarantine (
    source varchar not null,
    object varchar not null,
    file varchar not null,
    line_number bigint,          -- null: the problem is the file as a whole
    partition_date date,
    reason varchar not null,
    raw varchar,
    quarantined_at timestamp not null
)
"""

_AUDIT_DDL = f"""
create table if not exists {RAW_SCHEMA}.load_audit (
    source varchar not null,
    object varchar not null,
    file varchar not null,
    partition_date date,
    lines_read bigint not null,
    lines_loaded bigint not null,
    lines_quarantined bigint not null,
    blank_lines bigint not null,
    file_problem varchar,
    loaded_at timestamp not null
)
"""


def raw_table_ddl(table: str) -> str:
    return f"""
    create table if not exists {RAW_SCHEMA}.{table} (
        _file varchar not null,
        _line_number bigint not null,
        _partition_date date not null,
        _loaded_at timestamp not null,
        -- The line as landed. Text, not DuckDB's JSON type: the loader has parsed every line
        -- already (json_type of its fields) and quarantined what is not JSON, and a JSON
        -- column parses each line once more to validate it on insert (~1 us a line, ~40 s of
        -- a scale-10 backfill's 40M GA4 events). The json functions read text alike.
        -- Landed JSON repeats itself line after line: zstd keeps it ~10x smaller than the
        -- default string compression and writes faster (GA4, 545k lines: 13 MB in 0.5 s
        -- against 154 MB in 1.3 s).
        record varchar not null using compression zstd
    )
    """


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, specs: Iterable[ObjectSpec]) -> None:
    """Create every raw table, empty if its source is absent, so staging always has its input."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(_QUARANTINE_DDL)
    con.execute(_AUDIT_DDL)
    for spec in specs:
        con.execute(raw_table_ddl(spec.table))


@dataclass(frozen=True)
class FileReport:
    file: str
    partition_date: date | None
    lines_read: int
    lines_loaded: int
    lines_quarantined: int
    blank_lines: int
    file_problem: str | None
    # Where an entry that is not read sits, when not in the loaded object's folder.
    source: str | None = None
    object: str | None = None

    @property
    def reconciles(self) -> bool:
        return self.lines_read == self.lines_loaded + self.lines_quarantined


def load_object(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    spec: ObjectSpec,
    days: set[date] | None = None,
    loaded_at: datetime | None = None,
) -> list[FileReport]:
    """Replace the given days (all landed days if None) of one object; report per file.

    Days load in chunks of whole days (CHUNK_TEXT_BYTES of text each), one transaction per chunk:
    a two-year backfill of a big object never holds all its text at once, and a re-run
    replaces whatever a killed run left, day by day. A chunk is split and checked while the
    one before it commits; they commit in order, and the first failure stops the load.
    """
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    con.execute("set enable_progress_bar = false")  # keeps run logs free of terminal bars
    ensure_raw_tables(con, [spec])
    files = object_files(landing, spec)
    dated = [f for f in files if f.partition is not None and (days is None or f.partition in days)]
    # misnamed and refused files are quarantined whole (no line, no day)
    misnamed = [f for f in files if f.partition is None] + refused_files(landing, spec)
    unread = _Unread(spec, unread_entries(landing, spec, KNOWN_OBJECTS))
    # requested days without a file are emptied too (a day whose file was withdrawn)
    fileless = sorted((days or set()) - {f.partition for f in dated})
    chunks = _day_chunks(dated) or [[]]
    reports: list[FileReport] = []
    stage = con.cursor()  # chunks are staged here while the previous one commits on `con`
    stage.execute("set enable_progress_bar = false")
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="commit") as committer:
            committing: Future[list[FileReport]] | None = None
            for position, chunk in enumerate(chunks):
                first, last = position == 0, position == len(chunks) - 1
                lines = f"{STAGE_DB}._lines_{position % 2}"
                try:
                    file_problems = _stage_lines(stage, spec, chunk, lines)
                finally:
                    if committing is not None:  # chunks commit in order, a failure stops them
                        done, committing = committing, None
                        try:
                            reports += done.result()
                        except BaseException as exc:
                            _quietly(stage, exc, f"drop table if exists {lines}")
                            raise
                chunk_days = sorted({f.partition for f in chunk} | set(fileless if last else []))
                misnamed_here = misnamed if first else []
                committing = committer.submit(
                    _commit_chunk, con, spec, lines, file_problems, chunk, misnamed_here,
                    unread, first, chunk_days, loaded_at,
                )  # fmt: skip
            if committing is not None:
                reports += committing.result()
    finally:
        stage.close()
    return reports


# Source -> object names: what the landing zone may hold (everything else is listed unread).
KNOWN_OBJECTS: dict[str, tuple[str, ...]] = {
    source: tuple(spec.name for spec in specs) for source, specs in SOURCES.items()
}


@dataclass(frozen=True)
class _Unread:
    """The entries one object's load lists as not read, and the audit rows it owns: its own
    (source, object), plus, for the first object of a source, the source's unknown objects,
    plus, for the first object of all, the unknown sources (see landing.unread_entries)."""

    spec: ObjectSpec
    entries: list[UnreadEntry]

    @property
    def owned_objects(self) -> list[str] | None:
        """Known objects of the source, when this load owns the rows of its unknown ones."""
        objects = KNOWN_OBJECTS.get(self.spec.source, ())
        return list(objects) if objects[:1] == (self.spec.name,) else None

    @property
    def owned_sources(self) -> list[str] | None:
        """Known sources, when this load owns the rows of unknown ones."""
        first = next(iter(KNOWN_OBJECTS.items()), None)
        if first and first[0] == self.spec.source and first[1][:1] == (self.spec.name,):
            return [*KNOWN_OBJECTS, *OTHER_SOURCES]
        return None


# Text per chunk: the chunk's lines are staged and checked in one table (about its text), which
# must fit DuckDB's memory limit or spill to disk; two chunks are held at once (one staged while
# the other commits: its insert into raw, zstd-compressed, ran alone, ~2 s of a scale-10 GA4
# month's 7). Files are measured on disk;
# a gzipped JSON-lines export holds ~20-30 times its size in text (sample GA4 days: 20-31x).
CHUNK_TEXT_BYTES = 128_000_000
GZIP_RATIO = 20


def _text_bytes(f: LandedFile) -> int:
    size = f.path.stat().st_size
    return size * GZIP_RATIO if f.path.name.endswith(".gz") else size


def _day_chunks(files: list[LandedFile]) -> list[list[LandedFile]]:
    """Files grouped into chunks of whole days, each about CHUNK_TEXT_BYTES of text."""
    by_day: dict[date, list[LandedFile]] = {}
    for f in files:
        by_day.setdefault(f.partition, []).append(f)
    chunks: list[list[LandedFile]] = []
    current: list[LandedFile] = []
    size = 0
    for day in sorted(by_day):
        current += by_day[day]
        size += sum(_text_bytes(f) for f in by_day[day])
        if size >= CHUNK_TEXT_BYTES:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def _commit_chunk(
    con: duckdb.DuckDBPyConnection,
    spec: ObjectSpec,
    lines: str,
    file_problems: dict[str, str],
    dated: list[LandedFile],
    misnamed: list[LandedFile],
    unread: _Unread,
    first: bool,
    replaced_days: list[date],
    loaded_at: datetime,
) -> list[FileReport]:
    """Load one staged chunk (`lines`) in one transaction. The first chunk also re-reports
    the misnamed files (their quarantine and audit rows have no day)."""
    table = f"{RAW_SCHEMA}.{spec.table}"
    params = {"source": spec.source, "object": spec.name, "at": loaded_at}
    con.execute("begin transaction")
    try:
        con.execute(
            f"delete from {table} where _partition_date in (select unnest($days::date[]))",
            {"days": replaced_days},
        )
        for audit_table in ("quarantine", "load_audit"):
            con.execute(
                f"""
                delete from {RAW_SCHEMA}.{audit_table}
                where source = $source and object = $object
                  and ((partition_date is null and $first)
                       or partition_date in (select unnest($days::date[])))
                """,
                {
                    "source": spec.source,
                    "object": spec.name,
                    "days": replaced_days,
                    "first": first,
                },
            )
        if first:
            con.execute(
                f"""
                delete from {RAW_SCHEMA}.load_audit
                where partition_date is null
                  and (($objects::varchar[] is not null and source = $source
                        and not list_contains($objects::varchar[], object))
                       or ($sources::varchar[] is not null
                           and not list_contains($sources::varchar[], source)))
                """,
                {
                    "source": spec.source,
                    "objects": unread.owned_objects,
                    "sources": unread.owned_sources,
                },
            )
        con.execute(
            f"""
            insert into {table}
            select file, line_number, partition_date, $at, line
            from {lines} where reason is null and not blank
            """,
            {"at": loaded_at},
        )
        con.execute(
            f"""
            insert into {RAW_SCHEMA}.quarantine
            select $source, $object, file, line_number, partition_date, reason, line, $at
            from {lines} where reason is not null
            """,
            params,
        )
        for f, problem in _file_problems(dated, misnamed, file_problems):
            con.execute(
                f"insert into {RAW_SCHEMA}.quarantine values "
                "($source, $object, $file, null, $day, $reason, null, $at)",
                {**params, "file": f.relpath, "day": f.partition, "reason": problem},
            )
        reports = _file_reports(con, lines, dated, misnamed, file_problems)
        if first:
            reports += [
                FileReport(e.relpath, None, 0, 0, 0, 0, e.reason, e.source, e.object)
                for e in unread.entries
            ]
        if reports:
            _insert_audit(con, spec, reports, loaded_at)
        con.execute("commit")
    except BaseException as exc:
        # The error that stopped the load is the one to report: a failed commit has already
        # ended the transaction, and an invalidated database refuses everything, so neither the
        # rollback nor the clean-up may replace it (their failures become notes on it).
        _quietly(con, exc, "rollback")
        _quietly(con, exc, f"drop table if exists {lines}")
        raise
    con.execute(f"drop table if exists {lines}")
    return reports


def _insert_audit(
    con: duckdb.DuckDBPyConnection,
    spec: ObjectSpec,
    reports: list[FileReport],
    loaded_at: datetime,
) -> None:
    """One statement for all of a chunk's audit rows: `executemany` ran one statement per
    file, ~0.5 ms each, 1.4 s for the 2,763 HubSpot files of two years."""
    con.execute(
        f"""
        insert into {RAW_SCHEMA}.load_audit
        select
            unnest($sources::varchar[]), unnest($objects::varchar[]), unnest($files::varchar[]),
            unnest($days::date[]), unnest($read::bigint[]), unnest($loaded::bigint[]),
            unnest($quarantined::bigint[]), unnest($blank::bigint[]),
            unnest($problems::varchar[]), $at::timestamp
        """,
        {
            "sources": [spec.source if r.source is None else r.source for r in reports],
            "objects": [spec.name if r.object is None else r.object for r in reports],
            "files": [r.file for r in reports],
            "days": [r.partition_date for r in reports],
            "read": [r.lines_read for r in reports],
            "loaded": [r.lines_loaded for r in reports],
            "quarantined": [r.lines_quarantined for r in reports],
            "blank": [r.blank_lines for r in reports],
            "problems": [r.file_problem for r in reports],
            "at": loaded_at,
        },
    )


def _quietly(con: duckdb.DuckDBPyConnection, error: BaseException, *statements: str) -> None:
    for statement in statements:
        try:
            con.execute(statement)
        except duckdb.Error as failure:
            error.add_note(f"(then `{statement}` failed too: {failure})")


# Files are handed to DuckDB in batches (one statement per batch, not per file): thousands of
# small daily files would otherwise cost more in statement overhead than in data.
BATCH_TEXT_CHARS = 16_000_000
BATCH_FILES = 2_000
# Batches split at once, each by its own cursor. One statement splits its batch on one thread
# (its input is one parameter), so two keep both cores busy: scale 1's GA4 days 1.75 -> 1.15 s
# for 690 MB of text. Cursors are connections of their own, which do not see each other's
# temporary tables: the lines go to a table of an in-memory database attached to the instance.
STAGE_WRITERS = 2
STAGE_DB = "_tally_stage"


def _stage_lines(
    con: duckdb.DuckDBPyConnection, spec: ObjectSpec, files: list[LandedFile], lines: str
) -> dict[str, str]:
    """One row per physical line of every file in `lines`: its 1-based line number, and why it
    cannot load (`reason`, NULL when it can). Blank lines and the empty string after a final
    newline stay (flagged), so the per-file counts come from this table alone.

    Returns the problems found with files as a whole, by file.
    """
    problems: dict[str, str] = {}
    con.execute(f"attach if not exists ':memory:' as {STAGE_DB}")
    con.execute(
        f"""
        create or replace table {lines} (
            file varchar, partition_date date, line_number bigint, line varchar,
            blank boolean, after_last_newline boolean, reason varchar
        )
        """
    )
    cursors = [con.cursor() for _ in range(STAGE_WRITERS)]
    try:
        with ThreadPoolExecutor(STAGE_WRITERS, thread_name_prefix="stage") as writers:
            # batch i goes to cursor i % STAGE_WRITERS, once batch i - STAGE_WRITERS is done
            splitting: deque[Future[None]] = deque()
            for index, batch in enumerate(_batches(_read_ahead(files, max_file_bytes()))):
                for f, content in batch:
                    if content.problem:
                        problems[f.relpath] = content.problem
                if len(splitting) == STAGE_WRITERS:
                    splitting.popleft().result()
                cursor = cursors[index % STAGE_WRITERS]
                splitting.append(writers.submit(_insert_lines, cursor, spec, batch, lines))
            for future in splitting:
                future.result()
    except BaseException as exc:
        _quietly(con, exc, f"drop table if exists {lines}")  # nothing of it loads
        raise
    finally:
        for cursor in cursors:
            cursor.close()
    return problems


def _batches(
    contents: Iterable[tuple[LandedFile, FileText]],
) -> Iterator[list[tuple[LandedFile, FileText]]]:
    batch: list[tuple[LandedFile, FileText]] = []
    size = 0
    for f, content in contents:
        batch.append((f, content))
        size += len(content.utf8)
        if size >= BATCH_TEXT_CHARS or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# Files read ahead of the batch DuckDB is splitting: decompression (zlib) and reading run
# outside the GIL, so they overlap DuckDB's work. A few files only: each may be large.
READ_AHEAD_FILES = 4


def _read_ahead(files: list[LandedFile], limit: int) -> Iterator[tuple[LandedFile, FileText]]:
    """Each file with its text, in order, read by a thread up to READ_AHEAD_FILES ahead."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as reader:
        queued: deque[tuple[LandedFile, Future[FileText]]] = deque()
        upcoming = iter(files)
        for f in islice(upcoming, READ_AHEAD_FILES):
            queued.append((f, reader.submit(read_file_text, f.path, limit)))
        while queued:
            f, text = queued.popleft()
            following = next(upcoming, None)
            if following is not None:
                queued.append((following, reader.submit(read_file_text, following.path, limit)))
            yield f, text.result()


def _insert_lines(
    con: duckdb.DuckDBPyConnection,
    spec: ObjectSpec,
    batch: list[tuple[LandedFile, FileText]],
    lines: str,
) -> None:
    """Split a batch into lines and check each, in one statement: the text is copied into a
    table once (a statement for the checks over a table of lines copied it twice)."""
    con.execute(
        f"""
        insert into {lines}
        with files as (
            select
                unnest($files) as file,
                unnest($days::date[]) as partition_date,
                -- UTF-8 bytes (FileText), made text after the unnest: decode() over the unnest
                -- itself ran ~10x slower
                unnest($texts::blob[]) as utf8,
                unnest($bad::bigint[][]) as bad
        ),
        split as (
            select file, partition_date, bad, string_split(decode(utf8), chr(10)) as lines
            from files
        ),
        numbered as (
            select
                file,
                partition_date,
                bad,
                unnest(lines) as line,
                generate_subscripts(lines, 1) as line_number,
                len(lines) as line_count
            from split
        ),
        cleaned as (
            select
                file,
                partition_date,
                line_number,
                -- A byte-order mark and Windows line endings are encoding, not content (the
                -- regexes copy the line: run only on the lines that have either).
                case
                    when starts_with(line, '\ufeff') or ends_with(line, '\r')
                        then regexp_replace(regexp_replace(line, '^\ufeff', ''), '\r$', '')
                    else line
                end as line,
                list_contains(bad, line_number) as encoding_error,
                -- known here, per file, rather than by a window over every line later
                line_number = line_count as last_line
            from numbered
        ),
        flagged as (
            select
                *,
                -- ltrim: the same test as trim (a line of spaces only), but it stops at the
                -- first other character; trim reads every line to its end (9 s for 4M lines).
                ltrim(line) = '' as blank,
                line = '' and last_line as after_last_newline
            from cleaned
        ),
        -- Each line is parsed once for its types (try: NULL when it is not JSON, instead of
        -- a json_valid pass first) and once for its values.
        typed as (
            select *, case when not blank then try({field_types_sql(spec)}) end as types
            from flagged
        ),
        valued as (
            select *, case when types is not null then {field_values_sql(spec)} end as vals
            from typed
        )
        select
            file,
            partition_date,
            line_number,
            line,
            blank,
            after_last_newline,
            case
                when blank then null
                when encoding_error then 'line is not valid UTF-8'
                else {rejection_reason_sql(spec, vals="vals", is_json="types is not null")}
            end
        from valued
        """,
        {
            "files": [f.relpath for f, _ in batch],
            "days": [f.partition for f, _ in batch],
            "texts": [c.utf8 for _, c in batch],
            "bad": [c.bad_encoding_lines for _, c in batch],
        },
    )


def _file_problems(
    dated: list[LandedFile], misnamed: list[LandedFile], file_problems: dict[str, str]
) -> list[tuple[LandedFile, str]]:
    problems = [(f, p) for f in dated if (p := file_problems.get(f.relpath))]
    problems += [(f, f.problem or "unrecognised file") for f in misnamed]
    return problems


def _file_reports(
    con: duckdb.DuckDBPyConnection,
    lines: str,
    dated: list[LandedFile],
    misnamed: list[LandedFile],
    file_problems: dict[str, str],
) -> list[FileReport]:
    counts = {
        row[0]: row[1:]
        for row in con.execute(
            f"""
            select
                file,
                count(*) filter (where not blank) as lines_read,
                count(*) filter (where not blank and reason is null) as loaded,
                count(*) filter (where reason is not null) as quarantined,
                -- the empty string after a final newline is not a line
                count(*) filter (where blank and not after_last_newline) as blank
            from {lines}
            group by file
            """
        ).fetchall()
    }
    reports = []
    for f in dated:
        read, loaded, quarantined, blank = counts.get(f.relpath, (0, 0, 0, 0))
        reports.append(
            FileReport(
                f.relpath,
                f.partition,
                read,
                loaded,
                quarantined,
                blank,
                file_problems.get(f.relpath),
            )
        )
    for f in misnamed:
        reports.append(FileReport(f.relpath, None, 0, 0, 0, 0, f.problem))
    return reports
