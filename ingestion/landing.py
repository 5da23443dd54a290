"""The landing zone's layout: which files exist, and which day (partition) each one holds.

Only regular files at `<source>/<object>/<name>` inside the landing root are read. Everything
else found there is listed, never skipped silently (see `unread_entries`):

- a symbolic link (to a file or a folder), or a path resolving outside the landing root, is
  refused: its content is never opened, and it is quarantined as a whole file;
- hidden files, folders nested inside an object folder, unknown object folders, unknown source
  folders and stray files are not read, and each gets a `raw.load_audit` row saying why.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingestion.specs import ObjectSpec

_DATED_FILE = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})\.jsonl(?:\.gz)?$")

# Source folders that other loaders read (CSV files, ingestion/finance.py).
OTHER_SOURCES = ("finance",)

REFUSED_LINK = (
    "symbolic link: refused, not read (landed files must be regular files inside the landing zone)"
)
REFUSED_OUTSIDE = "path resolves outside the landing zone: refused, not read"


@dataclass(frozen=True)
class LandedFile:
    """A file under `<source>/<object>/`; `problem` is set when its name is not a day, or when
    it is refused (a symbolic link): such a file is quarantined whole, its content never read."""

    path: Path
    relpath: str
    partition: date | None
    problem: str | None = None


@dataclass(frozen=True)
class UnreadEntry:
    """Something in the landing zone that is not read, and why (one `raw.load_audit` row).

    `source`/`object` are the folders it sits in ('' where there is none)."""

    relpath: str
    source: str
    object: str
    reason: str


def object_dir(landing: Path, spec: ObjectSpec) -> Path:
    return landing / spec.source / spec.name


def object_files(landing: Path, spec: ObjectSpec) -> list[LandedFile]:
    """Every regular file of one object, dated or not, sorted by name (so by day). Hidden
    files and symbolic links are not among them (see `refused_files`, `unread_entries`)."""
    directory = object_dir(landing, spec)
    if _refused_dir(landing, spec) or not directory.is_dir():
        return []
    folder = f"{spec.source}/{spec.name}/"  # a landing zone holds ~20 objects x 30 days a month
    return [
        _classify(Path(entry.path), folder + entry.name)
        for entry in _scan(directory)
        if not entry.name.startswith(".") and entry.is_file(follow_symlinks=False)
    ]


def refused_files(landing: Path, spec: ObjectSpec) -> list[LandedFile]:
    """Symbolic links in the object's folder, or the folder itself when it is a link or
    resolves outside the landing zone: never opened, quarantined whole (partition None)."""
    problem = _refused_dir(landing, spec)
    if problem:
        return [LandedFile(object_dir(landing, spec), f"{spec.source}/{spec.name}/", None, problem)]
    directory = object_dir(landing, spec)
    if not directory.is_dir():
        return []
    return [
        LandedFile(Path(entry.path), _relpath(landing, Path(entry.path)), None, REFUSED_LINK)
        for entry in _scan(directory)
        if not entry.name.startswith(".") and entry.is_symlink()
    ]


def unread_entries(
    landing: Path, spec: ObjectSpec, known: dict[str, tuple[str, ...]]
) -> list[UnreadEntry]:
    """What the load of `spec` lists as not read.

    Each object lists what is inside its own folder (hidden files, nested folders, anything not
    a file). The first object of a source (in `known`, source -> object names) also lists that
    source's unknown object folders and loose files; the first object of all lists unknown
    source folders and loose files at the root. So every entry is listed by exactly one load.
    """
    entries: list[UnreadEntry] = []
    directory = object_dir(landing, spec)
    if directory.is_dir() and not _refused_dir(landing, spec):
        for entry in _scan(directory):
            reason = None
            if entry.name.startswith("."):
                reason = 'hidden (name starts with "."): not read'
            elif entry.is_dir(follow_symlinks=False):
                reason = (
                    "folder inside an object folder: not read (files must be"
                    f" {spec.source}/{spec.name}/YYYY-MM-DD.jsonl[.gz])"
                )
            elif not entry.is_file(follow_symlinks=False) and not entry.is_symlink():
                reason = "not a regular file: not read"
            if reason:
                entries.append(_entry(landing, entry, reason))
    sources = list(known)
    if known.get(spec.source, ())[:1] == (spec.name,):
        entries += _unknown_objects(landing, spec.source, known[spec.source])
    if sources and spec.source == sources[0] and known[sources[0]][:1] == (spec.name,):
        entries += _unknown_sources(landing, (*sources, *OTHER_SOURCES))
    return entries


def _refused_dir(landing: Path, spec: ObjectSpec) -> str | None:
    source_dir, directory = landing / spec.source, object_dir(landing, spec)
    if directory.is_symlink() or (source_dir.is_symlink() and directory.exists()):
        return REFUSED_LINK.replace("symbolic link", "symbolic link to a folder")
    if directory.exists() and not directory.resolve().is_relative_to(landing.resolve()):
        return REFUSED_OUTSIDE
    return None


def _unknown_objects(landing: Path, source: str, objects: tuple[str, ...]) -> list[UnreadEntry]:
    source_dir = landing / source
    if not source_dir.is_dir() or source_dir.is_symlink():
        return []
    known = ", ".join(objects)
    entries = []
    for entry in _scan(source_dir):
        if entry.name in objects:
            continue
        if entry.name.startswith("."):
            entries.append(_entry(landing, entry, 'hidden (name starts with "."): not read'))
        elif entry.is_symlink():
            entries.append(_entry(landing, entry, REFUSED_LINK))
        elif entry.is_dir(follow_symlinks=False):
            reason = f'unknown object folder "{entry.name}" for {source} (known: {known}): not read'
            entries += _listed_files(landing, Path(entry.path), reason)
        else:
            entries.append(
                _entry(
                    landing,
                    entry,
                    f"file outside an object folder: not read (files must be {source}/<object>/"
                    "YYYY-MM-DD.jsonl[.gz])",
                )
            )
    return entries


def _unknown_sources(landing: Path, sources: tuple[str, ...]) -> list[UnreadEntry]:
    if not landing.is_dir():
        return []
    known = ", ".join(sources)
    entries = []
    for entry in _scan(landing):
        if entry.name in sources:
            continue
        if entry.name.startswith("."):
            entries.append(_entry(landing, entry, 'hidden (name starts with "."): not read'))
        elif entry.is_symlink():
            entries.append(_entry(landing, entry, REFUSED_LINK))
        elif entry.is_dir(follow_symlinks=False):
            reason = f'unknown source folder "{entry.name}" (known: {known}): not read'
            for sub in _scan(Path(entry.path)):
                if sub.is_dir(follow_symlinks=False):
                    entries += _listed_files(landing, Path(sub.path), reason)
                else:
                    entries.append(_entry(landing, sub, reason))
        else:
            entries.append(
                _entry(
                    landing,
                    entry,
                    "file outside a source folder: not read (files must be <source>/<object>/"
                    "YYYY-MM-DD.jsonl[.gz])",
                )
            )
    return entries


def _listed_files(landing: Path, folder: Path, reason: str) -> list[UnreadEntry]:
    """The entries of a folder that is not read (one level: deeper folders listed as such)."""
    entries = [_entry(landing, sub, reason) for sub in _scan(folder)]
    return entries or [_entry_for(landing, folder, reason + " (empty folder)")]


def _scan(directory: Path) -> list[os.DirEntry]:
    with os.scandir(directory) as it:
        return sorted(it, key=lambda e: e.name)


def _entry(landing: Path, entry: os.DirEntry, reason: str) -> UnreadEntry:
    return _entry_for(landing, Path(entry.path), reason, entry.is_dir(follow_symlinks=False))


def _entry_for(landing: Path, path: Path, reason: str, is_dir: bool = True) -> UnreadEntry:
    relpath = _relpath(landing, path) + ("/" if is_dir else "")
    parts = relpath.rstrip("/").split("/")
    source = parts[0] if len(parts) > 1 else ""
    obj = parts[1] if len(parts) > 2 else ""
    return UnreadEntry(relpath, source, obj, reason)


def _relpath(landing: Path, path: Path) -> str:
    return path.relative_to(landing).as_posix()


def _classify(path: Path, relpath: str) -> LandedFile:
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
