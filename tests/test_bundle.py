"""The model bundle: round trip, no code on load, the manifest read typed, refusal of anything tampered
with. On the bundle shipped in resources/ (no ../shared needed); training one is test_training's."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import polars as pl
import pytest

from bundle_helpers import edit_manifest
from engine.bundle import MANIFEST_FILE, REFERENCE_ROWS, BundleError, load_bundle, model_files
from engine.evaluation import THRESHOLD_RULES
from engine.features import PIPELINE_VERSION
from engine.manifest import Fairness, ModelMetrics


def _copy(bundle, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(bundle.path, target)
    return target


def _raw(bundle) -> dict:
    return json.loads((bundle.path / MANIFEST_FILE).read_text("utf-8"))


def test_bundle_holds_no_pickle_and_round_trips(bundle, tmp_path):
    k = len(bundle.booster.boosters)
    files = sorted(p.name for p in bundle.path.iterdir())
    assert files == sorted(["manifest.json", "metrics.json", *model_files(k), "reference.parquet", "report.html"])
    loaded = load_bundle(_copy(bundle, tmp_path))
    assert loaded.id == bundle.id
    assert loaded.feature_names == bundle.feature_names == loaded.booster.feature_name()
    X = np.random.default_rng(0).normal(size=(20, len(loaded.feature_names))).astype(np.float32)
    assert np.array_equal(loaded.booster.margin(X), bundle.booster.margin(X))


def test_the_shipped_model_is_a_bag_scored_by_the_mean_of_its_boosters(bundle, scorer, demo_tables):
    import lightgbm as lgb

    files = _raw(bundle)["model"]["files"]
    assert files == model_files(5) and len(bundle.booster.boosters) == 5
    boosters = [lgb.Booster(model_file=str(bundle.path / name)) for name in files]
    assert len({b.model_to_string() for b in boosters}) == 5  # five different models, not one copied
    # Trees in all: those of the single 800-tree booster it replaces, so TreeSHAP costs the same.
    assert bundle.booster.num_trees() == 800
    X = scorer.matrix(scorer.features(demo_tables).head(300))
    margin, contrib = scorer.margin(X), scorer.contributions(X)
    assert np.allclose(margin, np.mean([b.predict(X, raw_score=True) for b in boosters], axis=0), atol=1e-12)
    assert np.allclose(contrib, np.mean([b.predict(X, pred_contrib=True) for b in boosters], axis=0), atol=1e-12)
    assert np.allclose(contrib.sum(axis=1), margin, atol=1e-9)  # the reasons add up to the score
    assert not np.allclose(margin, boosters[0].predict(X, raw_score=True), atol=1e-3)  # the bag is not its first booster
    importance = bundle.booster.feature_importance("gain")
    assert np.allclose(importance, np.mean([b.feature_importance("gain") for b in boosters], axis=0))


def test_a_single_booster_bundle_of_format_2_loads_as_a_bag_of_one(bundle, tmp_path):
    import lightgbm as lgb

    target = _copy(bundle, tmp_path)
    extra = model_files(len(bundle.booster.boosters))[1:]

    def as_format_2(m: dict) -> None:
        m["format_version"] = 2
        m["model"].pop("files")
        m["model"]["file"] = "model.txt"
        for name in extra:
            m["files"].pop(name)

    for name in extra:
        (target / name).unlink()
    edit_manifest(target, as_format_2)
    old = load_bundle(target)
    assert len(old.booster.boosters) == 1
    X = np.random.default_rng(1).normal(size=(20, len(old.feature_names))).astype(np.float32)
    assert np.array_equal(old.booster.margin(X), lgb.Booster(model_file=str(target / "model.txt")).predict(X, raw_score=True))


def test_a_model_file_without_its_hash_is_refused(bundle, tmp_path):
    target = _copy(bundle, tmp_path)
    last = model_files(len(bundle.booster.boosters))[-1]
    edit_manifest(target, lambda m: m["files"].pop(last))
    with pytest.raises(BundleError, match="model files without their hashes"):
        load_bundle(target)


def test_manifest_records_what_the_issue_names(bundle):
    m = _raw(bundle)
    assert m["pipeline"]["version"] == PIPELINE_VERSION
    assert m["pipeline"]["state"]["levels"]["application"]["NAME_INCOME_TYPE"]
    assert set(m["files"]) == {*m["model"]["files"], "reference.parquet"} and m["model"]["files"][0] == "model.txt"
    assert m["format_version"] == 3 and m["threshold_rule"] in THRESHOLD_RULES
    assert {"lightgbm", "polars", "numpy", "scikit-learn", "python"} <= set(m["versions"])
    assert m["data"]["clients"] == 5000 and m["data"]["defaults"] == 386  # the extract it was trained on
    assert "installments_payments" in m["data"]["missing_tables"]
    assert list(m["models"]) == ["application", "bureau", "full"]
    for model in m["models"].values():
        assert model["calibration"]["method"] == "platt" and 0 < model["threshold"] < 1
    assert m["models"]["bureau"]["tables"] == ["application", "bureau", "bureau_balance"]
    assert "installments_payments" not in m["trained_tables"] and "bureau" in m["trained_tables"]
    assert set(m["metrics"]["variants"]) == {"as_is", "smote", "business"}
    # No protected attribute among the model's inputs, and the exclusion is on record.
    assert m["exclude"] == ["CODE_GENDER"]
    assert not [f for f in m["features"] if "GENDER" in f]
    assert "CODE_GENDER" not in m["pipeline"]["state"]["levels"]["application"]


def test_the_manifest_is_read_typed_as_written(bundle):
    m, typed = _raw(bundle), bundle.manifest
    assert typed.digest == bundle.id == m["manifest_sha256"] and typed.created == m["created"]
    assert typed.features == bundle.feature_names == m["features"] and typed.variant == m["model"]["variant"]
    assert typed.trained_tables == bundle.trained_tables == frozenset(m["trained_tables"])
    assert typed.data.clients == m["data"]["clients"] and typed.data.missing_tables == m["data"]["missing_tables"]
    metrics = typed.metrics
    assert metrics.shipped == m["metrics"]["shipped"] and metrics.fold_seeds == m["metrics"]["fold_seeds"]
    assert metrics.top_features()[0] == m["metrics"]["variants"][metrics.shipped]["top_importance"][0]["feature"]
    for name, model in bundle.models.items():
        assert isinstance(model.metrics, ModelMetrics)
        assert model.to_dict() == m["models"][name]  # written back unchanged
        assert metrics.models[name] == model.metrics
    fairness = metrics.fairness
    assert isinstance(fairness, Fairness) and {row.group for row in fairness.sex} == {"F", "M"}
    assert fairness.lowest["age"].group in {row.group for row in fairness.groups("age")}
    assert fairness.lowest["sex"].ratio == m["metrics"]["fairness"]["lowest"]["sex"]["ratio"]


def test_keys_a_newer_training_adds_are_ignored_a_missing_one_refused(bundle, tmp_path):
    target = _copy(bundle, tmp_path)
    edit_manifest(target, lambda m: m["models"]["full"]["metrics"].update(new_figure=1.0))
    assert load_bundle(target).models["full"].metrics == bundle.models["full"].metrics
    edit_manifest(target, lambda m: m["metrics"].pop("fairness"))
    with pytest.raises(BundleError, match="fairness"):
        load_bundle(target)


def test_reference_sample_has_target_pd_features_and_raw_categories(bundle):
    ref, data = bundle.reference(), bundle.manifest.data
    assert ref.height == min(data.clients, REFERENCE_ROWS) and ref["SK_ID_CURR"].n_unique() == ref.height
    if ref.height == data.clients:
        assert int(ref["TARGET"].sum()) == data.defaults
    for model in bundle.models.values():
        assert ref[model.reference_pd].is_between(0, 1).all()
    assert {"PD", "PD_application", "PD_bureau"} <= set(ref.columns)
    assert set(bundle.feature_names) <= set(ref.columns)
    assert ref.schema["NAME_INCOME_TYPE"] == pl.String


def test_report_is_self_contained(bundle):
    html = (bundle.path / "report.html").read_text("utf-8")
    # No tag loads anything from elsewhere: plotly.js is inlined, as are the figures' data.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html, re.IGNORECASE)
    assert html.count("<script") >= 4 and "Plotly.newPlot" in html
    assert "as_is" in html and "smote" in html and "business" in html


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: p.joinpath("model.txt").write_text(p.joinpath("model.txt").read_text().replace("tree", "tree ", 1)), "model.txt"),
        (lambda p: p.joinpath("reference.parquet").write_bytes(b"PAR1 nonsense"), "reference.parquet"),
        (lambda p: p.joinpath("model.txt").unlink(), "missing"),
        (lambda p: p.joinpath("model-5.txt").write_text(p.joinpath("model-4.txt").read_text()), "model-5.txt"),
        (lambda p: p.joinpath(MANIFEST_FILE).write_text("{not json"), "cannot be read"),
        (lambda p: p.joinpath(MANIFEST_FILE).unlink(), "not a model bundle"),
        (lambda p: p.joinpath(MANIFEST_FILE).write_text("[]"), r"not a creditscore model of a format this app reads \(format –"),
    ],
)
def test_tampered_bundle_is_refused(bundle, tmp_path, tamper, message):
    target = _copy(bundle, tmp_path)
    tamper(target)
    with pytest.raises(BundleError, match=message):
        load_bundle(target)


def test_edited_threshold_is_refused(bundle, tmp_path):
    target = _copy(bundle, tmp_path)
    edit_manifest(target, lambda m: m.update(threshold=0.99), rehash=False)
    with pytest.raises(BundleError, match="modified after training"):
        load_bundle(target)


def test_other_pipeline_version_is_refused(bundle, tmp_path):
    target = _copy(bundle, tmp_path)
    edit_manifest(target, lambda m: m["pipeline"].update(version="0-old"))
    with pytest.raises(BundleError, match="pipeline version 0-old"):
        load_bundle(target)
