"""The launch: server thread, native window (pywebview), and a clean stop when the window closes.

``creditscore app`` opens a pywebview window (Qt on Linux, WebView2 on Windows, WebKit on macOS)
on the server's loopback address with the launch token; closing the window stops the server and
closes the store. ``--browser`` serves the same app for a browser until Ctrl-C.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from desktop.context import AppContext
from desktop.security import new_token
from desktop.server import ServerThread

log = logging.getLogger(__name__)

TITLE = "creditscore"


def start_server(home: Path | None, bundle: Path, port: int = 0) -> tuple[AppContext, ServerThread]:
    """Build the app and serve it in a background thread; the store is seeded in a job if empty."""
    from desktop.app import create_app

    ctx = AppContext(home=home, bundle_path=bundle, token=new_token())
    app = create_app(ctx)
    server = ServerThread(app.server, port)
    server.start()
    threading.Thread(target=_seed_if_empty, args=(ctx,), name="seed-check", daemon=True).start()
    return ctx, server


def _seed_if_empty(ctx: AppContext) -> None:
    from storage.importer import seed_demo

    if ctx.store.is_empty():
        ctx.jobs.start("seed", lambda progress: seed_demo(ctx.store, ctx.scorer, progress))


def launch_url(ctx: AppContext, server: ServerThread) -> str:
    return f"{server.url}/?token={ctx.token}"


def run_window(home: Path | None, bundle: Path, gui: str | None = None, smoke: Path | None = None) -> None:
    """Open the native window; returns once it is closed and everything is stopped.

    With ``smoke`` (a JSON file to write), the app checks itself once the first page is up — the
    window, a score through the local API — writes the timings there, waits for a file named
    ``<smoke>.close`` (or 10 s) so a test can take a screenshot, then closes its window.
    """
    import webview

    started = time.perf_counter()
    ctx, server = start_server(home, bundle)
    window = webview.create_window(TITLE, launch_url(ctx, server), width=1360, height=900, min_size=(900, 600))
    ctx.window = window
    if smoke is not None:
        from desktop.smoke import SmokeCheck

        SmokeCheck(ctx, server, window, smoke, started).attach()
    try:
        webview.start(gui=gui, private_mode=True)
    finally:
        server.stop()
        ctx.close()


def run_browser(home: Path | None, bundle: Path, port: int = 0) -> None:
    """Serve for a browser until interrupted; prints the address to open."""
    ctx, server = start_server(home, bundle, port)
    print(f"creditscore: open {launch_url(ctx, server)}", flush=True)
    try:
        server.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        ctx.close()
