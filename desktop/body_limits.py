"""One limit on the size of every request body, per route, enforced while the body is read.

A WSGI middleware wraps ``wsgi.input`` of every request in a stream that counts what the app
reads and raises a 413 as soon as it goes past the limit — bodies without ``Content-Length``
(chunked) included — or at the first read when the declared length is already larger. (Flask's
``MAX_CONTENT_LENGTH`` is not enough: with Werkzeug 3.1 it silently cuts a chunked body at the
limit instead of refusing it.)

Every route reads at most :data:`DEFAULT_BODY_LIMIT`, except what :data:`LARGER_BODIES` lists.
Dash sends every callback to one route, so there the limit also depends on the callback: the
renderer's JSON starts with ``{"output": "<id>.<property>"``, which the middleware reads first.
Only the Import page's browser upload (files base64-encoded in JSON) gets more.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import NoReturn

from werkzeug.exceptions import RequestEntityTooLarge

#: Every body but those below: one application with its history as JSON fits in far less.
DEFAULT_BODY_LIMIT = 1 << 20

#: Largest file the browser upload of the Import page takes (the window's native dialog and the CLI
#: read files in place, with no cap). The upload reaches the server base64-encoded in one JSON body
#: held in memory, so this cap is also the memory a refused body can cost: 100 MB holds a zipped
#: batch of tens of thousands of clients with their history.
MAX_UPLOAD_BYTES = 100 << 20

#: Dash's route for every callback, and the output of the upload's callback on the Import page.
DASH_UPDATE_ROUTE = "/_dash-update-component"
UPLOAD_OUTPUT = "import-sources.data"

#: (route, Dash callback output or None) -> largest body in bytes.
LARGER_BODIES: dict[tuple[str, str | None], int] = {
    (DASH_UPDATE_ROUTE, UPLOAD_OUTPUT): MAX_UPLOAD_BYTES * 4 // 3 + DEFAULT_BODY_LIMIT,
}

_PEEK_BYTES = 256
_DASH_OUTPUT = re.compile(rb'\A\s*\{\s*"output"\s*:\s*"([^"\\]{1,200})"')


def body_limit(path: str, output: str | None = None) -> int:
    """The largest body, in bytes, the route ``path`` reads (for Dash's route: for that callback ``output``)."""
    return LARGER_BODIES.get((path, output), DEFAULT_BODY_LIMIT)


class CappedInput(io.RawIOBase):
    """``wsgi.input`` (after the bytes already read, ``prefix``) that raises :class:`RequestEntityTooLarge`
    as soon as more than ``limit`` bytes are read, or at the first read if ``declared`` is larger."""

    def __init__(self, stream, limit: int, declared: int | None, prefix: bytes = b"") -> None:
        super().__init__()
        self._stream, self._limit, self._declared, self._prefix, self._read = stream, limit, declared, prefix, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._declared is not None and self._declared > self._limit:
            self._refuse()
        wanted = min(len(buffer), self._limit + 1 - self._read)  # one byte past the limit tells it is exceeded
        if self._prefix:
            data, self._prefix = self._prefix[:wanted], self._prefix[wanted:]
        else:
            data = self._stream.read(wanted)
        self._read += len(data)
        if self._read > self._limit:
            self._refuse()
        buffer[: len(data)] = data
        return len(data)

    def _refuse(self) -> NoReturn:
        raise RequestEntityTooLarge(f"body larger than {self._limit:,} bytes")


class BodyLimit:
    """WSGI middleware: every request's body is read through a :class:`CappedInput` at its limit."""

    _PEEKED = {route for route, output in LARGER_BODIES if output is not None}

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path, stream = environ.get("PATH_INFO", ""), environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH", "")
        declared = int(length) if length.isdigit() else None
        prefix, output = b"", None
        if path in self._PEEKED and self._may_differ(path, declared, environ):
            prefix = stream.read(min(_PEEK_BYTES, declared or _PEEK_BYTES))
            found = _DASH_OUTPUT.match(prefix)
            output = found[1].decode("latin-1") if found else None
        environ["wsgi.input"] = CappedInput(stream, body_limit(path, output), declared, prefix)
        return self.app(environ, start_response)

    @staticmethod
    def _may_differ(path: str, declared: int | None, environ: dict) -> bool:
        """Whether the callback decides the limit: a chunked body, or a declared length within the route's
        largest limit and above the default (a request with neither has no body: a read would wait)."""
        if declared is None:
            return bool(environ.get("wsgi.input_terminated"))
        largest = max(limit for (route, _), limit in LARGER_BODIES.items() if route == path)
        return DEFAULT_BODY_LIMIT < declared <= largest
