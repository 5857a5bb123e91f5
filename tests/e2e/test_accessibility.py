"""WCAG on every page in both languages: axe-core (offline: axe-playwright-python bundles it) finds no serious
or critical violation; the keyboard goes from a client number to the decision in a few Tab stops; the skip
link and the focus ring work; the navigation folds at 200 % zoom."""

from __future__ import annotations

import polars as pl
import pytest
from needs import require_module

from e2e.conftest import screenshot
from engine.resources import demo_batch

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first

PAGES = ["/", "/?client={client}", "/interpretation?client={client}", "/drift?batch=1", "/import", "/model"]
LANGS = ["fr", "en"]
BLOCKING = {"serious", "critical"}
MAX_TABS_TO_DECISION = 6  # from the opened client's heading to « Enregistrer la décision » (21 before)


def first_client(running_app) -> int:
    return int(running_app[0].store.find_clients(limit=1)["SK_ID_CURR"][0])


def open_page(page, running_app, path: str, lang: str) -> None:
    """``path`` ({client} filled) in ``lang``, once its callbacks have settled."""
    _, server = running_app
    page.context.add_cookies([{"name": "creditscore_lang", "value": lang, "url": server.url}])
    page.goto(server.url + path.format(client=first_client(running_app)))
    page.wait_for_selector("#main h1")
    page.wait_for_load_state("networkidle")


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def assert_no_serious_violation(page, where: str, context: dict | None = None) -> None:
    """axe-core on the page as it stands; every serious or critical violation printed, then failed on."""
    axe = require_module("axe_playwright_python.sync_playwright", "axe-playwright-python is in the test extras")
    results = axe.Axe().run(page, context=context, options={"resultTypes": ["violations"]})
    found = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    for violation in found:
        print(where, violation["id"], violation["impact"], violation["help"], [n["target"] for n in violation["nodes"]][:5])
    assert not found, f"{where}: " + "; ".join(f'{v["id"]} ({v["impact"]})' for v in found)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_axe_violation(page, running_app, path, lang):
    open_page(page, running_app, path, lang)
    assert page.get_attribute("html", "lang") == lang
    assert_no_serious_violation(page, f"{path} ({lang})")


def drift_results(page, running_app, batch: int, lang: str) -> None:
    """The drift page of ``batch`` with its results (analysed on the first call)."""
    open_page(page, running_app, f"/drift?batch={batch}", lang)
    if page.locator("#drift-no-run").count():
        page.locator("#drift-run").click()
    page.locator("#drift-psi-table").wait_for(timeout=180_000)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", LANGS)
def test_no_serious_axe_violation_on_drift_results(page, running_app, small_batch, lang):
    """The drift page with its verdict, PSI table and history; the Evidently report's frame is third-party."""
    drift_results(page, running_app, small_batch, lang)
    assert_no_serious_violation(page, f"/drift results ({lang})", {"exclude": [["#drift-report"]]})


@pytest.mark.parametrize("lang", LANGS)
def test_no_serious_axe_violation_on_an_import_report(page, running_app, lang, tmp_path):
    frame = pl.read_parquet(demo_batch() / "application_test.parquet").head(3)
    frame.with_columns(AMT_CREDIT=pl.Series(["beaucoup", "1000", "2000"])).write_csv(tmp_path / "application_test.csv")
    open_page(page, running_app, "/import", lang)
    page.locator("#import-upload input[type=file]").set_input_files(str(tmp_path / "application_test.csv"))
    page.locator("#import-errors").wait_for(timeout=30_000)
    assert_no_serious_violation(page, f"/import report ({lang})")


def test_enter_on_a_client_number_opens_it_and_the_decision_is_a_few_tabs_away(page, running_app):
    client = first_client(running_app)
    open_page(page, running_app, "/", "fr")
    search = page.locator("#clients-search")
    search.fill(str(client))
    search.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'client-heading'", timeout=15_000)
    assert page.get_attribute("#client-heading", "data-client") == str(client)
    assert page.url.endswith(f"?client={client}")  # no reload to the top: the page stayed, the address follows
    tabs = 0
    while _focused_id(page) != "decision-record" and tabs < 30:
        page.keyboard.press("Tab")
        tabs += 1
    print(f"Tab stops from the opened client to the decision button: {tabs}")
    assert _focused_id(page) == "decision-record" and tabs <= MAX_TABS_TO_DECISION, tabs


def test_a_client_picked_in_the_list_takes_the_focus(page, running_app):
    open_page(page, running_app, "/", "fr")
    button = page.locator("#clients-table tbody button").nth(2)
    client = button.inner_text()
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'client-heading'", timeout=15_000)
    assert page.get_attribute("#client-heading", "data-client") == client


def test_skip_link_is_the_first_tab_stop_and_leads_to_the_content(page, running_app):
    open_page(page, running_app, "/model", "fr")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.inner_text() == "Aller au contenu" and skip.is_visible()
    page.keyboard.press("Enter")
    assert _focused_id(page) == "main"


def _ring(page) -> float:
    """Width of the focused element's outline (0 when none is drawn)."""
    return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth); }""")


def test_focus_ring_is_visible_on_the_navigation_and_the_controls(page, running_app):
    open_page(page, running_app, "/", "fr")
    seen = {}
    for _ in range(12):  # skip link, brand, the five pages, the language switch, the search box…
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.id || document.activeElement.className")
        seen[name] = _ring(page)
    assert "nav-model" in seen and "language-switch" in seen and "clients-search" in seen, seen
    thin = {name: width for name, width in seen.items() if width < 2}
    assert not thin, f"focus ring missing or thinner than 2 px on {thin}"


def test_navigation_folds_at_200_percent_zoom(page, running_app):
    page.set_viewport_size({"width": 640, "height": 384})  # a 1280×768 window at 200 %
    open_page(page, running_app, "/", "fr")
    height = page.locator("header").bounding_box()["height"]
    assert height < 384 / 4, f"the navigation takes {height} of 384 px"
    assert not page.locator("#nav-model").is_visible()
    toggle = page.locator("#nav-toggle")
    assert toggle.get_attribute("aria-label") == "Menu" and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.locator("#nav-model").wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    screenshot(page, "nav-folded-open")
    page.locator("#nav-model").click()
    page.wait_for_url("**/model")
