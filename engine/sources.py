"""Find the table files among the inputs a user gives, and load their bytes.

Inputs are folders, files and ZIP archives; a file's table is recognised by its name (see
``engine.readers``). ``choose_sources`` keeps one file per table, ``single_source`` picks the file
``read_table`` reads, and ``load`` returns a file's bytes (zip member unpacked, gzip decompressed).

Only regular files are read (a device, a pipe or a link to one is refused before it is opened), and
no input can make the readers hold more than :data:`MAX_TABLE_BYTES`: a zip member whose declared
size or compression ratio exceeds the caps is refused before it is inflated, and every archive is
inflated through a counting reader that stops at the cap whatever its header says.
"""

from __future__ import annotations

import gzip
import io
import logging
import stat
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.input_problems import Fatal, InputError, Problem, has_errors
from engine.schema import TABLE_NAMES

log = logging.getLogger(__name__)

Source = str | Path

#: Most bytes of one table the readers hold in memory (a plain file's size, an archive member's or a
#: gzip file's unpacked size). The largest table of a 300,000-client batch (installments, ~13 M rows)
#: is ~0.7 GB of CSV; the full Kaggle bureau_balance (27 M rows) 0.4 GB.
MAX_TABLE_BYTES = 2 << 30
#: Most unpacked bytes per compressed byte (real Home Credit zips: 3.8 to 6.8; zeros deflate ~1,000).
MAX_COMPRESSION_RATIO = 50
#: Unpacked size up to which the ratio is not checked (a small, very regular file may pack tighter).
RATIO_FREE_BYTES = 1 << 20
_CHUNK = 1 << 20
_ENCRYPTED = 0x1  # general purpose flag bit 0 of a zip entry

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


@dataclass(frozen=True)
class TableFile:
    """One file (or zip member) holding a table, as found among the inputs."""

    display: str
    table: str
    variant: str | None  # "train" / "test" for application_train / application_test
    fmt: str  # "csv", "csv.gz" or "parquet"
    path: Path
    member: str | None = None  # name inside the zip archive at ``path``


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
    return Problem.of(display, code="not_a_table", names=names)


def _collect(source: Source | Sequence[Source]) -> tuple[list[TableFile], list[Problem]]:
    items = [source] if isinstance(source, (str, Path)) else list(source)
    found: list[TableFile] = []
    problems: list[Problem] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            more, trouble = _from_folder(path)
        elif not path.exists():
            more, trouble = [], [Problem.of(path.name or str(item), code="not_found")]
        else:
            more, trouble = _from_file(path, explicit=True)
        found += more
        problems += trouble
    return found, problems


def _from_folder(folder: Path) -> tuple[list[TableFile], list[Problem]]:
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except OSError as exc:
        return [], [Problem.of(folder.name, code="cannot_list_folder", reason=str(exc.strerror or exc))]
    found, problems = [], []
    for child in children:
        if child.name.startswith((".", "~$")) or _split_name(child.name) is None:
            log.debug("ignoring %s: not a table file", child)
            continue
        more, trouble = _from_file(child, explicit=False)
        found += more
        problems += trouble
    return found, problems


def _from_file(path: Path, *, explicit: bool) -> tuple[list[TableFile], list[Problem]]:
    odd = _not_regular(path, path.name)
    if odd is not None:
        return [], [odd]
    parts = _split_name(path.name)
    if parts is not None and parts[1] == "zip":
        return _from_zip(path, parts[0], explicit=explicit)
    recognised = _table_of(path.name)
    if recognised is None:
        return [], [_not_a_table(path.name)] if explicit else []
    table, variant, fmt = recognised
    return [TableFile(path.name, table, variant, fmt, path)], []


def _not_regular(path: Path, display: str) -> Problem | None:
    """The problem of a path that is not a regular file (device, pipe, socket), None otherwise."""
    try:
        mode = path.stat().st_mode  # follows links: a link to /dev/zero is a device
    except OSError as exc:
        return read_failure(display, exc)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return Problem.of(display, code="folder_not_file")
    return Problem.of(display, code="not_a_regular_file")


def _from_zip(path: Path, stem: str, *, explicit: bool) -> tuple[list[TableFile], list[Problem]]:
    looks_like_table = stem in _TABLE_BY_STEM or _table_of(stem) is not None
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        if not (explicit or looks_like_table):
            log.debug("ignoring %s: %s", path, exc)
            return [], []
        return [], [read_failure(path.name, exc)]
    found = []
    for member in members:
        base = member.rsplit("/", 1)[-1]
        recognised = None if member.startswith("__MACOSX/") else _table_of(base)
        if recognised is not None:
            table, variant, fmt = recognised
            found.append(TableFile(f"{path.name}:{member}", table, variant, fmt, path, member))
    if not found and (explicit or looks_like_table):
        return [], [Problem.of(path.name, code="archive_without_table")]
    return found, []


def choose_sources(source: Source | Sequence[Source], application: str | None) -> dict[str, TableFile]:
    """One source per table; raises ``InputError`` for unusable or ambiguous inputs."""
    if application not in (None, "train", "test"):
        raise ValueError(f'application must be "train", "test" or None, not {application!r}')
    found, problems = _collect(source)
    by_table: dict[str, list[TableFile]] = {}
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
        if table == "application":
            problems.append(Problem.of(group[0].display, code="several_application_files", names=names))
        else:
            problems.append(Problem.of(group[0].display, code="several_table_files", table=table,
                                       names=names))
    if "application" not in by_table and not problems:  # a bad application file was reported already
        problems.append(Problem.of(_describe(source), code="no_application_table"))
    if has_errors(problems):
        raise InputError(problems)
    return chosen


def single_source(path: Path, table: str | None) -> TableFile:
    """The one table file ``read_table`` reads, honouring an explicit table name."""
    parts = _split_name(path.name)
    is_zip = parts is not None and parts[1] == "zip"
    if table is not None and not is_zip:
        return TableFile(path.name, table, None, parts[1] if parts else "csv", path)
    found, problems = _from_file(path, explicit=True)
    if table is not None:
        found = [src for src in found if src.table == table]
    if len(found) == 1 and not problems:
        return found[0]
    if not problems:
        if table is None:
            problems = [Problem.of(path.name, code="archive_several_tables", n=len(found))]
        elif found:
            problems = [Problem.of(path.name, code="archive_same_table_twice", n=len(found), table=table)]
        else:
            problems = [Problem.of(path.name, code="archive_lacks_table", table=table)]
    raise InputError(problems)


def _describe(source: Source | Sequence[Source]) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name or str(source)
    return ", ".join(Path(item).name for item in source) or "(no files)"


def load(src: TableFile) -> bytes:
    """The table's bytes: a regular file read, a zip member or a gzip file unpacked, within the caps."""
    odd = _not_regular(src.path, src.display)
    if odd is not None:
        raise Fatal(odd)
    try:
        if src.member is not None:
            with zipfile.ZipFile(src.path) as archive:
                info = archive.getinfo(src.member)
                if info.flag_bits & _ENCRYPTED:
                    raise Fatal(Problem.of(src.display, code="archive_encrypted"))
                packed = min(info.compress_size, src.path.stat().st_size)  # either may lie
                _check_declared(info.file_size, packed, src.display)
                with archive.open(info) as stream:
                    data = _read_capped(stream, packed, src.display)
        else:
            size = src.path.stat().st_size
            _check_declared(size, None, src.display)
            with src.path.open("rb") as stream:
                data = _read_capped(stream, None, src.display)
        if src.fmt == "csv.gz":
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = _read_capped(stream, len(data), src.display)
        return data
    except NotImplementedError as exc:  # zipfile: a compression method Python does not have
        raise Fatal(Problem.of(src.display, code="archive_method_unsupported", detail=str(exc))) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise Fatal(read_failure(src.display, exc)) from exc


def _limit(packed: int | None) -> int:
    """Most bytes to read from a stream unpacking ``packed`` bytes (None: not compressed)."""
    if packed is None:
        return MAX_TABLE_BYTES
    return min(MAX_TABLE_BYTES, max(RATIO_FREE_BYTES, MAX_COMPRESSION_RATIO * packed))


def _check_declared(size: int, packed: int | None, display: str) -> None:
    """Refuse, before reading, a file or member whose (declared) size is over the caps."""
    if size > _limit(packed):
        raise Fatal(_too_large(packed, display))


def _read_capped(stream: io.BufferedIOBase, packed: int | None, display: str) -> bytes:
    """All of ``stream``, read in chunks; stops at the cap (an archive may lie about its sizes)."""
    limit = _limit(packed)
    buffer = io.BytesIO()
    while chunk := stream.read(_CHUNK):
        buffer.write(chunk)
        if buffer.tell() > limit:
            log.warning("%s: more than %d bytes read, stopped", display, limit)
            raise Fatal(_too_large(packed, display))
    return buffer.getvalue()


def _too_large(packed: int | None, display: str) -> Problem:
    """The problem of a table over :data:`MAX_TABLE_BYTES` or an archive over the ratio."""
    if _limit(packed) < MAX_TABLE_BYTES:
        return Problem.of(display, code="archive_ratio_too_high", ratio=MAX_COMPRESSION_RATIO,
                          packed_kb=-(-packed // 1024))
    return Problem.of(display, code="table_too_large", cap=MAX_TABLE_BYTES >> 20)


def read_failure(display: str, exc: Exception) -> Problem:
    """The problem of a file that cannot be read (or unpacked)."""
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile)):
        return Problem.of(display, code="damaged_archive", detail=str(exc))
    if isinstance(exc, PermissionError):
        return Problem.of(display, code="permission_denied")
    if isinstance(exc, IsADirectoryError):
        return Problem.of(display, code="folder_not_file")
    if isinstance(exc, FileNotFoundError):
        return Problem.of(display, code="file_not_found")
    return Problem.of(display, code="cannot_read_file", reason=str(getattr(exc, "strerror", None) or exc))
