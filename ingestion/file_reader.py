"""Bytes to text for one landed file, recovering what can be recovered.

This is the only place Python touches file contents, and it does so per file, not per row:
decompression and UTF-8 validation run in C. Gzip files are decompressed as a stream, in
bounded steps, and a file that expands beyond the size cap is dropped as soon as it does.
Lines are split and parsed by DuckDB. Only a file that is not valid UTF-8 takes the slow path
that finds the offending lines, so the rest of that file still loads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

# zlib-ng: zlib's API and formats, inflating ~2x faster (a scale-10 month of GA4, 1.5 GB out:
# 2.35 -> 1.08 s of CPU); decompression is the largest share of a big load after DuckDB's.
from zlib_ng import zlib_ng as zlib


@dataclass
class FileText:
    """A file's content as valid UTF-8 bytes.

    Bytes, not a Python str: DuckDB takes bytes as a BLOB at memory speed and turns them into
    text in SQL (`decode`), where a str parameter is converted character by character (GA4 at
    scale 10, a month of 1.5 GB: ~2.5 s of CPU, against ~0.6 s as bytes).
    """

    utf8: bytes
    # 1-based line numbers that were not valid UTF-8 (replaced in `utf8`, to be quarantined).
    bad_encoding_lines: list[int] = field(default_factory=list)
    # A problem with the file as a whole (truncated gzip, unreadable), reported in quarantine.
    problem: str | None = None


# Expanded size beyond which a file is not loaded but quarantined whole: a 10 MB gzip file can
# expand to gigabytes. Env TALLY_MAX_FILE_BYTES overrides it.
DEFAULT_MAX_FILE_BYTES = 1 << 30
MAX_FILE_BYTES_ENV = "TALLY_MAX_FILE_BYTES"
# Compressed bytes read, and the most decompressed bytes produced, per step. A day's export is
# one step: one output buffer, never copied. (Spooling the output through a temporary file in
# 4 MB steps copied it twice more: 8.4 s of CPU for the 3.7 GB of scale 1's GA4 days, against
# 5 s.) A file within the size cap is held whole anyway, its text handed to DuckDB; one beyond
# it is dropped as soon as it passes the cap, having held at most the cap.
READ_STEP_BYTES = 16 << 20
INFLATE_STEP_BYTES = 64 << 20


def max_file_bytes() -> int:
    value = os.environ.get(MAX_FILE_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_FILE_BYTES
    try:
        limit = int(value)
    except ValueError:
        raise ValueError(f"{MAX_FILE_BYTES_ENV} must be a number of bytes, got {value!r}") from None
    if limit <= 0:
        raise ValueError(f"{MAX_FILE_BYTES_ENV} must be positive, got {value!r}")
    return limit


class _TooBig(Exception):
    pass


def read_file_text(path: Path, max_bytes: int | None = None) -> FileText:
    """The file's text; a file expanding beyond `max_bytes` (default max_file_bytes()) is not
    read any further and comes back empty, with its problem."""
    limit = max_bytes or max_file_bytes()
    too_big = (
        f"file is larger than {limit:,} bytes once decompressed ({MAX_FILE_BYTES_ENV}):"
        " not loaded, quarantined whole"
    )
    problem = None
    try:
        # O_NOFOLLOW: a file swapped for a symbolic link after the landing zone was listed is
        # still never followed.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            if path.name.endswith(".gz"):
                data, problem = _gunzip(handle, limit)
            else:
                if os.fstat(handle.fileno()).st_size > limit:
                    raise _TooBig
                data = handle.read(limit + 1)
                if len(data) > limit:
                    raise _TooBig
    except _TooBig:
        return FileText(b"", problem=too_big)
    except OSError as exc:
        return FileText(b"", problem=f"file cannot be read: {exc.strerror or exc}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.isascii():  # ASCII is UTF-8; anything else is checked (the text is dropped)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return FileText(*_replace_invalid_lines(data), problem)
    return FileText(data, problem=problem)


def _gunzip(handle: BinaryIO, limit: int) -> tuple[bytes, str | None]:
    """Every gzip member decompressed, at most `limit` bytes out (else _TooBig); what precedes
    damage or a cut is kept, so complete lines still load."""
    pieces: list[bytes] = []
    total = 0
    pending = b""
    decompressor = zlib.decompressobj(wbits=47)
    started = False
    problem = None
    while True:
        if decompressor.unconsumed_tail:
            chunk = decompressor.unconsumed_tail
        elif pending:
            chunk, pending = pending, b""
        else:
            chunk = handle.read(READ_STEP_BYTES)
            if not chunk:
                break
        started = True
        try:
            inflated = decompressor.decompress(chunk, min(INFLATE_STEP_BYTES, limit - total + 1))
        except zlib.error as exc:
            problem = f"corrupt gzip data: {exc}; lines before the damage are loaded"
            break
        total += len(inflated)
        if total > limit:
            raise _TooBig
        pieces.append(inflated)
        if decompressor.eof:  # the next gzip member, if any, starts right after
            pending = decompressor.unused_data
            decompressor = zlib.decompressobj(wbits=47)
            started = False
    if problem is None and started and not decompressor.eof:
        problem = (
            "gzip file is truncated (cut short); complete lines before the cut are loaded,"
            " the rest of the file is missing"
        )
    return (pieces[0] if len(pieces) == 1 else b"".join(pieces)), problem


def _replace_invalid_lines(data: bytes) -> tuple[bytes, list[int]]:
    """The lines that are not UTF-8 with U+FFFD in place of their bad bytes, and their numbers;
    the other lines stay as they are."""
    lines = data.split(b"\n")
    bad: list[int] = []
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
            lines[number - 1] = raw.decode("utf-8", errors="replace").encode("utf-8")
    return b"\n".join(lines), bad
