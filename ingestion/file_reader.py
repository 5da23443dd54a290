"""Bytes to text for one landed file, recovering what can be recovered.

This is the only place Python touches file contents, and it does so per file, not per row:
decompression and UTF-8 validation run in C. Lines are split and parsed by DuckDB. Only a file
that is not valid UTF-8 takes the slow path that finds the offending lines, so the rest of that
file still loads.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileText:
    text: str
    # 1-based line numbers that were not valid UTF-8 (replaced in `text`, to be quarantined).
    bad_encoding_lines: list[int] = field(default_factory=list)
    # A problem with the file as a whole (truncated gzip, unreadable), reported in quarantine.
    problem: str | None = None


def read_file_text(path: Path) -> FileText:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileText("", problem=f"file cannot be read: {exc.strerror or exc}")
    problem = None
    if path.name.endswith(".gz"):
        data, problem = _gunzip(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return FileText(data.decode("utf-8"), problem=problem)
    except UnicodeDecodeError:
        text, bad = _decode_line_by_line(data)
        return FileText(text, bad, problem)


def _gunzip(data: bytes) -> tuple[bytes, str | None]:
    """Decompress every gzip member; keep what precedes a cut so complete lines still load."""
    out: list[bytes] = []
    remaining = data
    while remaining:
        decompressor = zlib.decompressobj(wbits=47)
        try:
            out.append(decompressor.decompress(remaining))
        except zlib.error as exc:
            return b"".join(out), f"corrupt gzip data: {exc}; lines before the damage are loaded"
        if not decompressor.eof:
            return b"".join(out), (
                "gzip file is truncated (cut short); complete lines before the cut are loaded,"
                " the rest of the file is missing"
            )
        remaining = decompressor.unused_data
    return b"".join(out), None


def _decode_line_by_line(data: bytes) -> tuple[str, list[int]]:
    lines = data.split(b"\n")
    bad: list[int] = []
    decoded: list[str] = []
    for number, raw in enumerate(lines, start=1):
        try:
            decoded.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad.append(number)
            decoded.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(decoded), bad
