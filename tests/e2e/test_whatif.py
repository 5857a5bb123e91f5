"""The what-if that answers, in Chromium: field errors and no PD, the largest credit the model grants
(scored again: granted, and 1 % more refused), the shortest term it grants at the same credit (granted,
one month shorter refused), the credit memo from the page."""

from __future__ import annotations

import pytest

from desktop import whatif
from desktop.i18n import number, percent
from e2e.conftest import screenshot
from engine.whatif_search import FOUND

pytestmark = pytest.mark.opens_its_page  # each test goes to its page first

SLOW = 180_000


def _client_with_a_limit(ctx, kind: str = "largest_credit") -> tuple[int, whatif.WhatIf]:
    """A demo client for whom the search finds a limit (``kind``: the answer's field) inside its range."""
    for sk_id in ctx.store.find_clients(decision="refuse", limit=60)["SK_ID_CURR"]:
        result = whatif.answer(ctx.store, ctx.scorer, sk_id, {})
        if getattr(result.answer, kind).status == FOUND:
            return int(sk_id), result
    raise AssertionError(f"no refused demo client has a {kind} inside the range searched")


def _scaled(ctx, sk_id: int, amount: float) -> dict[str, float]:
    own = ctx.store.client(sk_id).application
    factor = amount / own["AMT_CREDIT"]
    return {"AMT_CREDIT": amount, "AMT_ANNUITY": own["AMT_ANNUITY"] * factor, "AMT_GOODS_PRICE": own["AMT_GOODS_PRICE"] * factor}


def test_minus_five_shows_the_field_error_and_no_pd(page, running_app):
    ctx, server = running_app
    sk_id = int(ctx.store.find_clients(limit=1, offset=11)["SK_ID_CURR"][0])
    page.goto(f"{server.url}/interpretation?client={sk_id}")
    page.wait_for_selector("#whatif-pd", timeout=SLOW)  # the client as stored, and how far the model would lend
    assert page.inner_text("#whatif-largest-credit") and page.inner_text("#whatif-distance")
    assert "mois" in page.inner_text("#whatif-shortest-term")
    page.fill("#whatif-AMT_CREDIT", "-5")
    page.press("#whatif-AMT_CREDIT", "Tab")
    page.wait_for_selector("#whatif-invalid", timeout=SLOW)
    assert "Montant du crédit" in page.inner_text("#whatif-AMT_CREDIT-error")
    assert page.get_attribute("#whatif-AMT_CREDIT", "aria-invalid") == "true"
    assert page.get_attribute("#whatif-AMT_CREDIT", "aria-describedby") == "whatif-AMT_CREDIT-error"
    assert page.query_selector("#whatif-pd") is None and "aucune PD" in page.inner_text("#whatif-result")
    screenshot(page, "whatif-invalid")
    page.fill("#whatif-AMT_CREDIT", "abc")
    page.press("#whatif-AMT_CREDIT", "Tab")
    page.wait_for_selector("#whatif-AMT_CREDIT-error:has-text('abc')", timeout=SLOW)
    page.click("#whatif-reset")
    page.wait_for_selector("#whatif-pd", timeout=SLOW)
    assert page.inner_text("#whatif-AMT_CREDIT-error") == ""
    assert page.get_attribute("#whatif-AMT_CREDIT", "aria-invalid") == "false"


def test_largest_credit_agrees_with_scoring_and_the_memo_carries_the_what_if(page, running_app):
    ctx, server = running_app
    sk_id, result = _client_with_a_limit(ctx)
    largest = result.answer.largest_credit
    page.goto(f"{server.url}/interpretation?client={sk_id}")
    page.wait_for_selector("#whatif-largest-credit", timeout=SLOW)
    shown = page.inner_text("#whatif-largest-credit")
    assert number(largest.value, "fr") in shown and percent(largest.pd, "fr") in shown
    granted = whatif.simulate(ctx.store, ctx.scorer, sk_id, _scaled(ctx, sk_id, largest.value))
    assert granted.decision == "accept" and abs(granted.pd - largest.pd) < 1e-12
    assert whatif.simulate(ctx.store, ctx.scorer, sk_id, _scaled(ctx, sk_id, largest.value * 1.01)).decision == "refuse"

    # The officer asks for that amount: granted, the distance to the threshold said, the memo carries it.
    page.fill("#whatif-AMT_CREDIT", str(int(largest.value)))
    page.fill("#whatif-AMT_ANNUITY", str(round(largest.annuity, 1)))
    page.fill("#whatif-AMT_GOODS_PRICE", str(round(_scaled(ctx, sk_id, largest.value)["AMT_GOODS_PRICE"], 1)))
    page.press("#whatif-AMT_GOODS_PRICE", "Tab")
    page.wait_for_selector("#whatif-decision:has-text('Accordé')", timeout=SLOW)
    assert "sous le seuil" in page.inner_text("#whatif-distance")
    screenshot(page, "whatif-largest-credit")
    page.click("#memo-link")
    page.wait_for_selector("#memo-whatif", timeout=SLOW)
    memo = page.inner_text("body")
    assert f"Note de crédit — client {sk_id}" in memo and "Avec ces valeurs" in memo and "Accordé" in memo
    assert number(largest.value, "fr") in memo
    screenshot(page, "memo")


def test_shortest_term_agrees_with_scoring(page, running_app):
    ctx, server = running_app
    sk_id, result = _client_with_a_limit(ctx, "shortest_term")
    shortest = result.answer.shortest_term
    page.goto(f"{server.url}/interpretation?client={sk_id}")
    page.wait_for_selector("#whatif-shortest-term", timeout=SLOW)
    shown = page.inner_text("#whatif-shortest-term")
    assert shown.startswith("Durée la plus courte accordée pour ce montant")
    assert whatif.limit_words(shortest, "term", "fr") == shown and percent(shortest.pd, "fr") in shown
    credit = ctx.store.client(sk_id).application["AMT_CREDIT"]
    granted = whatif.simulate(ctx.store, ctx.scorer, sk_id, {"AMT_ANNUITY": credit / shortest.value})
    assert granted.decision == "accept" and abs(granted.pd - shortest.pd) < 1e-12
    shorter = {"AMT_ANNUITY": credit / (shortest.value - 1)}
    assert whatif.simulate(ctx.store, ctx.scorer, sk_id, shorter).decision == "refuse"
    screenshot(page, "whatif-shortest-term")
