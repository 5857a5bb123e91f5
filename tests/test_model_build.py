"""How the model is built, said on its card (engine.model_build) and the threshold rule per fold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import report
from engine.bundle import load_bundle
from engine.catalogues import catalogue
from engine.evaluation import THRESHOLD_RULES, cross_fitted_cost
from engine.manifest import TrainingMetrics
from engine.model_build import ModelBuild, describe
from engine.resources import default_bundle

BUILD = ModelBuild(boosters=10, rounds=80, learning_rate=0.2, max_depth=2, num_leaves=4, dropout=0.25,
                   threshold_rule="bayes")


@pytest.fixture(scope="module")
def bundle():
    return load_bundle(default_bundle())


def test_the_build_is_read_from_the_shipped_boosters(bundle):
    manifest = json.loads((default_bundle() / "manifest.json").read_text("utf-8"))
    build = ModelBuild.of(bundle.booster, bundle.manifest.metrics.dropout, bundle.manifest.threshold_rule)
    assert build.boosters == len(manifest["model"]["files"]) == len(bundle.booster.boosters)
    assert build.trees == bundle.booster.num_trees()
    params = manifest["model"]["params"]
    assert (build.rounds, build.learning_rate, build.max_depth, build.num_leaves) == (
        params["n_estimators"], params["learning_rate"], params["max_depth"], params["num_leaves"])
    assert build.threshold_rule == manifest["threshold_rule"] and build.dropout == manifest["metrics"]["dropout"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_build_is_said_with_its_figures_in_both_languages(lang):
    bag, dropout, rule, why = describe(BUILD, lang)
    assert "10 " in bag and " 80 " in bag and "(4 " in bag and "800" in bag and ("0,2" if lang == "fr" else "0.2") in bag
    assert ("25\u00a0%" if lang == "fr" else "25%") in dropout
    assert ("9,1\u00a0%" if lang == "fr" else "9.1%") in rule and "1/(1 + 10)" in rule
    assert why == catalogue("model_build")["why"][lang]
    if lang == "fr":  # no English on a French page
        assert not {"trees", "threshold", "models", "the"} & set(" ".join([bag, dropout, rule, why]).split())


def test_a_tree_without_depth_limit_is_said_so():
    unlimited = ModelBuild(**{**BUILD.to_dict(), "max_depth": -1})
    assert "sans limite de profondeur" in describe(unlimited, "fr")[0] and "-1" not in describe(unlimited, "fr")[0]
    assert "at most 2 levels deep" in describe(BUILD, "en")[0]


def test_each_threshold_rule_has_its_own_sentence():
    sentences = {rule: describe(ModelBuild(**{**BUILD.to_dict(), "threshold_rule": rule}), "en")[2] for rule in THRESHOLD_RULES}
    assert len(set(sentences.values())) == len(THRESHOLD_RULES)
    assert "minimises the business cost" in sentences["argmin"]
    with pytest.raises(ValueError, match="threshold rule"):
        ModelBuild(**{**BUILD.to_dict(), "threshold_rule": "median"})


def test_every_text_of_the_catalogue_is_in_french_and_english():
    assert all(set(texts) == {"fr", "en"} and all(texts.values()) for texts in catalogue("model_build").values())


def test_the_training_report_says_how_the_model_is_built_in_both_languages(bundle):
    metrics = TrainingMetrics.from_dict(json.loads((default_bundle() / "metrics.json").read_text("utf-8")))
    page = report.render(metrics, BUILD)
    assert "How the model is built" in page
    for lang in ("en", "fr"):
        block = page.split(f'<div lang="{lang}">')[1].split("</div>")[0]
        for sentence in describe(BUILD, lang):
            assert sentence.replace("'", "&#39;") in block


def test_a_rule_per_fold_costs_what_each_fold_costs_under_its_rule():
    rng = np.random.default_rng(0)
    y = (rng.random(900) < 0.1).astype(int)
    proba = np.clip(0.08 + 0.25 * y * rng.random(900) + 0.08 * rng.standard_normal(900), 0.001, 0.999)
    folds = np.array_split(rng.permutation(900), 3)
    argmin, bayes = (cross_fitted_cost(y, proba, folds, rule) for rule in ("argmin", "bayes"))
    assert argmin != bayes  # the rules differ on these rows, so the identity below says something
    assert cross_fitted_cost(y, proba, folds, ["argmin"] * 3) == argmin
    mixed = cross_fitted_cost(y, proba, folds, ["argmin", "bayes", "argmin"])
    assert mixed + cross_fitted_cost(y, proba, folds, ["bayes", "argmin", "bayes"]) == argmin + bayes
    with pytest.raises(ValueError):
        cross_fitted_cost(y, proba, folds, ["argmin", "bayes"])  # one rule per fold, no fewer
