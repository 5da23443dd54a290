"""The landing zone's layout: which files exist, and which day (partition) each one holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingestion.specs import ObjectSpec

_DATED_FILE = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})\.jsonl(?:\.gz)?$")


@dataclass(frozen=True)
class LandedFile:
    """A file under `<source>/<object>/`; `problem` is set when its name is not a day."""

    path: Path
    relpath: str
    partition: date | None
    problem: str | None = None


def object_dir(landing: Path, spec: ObjectSpec) -> Path:
    return landing / spec.source / spec.name


def object_files(landing: Path, spec: ObjectSpec) -> list[LandedFile]:
    """Every non-hidden file of one object, sorted by name (so by day)."""
    directory = object_dir(landing, spec)
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        found.append(_classify(landing, path))
    return found


def _classify(landing: Path, path: Path) -> LandedFile:
    relpath = path.relative_to(landing).as_posix()
    match = _DATED_FILE.match(path.name)
    if not match:
        return LandedFile(
            path, relpath, None, "file name is not a day: expected YYYY-MM-DD.jsonl or .jsonl.gz"
        )
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        return LandedFile(path, relpath, None, f"file name {match['day']!r} is not a valid date")
    return LandedFile(path, relpath, day)


def partition_days(landing: Path, specs: tuple[ObjectSpec, ...]) -> list[date]:
    """Days that have at least one correctly named file, across the given objects."""
    days = {
        f.partition
        for spec in specs
        for f in object_files(landing, spec)
        if f.partition is not None
    }
    return sorted(days)
