"""CSV dialects: text brought to UTF-8, separator and decimal mark sniffed, polars called with them.

* encoding: UTF-8 with or without BOM (checked over the whole file as it is streamed, and then read by
  polars from its path), UTF-16 with BOM, otherwise cp1252 (latin-1 where cp1252 leaves a byte
  undefined), transcoded to UTF-8 in one buffer as it is streamed; binary files are refused by their magic;
* line ends: LF, CRLF or CR alone (CR is turned into LF);
* separator: comma, semicolon or tab; decimal mark: point, or comma in semicolon/tab files.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from engine.input_problems import Fatal, Problem, first_line
from engine.sources import TableFile, chunks, open_stream

log = logging.getLogger(__name__)

#: A header line longer than this is not a table.
MAX_LINE_BYTES = 1 << 20
#: Bytes looked at to sniff a file's dialect.
SAMPLE_BYTES = 1 << 16
#: Leading bytes of files that are not CSV text, and what they are (in English, in French).
MAGIC = {
    b"\x89PNG": ("a PNG image", "une image PNG"),
    b"\xff\xd8\xff": ("a JPEG image", "une image JPEG"),
    b"%PDF": ("a PDF document", "un document PDF"),
    b"PK\x03\x04": ("a ZIP archive or an Excel workbook (.xlsx)",
                    "une archive ZIP ou un classeur Excel (.xlsx)"),
    b"\xd0\xcf\x11\xe0": ("an Excel 97-2003 workbook (.xls)", "un classeur Excel 97-2003 (.xls)"),
    b"PAR1": ("a Parquet file", "un fichier Parquet"),
}
#: What polars raises on a bad file: its errors, and a panic of its Rust code (a ``BaseException``;
#: seen by the fuzz test on a mangled CSV in polars 2.1).
POLARS_FAILURES = (pl.exceptions.PolarsError, pl.exceptions.PanicException)
_LINE_END = re.compile(rb"[\r\n]")
_COMMA_DECIMAL = re.compile(rb"(?:^|[;\t])[+-]?\d+,\d+(?=[;\t\r\n]|$)", re.MULTILINE)
_POINT_DECIMAL = re.compile(rb"(?:^|[;\t])[+-]?\d*\.\d+(?=[;\t\r\n]|$)", re.MULTILINE)


@dataclass(frozen=True)
class Dialect:
    separator: str
    decimal_comma: bool


def csv_call(
    reader: Callable, text: bytes | Path, dialect: Dialect, display: str, **options
) -> pl.DataFrame | pl.LazyFrame:
    """``reader`` (read_csv / scan_csv) with the dialect; polars failures become a problem."""
    try:
        return reader(text, separator=dialect.separator, decimal_comma=dialect.decimal_comma, **options)
    except pl.exceptions.NoDataError as exc:
        raise Fatal(Problem.of(display, code="empty_file")) from exc
    except POLARS_FAILURES as exc:
        raise Fatal(Problem.of(display, code="malformed_table", detail=first_line(exc))) from exc


@dataclass(frozen=True)
class CsvText:
    """A CSV file's text for polars: its path when it is UTF-8 as stored, else its text brought to UTF-8."""

    source: Path | io.BytesIO
    head: bytes  # the first SAMPLE_BYTES of the text, to sniff the dialect from
    sha256: str | None  # of the file as stored (a plain or gzip file; None for a zip member)
    not_utf8_line: int | None  # line of the first byte that is not UTF-8 (the file was read as cp1252)

    def rewound(self) -> Path | io.BytesIO:
        """The text to hand polars once more (a buffer is read from its start)."""
        if isinstance(self.source, io.BytesIO):
            self.source.seek(0)
        return self.source


def csv_text(src: TableFile) -> CsvText:
    """The text of a CSV source, streamed: read from its path by polars when it is plain UTF-8 text.

    One pass hashes the file and checks that it is UTF-8 (the whole of it, not only its first bytes); a
    zip member, a gzip file or CR line ends are unpacked into one UTF-8 buffer during that pass. A file
    that is not UTF-8 is streamed again and transcoded from cp1252 (latin-1 where cp1252 leaves a byte
    undefined), or from UTF-16 when it starts with its byte-order mark. Binary or empty files are fatal.
    """
    digest = hashlib.sha256() if src.member is None else None
    with open_stream(src, digest) as stream:
        pieces = chunks(stream)
        first = next(pieces, b"")
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _transcoded(src, "utf-16", None)
        _reject_binary(first[:SAMPLE_BYTES], src.display)
        cr_only = _cr_only(first)
        plain = src.member is None and src.fmt == "csv" and not cr_only
        buffer = None if plain else io.BytesIO()
        decoder, lines, bad_line, blank, size = codecs.getincrementaldecoder("utf-8")(), 1, None, True, 0
        line_end = first.find(b"\r" if cr_only else b"\n", 0, MAX_LINE_BYTES)
        for chunk in itertools.chain([first], pieces):
            if bad_line is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_line = lines + chunk.count(b"\n", 0, exc.start)
            lines += chunk.count(b"\n")
            blank = blank and (not chunk or chunk.isspace())
            size += len(chunk)
            if buffer is not None and bad_line is None:
                buffer.write(chunk.replace(b"\r", b"\n") if cr_only else chunk)
            elif bad_line is not None and digest is None:
                break  # transcoded below: nothing more to learn from this pass
        if bad_line is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                bad_line = lines  # a character cut short at the end of the file
    if blank:
        raise Fatal(Problem.of(src.display, code="empty_file"))
    if line_end < 0 and size > MAX_LINE_BYTES:
        raise Fatal(Problem.of(src.display, code="first_line_too_long", row=1, mb=MAX_LINE_BYTES >> 20))
    sha256 = digest.hexdigest() if digest is not None else None
    if bad_line is not None:
        return _transcoded(src, "cp1252", sha256, bad_line)
    if buffer is None:
        return CsvText(src.path, first[:SAMPLE_BYTES], sha256, None)
    return CsvText(buffer, buffer.getbuffer()[:SAMPLE_BYTES].tobytes(), sha256, None)


def _transcoded(src: TableFile, encoding: str, sha256: str | None, bad_line: int | None = None) -> CsvText:
    """The source streamed again, decoded from ``encoding`` into a UTF-8 buffer (cp1252 falls back to latin-1)."""
    buffer, cr_only, blank = io.BytesIO(), None, True
    with open_stream(src) as stream:
        try:
            for text in transcode(chunks(stream), encoding):
                if cr_only is None:
                    cr_only = _cr_only(text)
                    _reject_binary(text[:SAMPLE_BYTES], src.display)
                blank = blank and (not text or text.isspace())
                buffer.write(text.replace(b"\r", b"\n") if cr_only else text)
        except UnicodeDecodeError as exc:
            if encoding == "utf-16":
                raise Fatal(Problem.of(src.display, code="damaged_utf16", offset=exc.start)) from exc
            return _transcoded(src, "latin-1", sha256, bad_line)
    if encoding != "utf-16":
        log.info("%s: not UTF-8 (line %s), read as %s", src.display, bad_line, encoding)
    if blank:
        raise Fatal(Problem.of(src.display, code="empty_file"))
    return CsvText(buffer, buffer.getbuffer()[:SAMPLE_BYTES].tobytes(), sha256, bad_line)


def transcode(pieces: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """Text in ``encoding`` (chunks cut anywhere) as UTF-8 chunks; ``UnicodeDecodeError`` where it is not."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for piece in pieces:
        yield decoder.decode(piece).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def _cr_only(text: bytes) -> bool:
    """Whether the text's lines end with CR alone (old Mac Excel), judged on its first bytes."""
    head = text[:SAMPLE_BYTES]
    return b"\n" not in head and b"\r" in head


def to_utf8(data: bytes, display: str) -> bytes:
    """A header's bytes as UTF-8; binary or empty text is fatal."""
    if not data or data.isspace():
        raise Fatal(Problem.of(display, code="empty_file"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = b"".join(transcode([data], "utf-16"))
        except UnicodeDecodeError as exc:
            raise Fatal(Problem.of(display, code="damaged_utf16", offset=exc.start)) from exc
    _reject_binary(data[:SAMPLE_BYTES], display)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data = b"".join(transcode([data], "cp1252"))
        except UnicodeDecodeError:
            data = b"".join(transcode([data], "latin-1"))
    return data


def header_columns(head: bytes, display: str) -> list[str]:
    """The column names of a CSV file from its first bytes (at least its first line, or the whole file)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore").encode("utf-8")
    _reject_binary(head[:SAMPLE_BYTES], display)
    end = _LINE_END.search(head)
    if end is None and len(head) > MAX_LINE_BYTES:
        raise Fatal(Problem.of(display, code="first_line_too_long", row=1, mb=MAX_LINE_BYTES >> 20))
    text = to_utf8(head[: end.start()] + b"\n" if end else head, display)
    return csv_call(pl.read_csv, text, sniff(text, display), display, n_rows=0).columns


def _reject_binary(head: bytes, display: str) -> None:
    for magic, (what, what_fr) in MAGIC.items():
        if head.startswith(magic):
            raise Fatal(Problem.of(display, code="not_csv_known_format", what=what, what_fr=what_fr))
    if b"\x00" in head:
        raise Fatal(Problem.of(display, code="not_csv_binary"))


def sniff(head: bytes, display: str) -> Dialect:
    """Separator from the header line; decimal comma when most decimals in ``head`` use one."""
    header = head.split(b"\n", 1)[0]
    counts = {sep: header.count(sep.encode()) for sep in (",", ";", "\t")}
    separator = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    if separator == ",":
        return Dialect(",", False)
    commas, points = len(_COMMA_DECIMAL.findall(head)), len(_POINT_DECIMAL.findall(head))
    decimal_comma = commas > points or (commas == points and separator == ";")
    log.debug("%s: separator %r, decimal %s", display, separator, "comma" if decimal_comma else "point")
    return Dialect(separator, decimal_comma)
