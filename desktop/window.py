"""The launch: server thread, native window (pywebview), and a clean stop when the window closes.

``creditscore app`` opens a pywebview window (Qt on Linux, WebView2 on Windows, WebKit on macOS)
on the server's loopback address with the launch token; closing the window stops the server and
closes the store. The window opens first, on a short "opening" page, while the app starts in the
background (its imports take a second or two). When the app cannot start (damaged store, port
taken, damaged model), the window shows why instead (:mod:`desktop.startup`) and the process
exits with status 1. When the window itself cannot open here (:mod:`desktop.window_probe`), the
app says why (log and stderr) and opens in the user's browser instead, served until Ctrl-C.
The credit memo prints from the window (:mod:`desktop.memo_print`: a PDF in the Qt window).
The problem page's buttons call Python through pywebview's bridge (``keep_copy_and_start_new``,
``quit``); once exposed, every page of the window could call them, so they act only when the window
shows that page — no page of a server — and the call carries the one-time token written into it
(:meth:`Launch.from_problem_page`); any other call is refused and logged.
``--browser`` serves the same app for a browser until Ctrl-C.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import sys
import threading
import time
import webbrowser
from pathlib import Path

from desktop import memo_print
from desktop.context import AppContext
from desktop.redaction import redact
from desktop.security import new_token
from desktop.server import ServerThread
from desktop.startup import StartupProblem, diagnose, opening_page, problem_page
from desktop.window_probe import prepare_qt, window_problem
from storage.faults import keep_damaged_store

log = logging.getLogger(__name__)

TITLE = "creditscore"
WINDOW_SIZE = {"width": 1360, "height": 900, "min_size": (900, 600)}
PAGE_READY_JS = "document.querySelector('#main') !== null && document.querySelector('._dash-loading') === null"
MODEL_WAIT_S = 20  # load the model after this long even if the first page is not up
JOIN_STEP_S = 0.5


def start_server(
    home: Path | None, bundle: Path, port: int = 0, trust: tuple[Path, ...] = ()
) -> tuple[AppContext, ServerThread]:
    """Serve the app in a background thread and open its store (seeded in a job if empty)."""
    ctx, server = serve(home, bundle, port, trust)
    open_store(ctx)
    return ctx, server


def serve(
    home: Path | None, bundle: Path, port: int = 0, trust: tuple[Path, ...] = ()
) -> tuple[AppContext, ServerThread]:
    """Build the app and serve it in a background thread (the store and the model open later)."""
    from desktop.app import create_app

    ctx = AppContext(home=home, bundle_path=bundle, token=new_token(), trust=trust)
    # Call from the thread that imports Dash: registering pages reads a context variable Dash sets
    # at import, which other threads do not see.
    app = create_app(ctx)
    server = ServerThread(app.server, port)
    server.start()
    return ctx, server


def open_store(ctx: AppContext) -> None:
    """Open the officer's store now (a store that cannot be opened stops the start) and check it in
    the background (:mod:`desktop.store_check`); while it holds no batch, the app shows the demo
    clients from their own store (:mod:`storage.demo`): unpacked now, or imported in a job when the
    pre-built one was not scored by the model in use."""
    from desktop.store_check import start_check  # Dash is imported by then (serve)
    from storage import demo
    from storage.importer import seed_demo

    log.info("client store %s", ctx.real_store.path)
    if ctx.demo and not demo.unpack(ctx.home, ctx.bundle_path):  # before anything opens the demo store
        ctx.jobs.start("seed", lambda progress: seed_demo(ctx.demo_store, ctx.scorer, progress))
    start_check(ctx)


def launch_url(ctx: AppContext, server: ServerThread) -> str:
    return f"{server.url}/?token={ctx.token}"


class Launch:
    """One run of the app in its window: the window opens at once on an "opening" page, the app
    starts in the background, then the window shows its pages — or the page saying why it cannot start."""

    def __init__(
        self, home: Path | None, bundle: Path, port: int = 0, log_file: Path | None = None,
        trust: tuple[Path, ...] = (),
    ) -> None:
        self.home, self.bundle, self.port, self.log_file, self.trust = home, bundle, port, log_file, trust
        self.ctx: AppContext | None = None
        self.server: ServerThread | None = None
        self.problem: StartupProblem | None = None
        self.opening = True  # the window shows the opening page
        self.window = None
        self.printer = None  # what prints the credit memo from the window (desktop.memo_print)
        self.started = threading.Event()  # the server and the store have started, or failed to
        self.problem_token: str | None = None  # written into the problem page shown, spent by its button
        self.refused: list[str] = []  # calls of the bridge refused (not from the problem page)

    def open(self):
        """Create the window on the opening page; returns it (:meth:`start` then starts the app)."""
        import webview

        self.window = webview.create_window(TITLE, html=opening_page(), **WINDOW_SIZE)
        return self.window

    def begin(self) -> threading.Thread:
        """Start the server and the store in a background thread (Dash is imported and set up there)."""
        thread = threading.Thread(target=self._begin, name="start", daemon=True)
        thread.start()
        return thread

    def _begin(self) -> None:
        self._start()
        self.started.set()

    def start(self) -> None:
        """Once the app has started and the window is on screen, show the app, or the problem."""
        self.started.wait()
        self.window.events.shown.wait()
        self.opening = False
        if self.ctx is not None:
            self.ctx.window = self.window  # the native file dialog of the Import page
        if self.server is not None:
            self.printer = memo_print.attach(self.window, self.server.url)
        if self.problem is None:
            self._show_app()
        else:
            self._show_problem()

    def _show_app(self) -> None:
        self.problem_token = None
        self.window.load_url(launch_url(self.ctx, self.server))
        threading.Thread(target=self._load_model, name="model", daemon=True).start()

    def wait_for_page(self, seconds: float, condition: str = PAGE_READY_JS) -> bool:
        """Wait until the window shows an app page where the JavaScript ``condition`` holds (by
        default: the page is interactive); False after ``seconds``."""
        deadline = time.monotonic() + seconds
        while self.opening or not self.window.evaluate_js(condition):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _start(self) -> None:
        store_path = None
        try:
            from engine.signing import verified_origin
            from storage.paths import DATABASE_FILE, data_home

            store_path = data_home(self.home) / DATABASE_FILE
            # A damaged or untrusted model stops the start (loading it comes later).
            verified_origin(self.bundle, self.trust)
            if self.server is None:
                self.ctx, self.server = serve(self.home, self.bundle, self.port, self.trust)
            open_store(self.ctx)
            self.problem = None
        except Exception as exc:  # noqa: BLE001 - any failure to start is shown in the window
            log.exception("creditscore could not start")
            self.problem = diagnose(exc, store_path, self.port)

    def _load_model(self) -> None:
        """Load the model once the first page is up (its libraries take seconds to import), then the
        data of the Interpretation page and the model card; if the model is damaged, the window says so
        instead of the pages."""
        self.wait_for_page(MODEL_WAIT_S)
        try:
            log.info("model bundle %s loaded", self.ctx.scorer.bundle.id[:12])
        except Exception as exc:  # noqa: BLE001
            log.exception("the model bundle cannot be loaded")
            self.problem = diagnose(exc)
            self._show_problem()
            return
        warm_up(self.ctx)

    def keep_copy_and_start_new(self, token: str | None = None) -> None:
        """(From the problem page) move the damaged store aside, start on a new one and show the app."""
        if not self.from_problem_page("keep_copy_and_start_new", token):
            return
        if self.problem is None or not self.problem.store_can_be_replaced:
            return
        from storage.paths import data_home

        kept = keep_damaged_store(data_home(self.home))
        log.warning("damaged store moved to %s; starting with a new store", kept)
        self._start()
        if self.problem is None:
            self._show_app()
        else:
            self._show_problem()

    def _show_problem(self) -> None:
        self.problem_token = secrets.token_urlsafe(32)
        self.window.expose(self.keep_copy_and_start_new, self.quit)
        self.window.load_html(problem_page(self.problem, self.log_file, self.problem_token))

    def quit(self, token: str | None = None) -> None:
        """(From the problem page) close the window, which ends the app."""
        if self.from_problem_page("quit", token):
            self.window.destroy()

    def from_problem_page(self, action: str, token: object) -> bool:
        """Whether a call of the bridge comes from the problem page shown now: the window shows no page
        of a server and the call carries that page's token, which it spends. Others are refused, logged."""
        expected, url = self.problem_token, self.window.get_current_url() or ""
        if (expected is not None and isinstance(token, str) and hmac.compare_digest(token, expected)
                and not url.startswith(("http:", "https:"))):
            self.problem_token = None
            log.info("window bridge: %s from the problem page", action)
            return True
        self.refused.append(action)
        log.warning("window bridge: %s refused: not called by the problem page (the window shows %s)", action,
                    redact(url) or "no page")
        return False

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.ctx is not None:
            self.ctx.close()




def warm_up(ctx: AppContext) -> None:
    """In the background: the global importance (:func:`desktop.explain.warm_up`), then the model card
    in both languages (:func:`desktop.pages.model.build_ahead`), so that their first views are served built."""
    from desktop import explain

    explain.warm_up(lambda: ctx.scorer)
    threading.Thread(target=_build_model_card, name="model-card", daemon=True).start()


def _build_model_card() -> None:
    from desktop.pages import model  # registered with the app's pages (Dash imported by then)

    try:
        model.build_ahead()
    except Exception:  # noqa: BLE001 - the page builds it when shown (and says what fails)
        log.exception("building the model card ahead failed")


def run_window(
    home: Path | None,
    bundle: Path,
    gui: str | None = None,
    smoke: Path | None = None,
    port: int = 0,
    log_file: Path | None = None,
    trust: tuple[Path, ...] = (),
) -> int:
    """Open the native window; returns once it is closed: 0, or 1 if the app could not start.

    When the window cannot open here (no display, missing system libraries, no WebView2), says why
    and serves the app to the user's browser instead, until Ctrl-C. With ``smoke`` (a JSON file to
    write), the app checks itself once the first page is up (see :mod:`desktop.smoke`), writes what
    it saw there, then closes its window.
    """
    started = time.time()
    launch = Launch(home, bundle, port, log_file, trust)
    starting = launch.begin()  # the server starts while the window is checked and set up
    try:
        prepare_qt()
        problem = window_problem()
        if problem is None:
            problem = _open_window(launch, gui, smoke, started)
        if problem is None:
            return 0 if launch.problem is None else 1
        if smoke is not None:  # the self-check is the window's: nothing to fall back to
            log.error("the application window cannot open: %s", problem)
            return 1
        log.error("the application window cannot open: %s. creditscore opens in your web browser instead.", problem)
        starting.join()
        if launch.problem is not None:
            log.error("creditscore cannot start (%s): %s", launch.problem.code, launch.problem.detail)
            return 1
        serve_in_browser(launch.ctx, launch.server, open_browser=True)
        return 0
    finally:
        launch.stop()


def _open_window(launch: Launch, gui: str | None, smoke: Path | None, started: float) -> str | None:
    """Show the window until it is closed; why it could not open (pywebview raised), else None."""
    import webview

    launch.open()
    if smoke is not None:
        from desktop.smoke import SmokeCheck

        SmokeCheck(launch, smoke, started).attach()
    threading.Thread(target=launch.start, name="show", daemon=True).start()  # while the GUI sets the window up
    try:
        webview.start(gui=gui, private_mode=True)
    except Exception as exc:  # noqa: BLE001 - WebView2 absent, a GUI library missing: the browser still serves
        log.exception("the window failed")
        return f"{type(exc).__name__}: {exc}"
    return None


def run_browser(home: Path | None, bundle: Path, port: int = 0, trust: tuple[Path, ...] = ()) -> None:
    """Serve for a browser until interrupted; prints the address to open."""
    from engine.signing import verified_origin

    verified_origin(bundle, trust)  # an untrusted model is refused before anything is served
    ctx, server = start_server(home, bundle, port, trust)
    try:
        serve_in_browser(ctx, server)
    finally:
        server.stop()
        ctx.close()


def serve_in_browser(ctx: AppContext, server: ServerThread, open_browser: bool = False) -> None:
    """Say the app's address (and open it in the user's browser), then serve until Ctrl-C."""
    url = launch_url(ctx, server)
    if sys.stdout is not None:  # a windowed app has no console
        print(f"creditscore: open {url}", flush=True)
    if open_browser and not webbrowser.open(url):
        log.error("no web browser could be started: open the address printed above")
    warm_up(ctx)
    try:
        while server.is_alive():
            server.join(JOIN_STEP_S)  # a bare join() would not see Ctrl-C on every platform
    except KeyboardInterrupt:
        log.info("interrupted: stopping")
