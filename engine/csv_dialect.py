"""CSV dialects: text brought to UTF-8, separator and decimal mark sniffed, polars called with them.

* encoding: UTF-8 with or without BOM, UTF-16 with BOM, otherwise cp1252 (latin-1 where cp1252
  leaves a byte undefined), transcoded to UTF-8 in memory; binary files are refused by their magic;
* line ends: LF, CRLF or CR alone (CR is turned into LF);
* separator: comma, semicolon or tab; decimal mark: point, or comma in semicolon/tab files.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from engine.input_problems import Fatal, Problem, first_line

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
_COMMA_DECIMAL = re.compile(rb"(?:^|[;\t])[+-]?\d+,\d+(?=[;\t\r\n]|$)", re.M)
_POINT_DECIMAL = re.compile(rb"(?:^|[;\t])[+-]?\d*\.\d+(?=[;\t\r\n]|$)", re.M)


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


def to_utf8(data: bytes, display: str) -> bytes:
    """The file's text as UTF-8 bytes with LF or CRLF line ends; binary or empty files are fatal."""
    if not data or data.isspace():
        raise Fatal(Problem.of(display, code="empty_file"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise Fatal(Problem.of(display, code="damaged_utf16", offset=exc.start)) from exc
    _reject_binary(data[:SAMPLE_BYTES], display)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = _transcode(data, display)
    head = data[:SAMPLE_BYTES]
    if b"\n" not in head and b"\r" in head:
        data = data.replace(b"\r", b"\n")
    if data.find(b"\n", 0, MAX_LINE_BYTES) < 0 and len(data) > MAX_LINE_BYTES:
        raise Fatal(Problem.of(display, code="first_line_too_long", row=1, mb=MAX_LINE_BYTES >> 20))
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


def _transcode(data: bytes, display: str) -> bytes:
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    log.info("%s: not UTF-8, read as %s", display, encoding)
    return text.encode("utf-8")


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
