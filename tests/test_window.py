"""The desktop window for real: pywebview (Qt) under Xvfb, a screenshot, a clean exit."""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path

import pytest
from needs import require, require_module

ROOT = Path(__file__).resolve().parent.parent
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
    assert result["timings"]["first_page_interactive_s"] >= result["timings"]["window_visible_s"]
    assert result["store"]["home"] == str(home) and (home / "clients.sqlite").exists()  # not inside the app
    assert "log file" in (home / "logs" / "creditscore.log").read_text()
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
