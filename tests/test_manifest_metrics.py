"""The training metrics typed (engine.manifest): built from the manifest as written, read by attribute,
given back as the same JSON (the manifest's hash covers that JSON: no retraining, no new format)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from engine.bundle import verified_manifest
from engine.manifest import (
    Calibration,
    Confusion,
    CoverageCV,
    Importance,
    OperatingPoint,
    ReliabilityCurve,
    TrainingMetrics,
    VariantMetrics,
)
from engine.resources import default_bundle


@pytest.fixture(scope="module")
def written() -> dict:
    """The shipped manifest's metrics, as the training wrote them (hashes checked)."""
    return verified_manifest(default_bundle())["metrics"]


def test_the_shipped_metrics_load_typed_and_give_back_the_same_json(written):
    metrics = TrainingMetrics.from_dict(written)
    assert metrics.to_dict() == written
    assert json.dumps(metrics.to_dict(), sort_keys=True) == json.dumps(written, sort_keys=True)


def test_every_figure_is_read_by_attribute(written):
    metrics = TrainingMetrics.from_dict(written)
    assert set(metrics.variants) == {"as_is", "smote", "business"}
    shipped = metrics.shipped_variant
    assert isinstance(shipped, VariantMetrics) and isinstance(shipped.at_threshold, OperatingPoint)
    cm = shipped.at_threshold.confusion_matrix
    assert isinstance(cm, Confusion) and cm.tn + cm.fp + cm.fn + cm.tp == metrics.data.clients
    assert 10 * cm.fn + cm.fp == shipped.at_threshold.business_cost  # the business cost of that matrix
    assert shipped.at_0_5.threshold == 0.5 and shipped.roc_auc_mean == pytest.approx(0.7643, abs=1e-4)
    assert len(shipped.roc_curve.fpr) == len(shipped.roc_curve.tpr) <= 200
    assert len(shipped.cost_curve.threshold) == len(shipped.cost_curve.cost)
    assert all(isinstance(i, Importance) for i in shipped.top_importance)
    assert [i.gain for i in shipped.top_importance] == sorted((i.gain for i in shipped.top_importance), reverse=True)
    assert metrics.top_features()[0] == shipped.top_importance[0].feature
    full = shipped.coverages["full"]
    assert isinstance(full, CoverageCV) and full.cross_fitted_cost_by_rule["argmin"].mean == full.cross_fitted_cost_mean
    assert len(full.roc_auc_by_seed) == len(metrics.fold_seeds) == 3
    calibration = metrics.calibration
    assert isinstance(calibration, Calibration) and isinstance(calibration.curve, ReliabilityCurve)
    assert sum(calibration.curve.count) == metrics.data.clients
    assert calibration.brier_calibrated_cross_fitted < calibration.brier_uncalibrated


def test_typed_metrics_are_frozen(written):
    metrics = TrainingMetrics.from_dict(written)
    with pytest.raises(AttributeError):
        metrics.shipped_variant.at_threshold.threshold = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(("path", "message"), [
    (("variants", "as_is", "at_threshold", "confusion_matrix", "fn"), "missing required field `fn` - at `$.variants[...].at_threshold.confusion_matrix`"),
    (("calibration", "curve"), "missing required field `curve` - at `$.calibration`"),
])
def test_a_missing_figure_is_refused_naming_where(written, path, message):
    state = copy.deepcopy(written)
    parent = state
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    with pytest.raises(TypeError, match=re.escape(message)):
        TrainingMetrics.from_dict(state)


def test_a_mistyped_figure_is_refused(written):
    state = copy.deepcopy(written)
    state["variants"]["smote"]["at_0_5"]["business_cost"] = "3852"
    with pytest.raises(TypeError, match=re.escape("Expected `int`, got `str` - at `$.variants[...].at_0_5.business_cost`")):
        TrainingMetrics.from_dict(state)


def test_a_newer_trainings_extra_keys_are_ignored(written):
    state = copy.deepcopy(written)
    state["variants"]["as_is"]["new_figure"] = 1
    state["calibration"]["new_figure"] = [1, 2]
    metrics = TrainingMetrics.from_dict(state)
    assert metrics.to_dict() == written


def test_a_trained_bundle_reads_what_it_wrote(small_bundle):
    written = json.loads((small_bundle.path / "manifest.json").read_text("utf-8"))["metrics"]
    assert small_bundle.manifest.metrics.to_dict() == written
    assert list(small_bundle.manifest.metrics.variants) == [small_bundle.manifest.metrics.shipped]
