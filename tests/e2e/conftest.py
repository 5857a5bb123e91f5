"""End-to-end fixtures: the real app on loopback with a store seeded by the demo batch, driven by
Debian's Chromium through Playwright. Every request the browser makes is recorded, and each test
fails if one left 127.0.0.1. Screenshots go to ``tests/artifacts/screenshots``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from needs import require, require_module

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
# Flags for a root user in a sandbox with no network (see the project's CI notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), "Chromium is not installed (apt-get install chromium): end-to-end tests need it")
    sync_api = require_module("playwright.sync_api", "Playwright is in the test extras (pip install -e '.[test]')")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def requests_seen() -> list[str]:
    return []


@pytest.fixture
def csp_refused() -> list[str]:
    """What the Content-Security-Policy blocked (console messages): the app must need nothing it forbids."""
    return []


@pytest.fixture
def page(browser, running_app, requests_seen, csp_refused):
    """A logged-in page (the launch token set as the window does), French by default."""
    ctx, server = running_app
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    tab.on("request", lambda request: requests_seen.append(request.url))
    tab.on("console", lambda message: csp_refused.append(message.text) if "Content Security Policy" in message.text else None)
    tab.goto(f"{server.url}/?token={ctx.token}")
    tab.wait_for_selector("#main")
    yield tab
    context.close()
    outside = [url for url in requests_seen if urlsplit(url).hostname not in ("127.0.0.1", None) and not url.startswith("data:")]
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not csp_refused, f"the Content-Security-Policy refused: {csp_refused[:3]}"


@pytest.fixture(scope="session")
def small_batch(running_app, demo_tables, tmp_path_factory) -> int:
    """A batch of 80 application-only clients (too few: the drift page warns), apart from the demo batch."""
    from storage.importer import import_files

    ctx, _ = running_app
    path = tmp_path_factory.mktemp("small") / "application_test.csv"
    demo_tables["application"].slice(3000, 80).write_csv(path)
    return import_files(ctx.store, [path], ctx.scorer).batch_id


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot for the CI artifacts (and for a human to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
