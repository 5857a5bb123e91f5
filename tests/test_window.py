"""The desktop window for real: pywebview (Qt) under Xvfb, a screenshot, a clean exit."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.skipif(not shutil.which("Xvfb"), reason="Xvfb is not installed (apt-get install xvfb)"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Qt window test runs on Linux"),
]


@pytest.fixture
def display():
    pytest.importorskip("PyQt6.QtWebEngineWidgets", reason="pywebview's Qt backend (PyQt6-WebEngine) is not installed")
    number = 90 + os.getpid() % 100
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1400x950x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert xvfb.poll() is None and time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.1)
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)


def run_app(display: str, home: Path, out: Path, *args: str, screenshot: str | None = None,
            command: list[str] | None = None) -> tuple[int, dict, str]:
    """Start the app (``command``: the built executable; default: from source) with ``--smoke out``;
    returns its exit status, the smoke result and its output."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    if os.geteuid() == 0:  # Qt WebEngine's sandbox refuses to run as root
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = "--no-sandbox"
    command = command or [sys.executable, "-m", "desktop"]
    app = subprocess.Popen([*command, "--home", str(home), "app", "--smoke", str(out), *args],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while not out.exists():
            assert app.poll() is None, app.stdout.read().decode()[-3000:]
            assert time.monotonic() < deadline, "the window did not report within 300 s"
            time.sleep(0.2)
        time.sleep(0.5)  # let the page paint
        if screenshot and shutil.which("import"):
            shot = SCREENSHOTS / screenshot
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            subprocess.run(["import", "-display", display, "-window", "root", str(shot)], check=True, timeout=30)
            assert shot.stat().st_size > 10_000
        out.with_name(out.name + ".close").touch()
        code = app.wait(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
    return code, json.loads(out.read_text()), app.stdout.read().decode()


def test_window_opens_scores_drifts_and_closes_then_reuses_the_store(display, tmp_path):
    home = tmp_path / "home"
    code, result, output = run_app(display, home, tmp_path / "first.json", screenshot="window.png")
    assert code == 0 and result["ok"], (result, output[-3000:])
    assert 0 <= result["api_score"]["PD"] <= 1
    assert result["timings"]["first_page_interactive_s"] >= result["timings"].get("window_visible_s", 0)
    assert result["store"] == {"home": str(home), "seeded_now": True, "batches": 1, "clients": 5000}
    assert result["drift"]["batch"] == 1 and Path(result["drift"]["report"]).stat().st_size > 1_000_000
    assert (home / "clients.sqlite").exists()  # the store lives in the chosen home, not in the app
    assert "log file" in (home / "logs" / "creditscore.log").read_text()

    code, again, output = run_app(display, home, tmp_path / "second.json")
    assert code == 0 and again["ok"], (again, output[-3000:])
    assert again["store"]["seeded_now"] is False and again["store"]["batches"] == 1
    assert again["drift"]["run"] == result["drift"]["run"] + 1


def test_a_damaged_store_is_kept_aside_and_the_app_starts_on_a_new_one(display, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    damaged = b"this is not an SQLite database" * 100
    (home / "clients.sqlite").write_bytes(damaged)
    (home / "imports" / "7").mkdir(parents=True)
    (home / "imports" / "7" / "application_test.csv").write_text("SK_ID_CURR\n1\n")
    code, result, output = run_app(display, home, tmp_path / "smoke.json")
    assert result["startup_problem"]["code"] == "store_damaged" and result["kept_copy"], result
    assert code == 0 and result["ok"] and result["store"]["seeded_now"], (result, output[-3000:])
    kept = [d for d in home.iterdir() if d.name.startswith("damaged-")]
    assert len(kept) == 1 and (kept[0] / "clients.sqlite").read_bytes() == damaged
    assert (kept[0] / "imports" / "7" / "application_test.csv").exists()  # nothing imported is lost
    assert "could not start" in (home / "logs" / "creditscore.log").read_text()


def test_a_port_in_use_shows_why_the_app_cannot_start_and_exits_1(display, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, result, _ = run_app(display, tmp_path / "home", tmp_path / "smoke.json", "--port", str(port),
                                  screenshot="startup-problem.png")
    assert code == 1 and not result["ok"]
    assert result["startup_problem"]["code"] == "port_unavailable" and "kept_copy" not in result
