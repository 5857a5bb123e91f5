"""The model bundle: round trip, no code on load, refusal of anything tampered with."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import polars as pl
import pytest

from engine.bundle import MANIFEST_FILE, BundleError, _manifest_digest, load_bundle
from engine.features import PIPELINE_VERSION


def _copy(bundle, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(bundle.path, target)
    return target


def test_bundle_holds_no_pickle_and_round_trips(small_bundle, tmp_path):
    files = sorted(p.name for p in small_bundle.path.iterdir())
    assert files == ["manifest.json", "metrics.json", "model.txt", "reference.parquet", "report.html"]
    loaded = load_bundle(_copy(small_bundle, tmp_path))
    assert loaded.id == small_bundle.id
    assert loaded.feature_names == small_bundle.feature_names == loaded.booster.feature_name()
    X = np.random.default_rng(0).normal(size=(20, len(loaded.feature_names))).astype(np.float32)
    assert np.array_equal(loaded.booster.predict(X, raw_score=True), small_bundle.booster.predict(X, raw_score=True))


def test_manifest_records_what_the_issue_names(small_bundle):
    m = small_bundle.manifest
    assert m["pipeline"]["version"] == PIPELINE_VERSION
    assert m["pipeline"]["state"]["levels"]["application"]["NAME_INCOME_TYPE"]
    assert set(m["files"]) == {"model.txt", "reference.parquet"}
    assert {"lightgbm", "polars", "numpy", "scikit-learn", "python"} <= set(m["versions"])
    assert m["data"]["clients"] == 5000 and m["data"]["defaults"] == 386
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


def test_reference_sample_has_target_pd_features_and_raw_categories(small_bundle):
    ref = small_bundle.reference()
    assert ref.height == 5000 and ref["SK_ID_CURR"].n_unique() == 5000
    assert int(ref["TARGET"].sum()) == 386
    for model in small_bundle.models.values():
        assert ref[model.reference_pd].is_between(0, 1).all()
    assert {"PD", "PD_application", "PD_bureau"} <= set(ref.columns)
    assert set(small_bundle.feature_names) <= set(ref.columns)
    assert ref.schema["NAME_INCOME_TYPE"] == pl.String


def test_report_is_self_contained(small_bundle):
    html = (small_bundle.path / "report.html").read_text("utf-8")
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
        (lambda p: p.joinpath(MANIFEST_FILE).write_text("{not json"), "cannot be read"),
        (lambda p: p.joinpath(MANIFEST_FILE).unlink(), "not a model bundle"),
    ],
)
def test_tampered_bundle_is_refused(small_bundle, tmp_path, tamper, message):
    target = _copy(small_bundle, tmp_path)
    tamper(target)
    with pytest.raises(BundleError, match=message):
        load_bundle(target)


def _edit_manifest(path, change, rehash: bool):
    manifest = json.loads((path / MANIFEST_FILE).read_text("utf-8"))
    change(manifest)
    if rehash:
        manifest["manifest_sha256"] = _manifest_digest(manifest)
    (path / MANIFEST_FILE).write_text(json.dumps(manifest), "utf-8")


def test_edited_threshold_is_refused(small_bundle, tmp_path):
    target = _copy(small_bundle, tmp_path)
    _edit_manifest(target, lambda m: m.update(threshold=0.99), rehash=False)
    with pytest.raises(BundleError, match="modified after training"):
        load_bundle(target)


def test_other_pipeline_version_is_refused(small_bundle, tmp_path):
    target = _copy(small_bundle, tmp_path)
    _edit_manifest(target, lambda m: m["pipeline"].update(version="0-old"), rehash=True)
    with pytest.raises(BundleError, match="pipeline version 0-old"):
        load_bundle(target)
