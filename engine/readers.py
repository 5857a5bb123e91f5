"""Read the Home Credit tables from the files a user gives, typed per ``engine.schema``.

Inputs: a folder, one file, or a list of files and folders. Accepted files are CSV (``.csv``,
``.tsv``, ``.txt``), gzip-compressed CSV (``.csv.gz``, ``.tsv.gz``), Parquet (``.parquet``, ``.pq``)
and ZIP archives holding any of those (Kaggle's download format: one CSV per zip, or one zip with
every table). A file's table is recognised by its columns, whatever its name
(``engine.recognition``): « clients agence nov.csv » carrying the application's key columns is
the application table. In a folder (or a zip) files that are no table are left out; a file named
explicitly that is not a table is an error.

CSV dialects, sniffed from the first bytes of each file:

* separator: comma, semicolon or tab (whichever the header line holds most of);
* decimal mark: a point, or a comma in semicolon/tab files (Excel in France writes ``;`` + ``1,5``);
  a file mixing both marks is an error naming column and line;
* encoding: UTF-8 with or without BOM (checked over the whole file as it is streamed and hashed, then
  parsed by polars from the file's path), UTF-16 with BOM (Excel "Unicode text"), otherwise cp1252
  (latin-1 where cp1252 leaves a byte undefined), transcoded into one UTF-8 buffer as it is streamed
  (zip members and gzip files too), with a warning naming the line of the first byte that is not UTF-8;
* line ends: LF, CRLF or CR alone (old Mac Excel).

Clean files are read in one typed polars pass. When that pass fails (or the file uses a decimal
comma) every column is read as text and cast column by column, so that each bad cell can be
reported with its column, its line (header = line 1, as a spreadsheet shows it) and its text.
An import reads its tables compact (``read_tables(compact=True)``: text as categories, whole numbers
as small integers, the same values). Every typed table is then checked against the one table of ranges (``engine.plausibility``):
impossible values (NaN, ±Infinity, EXT_SOURCE_1 = 57, a negative income…) are errors, implausible
ones warnings. Every problem found in every file is raised at once as one ``InputError``. Two files
are read at once (:data:`READERS`), each checked as soon as it is read; the problems come in the
order of the files all the same.

Finding the files lives in ``engine.sources``, recognising their tables in ``engine.recognition``, dialects in ``engine.csv_dialect``, typing and
cell checks in ``engine.column_typing``, problems and their wording in ``engine.input_problems``.
"""

from __future__ import annotations

import codecs
import io
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import polars as pl

from engine.column_typing import finish, match_columns, read_types
from engine.csv_dialect import MAGIC, POLARS_FAILURES, SAMPLE_BYTES, CsvText, csv_call, csv_text, sniff
from engine.input_problems import FIRST_DATA_LINE, Fatal, InputError, Problem, first_line, has_errors
from engine.plausibility import check_table
from engine.recognition import choose_sources, single_source
from engine.schema import Table, tables
from engine.sources import Source, TableFile, checked_path, load, peek, read_failure

__all__ = [
    "FIRST_DATA_LINE",
    "InputError",
    "Problem",
    "Tables",
    "read_table",
    "read_tables",
    "scan_tables",
]

log = logging.getLogger(__name__)

#: Files read at once: one file's single-threaded steps (its streamed pass, the checks of its
#: values) run beside the other's parse, which polars spreads over the cores.
READERS = 2


@dataclass
class Tables:
    """The tables read: typed frames in schema column order, where each came from, warnings, and the
    SHA-256 of each file hashed as it was read (by its name as reported)."""

    frames: dict[str, pl.DataFrame]
    sources: dict[str, str]
    warnings: list[Problem] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> pl.DataFrame | None:
        return self.frames.get(name)


def read_tables(
    source: Source | Sequence[Source], *, application: str | None = None, compact: bool = False
) -> Tables:
    """Read every table found in ``source`` (folder, file or list of them).

    ``application`` ("train" or "test") picks application_train or application_test when both are
    present. ``compact`` holds the frames in less memory with the same values (an import's frames, held
    until they are stored): text as ``Categorical``, whole numbers as small integers (see
    ``engine.column_typing.read_types`` and ``whole_numbers``). Raises ``InputError`` listing every
    problem found.
    """
    chosen, problems = choose_sources(source, application)
    frames, sources, digests, checks = {}, {}, {}, []
    with ThreadPoolExecutor(READERS, thread_name_prefix="reading") as pool:
        read = pool.map(partial(_read_checked, compact=compact), chosen.values())
        for (table, src), (frame, found, sha256, checked) in zip(chosen.items(), read):
            problems += found
            checks += checked
            if frame is not None:
                frames[table], sources[table] = frame, src.display
            if sha256 is not None:
                digests[src.display] = sha256
    problems += checks
    if has_errors(problems):
        raise InputError(problems)
    return Tables(frames, sources, problems, digests)


def scan_tables(
    source: Source | Sequence[Source], *, application: str | None = None
) -> dict[str, pl.LazyFrame]:
    """Lazy frames for very large, clean inputs: plain UTF-8 CSV and Parquet files are scanned.

    Recognition, dialect sniffing and header checks are those of ``read_tables``; anything else
    (zip members, gzip, transcoding) is read eagerly, then made lazy. Bad cells in scanned files
    surface as polars errors at collect time.
    """
    chosen, problems = choose_sources(source, application)
    lazy = {}
    for table, src in chosen.items():
        try:
            lazy[table], found = _scan_source(src)
        except Fatal as fatal:
            found = fatal.problems
        problems += found
    if has_errors(problems):
        raise InputError(problems)
    for warning in problems:
        log.warning("%s", warning)
    return lazy


def read_table(path: Source, table: str | None = None) -> pl.DataFrame:
    """Read one file (or one-table zip); ``table`` names its table when the file name does not."""
    src = single_source(Path(path), table)
    frame, problems, _ = _read_source(src)
    if frame is not None:
        problems += check_table(frame, src.table, src.display)
    if frame is None or has_errors(problems):
        raise InputError(problems)
    for warning in problems:
        log.warning("%s", warning)
    return frame


# --- reading one file ---------------------------------------------------------------------------


def _read_checked(src: TableFile, compact: bool) -> tuple[pl.DataFrame | None, list[Problem], str | None, list[Problem]]:
    """:func:`_read_source`, and the frame's values checked against the table of ranges."""
    frame, problems, sha256 = _read_source(src, compact)
    checked = [] if frame is None else check_table(frame, src.table, src.display)
    return frame, problems, sha256, checked


def _read_source(src: TableFile, compact: bool = False) -> tuple[pl.DataFrame | None, list[Problem], str | None]:
    """Typed frame of one source (None when it cannot be used), its problems, and the digest of its
    file as read (None when the file was not read whole: a zip member, Parquet)."""
    spec = tables()[src.table]
    try:
        if src.fmt == "parquet":
            return *_parse_parquet(src, spec, compact), None
        text = csv_text(src)
        frame, problems = _parse_csv(text, spec, src.display, compact)
        if text.not_utf8_line is not None:
            problems.append(Problem.of(src.display, code="not_utf8", row=text.not_utf8_line, severity="warning"))
        return frame, problems, text.sha256
    except Fatal as fatal:
        return None, fatal.problems, None


def _parse_parquet(src: TableFile, spec: Table, compact: bool) -> tuple[pl.DataFrame, list[Problem]]:
    try:
        frame = pl.read_parquet(io.BytesIO(load(src)) if src.member is not None else checked_path(src))
    except Fatal:
        raise
    except OSError as exc:
        raise Fatal(read_failure(src.display, exc)) from exc
    except (Exception, pl.exceptions.PanicException) as exc:  # polars and Arrow raise many kinds
        raise Fatal(Problem.of(src.display, code="invalid_parquet", detail=first_line(exc))) from exc
    names, problems = match_columns(frame.columns, spec, src.display)
    frame = frame.select(list(names)).rename(names)
    return finish(frame, spec, src.display, decimal_comma=False, problems=problems, compact=compact)


def _parse_csv(text: CsvText, spec: Table, display: str, compact: bool) -> tuple[pl.DataFrame, list[Problem]]:
    dialect = sniff(text.head, display)
    header = csv_call(pl.read_csv, text.rewound(), dialect, display, n_rows=0).columns
    names, problems = match_columns(header, spec, display)
    frame = None
    if not dialect.decimal_comma:
        types = read_types(spec, compact)
        declared = {raw: types[name] for raw, name in names.items()}
        try:
            frame = pl.read_csv(
                text.rewound(),
                separator=dialect.separator,
                columns=list(names),
                infer_schema=False,
                schema_overrides=declared,
            )
        except POLARS_FAILURES as exc:
            log.debug("%s: typed read failed, looking for the bad cells (%s)", display, first_line(exc))
    if frame is None:
        frame = csv_call(pl.read_csv, text.rewound(), dialect, display, columns=list(names), infer_schema=False)
    return finish(frame.rename(names), spec, display, dialect.decimal_comma, problems=problems, compact=compact)


# --- lazy scanning ------------------------------------------------------------------------------


def _scan_source(src: TableFile) -> tuple[pl.LazyFrame, list[Problem]]:
    """Scan a plain UTF-8 CSV or Parquet file; read anything else eagerly."""
    spec = tables()[src.table]
    if src.member is None and src.fmt == "parquet":
        header = _parquet_columns(src)
        names, problems = match_columns(header, spec, src.display)
        return _conform_lazy(pl.scan_parquet(src.path), names, spec), problems
    head = _plain_utf8_head(src) if src.member is None and src.fmt == "csv" else None
    if head is not None:
        dialect = sniff(head, src.display)
        header = csv_call(pl.read_csv, src.path, dialect, src.display, n_rows=0).columns
        names, problems = match_columns(header, spec, src.display)
        declared = {raw: spec.columns[name].dtype for raw, name in names.items()}
        lazy = csv_call(
            pl.scan_csv, src.path, dialect, src.display, infer_schema=False, schema_overrides=declared
        )
        return _conform_lazy(lazy, names, spec), problems
    frame, problems, _ = _read_source(src)
    if frame is None:
        raise Fatal(*problems)
    return frame.lazy(), problems


def _parquet_columns(src: TableFile) -> list[str]:
    try:
        return list(pl.read_parquet_schema(src.path))
    except OSError as exc:
        raise Fatal(read_failure(src.display, exc)) from exc
    except (Exception, pl.exceptions.PanicException) as exc:  # a damaged Parquet footer raises several kinds
        raise Fatal(Problem.of(src.display, code="invalid_parquet", detail=first_line(exc))) from exc


def _plain_utf8_head(src: TableFile) -> bytes | None:
    """The first bytes of a file that polars can scan as is (UTF-8 text, LF line ends), else None (the file
    is then read whole, by ``csv_text``'s streamed pass: its UTF-8 is checked there, over the whole file)."""
    head = peek(src, SAMPLE_BYTES)
    if head.isspace() or b"\n" not in head or b"\x00" in head or head.startswith(tuple(MAGIC)):
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return head


def _conform_lazy(lazy: pl.LazyFrame, names: dict[str, str], spec: Table) -> pl.LazyFrame:
    raw_of = {name: raw for raw, name in names.items()}
    return lazy.select(
        (pl.col(raw_of[name]) if name in raw_of else pl.lit(None)).cast(spec.columns[name].dtype).alias(name)
        for name in spec.input_columns(raw_of)
    )
