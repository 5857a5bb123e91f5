"""Client files sent to the local API, read as the CLI and the Import page read them.

A request carries its files as ``multipart/form-data`` (every file part, under its own name) or as
one raw body (``text/csv``, a zip, …) named by ``Content-Disposition: …; filename="…"``. The files
are written under their names into a private temporary folder of the data folder and validated by
``storage.validation.validate``: each file's table recognised by its columns (the name is only a
hint), the same checks and the same problems, FR/EN. The folder is removed once they are read.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import Request
from werkzeug.datastructures import FileStorage
from werkzeug.http import parse_options_header

from desktop.api_problems import RequestRefused
from engine.sources import split_name
from storage.validation import Validated, validate

log = logging.getLogger(__name__)

MULTIPART = "multipart/form-data"
#: Content types of a raw body -> the extension a file of that kind carries (a name without a known
#: extension gets it; ``application/octet-stream`` leaves the name's own extension to tell).
RAW_TYPES = {
    "text/csv": ".csv",
    "text/tab-separated-values": ".tsv",
    "text/plain": ".txt",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/gzip": ".csv.gz",
    "application/vnd.apache.parquet": ".parquet",
    "application/octet-stream": "",
}
#: The name of a raw body sent without ``Content-Disposition``.
DEFAULT_NAME = "request"
_MAX_NAME_BYTES = 255


def carries_files(request: Request) -> bool:
    """Whether the request's body is files (multipart or one raw file), not JSON."""
    return request.mimetype == MULTIPART or request.mimetype in RAW_TYPES


def validated_files(request: Request, home: Path) -> Validated:
    """The request's files read and checked as an import's; ``ImportRefused`` (its problems) when they
    cannot be used, ``RequestRefused`` (worded FR/EN) when the request holds no file, two of one name or
    a name no file can have."""
    files = list(_files(request))
    if not files:
        raise RequestRefused("no_file")
    names = [_file_name(name, kind) for name, kind, _ in files]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RequestRefused("same_name", file=twice[0], name=", ".join(twice))
    with tempfile.TemporaryDirectory(prefix=".api-", dir=home) as folder:
        paths = []
        for name, (_, _, data) in zip(names, files):
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(path)
        log.info("API: %d file(s) received: %s", len(paths), ", ".join(names))
        return validate(paths)


def _files(request: Request) -> Iterator[tuple[str, str, bytes]]:
    """(name as sent, content type, bytes) of each file of the request."""
    if request.mimetype == MULTIPART:
        part: FileStorage
        for _, part in request.files.items(multi=True):
            yield part.filename or "", part.mimetype, part.read()
        return
    if request.mimetype not in RAW_TYPES:
        raise RequestRefused("unsupported_type", 415, type=request.mimetype)
    _, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    data = request.get_data()
    if data:
        yield options.get("filename") or DEFAULT_NAME, request.mimetype, data


def _file_name(sent: str, kind: str) -> str:
    """The file's name without any folder, with the extension of its content type when it has no known one."""
    name = sent.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", "..") or "\0" in name:
        raise RequestRefused("no_usable_name", file=sent, name=sent.replace("\0", "\\0"))
    if split_name(name) is None:
        name += RAW_TYPES.get(kind, "")
    if len(name.encode()) > _MAX_NAME_BYTES:
        raise RequestRefused("name_too_long", file=f"{name[:60]}…", name=f"{name[:60]}…", limit=_MAX_NAME_BYTES)
    return name
