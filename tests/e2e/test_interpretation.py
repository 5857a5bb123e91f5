"""The Interprétation page: waterfall, reasons, the population, what-if, English."""

from __future__ import annotations

import pytest

from desktop.explain import group_labels as explain_groups
from desktop.i18n import percent
from desktop.whatif import simulate
from e2e.conftest import screenshot

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first

SLOW = 180_000  # the first view loads the model and the global importance (seconds on a busy machine)


def test_explanation_and_whatif(page, running_app):
    ctx, server = running_app
    sk_id = ctx.store.find_clients(limit=1, offset=7)["SK_ID_CURR"][0]
    record = ctx.store.client(sk_id)
    page.goto(f"{server.url}/interpretation?client={sk_id}")
    page.wait_for_selector("#interp-waterfall .main-svg", timeout=SLOW)
    assert percent(record.score.pd, "fr") in page.inner_text("#interp-summary")
    against = page.inner_text("#reasons-against")
    words = ctx.scorer.words
    # Each reason: its group (bold) and the client's own value, in French.
    assert all(" — ".join(words.parts(reason, "fr")) in against for reason in record.score.against)
    assert all(line.count("Scores externes") <= 1 for line in against.splitlines())
    waterfall = page.inner_text("#interp-waterfall")
    assert "log-odds" not in waterfall.lower() and "Probabilité de défaut" in waterfall
    shown = [label for label in explain_groups(ctx.scorer, "fr") if label in waterfall]
    assert shown  # the bars are reason groups
    assert percent(record.score.pd, "fr") in waterfall  # the client's PD closes the waterfall
    page.wait_for_selector("#interp-importance .main-svg", timeout=SLOW)
    importance = page.inner_text("#interp-importance")
    assert "Importance globale des raisons" in page.inner_text("#main")
    assert sum(label in importance for label in explain_groups(ctx.scorer, "fr")) >= 5  # bars are reason groups
    page.wait_for_selector("#population-histogram .main-svg", timeout=SLOW)
    page.wait_for_selector("#population-points .main-svg", timeout=SLOW)
    screenshot(page, "interpretation")

    # A quarter of the income: the PD never falls with income (monotone), and for this low-risk
    # client more income changes nothing, less income raises it.
    income = round(record.application["AMT_INCOME_TOTAL"] / 4, -3)  # on the field's step
    expected = simulate(ctx.store, ctx.scorer, sk_id, {"AMT_INCOME_TOTAL": income})
    page.fill("#whatif-AMT_INCOME_TOTAL", str(int(income)))
    page.press("#whatif-AMT_INCOME_TOTAL", "Tab")
    page.wait_for_selector(f"#whatif-pd:text-is('{percent(expected.pd, 'fr')}')", timeout=SLOW)
    assert page.is_visible("#interp-waterfall-simulated")  # the waterfall is the what-if's
    assert expected.pd != record.score.pd
    assert ctx.store.client(sk_id).score == record.score  # the stored client is unchanged
    screenshot(page, "interpretation-whatif")

    page.click("#language-switch")
    page.wait_for_selector("h1:has-text('Score interpretation')", timeout=SLOW)
    assert "What made the score" in page.inner_text("#main")
    assert " — ".join(words.parts(record.score.against[0], "en")) in page.inner_text("#reasons-against")
    page.wait_for_selector("#interp-importance .main-svg", timeout=SLOW)
    screenshot(page, "interpretation-en")


def test_without_client(page, running_app):
    page.goto(f"{running_app[1].url}/interpretation")
    page.wait_for_selector("#main :text('Aucun client choisi')")
