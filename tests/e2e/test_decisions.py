"""The decision record in Chromium: the officer's name asked once, a decision against the model with every
field of the record in the client's history, in the list's « contre l'avis du modèle » filter and in the export."""

from __future__ import annotations

import json

import polars as pl

from desktop.i18n import number, percent, timestamp
from desktop.widgets import decision_word
from e2e.conftest import screenshot
from storage.paths import settings_file
from storage.settings import officer_name

TIMEOUT = 30_000
OFFICER = "Claire Dupont"


def test_decision_against_the_model_is_recorded_shown_and_exported(page, running_app, tmp_path):
    ctx = running_app[0]
    store = ctx.store
    settings_file(ctx.home).unlink(missing_ok=True)  # a first start: no officer's name yet
    sk_id = next(i for i in store.find_clients(decision="accept", status="awaiting", limit=50)["SK_ID_CURR"].to_list()[7:])
    score = store.client(sk_id).score
    page.fill("#clients-search", str(sk_id))
    page.wait_for_selector(f"#client-detail h2:has-text('{sk_id}')", timeout=TIMEOUT)
    page.wait_for_load_state("networkidle")
    page.locator("#decision-choice label", has_text="Refuser").click()
    reason = "Charges du foyer sous-estimées"
    page.fill("#decision-reason", reason)
    page.click("#decision-record")

    page.wait_for_selector("#officer-dialog #officer-name", timeout=TIMEOUT)  # asked once, the OS account proposed
    page.click("#officer-cancel")
    page.wait_for_selector("#officer-dialog", state="detached", timeout=TIMEOUT)
    assert store.decisions(sk_id) == []  # nothing recorded without a name
    page.click("#decision-record")
    page.wait_for_selector("#officer-dialog #officer-name", timeout=TIMEOUT)
    page.fill("#officer-name", "")
    page.click("#officer-save")
    page.wait_for_selector("#officer-name.is-invalid", timeout=TIMEOUT)
    page.fill("#officer-name", OFFICER)
    screenshot(page, "decision-officer-name")
    page.click("#officer-save")
    page.wait_for_selector("#decision-feedback:has-text('Décision enregistrée')", timeout=TIMEOUT)
    assert officer_name(settings_file(ctx.home)) == OFFICER

    [decision] = store.decisions(sk_id)
    assert (decision.officer, decision.decision, decision.overrides, decision.override_reason) == (OFFICER, "refuse", True, reason)
    assert (decision.score_id, decision.pd, decision.model_decision) == (score.id, score.pd, "accept")
    threshold = (ctx.scorer.bundle.models.get(score.model) or ctx.scorer.bundle.models["full"]).threshold
    assert decision.threshold == threshold and decision.reasons == {"against": score.against, "for": score.favour}
    rows = page.locator("#decision-history-table tbody tr")
    cells = rows.first.locator("td").all_inner_texts()
    assert cells == [timestamp(decision.decided_at, "fr"), percent(score.pd, "fr"), score.grade, decision_word("accept", "fr"),
                     decision_word("refuse", "fr"), "contre l'avis du modèle", OFFICER]
    assert rows.nth(1).locator("th, td").all_inner_texts() == ["Motif", reason]  # the reason on its row, under its decision
    headers = page.locator("#decision-history-table thead th").all_inner_texts()
    assert headers == ["Date", "PD alors", "Classe de risque", "Décision du modèle", "Décision", "Dérogation", "Agent"]
    screenshot(page, "decision-history")

    page.select_option("#clients-status", "override")
    page.fill("#clients-search", "")
    overrides = store.find_clients(status="override")
    page.wait_for_selector(f"#clients-table caption:has-text('sur {number(overrides.height, 'fr')}')", timeout=TIMEOUT)
    assert sk_id in overrides["SK_ID_CURR"].to_list()
    assert "contre l'avis du modèle" in page.inner_text("#clients-table")

    with page.expect_download(timeout=TIMEOUT) as download:
        page.click("#decisions-export")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("decisions-") and saved.suffix == ".csv"
    exported = pl.read_csv(saved, separator=";", decimal_comma=True, infer_schema_length=None)
    row = exported.filter(pl.col("DECISION_ID") == decision.id).row(0, named=True)
    assert (row["SK_ID_CURR"], row["SCORE_ID"], row["BATCH"], row["DECIDED_AT"]) == (sk_id, score.id, score.batch_id, decision.decided_at)
    assert (row["OFFICER"], row["OFFICER_DECISION"], row["MODEL_DECISION"], row["OVERRIDE"], row["OVERRIDE_REASON"]) == (
        OFFICER, "refuse", "accept", True, reason)
    assert (row["PD"], row["GRADE"], row["POINTS"]) == (score.pd, score.grade, score.points)
    assert row["THRESHOLD"] == threshold and (row["BUNDLE"], row["MODEL"]) == (score.bundle_id, score.model)
    assert row["REASONS_AGAINST"] == ctx.scorer.words.cell(score.against, "fr") and "augmente le risque" in row["REASONS_AGAINST"]
    assert json.loads(row["REASONS"]) == decision.reasons

    page.reload()  # the name is asked once: the form now says who decides
    page.wait_for_selector("#decision-officer", timeout=TIMEOUT)
    assert page.inner_text("#decision-officer") == f"Agent : {OFFICER}"


LONG_REASON = ("Revenus du conjoint non déclarés au dossier, charges de logement sous-estimées selon les relevés "
               "bancaires des six derniers mois ; voir la pièce REF-2026-DOSSIER-000123456789-COMPLEMENT-JUSTIFICATIFS "
               "et l'avis du directeur d'agence.")


def test_a_long_reason_wraps_inside_the_card_of_the_decision_history(page, running_app):
    """The « Motif » wraps the officer's words (even a long reference with no space in it) on its own row: the
    history table stays inside its card, side by side with the list and at 200 % zoom (a 680 px wide window)."""
    ctx, server = running_app
    store = ctx.store
    sk_id = store.find_clients(decision="accept", status="awaiting", limit=60)["SK_ID_CURR"].to_list()[40]
    score = store.client(sk_id).score
    threshold = (ctx.scorer.bundle.models.get(score.model) or ctx.scorer.bundle.models["full"]).threshold
    store.record_decision(sk_id, "refuse", officer=OFFICER, override_reason=LONG_REASON, threshold=threshold, score_id=score.id)
    for width in (1360, 680):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server.url}/?client={sk_id}")
        page.wait_for_selector("#decision-history-table", timeout=TIMEOUT)
        page.wait_for_load_state("networkidle")
        assert page.inner_text("#decision-history-table tbody tr:nth-child(2) td") == LONG_REASON
        fit = page.evaluate("""() => {
            const table = document.getElementById("decision-history-table");
            const body = document.getElementById("client-detail");
            const style = getComputedStyle(body);
            const inner = body.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            const frame = table.parentElement;
            return {table: table.getBoundingClientRect().width, card: inner,
                    hidden: frame.scrollWidth - frame.clientWidth};
        }""")
        assert fit["table"] <= fit["card"] + 1 and fit["hidden"] <= 1, f"at {width} px the history overflows its card: {fit}"
        screenshot(page, f"decision-history-long-reason-{width}")
