"""Read the Home Credit tables from the files a user gives, typed per ``engine.schema``.

Inputs: a folder, one file, or a list of files and folders. Accepted files are CSV (``.csv``,
``.tsv``, ``.txt``), gzip-compressed CSV (``.csv.gz``, ``.tsv.gz``), Parquet (``.parquet``, ``.pq``)
and ZIP archives holding any of those (Kaggle's download format: one CSV per zip, or one zip with
every table). A file's table is recognised by its name without extension, case-insensitive:
``application_train``, ``application_test`` and ``application`` are the application table; the
other tables keep their own names. In a folder (or a zip) other files are ignored; a file named
explicitly that is not a table is an error.

CSV dialects, sniffed from the first bytes of each file:

* separator: comma, semicolon or tab (whichever the header line holds most of);
* decimal mark: a point, or a comma in semicolon/tab files (Excel in France writes ``;`` + ``1,5``);
  a file mixing both marks is an error naming column and line;
* encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), otherwise cp1252
  (latin-1 where cp1252 leaves a byte undefined), transcoded to UTF-8 in memory;
* line ends: LF, CRLF or CR alone (old Mac Excel).

Clean files are read in one typed polars pass. When that pass fails (or the file uses a decimal
comma) every column is read as text and cast column by column, so that each bad cell can be
reported with its column, its line (header = line 1, as a spreadsheet shows it) and its text.
Every problem found in every file is raised at once as one ``InputError``.
"""

from __future__ import annotations

import codecs
import gzip
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
import polars.selectors as cs

from engine.schema import TABLE_NAMES, Column, Table, tables

log = logging.getLogger(__name__)

#: Cell errors reported per file; the rest are counted.
MAX_ERRORS_PER_FILE = 20
#: A header line longer than this is not a table.
MAX_LINE_BYTES = 1 << 20
#: Bytes looked at to sniff a file's dialect.
SAMPLE_BYTES = 1 << 16
#: Line of the first data row (the header is line 1; Parquet rows are numbered the same way).
FIRST_DATA_LINE = 2
_SHOWN_CHARS = 40
_MASK = "\x00bad:"  # prefix of the working columns that flag bad cells

Source = str | Path
Severity = Literal["error", "warning"]

_FORMATS = (
    (".csv.gz", "csv.gz"),
    (".tsv.gz", "csv.gz"),
    (".csv", "csv"),
    (".tsv", "csv"),
    (".txt", "csv"),
    (".parquet", "parquet"),
    (".pq", "parquet"),
    (".zip", "zip"),
)
_TABLE_BY_STEM: dict[str, tuple[str, str | None]] = {
    **{name.lower(): (name, None) for name in TABLE_NAMES},
    "application_train": ("application", "train"),
    "application_test": ("application", "test"),
}
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or an Excel workbook (.xlsx)",
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls)",
    b"PAR1": "a Parquet file",
}
_COMMA_DECIMAL = re.compile(rb"(?:^|[;\t])[+-]?\d+,\d+(?=[;\t\r\n]|$)", re.M)
_POINT_DECIMAL = re.compile(rb"(?:^|[;\t])[+-]?\d*\.\d+(?=[;\t\r\n]|$)", re.M)
_COMMA_NUMBER = re.compile(r"[+-]?\d*,\d+")
_POINT_NUMBER = re.compile(r"[+-]?\d*\.\d+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth knowing) about an input file."""

    file: str  # file name as given; zip members as "archive.zip:member.csv"
    message: str
    column: str | None = None
    row: int | None = None  # line in the file as a spreadsheet shows it: header = 1
    severity: Severity = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.column:
            where.append(f"column {self.column}")
        if self.row is not None:
            where.append(f"line {self.row}")
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{', '.join(where)}: {self.message}"


class InputError(ValueError):
    """The input files cannot be used; ``problems`` lists why (errors first, then warnings)."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems, key=lambda p: p.severity != "error")
        super().__init__(_summary(self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class Tables:
    """The tables read: typed frames in schema column order, where each came from, warnings."""

    frames: dict[str, pl.DataFrame]
    sources: dict[str, str]
    warnings: list[Problem] = field(default_factory=list)

    def get(self, name: str) -> pl.DataFrame | None:
        return self.frames.get(name)


def read_tables(source: Source | Sequence[Source], *, application: str | None = None) -> Tables:
    """Read every table found in ``source`` (folder, file or list of them).

    ``application`` ("train" or "test") picks application_train or application_test when both are
    present. Raises ``InputError`` listing every problem found.
    """
    chosen = _choose_sources(source, application)
    frames, sources, problems = {}, {}, []
    for table, src in chosen.items():
        frame, found = _read_source(src)
        problems += found
        if frame is not None:
            frames[table], sources[table] = frame, src.display
    if _has_errors(problems):
        raise InputError(problems)
    return Tables(frames, sources, problems)


def scan_tables(
    source: Source | Sequence[Source], *, application: str | None = None
) -> dict[str, pl.LazyFrame]:
    """Lazy frames for very large, clean inputs: plain UTF-8 CSV and Parquet files are scanned.

    Recognition, dialect sniffing and header checks are those of ``read_tables``; anything else
    (zip members, gzip, transcoding) is read eagerly, then made lazy. Bad cells in scanned files
    surface as polars errors at collect time.
    """
    chosen = _choose_sources(source, application)
    lazy, problems = {}, []
    for table, src in chosen.items():
        try:
            lazy[table], found = _scan_source(src)
        except _Fatal as fatal:
            found = fatal.problems
        problems += found
    if _has_errors(problems):
        raise InputError(problems)
    for warning in problems:
        log.warning("%s", warning)
    return lazy


def read_table(path: Source, table: str | None = None) -> pl.DataFrame:
    """Read one file (or one-table zip); ``table`` names its table when the file name does not."""
    path = Path(path)
    if table is not None and table not in TABLE_NAMES:
        raise ValueError(f"unknown table {table!r}; expected one of {', '.join(TABLE_NAMES)}")
    src = _single_source(path, table)
    frame, problems = _read_source(src)
    if frame is None or _has_errors(problems):
        raise InputError(problems)
    for warning in problems:
        log.warning("%s", warning)
    return frame


# --- finding the files ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    display: str
    table: str
    variant: str | None  # "train" / "test" for application_train / application_test
    fmt: str  # "csv", "csv.gz" or "parquet"
    path: Path
    member: str | None = None  # name inside the zip archive at ``path``


class _Fatal(Exception):
    """Stops reading one file; carries the problems that explain why."""

    def __init__(self, *problems: Problem):
        super().__init__(problems)
        self.problems = list(problems)


def _split_name(name: str) -> tuple[str, str] | None:
    """(lower-case stem, format) of a file name with a known extension."""
    lower = name.lower()
    for suffix, fmt in _FORMATS:
        if lower.endswith(suffix):
            return lower[: -len(suffix)], fmt
    return None


def _table_of(name: str) -> tuple[str, str | None, str] | None:
    """(table, variant, format) of a table file name, None for any other name."""
    parts = _split_name(name)
    if parts is None or parts[1] == "zip" or parts[0] not in _TABLE_BY_STEM:
        return None
    table, variant = _TABLE_BY_STEM[parts[0]]
    return table, variant, parts[1]


def _not_a_table(display: str) -> Problem:
    names = ", ".join(sorted({*TABLE_NAMES, "application_train", "application_test"}))
    message = f"not a Home Credit table: the file name must be one of {names} (.csv, .parquet or .zip)"
    return Problem(display, message)


def _collect(source: Source | Sequence[Source]) -> tuple[list[_Source], list[Problem]]:
    items = [source] if isinstance(source, (str, Path)) else list(source)
    found: list[_Source] = []
    problems: list[Problem] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            more, trouble = _from_folder(path)
        elif not path.exists():
            more, trouble = [], [Problem(path.name or str(item), "file or folder not found")]
        else:
            more, trouble = _from_file(path, explicit=True)
        found += more
        problems += trouble
    return found, problems


def _from_folder(folder: Path) -> tuple[list[_Source], list[Problem]]:
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except OSError as exc:
        return [], [Problem(folder.name, f"cannot list the folder: {exc.strerror or exc}")]
    found, problems = [], []
    for child in children:
        if child.name.startswith((".", "~$")) or _split_name(child.name) is None:
            log.debug("ignoring %s: not a table file", child)
            continue
        more, trouble = _from_file(child, explicit=False)
        found += more
        problems += trouble
    return found, problems


def _from_file(path: Path, *, explicit: bool) -> tuple[list[_Source], list[Problem]]:
    parts = _split_name(path.name)
    if parts is not None and parts[1] == "zip":
        return _from_zip(path, parts[0], explicit=explicit)
    recognised = _table_of(path.name)
    if recognised is None:
        return [], [_not_a_table(path.name)] if explicit else []
    table, variant, fmt = recognised
    return [_Source(path.name, table, variant, fmt, path)], []


def _from_zip(path: Path, stem: str, *, explicit: bool) -> tuple[list[_Source], list[Problem]]:
    looks_like_table = stem in _TABLE_BY_STEM or _table_of(stem) is not None
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        if not (explicit or looks_like_table):
            log.debug("ignoring %s: %s", path, exc)
            return [], []
        return [], [Problem(path.name, _read_failure(exc))]
    found = []
    for member in members:
        base = member.rsplit("/", 1)[-1]
        recognised = None if member.startswith("__MACOSX/") else _table_of(base)
        if recognised is not None:
            table, variant, fmt = recognised
            found.append(_Source(f"{path.name}:{member}", table, variant, fmt, path, member))
    if not found and (explicit or looks_like_table):
        message = "the archive holds no Home Credit table (CSV or Parquet named after a table)"
        return [], [Problem(path.name, message)]
    return found, []


def _choose_sources(source: Source | Sequence[Source], application: str | None) -> dict[str, _Source]:
    """One source per table; raises ``InputError`` for unusable or ambiguous inputs."""
    if application not in (None, "train", "test"):
        raise ValueError(f'application must be "train", "test" or None, not {application!r}')
    found, problems = _collect(source)
    by_table: dict[str, list[_Source]] = {}
    for src in found:
        by_table.setdefault(src.table, []).append(src)
    chosen = {}
    for table, group in by_table.items():
        if table == "application" and len(group) > 1 and application is not None:
            group = [src for src in group if src.variant == application] or group
        if len(group) == 1:
            chosen[table] = group[0]
            continue
        names = ", ".join(src.display for src in group)
        hint = ' (say which with application="train" or "test")' if table == "application" else ""
        problems.append(Problem(group[0].display, f"several files for the {table} table: {names}{hint}"))
    if "application" not in by_table and not problems:  # a bad application file was reported already
        message = "no application table among the inputs (application_train, application_test or application)"
        problems.append(Problem(_describe(source), message))
    if _has_errors(problems):
        raise InputError(problems)
    return chosen


def _single_source(path: Path, table: str | None) -> _Source:
    """The one table file ``read_table`` reads, honouring an explicit table name."""
    parts = _split_name(path.name)
    is_zip = parts is not None and parts[1] == "zip"
    if table is not None and not is_zip:
        return _Source(path.name, table, None, parts[1] if parts else "csv", path)
    found, problems = _from_file(path, explicit=True)
    if table is not None:
        found = [src for src in found if src.table == table]
    if len(found) == 1 and not problems:
        return found[0]
    if not problems:
        if table is None:
            message = f"the archive holds {len(found)} tables: say which with table=, or use read_tables"
        else:
            message = f"the archive holds {len(found) or 'no'} {table} table{'s' if len(found) > 1 else ''}"
        problems = [Problem(path.name, message)]
    raise InputError(problems)


# --- reading one file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dialect:
    separator: str
    decimal_comma: bool


def _read_source(src: _Source) -> tuple[pl.DataFrame | None, list[Problem]]:
    """Typed frame of one source (None when it cannot be used) and its problems."""
    spec = tables()[src.table]
    try:
        data = _load(src)
        if src.fmt == "parquet":
            return _parse_parquet(data, spec, src.display)
        return _parse_csv(data, spec, src.display)
    except _Fatal as fatal:
        return None, fatal.problems


def _load(src: _Source) -> bytes:
    try:
        if src.member is not None:
            with zipfile.ZipFile(src.path) as archive:
                data = archive.read(src.member)
        else:
            data = src.path.read_bytes()
        return gzip.decompress(data) if src.fmt == "csv.gz" else data
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _Fatal(Problem(src.display, _read_failure(exc))) from exc


def _read_failure(exc: Exception) -> str:
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile)):
        return f"the archive is damaged or truncated ({exc})"
    if isinstance(exc, PermissionError):
        return "permission denied: the file cannot be read"
    if isinstance(exc, IsADirectoryError):
        return "this is a folder, not a file"
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    return f"cannot read the file: {getattr(exc, 'strerror', None) or exc}"


def _parse_parquet(data: bytes, spec: Table, display: str) -> tuple[pl.DataFrame, list[Problem]]:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # polars and its Arrow reader raise many kinds for a bad file
        raise _Fatal(Problem(display, f"not a valid Parquet file ({_first_line(exc)})")) from exc
    names, problems = _match_columns(frame.columns, spec, display)
    frame = frame.select(list(names)).rename(names)
    return _finish(frame, spec, display, decimal_comma=False, problems=problems)


def _parse_csv(data: bytes, spec: Table, display: str) -> tuple[pl.DataFrame, list[Problem]]:
    text = _to_utf8(data, display)
    dialect = _sniff(text[:SAMPLE_BYTES], display)
    header = _csv_call(pl.read_csv, text, dialect, display, n_rows=0).columns
    names, problems = _match_columns(header, spec, display)
    frame = None
    if not dialect.decimal_comma:
        declared = {raw: spec.columns[name].dtype for raw, name in names.items()}
        try:
            frame = pl.read_csv(
                text,
                separator=dialect.separator,
                columns=list(names),
                infer_schema=False,
                schema_overrides=declared,
            )
        except pl.exceptions.PolarsError as exc:
            log.debug("%s: typed read failed, looking for the bad cells (%s)", display, _first_line(exc))
    if frame is None:
        frame = _csv_call(pl.read_csv, text, dialect, display, columns=list(names), infer_schema=False)
    return _finish(frame.rename(names), spec, display, dialect.decimal_comma, problems=problems)


def _csv_call(
    reader: Callable, text: bytes | Path, dialect: _Dialect, display: str, **options
) -> pl.DataFrame | pl.LazyFrame:
    """``reader`` (read_csv / scan_csv) with the dialect; polars failures become a problem."""
    try:
        return reader(text, separator=dialect.separator, decimal_comma=dialect.decimal_comma, **options)
    except pl.exceptions.NoDataError as exc:
        raise _Fatal(Problem(display, "the file is empty")) from exc
    except pl.exceptions.PolarsError as exc:
        raise _Fatal(Problem(display, f"the file is not a well-formed table: {_first_line(exc)}")) from exc


def _to_utf8(data: bytes, display: str) -> bytes:
    """The file's text as UTF-8 bytes with LF or CRLF line ends; binary or empty files are fatal."""
    if not data or data.isspace():
        raise _Fatal(Problem(display, "the file is empty"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16").encode("utf-8")
    _reject_binary(data[:SAMPLE_BYTES], display)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = _transcode(data, display)
    head = data[:SAMPLE_BYTES]
    if b"\n" not in head and b"\r" in head:
        data = data.replace(b"\r", b"\n")
    if data.find(b"\n", 0, MAX_LINE_BYTES) < 0 and len(data) > MAX_LINE_BYTES:
        message = f"line 1 is longer than {MAX_LINE_BYTES >> 20} MB: this is not a table"
        raise _Fatal(Problem(display, message, row=1))
    return data


def _reject_binary(head: bytes, display: str) -> None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise _Fatal(Problem(display, f"this is not a CSV text file: it looks like {what}"))
    if b"\x00" in head:
        raise _Fatal(Problem(display, "this is not a CSV text file: it holds binary data"))


def _transcode(data: bytes, display: str) -> bytes:
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    log.info("%s: not UTF-8, read as %s", display, encoding)
    return text.encode("utf-8")


def _sniff(head: bytes, display: str) -> _Dialect:
    """Separator from the header line; decimal comma when most decimals in ``head`` use one."""
    header = head.split(b"\n", 1)[0]
    counts = {sep: header.count(sep.encode()) for sep in (",", ";", "\t")}
    separator = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    if separator == ",":
        return _Dialect(",", False)
    commas, points = len(_COMMA_DECIMAL.findall(head)), len(_POINT_DECIMAL.findall(head))
    decimal_comma = commas > points or (commas == points and separator == ";")
    log.debug("%s: separator %r, decimal %s", display, separator, "comma" if decimal_comma else "point")
    return _Dialect(separator, decimal_comma)


def _match_columns(header: list[str], spec: Table, display: str) -> tuple[dict[str, str], list[Problem]]:
    """Header name -> schema name for the known columns; warnings for extra and missing ones."""
    canonical = {name.upper(): name for name in spec.columns}
    names: dict[str, str] = {}
    extra = []
    for raw in header:
        name = canonical.get(raw.strip().upper())
        if name is None or name in names.values():
            extra.append(raw)
        else:
            names[raw] = name
    if not names:
        shown = _shorten(",".join(header))
        raise _Fatal(Problem(display, f'no column of the {spec.name} table in the header "{shown}": '
                                      "is it separated by commas, semicolons or tabs?", row=1))
    missing = [name for name in spec.input_columns(names.values()) if name not in names.values()]
    required = [name for name in spec.required if name in missing]
    absent = [Problem(display, "required column is missing", column=name, row=1) for name in required]
    if absent:
        raise _Fatal(*absent)
    notes = []
    if extra:
        notes.append(f"{_count(len(extra), 'unknown column')} ignored: {_listing(extra)}")
    if missing:
        notes.append(f"{_count(len(missing), 'column')} missing, left empty: {_listing(missing)}")
    return names, [Problem(display, note, row=1, severity="warning") for note in notes]


# --- typing and checks --------------------------------------------------------------------------


def _finish(frame: pl.DataFrame, spec: Table, display: str, decimal_comma: bool,
            problems: list[Problem]) -> tuple[pl.DataFrame, list[Problem]]:
    """Typed, complete frame in schema order; fatal when cells, keys or the row count are wrong."""
    frame, errors = _coerce(frame, spec, display, decimal_comma)
    if errors:
        raise _Fatal(*errors, *problems)
    if frame.height == 0:
        if spec.name == "application":
            raise _Fatal(Problem(display, "no clients: the file has a header but no rows"))
        problems.append(Problem(display, "the file has a header but no rows", severity="warning"))
    errors = _key_problems(frame, spec, display)
    if errors:
        raise _Fatal(*errors, *problems)
    columns = [pl.col(name) if name in frame.columns else pl.lit(None, spec.columns[name].dtype).alias(name)
               for name in spec.input_columns(frame.columns)]
    return frame.select(columns), problems


def _coerce(
    frame: pl.DataFrame, spec: Table, display: str, decimal_comma: bool
) -> tuple[pl.DataFrame, list[Problem]]:
    """Cast every column to its schema type; one problem per bad cell (capped), in line order."""
    values, masks = [], []
    for name, dtype in frame.schema.items():
        column = spec.columns[name]
        if dtype != column.dtype:
            value, bad = _parse(name, dtype, column, decimal_comma)
            values.append(value.alias(name))
            if bad is not None:
                masks.append(bad.alias(_MASK + name))
    checked = frame.lazy().with_columns(*values, *masks).collect()
    bad = checked.select(cs.starts_with(_MASK)).rename(lambda mask: mask.removeprefix(_MASK))
    typed = checked.drop(_MASK + name for name in bad.columns)
    total = bad.select(pl.sum_horizontal(pl.all().sum())).item() if bad.width else 0
    if not total:
        return typed, []
    rows = bad.select(pl.arg_where(pl.any_horizontal(pl.all()))).to_series().head(MAX_ERRORS_PER_FILE)
    cells = [(row, name) for row in rows for name in bad.columns if bad[name][row]][:MAX_ERRORS_PER_FILE]
    problems = []
    for row, name in cells:
        message = _cell_message(frame[name][row], spec.columns[name], decimal_comma)
        problems.append(Problem(display, message, column=name, row=FIRST_DATA_LINE + row))
    if total > len(problems):
        unlisted = total - len(problems)
        problems.append(Problem(display, f"{total} cells could not be read ({unlisted} more not listed)"))
    return frame, problems


def _parse(
    name: str, dtype: pl.DataType, column: Column, decimal_comma: bool
) -> tuple[pl.Expr, pl.Expr | None]:
    """(typed value, true for the cells that do not fit ``column``) of ``name`` stored as ``dtype``."""
    cells = pl.col(name)
    if column.kind == "str":
        return cells.cast(pl.String), None
    if dtype != pl.String:  # Parquet with another numeric type: values must survive the cast
        value = cells.cast(column.dtype, strict=False)
        lost = value.is_null() | (value.cast(dtype, strict=False) != cells)
        return value, (cells.is_not_null() & lost).fill_null(False)
    number = cells.str.replace(",", ".", literal=True) if decimal_comma else cells
    value = number.cast(column.dtype, strict=False)
    bad = cells.is_not_null() & (cells != "") & value.is_null()
    if decimal_comma:
        bad = bad | cells.str.contains(".", literal=True)
    return value, bad.fill_null(False)


def _cell_message(cell: object, column: Column, decimal_comma: bool) -> str:
    text = str(cell)
    shown = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
    if decimal_comma and _POINT_NUMBER.fullmatch(text):
        return f'"{shown}" uses "." as decimal mark but this file uses ","'
    if not decimal_comma and _COMMA_NUMBER.fullmatch(text):
        return f'"{shown}" uses "," as decimal mark but this file uses "."'
    return f'"{shown}" is not {"a whole number" if column.kind == "int" else "a number"}'


def _key_problems(frame: pl.DataFrame, spec: Table, display: str) -> list[Problem]:
    problems = []
    for key in spec.keys:
        rows = frame.select(pl.arg_where(pl.col(key).is_null())).to_series()
        if rows.len():
            lines = (rows.head(MAX_ERRORS_PER_FILE) + FIRST_DATA_LINE).to_list()
            message = f"{key} is empty on {_count(rows.len(), 'line')}: {_listing(lines, total=rows.len())}"
            problems.append(Problem(display, message, column=key, row=lines[0]))
    if spec.name == "application":
        problems += _duplicate_problems(frame, "SK_ID_CURR", display)
    return problems


def _duplicate_problems(frame: pl.DataFrame, key: str, display: str) -> list[Problem]:
    groups = (frame.select(pl.col(key), pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
              .filter(pl.col(key).is_duplicated() & pl.col(key).is_not_null())
              .group_by(key, maintain_order=True).agg("_row"))
    problems = []
    for value, rows in groups.head(MAX_ERRORS_PER_FILE).iter_rows():
        lines = [row + FIRST_DATA_LINE for row in rows]
        message = f"{key} {value} appears on several lines: {_listing(lines)}"
        problems.append(Problem(display, message, column=key, row=lines[1]))
    if groups.height > len(problems):
        unlisted = groups.height - len(problems)
        message = f"{groups.height} {key} values appear more than once ({unlisted} more not listed)"
        problems.append(Problem(display, message, column=key))
    return problems


# --- lazy scanning ------------------------------------------------------------------------------


def _scan_source(src: _Source) -> tuple[pl.LazyFrame, list[Problem]]:
    """Scan a plain UTF-8 CSV or Parquet file; read anything else eagerly."""
    spec = tables()[src.table]
    if src.member is None and src.fmt == "parquet":
        header = _parquet_columns(src)
        names, problems = _match_columns(header, spec, src.display)
        return _conform_lazy(pl.scan_parquet(src.path), names, spec), problems
    head = _plain_utf8_head(src) if src.member is None and src.fmt == "csv" else None
    if head is not None:
        dialect = _sniff(head, src.display)
        header = _csv_call(pl.read_csv, src.path, dialect, src.display, n_rows=0).columns
        names, problems = _match_columns(header, spec, src.display)
        declared = {raw: spec.columns[name].dtype for raw, name in names.items()}
        lazy = _csv_call(
            pl.scan_csv, src.path, dialect, src.display, infer_schema=False, schema_overrides=declared
        )
        return _conform_lazy(lazy, names, spec), problems
    frame, problems = _read_source(src)
    if frame is None:
        raise _Fatal(*problems)
    return frame.lazy(), problems


def _parquet_columns(src: _Source) -> list[str]:
    try:
        return list(pl.read_parquet_schema(src.path))
    except OSError as exc:
        raise _Fatal(Problem(src.display, _read_failure(exc))) from exc
    except Exception as exc:  # a damaged Parquet footer raises several kinds
        raise _Fatal(Problem(src.display, f"not a valid Parquet file ({_first_line(exc)})")) from exc


def _plain_utf8_head(src: _Source) -> bytes | None:
    """The first bytes of a file that polars can scan as is (UTF-8 text, LF line ends), else None."""
    try:
        with src.path.open("rb") as stream:
            head = stream.read(SAMPLE_BYTES)
    except OSError:
        return None  # the eager path reports it
    if head.isspace() or b"\n" not in head or b"\x00" in head or head.startswith(tuple(_MAGIC)):
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


# --- wording ------------------------------------------------------------------------------------


def _has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    head = f"The input files cannot be used ({_count(errors, 'problem')}):"
    return "\n".join([head, *(f"  {p}" for p in problems)])


def _describe(source: Source | Sequence[Source]) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name or str(source)
    return ", ".join(Path(item).name for item in source) or "(no files)"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _listing(items: Sequence, limit: int = 10, total: int | None = None) -> str:
    total = len(items) if total is None else total
    shown = ", ".join(str(item) for item in items[:limit])
    return shown if total <= limit else f"{shown} and {total - limit} more"


def _shorten(text: str) -> str:
    return text if len(text) <= 80 else text[:80] + "…"


def _first_line(exc: Exception) -> str:
    return _shorten(str(exc).strip().split("\n", 1)[0])
