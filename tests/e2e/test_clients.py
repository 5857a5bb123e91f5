"""The Prédiction page: find a client, read its PD, record decisions (overrides need a reason)."""

from __future__ import annotations

from desktop.i18n import number, percent
from e2e.conftest import screenshot
from engine.coverage_words import scored_with

TIMEOUT = 30_000


def _client(store, decision: str, skip: int = 0) -> int:
    """A client the model gave ``decision`` and no officer has decided on yet."""
    for sk_id in store.find_clients(decision=decision, limit=200)["SK_ID_CURR"].to_list()[skip:]:
        if not store.decisions(sk_id):
            return sk_id
    raise AssertionError(f"no undecided client with model decision {decision}")


def _open(page, sk_id: int) -> None:
    page.fill("#clients-search", str(sk_id))
    page.wait_for_selector(f"#client-detail h2:has-text('{sk_id}')", timeout=TIMEOUT)


def test_list_pages_and_filters(page, running_app):
    store = running_app[0].store
    total = len(store.find_clients())
    page.wait_for_selector("#clients-table", timeout=TIMEOUT)
    assert number(total, "fr") in page.inner_text("#clients-table caption")
    page.click("#clients-next")
    page.wait_for_selector("#clients-table caption:has-text('Clients 16 à 30')", timeout=TIMEOUT)
    page.select_option("#clients-grade", "E")
    graded = len(store.find_clients(grade="E"))
    page.wait_for_selector(f"#clients-table caption:has-text('Clients 1 à 15 sur {number(graded, 'fr')}')", timeout=TIMEOUT)
    screenshot(page, "clients-list")


def test_read_score_and_record_override(page, running_app):
    store = running_app[0].store
    sk_id = _client(store, "accept")
    record = store.client(sk_id)
    _open(page, sk_id)
    assert page.inner_text("#client-pd") == percent(record.score.pd, "fr")
    assert page.inner_text("#client-grade") == record.score.grade
    assert "✔ Accordé" in page.inner_text("#client-decision")
    assert "seuil" in page.inner_text("#client-gauge-summary")
    screenshot(page, "clients")

    # Click the option's label, as a person does, once the page has stopped moving (charts drawn).
    page.wait_for_load_state("networkidle")
    page.locator("#decision-choice label", has_text="Refuser").click()
    assert page.is_checked("#decision-choice input[value='refuse']")
    page.wait_for_selector("#decision-reason-help:has-text('obligatoire')", timeout=TIMEOUT)
    page.click("#decision-record")
    page.wait_for_selector("#decision-feedback:has-text('Motif obligatoire')", timeout=TIMEOUT)
    assert store.decisions(sk_id) == []
    screenshot(page, "clients-override-refused")

    reason = "Revenus non justifiés par les pièces fournies"
    page.fill("#decision-reason", reason)
    page.click("#decision-record")
    page.wait_for_selector("#decision-feedback:has-text('Décision enregistrée')", timeout=TIMEOUT)
    history = page.inner_text("#decision-history")
    assert reason in history and "✖ Refusé" in history
    stored = store.decisions(sk_id)
    assert [(d.decision, d.override_reason) for d in stored] == [("refuse", reason)]
    screenshot(page, "clients-decision")


def test_follow_model_without_reason_then_interpretation_and_english(page, running_app):
    store = running_app[0].store
    sk_id = _client(store, "refuse")
    _open(page, sk_id)
    page.click("#decision-record")  # the model's decision is preselected: no reason needed
    page.wait_for_selector("#decision-feedback:has-text('Décision enregistrée')", timeout=TIMEOUT)
    assert [d.decision for d in store.decisions(sk_id)] == ["refuse"]

    page.click("#language-switch")
    page.wait_for_selector("#client-detail :text('Probability of default')", timeout=TIMEOUT)
    assert f"Client {sk_id}" in page.inner_text("#client-detail h2")  # the client survived the switch
    assert "✖ Refused" in page.inner_text("#client-decision")
    assert page.inner_text("#client-pd") == percent(store.client(sk_id).score.pd, "en")
    screenshot(page, "clients-en")

    page.click("#interpretation-link")
    page.wait_for_selector("#interp-waterfall", timeout=120_000)
    assert f"client {sk_id}" in page.inner_text("h1")


def test_client_page_says_which_model_scored(page, running_app):
    ctx = running_app[0]
    sk_id = _client(ctx.store, "accept", skip=3)
    score = ctx.store.client(sk_id).score
    _open(page, sk_id)
    said = page.inner_text("#client-model")
    assert said == scored_with(ctx.scorer.bundle, score.model, score.supplied, "fr", score.bundle_id)
    assert said.startswith("Score établi sur la demande") and "AUC attendue 0," in said
    page.click("#language-switch")
    page.wait_for_selector("#client-model:has-text('Scored on the application')", timeout=TIMEOUT)
