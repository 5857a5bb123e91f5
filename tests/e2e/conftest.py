"""End-to-end fixtures: the real app on loopback as a new user first meets it (the demo clients, from
their own store), driven by Debian's Chromium through Playwright. Every request the browser makes is recorded, and each test
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
def page(browser, running_app, requests_seen, csp_refused, request):
    """A new page in a context of its own, French by default, logged in (the launch token exchanged for its
    cookie by the token guard, as the window's first request does), on the client list; on no page yet in
    tests marked ``opens_its_page``, which go to theirs first (no client list rendered for nothing)."""
    ctx, server = running_app
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="fr-FR")
    assert context.request.get(f"{server.url}/?token={ctx.token}", max_redirects=0).status == 302
    tab = context.new_page()
    tab.on("request", lambda seen: requests_seen.append(seen.url))
    tab.on("console", lambda message: csp_refused.append(message.text) if "Content Security Policy" in message.text else None)
    if request.node.get_closest_marker("opens_its_page") is None:
        tab.goto(server.url)
        tab.wait_for_selector("#main")
    yield tab
    context.close()
    outside = [url for url in requests_seen if urlsplit(url).hostname not in ("127.0.0.1", None) and not url.startswith("data:")]
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not csp_refused, f"the Content-Security-Policy refused: {csp_refused[:3]}"


@pytest.fixture
def first_start(running_app, tmp_path):
    """(context, server): the session's server on a new user's folder (the demo store unpacked, nothing
    imported yet), for a test whose import through the pages ends the demonstration; the session's context
    is put back after it. List it before ``page``."""
    from desktop import context
    from desktop.context import AppContext
    from desktop.window import open_store

    ctx, server = running_app
    fresh = AppContext(home=tmp_path / "home", bundle_path=ctx.bundle_path, token=ctx.token)
    open_store(fresh)
    context.set_context(fresh)
    yield fresh, server
    context.set_context(ctx)
    fresh.close()


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
