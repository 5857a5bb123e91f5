"""The Dash/Flask server in a background thread, on 127.0.0.1 and a free port."""

from __future__ import annotations

import logging
import socket
import threading

from flask import Flask
from werkzeug.serving import make_server

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


class ServerThread(threading.Thread):
    """Serves ``app`` until :meth:`stop`; ``port`` is known as soon as the object exists."""

    def __init__(self, app: Flask, port: int = 0) -> None:
        super().__init__(name="creditscore-server", daemon=True)
        # Bound here so a port in use raises OSError (werkzeug would print and exit the process).
        with socket.create_server((LOOPBACK, port)) as bound:
            self._server = make_server(LOOPBACK, bound.getsockname()[1], app, threaded=True, fd=bound.fileno())
        self.port = self._server.port
        self.url = f"http://{LOOPBACK}:{self.port}"

    def run(self) -> None:
        log.info("serving on %s", self.url)
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        log.info("server stopped")
