"""WCAG checks on every page in both languages: axe-core (offline, bundled by axe-playwright-python)
finds no serious or critical violation."""

from __future__ import annotations

import pytest

PAGES = ["/", "/?client={client}", "/interpretation?client={client}", "/drift?batch=1", "/import", "/model"]
LANGS = ["fr", "en"]
BLOCKING = {"serious", "critical"}


def _open(page, running_app, path: str, lang: str) -> None:
    ctx, server = running_app
    client = int(ctx.store.find_clients(limit=1)["SK_ID_CURR"][0])
    page.context.add_cookies([{"name": "creditscore_lang", "value": lang, "url": server.url}])
    page.goto(server.url + path.format(client=client))
    page.wait_for_selector("#main h1")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_axe_violation(page, running_app, path, lang):
    from axe_playwright_python.sync_playwright import Axe

    _open(page, running_app, path, lang)
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    found = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    for violation in found:
        print(violation["id"], violation["impact"], violation["help"], [n["target"] for n in violation["nodes"]][:5])
    assert not found, f"{path} ({lang}): " + "; ".join(f'{v["id"]} ({v["impact"]})' for v in found)
