"""One limit on the size of every request body, per route, enforced while the body is read.

A WSGI middleware wraps ``wsgi.input`` of every request in a stream that counts what the app
reads and raises a 413 as soon as it goes past the route's limit — bodies without
``Content-Length`` (chunked) included — or at the first read when the declared length is already
larger. (Flask's ``MAX_CONTENT_LENGTH`` is not enough here: with Werkzeug 3.1 it silently cuts a
chunked body at the limit instead of refusing it.) The table below is the only place where a
route gets another limit than the default.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from werkzeug.exceptions import RequestEntityTooLarge

#: Every route but those below: one application with its history as JSON fits in far less.
DEFAULT_BODY_LIMIT = 1 << 20

#: Largest file the browser upload of the Import page takes (the window's native dialog reads
#: files in place, with no cap).
MAX_UPLOAD_BYTES = 512 << 20

#: Dash sends every callback to this route; an upload arrives there base64-encoded in JSON.
DASH_UPDATE_ROUTE = "/_dash-update-component"

BODY_LIMITS: dict[str, int] = {
    DASH_UPDATE_ROUTE: MAX_UPLOAD_BYTES * 4 // 3 + DEFAULT_BODY_LIMIT,
}


def body_limit(path: str) -> int:
    """The largest body, in bytes, the route ``path`` reads."""
    return BODY_LIMITS.get(path, DEFAULT_BODY_LIMIT)


class CappedInput(io.RawIOBase):
    """``wsgi.input`` that raises :class:`RequestEntityTooLarge` once more than ``limit`` bytes are asked for."""

    def __init__(self, stream, limit: int, declared: int | None) -> None:
        super().__init__()
        self._stream, self._limit, self._declared, self._read = stream, limit, declared, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._declared is not None and self._declared > self._limit:
            self._refuse()
        wanted = min(len(buffer), self._limit + 1 - self._read)  # one byte past the limit tells it is exceeded
        data = self._stream.read(wanted)
        self._read += len(data)
        if self._read > self._limit:
            self._refuse()
        buffer[: len(data)] = data
        return len(data)

    def _refuse(self):
        raise RequestEntityTooLarge(f"body larger than {self._limit:,} bytes")


class BodyLimit:
    """WSGI middleware: every request's body is read through a :class:`CappedInput` at its route's limit."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        declared = environ.get("CONTENT_LENGTH", "")
        environ["wsgi.input"] = CappedInput(environ["wsgi.input"], body_limit(environ.get("PATH_INFO", "")),
                                            int(declared) if declared.isdigit() else None)
        return self.app(environ, start_response)
