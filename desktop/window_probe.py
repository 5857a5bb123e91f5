"""Can the native window open here? Asked before opening it, so the app can fall back to the browser.

On Linux the window is Qt's: when Qt cannot load its display plugin (no display, missing xcb
libraries) it aborts the whole process, which no ``try`` can catch. So :func:`window_problem`
first looks for a display, then starts Qt in a child process (``multiprocessing``, which the
packaged app supports through ``freeze_support``): if the child dies, the problem is put in plain
words with Qt's own message and the system libraries ``ldd`` finds missing for the plugin Qt
tried to load. Elsewhere (WebView2, WebKit) a failing window raises, and :func:`desktop.window.run_window`
falls back on that.

:func:`prepare_qt` adds what Qt WebEngine needs as root on Linux (its sandbox cannot run as root).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"
NO_SANDBOX = "--no-sandbox"
PLATFORM_ENV = "QT_QPA_PLATFORM"
PLUGIN_PATH_ENV = "QT_QPA_PLATFORM_PLUGIN_PATH"
PROBE_TIMEOUT_S = 30
#: Platforms that draw on a screen of a graphical session, and the variable naming that session.
SESSION_OF = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}


def prepare_qt() -> None:
    """As root on Linux, let Qt WebEngine run without its sandbox (appended to any flags already set)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return
    flags = os.environ.get(FLAGS_ENV, "").split()
    if NO_SANDBOX in flags:
        return
    os.environ[FLAGS_ENV] = " ".join([*flags, NO_SANDBOX])
    log.warning("running as root: Qt WebEngine cannot use its sandbox; %s=%s", FLAGS_ENV, os.environ[FLAGS_ENV])


def window_problem() -> str | None:
    """Why the Qt window cannot open here, in plain words; None if it can (or if this is not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get(PLATFORM_ENV, "").split(":")[0]
    sessions = [SESSION_OF[platform]] if platform in SESSION_OF else [] if platform else list(SESSION_OF.values())
    if sessions and not any(os.environ.get(name) for name in sessions):
        return f"there is no display: {' and '.join(sessions)} {'is' if len(sessions) == 1 else 'are'} not set " \
               "(no graphical session, or a remote shell without display forwarding)"
    return _probe_in_child(platform or "xcb")


def _probe_in_child(platform: str) -> str | None:
    with tempfile.TemporaryDirectory() as folder:
        said = Path(folder) / "qt.txt"
        child = multiprocessing.get_context("spawn").Process(target=_start_qt, args=(str(said),),
                                                             name="window-probe", daemon=True)
        child.start()
        child.join(PROBE_TIMEOUT_S)
        if child.exitcode is None:
            child.kill()
            return f"Qt did not start within {PROBE_TIMEOUT_S} s"
        if child.exitcode == 0:
            return None
        output = said.read_text("utf-8", "replace") if said.exists() else ""
    return _qt_failure(child.exitcode, output, platform)


def _start_qt(said: str) -> None:
    """(In the child) what the window needs first: Qt WebEngine's libraries and Qt on the display."""
    os.dup2(os.open(said, os.O_WRONLY | os.O_CREAT, 0o600), 2)  # Qt writes its reasons on the C stderr
    from PyQt6.QtWebEngineWidgets import QWebEngineView  # noqa: F401 - loads WebEngine's libraries
    from PyQt6.QtWidgets import QApplication

    QApplication(["creditscore"])  # aborts the process when the platform plugin cannot load


def _qt_failure(exitcode: int, said: str, platform: str) -> str:
    how = f"signal {signal.Signals(-exitcode).name}" if exitcode < 0 else f"status {exitcode}"
    qt_lines = [line.strip() for line in said.splitlines() if line.strip().startswith(("qt.", "This application"))]
    qt_lines = qt_lines or [line.strip() for line in said.splitlines()[-3:] if line.strip()]
    words = [f"Qt could not start (it stopped with {how})"]
    missing = missing_libraries(platform_plugin(platform))
    if missing:
        words.append(f"the system libraries {', '.join(missing)} needed by Qt's display plugin '{platform}' "
                     "are missing (see the README: Linux packages)")
    if qt_lines:
        words.append("Qt said: " + " / ".join(qt_lines))
    return "; ".join(words)


def platform_plugin(platform: str) -> Path:
    """The file of Qt's platform plugin ``platform`` that Qt loads (``QT_QPA_PLATFORM_PLUGIN_PATH`` first)."""
    name = f"libq{platform}.so"
    custom = os.environ.get(PLUGIN_PATH_ENV)
    if custom:
        return Path(custom) / name
    import PyQt6  # only its folder: nothing of Qt is loaded

    return Path(PyQt6.__file__).parent / "Qt6" / "plugins" / "platforms" / name


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries ``ldd`` cannot find for ``plugin`` (and what it links); [] if none or no ldd."""
    if not plugin.is_file():
        return []
    try:
        listing = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split("=>")[0].strip() for line in listing.splitlines() if "not found" in line})
