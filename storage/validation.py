"""Validate an import before anything is stored: read with the engine, check, report.

The engine's readers type every table and refuse bad files (every problem at once, naming file,
column and line), checking every value against the one table of ranges (``engine.plausibility``):
an impossible value in any row of any table refuses the whole import (nothing is stored, every
problem is listed); implausible values are warnings. History rows that belong to no client of the
import are the one thing left out, with a warning. The result is a :class:`ValidationReport`
(kept with the batch) and the frames to score and store.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from engine.readers import FIRST_DATA_LINE, InputError, Problem, Tables, read_tables

_LISTED_LINES = 10


@dataclass(frozen=True)
class SourceFile:
    """One file the user gave (or a folder's file that was read)."""

    path: Path
    size: int
    sha256: str
    tables: tuple[str, ...]  # tables read from it (several for a .zip)
    mtime_ns: int = 0  # when it was last written, as validated: a file changed since is not kept

    @property
    def name(self) -> str:
        return self.path.name

    def changed(self) -> bool:
        """Whether the file on disk is no longer the one validated (its size or time differ)."""
        try:
            stat = self.path.stat()
        except OSError:
            return True
        return (stat.st_size, stat.st_mtime_ns) != (self.size, self.mtime_ns)


@dataclass
class ValidationReport:
    """What validation found: the files, rows read and left out per table, every problem."""

    files: list[SourceFile] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def by_column(self) -> dict[tuple[str, str | None], int]:
        """Number of problems per (file, column); None is the file as a whole."""
        return dict(Counter((p.file, p.column) for p in self.problems))

    def by_row(self) -> dict[tuple[str, int], list[Problem]]:
        """Errors per (file, line), in line order."""
        rows: dict[tuple[str, int], list[Problem]] = {}
        for p in sorted(self.errors, key=lambda p: (p.file, p.row or 0)):
            if p.row is not None:
                rows.setdefault((p.file, p.row), []).append(p)
        return rows

    def lines(self) -> list[str]:
        """The report in plain words, one line each."""
        out = [
            f"{table}: {n:,} rows read"
            + (f", {self.skipped[table]:,} left out" if self.skipped.get(table) else "")
            for table, n in self.rows.items()
        ]
        out += [str(p) for p in self.problems]
        return out

    def to_dict(self) -> dict:
        return {
            "files": [
                {"name": f.name, "size": f.size, "sha256": f.sha256, "tables": list(f.tables)}
                for f in self.files
            ],
            "rows": self.rows,
            "skipped": self.skipped,
            "problems": [asdict(p) for p in self.problems],
        }


class ImportRefused(InputError):
    """The files cannot be imported; ``report`` holds every problem found."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(report.problems)
        self.report = report


@dataclass
class Validated:
    """What one validation read, checked and hashed: handed as it is to ``storage.importer``."""

    frames: dict[str, pl.DataFrame]
    sources: dict[str, str]  # table -> file name as reported
    report: ValidationReport
    application: str | None = None  # the "train"/"test" choice it was read with


def validate(sources: Sequence[str | Path], *, application: str | None = None) -> Validated:
    """Read, check and hash the import's files; raises ``ImportRefused`` with the report on errors."""
    try:
        read = read_tables(list(sources), application=application, compact=True)
    except InputError as exc:
        raise ImportRefused(ValidationReport(problems=list(exc.problems))) from exc
    frames, orphans, skipped = _without_orphans(read.frames, read.sources)
    report = ValidationReport(
        files=_source_files(sources, read),
        rows={name: frame.height for name, frame in read.frames.items()},
        skipped=skipped,
        problems=[*read.warnings, *orphans],
    )
    return Validated(frames, read.sources, report, application)


def _without_orphans(
    frames: dict[str, pl.DataFrame], sources: dict[str, str]
) -> tuple[dict[str, pl.DataFrame], list[Problem], dict[str, int]]:
    """Frames without history rows of clients absent from the application table (and their report)."""
    clients = frames["application"]["SK_ID_CURR"]
    kept, problems, skipped = dict(frames), [], {}
    order = sorted(frames, key=lambda name: name == "bureau_balance")  # bureau first: its kept credits count
    for name in order:
        frame = frames[name]
        if name == "application":
            continue
        if name == "bureau_balance":
            parents = kept["bureau"]["SK_ID_BUREAU"] if "bureau" in kept else pl.Series([], dtype=pl.Int64)
            key = "SK_ID_BUREAU"
            code = "orphan_bureau_balance_rows"
            orphan = ~frame[key].is_in(parents.implode())
        else:
            key = "SK_ID_CURR"
            code = "orphan_rows"
            orphan = ~frame[key].is_in(clients.implode())
        count = int(orphan.sum())
        if not count:
            continue
        lines = (orphan.arg_true().head(_LISTED_LINES) + FIRST_DATA_LINE).to_list()
        problems.append(Problem.of(sources[name], code=code, column=key, row=lines[0], severity="warning",
                                   key=key, n=count, lines=lines, lines_total=count))
        kept[name], skipped[name] = frame.filter(~orphan), count
    return kept, problems, skipped


def _sha256(path: Path) -> str:
    """SHA-256 of a file the readers did not hash as they read it (an archive, a Parquet file)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _source_files(given: Sequence[str | Path], read: Tables) -> list[SourceFile]:
    """The files that were read (given files, and the files of given folders the readers used), each
    with its digest: the readers' when they hashed it as they read it."""
    tables_of: dict[str, list[str]] = {}
    for table, display in read.sources.items():
        tables_of.setdefault(display.split(":", 1)[0], []).append(table)
    paths = []
    for item in map(Path, given):
        if item.is_dir():
            paths += sorted(child for child in item.iterdir() if child.name in tables_of)
        else:
            paths.append(item)
    files = []
    for path in paths:
        stat = path.stat()
        sha256 = read.digests.get(path.name) or _sha256(path)
        files.append(SourceFile(path, stat.st_size, sha256, tuple(tables_of.get(path.name, ())), stat.st_mtime_ns))
    return files
