"""WCAG 1.4.4: every page stays usable at 200 % zoom (a 1360 px window seen at half its width)."""

from __future__ import annotations

import pytest

from e2e.conftest import screenshot

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first

PAGES = ["/", "/interpretation", "/drift", "/import", "/model"]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_horizontal_scroll_at_200_percent(page, running_app, path):
    _, server = running_app
    client = int(running_app[0].store.find_clients(limit=1)["SK_ID_CURR"][0])
    page.set_viewport_size({"width": 680, "height": 900})  # what 200 % zoom leaves of a 1360 px window
    page.goto(f"{server.url}{path}?client={client}")
    page.wait_for_selector("#main h1")
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{path} scrolls sideways by {overflow} px at 200 % zoom"
    assert page.title()  # WCAG 2.4.2: every page has a title
    screenshot(page, "zoom200" + path.replace("/", "-").rstrip("-"))
