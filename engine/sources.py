"""Find the files among the inputs a user gives, and read their bytes.

Inputs are folders, files and ZIP archives. ``find_files`` lists every CSV, gzip-CSV or Parquet file
among them (a folder's and an archive's too); which table each holds is recognised from its columns
by ``engine.recognition``. ``open_stream`` streams a file's bytes (zip member or gzip unpacked as they
are read, the file hashed as it is read), ``peek`` returns its first bytes (its header), ``load`` all of
them.

Only regular files are read (a device, a pipe or a link to one is refused before it is opened), and
no input can make the readers hold more than :data:`MAX_TABLE_BYTES`: a zip member whose declared
size or compression ratio exceeds the caps is refused before it is inflated, and every archive is
inflated through a counting reader that stops at the cap whatever its header says.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import logging
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.input_problems import Fatal, Problem
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
@dataclass(frozen=True)
class TableFile:
    """One file (or zip member) among the inputs; ``table`` once its columns are recognised."""

    display: str
    fmt: str  # "csv", "csv.gz" or "parquet"
    path: Path
    member: str | None = None  # name inside the zip archive at ``path``
    explicit: bool = True  # named by the user (or alone in an archive they named), not found in a folder
    table: str | None = None
    variant: str | None = None  # "train" / "test" for an application table (see engine.recognition)

    @property
    def stem(self) -> str:
        """The file's name without folder, archive or extension, lower-case: the table hint."""
        name = (self.member or self.path.name).rsplit("/", 1)[-1]
        parts = split_name(name)
        return parts[0] if parts else name.lower()


def split_name(name: str) -> tuple[str, str] | None:
    """(lower-case stem, format) of a file name with a known extension."""
    lower = name.lower()
    for suffix, fmt in _FORMATS:
        if lower.endswith(suffix):
            return lower[: -len(suffix)], fmt
    return None


def find_files(source: Source | Sequence[Source]) -> tuple[list[TableFile], list[Problem]]:
    """Every table-format file among the inputs (not yet recognised) and the problems of the rest."""
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
        if child.name.startswith((".", "~$")) or split_name(child.name) is None:
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
    parts = split_name(path.name)
    if parts is None:
        return [], [Problem.of(path.name, code="unsupported_file_type")]
    if parts[1] == "zip":
        return _from_zip(path, explicit=explicit)
    return [TableFile(path.name, parts[1], path, explicit=explicit)], []


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


def _from_zip(path: Path, *, explicit: bool) -> tuple[list[TableFile], list[Problem]]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        if not (explicit or hints_table(path.name)):
            log.debug("ignoring %s: %s", path, exc)
            return [], []
        return [], [read_failure(path.name, exc)]
    tables = [(member, parts[1]) for member in members
              if not member.startswith("__MACOSX/") and (parts := split_name(member.rsplit("/", 1)[-1]))
              and parts[1] != "zip"]
    if not tables and (explicit or hints_table(path.name)):
        return [], [Problem.of(path.name, code="archive_without_table")]
    alone = explicit and len(tables) == 1  # the one file of an archive the user named: as if named
    return [TableFile(f"{path.name}:{member}", fmt, path, member, explicit=alone) for member, fmt in tables], []


def hints_table(name: str) -> str | None:
    """The table a file name points to (the longest table name it contains), None if none: a hint only."""
    words = "_".join(re.split(r"[^a-z0-9]+", name.lower()))
    named = [table for table in TABLE_NAMES if table.lower() in words]
    return max(named, key=len, default=None)


@contextlib.contextmanager
def open_stream(src: TableFile, digest: hashlib._Hash | None = None) -> Iterator[io.RawIOBase]:
    """The table's bytes as a stream: a regular file, a zip member or a gzip file unpacked as it is read.

    Sizes a file or zip member declares are checked against the caps before anything is read, and the
    stream stops at the cap whatever they say (``Fatal``), as do damaged archives. ``digest``, when given,
    is fed the bytes of the file as it is stored (a plain or gzip file; not a zip member, whose archive is
    hashed whole) as they are read.
    """
    try:
        with contextlib.ExitStack() as stack:
            if src.member is not None:
                if (odd := _not_regular(src.path, src.display)) is not None:
                    raise Fatal(odd)
                archive = stack.enter_context(zipfile.ZipFile(src.path))
                info = archive.getinfo(src.member)
                if info.flag_bits & _ENCRYPTED:
                    raise Fatal(Problem.of(src.display, code="archive_encrypted"))
                packed = min(info.compress_size, src.path.stat().st_size)  # either may lie
                _check_declared(info.file_size, packed, src.display)
                stream = stack.enter_context(archive.open(info))
            else:
                size = checked_path(src).stat().st_size
                stream = stack.enter_context(src.path.open("rb"))
                if digest is not None:
                    stream = _Hashing(stream, digest)
                packed = size if src.fmt == "csv.gz" else None
            if src.fmt == "csv.gz":
                stream = stack.enter_context(gzip.GzipFile(fileobj=stream))
            yield _Capped(stream, packed, src.display)
    except NotImplementedError as exc:  # zipfile: a compression method Python does not have
        raise Fatal(Problem.of(src.display, code="archive_method_unsupported", detail=str(exc))) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise Fatal(read_failure(src.display, exc)) from exc


def checked_path(src: TableFile) -> Path:
    """The path of a file read as it is stored (not a zip member): a regular file within the size cap."""
    odd = _not_regular(src.path, src.display)
    if odd is not None:
        raise Fatal(odd)
    try:
        _check_declared(src.path.stat().st_size, None, src.display)
    except OSError as exc:
        raise Fatal(read_failure(src.display, exc)) from exc
    return src.path


def chunks(stream: io.RawIOBase) -> Iterator[bytes]:
    """A stream from :func:`open_stream` read to its end in chunks."""
    while chunk := stream.read(_CHUNK):
        yield chunk


def peek(src: TableFile, size: int) -> bytes:
    """The first ``size`` bytes of the file's text (a zip member or a gzip file unpacked as far)."""
    head = bytearray()
    with open_stream(src) as stream:
        while len(head) < size and (chunk := stream.read(size - len(head))):
            head += chunk
    return bytes(head)


def load(src: TableFile) -> bytes:
    """The table's bytes: a regular file read, a zip member or a gzip file unpacked, within the caps."""
    with open_stream(src) as stream:
        return b"".join(chunks(stream))


class _Hashing(io.RawIOBase):
    """A file read through, its bytes fed to a digest."""

    def __init__(self, raw: io.BufferedIOBase, digest: hashlib._Hash) -> None:
        super().__init__()
        self._raw, self._digest = raw, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        count = self._raw.readinto(buffer)
        self._digest.update(memoryview(buffer)[:count])
        return count


class _Capped(io.RawIOBase):
    """A stream that stops with ``Fatal`` past the cap of :func:`_limit` (an archive may lie about its sizes)."""

    def __init__(self, raw: io.BufferedIOBase, packed: int | None, display: str) -> None:
        super().__init__()
        self._raw, self._packed, self._display = raw, packed, display
        self._limit, self._read = _limit(packed), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        count = self._raw.readinto(buffer)
        self._read += count
        if self._read > self._limit:
            log.warning("%s: more than %d bytes read, stopped", self._display, self._limit)
            raise Fatal(_too_large(self._packed, self._display))
        return count


def _limit(packed: int | None) -> int:
    """Most bytes to read from a stream unpacking ``packed`` bytes (None: not compressed)."""
    if packed is None:
        return MAX_TABLE_BYTES
    return min(MAX_TABLE_BYTES, max(RATIO_FREE_BYTES, MAX_COMPRESSION_RATIO * packed))


def _check_declared(size: int, packed: int | None, display: str) -> None:
    """Refuse, before reading, a file or member whose (declared) size is over the caps."""
    if size > _limit(packed):
        raise Fatal(_too_large(packed, display))


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
