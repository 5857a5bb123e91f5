"""The desktop window for real: pywebview (Qt) under Xvfb, a screenshot, a clean exit."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from needs import require, require_module

ROOT = Path(__file__).resolve().parent.parent
BROWSER_WAIT_S = 120
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
sys.path.insert(0, str(ROOT / "build"))
from smoke import problems_of_two_starts, run_smoke, xvfb_display

from bundle_helpers import forged_bundle

pytestmark = [
    pytest.mark.window,
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Qt window test runs on Linux"),
]


@pytest.fixture
def display():
    require(bool(shutil.which("Xvfb")), "Xvfb is not installed (apt-get install xvfb)")
    require_module("PyQt6.QtWebEngineWidgets", "pywebview's Qt backend (PyQt6-WebEngine) is not installed")
    with xvfb_display() as name:
        yield name


def run_app(display: str, home: Path, out: Path, *args: str, screenshot: str | None = None):
    """The app from source with ``--smoke``: exit status, smoke result, output."""
    shot = SCREENSHOTS / screenshot if screenshot else None
    return run_smoke([sys.executable, "-m", "desktop"], home, out, *args, display=display, screenshot=shot)


def test_window_opens_scores_drifts_and_closes_then_reuses_the_store(display, tmp_path):
    home = tmp_path / "home"
    first = run_app(display, home, tmp_path / "first.json", screenshot="window.png")
    second = run_app(display, home, tmp_path / "second.json")
    assert problems_of_two_starts(first, second) == [], (first[1], second[1], second[2][-3000:])
    result = first[1]
    timings = result["timings"]
    assert timings["first_page_interactive_s"] >= timings["window_visible_s"]
    # Issue 11 item 6: the demo clients are listed once the first page is up, without a seeding (9-24 s
    # before); how long after the window opened is measured here and benched in bench/RESULTS-start.md.
    assert timings["list_rows_s"] >= timings["first_page_interactive_s"], timings
    assert result["store"]["home"] == str(home) and (home / "clients.sqlite").exists()  # not inside the app
    assert result["store"]["demo"] and result["store"]["shown"] == str(home / "demo")  # apart from the real store
    assert not result["store"]["seeded_now"]  # unpacked, not scored again
    log = (home / "logs" / "creditscore.log").read_text()
    assert "log file" in log
    assert "model card built ahead in fr and en" in log  # the officer's first view of it is served built
    if os.geteuid() == 0:  # the app itself lets Qt WebEngine run as root
        assert "QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox" in log
    assert (SCREENSHOTS / "window.png").stat().st_size > 10_000


def test_a_damaged_store_is_kept_aside_and_the_app_starts_on_a_new_one(display, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    damaged = b"this is not an SQLite database" * 100
    (home / "clients.sqlite").write_bytes(damaged)
    (home / "imports" / "7").mkdir(parents=True)
    (home / "imports" / "7" / "application_test.csv").write_text("SK_ID_CURR\n1\n")
    code, result, output = run_app(display, home, tmp_path / "smoke.json")
    assert result["startup_problem"]["code"] == "store_damaged" and result["kept_copy"], result
    assert code == 0 and result["ok"] and result["store"]["demo"], (result, output[-3000:])
    kept = [d for d in home.iterdir() if d.name.startswith("damaged-")]
    assert len(kept) == 1 and (kept[0] / "clients.sqlite").read_bytes() == damaged
    assert (kept[0] / "imports" / "7" / "application_test.csv").exists()  # nothing imported is lost
    log = (home / "logs" / "creditscore.log").read_text()
    assert "could not start" in log
    # The problem page's button acted (its token); the same functions called from the app's page did not.
    assert "window bridge: keep_copy_and_start_new from the problem page" in log
    assert result["bridge_refused"] == ["keep_copy_and_start_new", "quit"]
    for action in result["bridge_refused"]:
        assert f"window bridge: {action} refused: not called by the problem page (the window shows http://127.0.0.1:" in log


def test_a_port_in_use_shows_why_the_app_cannot_start_and_exits_1(display, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, result, _ = run_app(display, tmp_path / "home", tmp_path / "smoke.json", "--port", str(port),
                                  screenshot="startup-problem.png")
    assert code == 1 and not result["ok"]
    assert result["startup_problem"]["code"] == "port_unavailable" and "kept_copy" not in result


def test_a_damaged_model_is_reported_at_start(display, tmp_path):
    from engine.resources import default_bundle

    bundle = tmp_path / "model"
    shutil.copytree(default_bundle(), bundle)
    with (bundle / "model.txt").open("a") as model:
        model.write("\n")
    code, result, _ = run_app(display, tmp_path / "home", tmp_path / "smoke.json", "--bundle", str(bundle))
    assert code == 1 and not result["ok"]
    assert result["startup_problem"]["code"] == "bundle_damaged" and "model.txt" in result["startup_problem"]["detail"]


def test_a_model_of_unknown_origin_is_refused_at_start(display, tmp_path):
    """Issue 12, finding 12: a copy of the shipped model with its threshold raised and its hashes
    recomputed is not used (it is not signed by a trusted key); the window says why."""
    bundle = forged_bundle(tmp_path / "model")
    code, result, _ = run_app(display, tmp_path / "home", tmp_path / "smoke.json", "--bundle", str(bundle))
    assert code == 1 and not result["ok"]
    problem = result["startup_problem"]
    assert problem["code"] == "bundle_untrusted" and "is not signed" in problem["detail"]


def test_when_qt_cannot_start_the_app_says_why_and_opens_in_the_browser(display, tmp_path):
    """Issue 11 item 5: Qt aborting (here its platform plugin forced to one that does not exist) no
    longer ends the app: the log and stderr say why, the browser opens the tokenised address, and
    the app serves until Ctrl-C."""
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    browser.chmod(0o755)
    home = tmp_path / "home"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "nowhere", "BROWSER": str(browser)}
    app = subprocess.Popen([sys.executable, "-m", "desktop", "app", "--home", str(home)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + BROWSER_WAIT_S
        while not opened.exists():
            assert app.poll() is None and time.monotonic() < deadline, app.communicate(timeout=5)
            time.sleep(0.2)
        url = opened.read_text().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        browser_like = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())  # the token becomes a cookie
        with browser_like.open(url, timeout=30) as page:
            assert page.status == 200 and b"_dash-config" in page.read()
        app.send_signal(signal.SIGINT)
        out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode == 0, err[-3000:]
    assert f"open {url}" in out
    for said in (err, (home / "logs" / "creditscore.log").read_text()):
        assert "the application window cannot open: Qt could not start (it stopped with signal SIGABRT)" in said
        assert 'Could not find the Qt platform plugin "nowhere"' in said
        assert "opens in your web browser instead" in said
    assert "interrupted: stopping" in err and "Traceback" not in err


def test_missing_system_libraries_are_named_from_the_plugin_qt_loads(tmp_path, monkeypatch):
    """The libraries named are the ones ``ldd`` finds missing, not a guessed package: a copy of Qt's xcb
    plugin away from Qt's own libraries misses them."""
    from desktop.window_probe import PLUGIN_PATH_ENV, missing_libraries, platform_plugin

    require(bool(shutil.which("ldd")), "ldd is not installed")
    shipped = platform_plugin("xcb")
    assert shipped.is_file() and missing_libraries(shipped) == []  # this machine has what the window needs
    (tmp_path / shipped.name).write_bytes(shipped.read_bytes())
    monkeypatch.setenv(PLUGIN_PATH_ENV, str(tmp_path))
    assert platform_plugin("xcb") == tmp_path / shipped.name
    assert "libQt6XcbQpa.so.6" in missing_libraries(platform_plugin("xcb"))
