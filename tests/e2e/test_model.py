"""The model card: the three trainings with the manifest's figures, charts with text alternatives."""

from __future__ import annotations

import json

from desktop.i18n import number
from engine.resources import default_bundle
from e2e.conftest import screenshot


def test_model_card_shows_the_three_trainings_and_the_manifest_auc(page, running_app):
    _, server = running_app
    manifest = json.loads((default_bundle() / "manifest.json").read_text("utf-8"))
    variants = manifest["metrics"]["variants"]
    page.goto(f"{server.url}/model")
    table = page.locator("#model-metrics-table")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    text = table.inner_text()
    for name in ("Déséquilibre conservé", "SMOTE", "Pondérée métier"):
        assert name in text
    for metrics in variants.values():
        assert f'{number(metrics["roc_auc_mean"], "fr", 3)} ± {number(metrics["roc_auc_std"], "fr", 3)}' in text
    coverage = page.locator("#model-coverage-table").inner_text()
    assert "Demande seule" in coverage and "Historique complet" in coverage
    for model in manifest["models"].values():
        assert number(model["metrics"]["roc_auc_mean"], "fr", 3) in coverage
    assert "CODE_GENDER" in page.locator("#model-inputs-text").inner_text()
    build = page.locator("#model-build-text").inner_text()
    assert f'moyenne de {len(manifest["model"]["files"])} modèles LightGBM' in build and "Seuil de refus" in build
    fairness = page.locator("#model-fairness-sex").inner_text() + page.locator("#model-fairness-age").inner_text()
    for name in ("Femmes", "Hommes", "Moins de 30 ans", "30 à 50 ans", "Plus de 50 ans"):
        assert name in fairness
    assert page.locator(".fairness-reading").count() == 2
    assert manifest["manifest_sha256"] in page.locator("#model-bundle-id").inner_text()
    assert "non commercial" in page.locator(".licence").inner_text()
    page.locator("#model-importance .main-svg").first.wait_for()
    importance = page.locator("#model-importance-box").inner_text()
    assert "points de PD" in importance and "Scores externes" in importance and "log-odds" not in importance
    assert page.locator("figure.chart figcaption").count() == 4  # each chart has its text alternative
    assert page.title().startswith("Fiche du modèle")
    screenshot(page, "model")
