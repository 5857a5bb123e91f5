"""Figures of the model card and of the drift page, from the shipped manifest and made-up runs."""

from __future__ import annotations

import json

import pytest

from desktop.figures.drift import approval_figure, history_figure, pd_histogram_figure
from desktop.figures.model import calibration_figure, cost_figure, roc_figure
from desktop.i18n import percent
from engine.manifest import TrainingMetrics
from engine.resources import default_bundle


@pytest.fixture(scope="module")
def metrics() -> TrainingMetrics:
    return TrainingMetrics.from_dict(json.loads((default_bundle() / "manifest.json").read_text("utf-8"))["metrics"])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_roc_has_one_curve_per_variant_and_the_diagonal(metrics, lang):
    fig = roc_figure(metrics.variants, lang)
    assert len(fig.data) == 4
    auc = metrics.variants["as_is"].roc_auc
    assert f"{auc:.3f}".replace(".", "," if lang == "fr" else ".") in fig.data[0].name
    assert len({trace.line.dash for trace in fig.data[:3]}) == 3  # told apart without colour
    assert fig.layout.separators == (",\u202f" if lang == "fr" else ".,")


def test_cost_curve_is_sorted_and_marks_each_chosen_threshold(metrics):
    fig = cost_figure(metrics.variants, "fr")
    lines, markers = fig.data[0::2], fig.data[1::2]
    assert len(lines) == len(markers) == 3
    assert all(list(line.x) == sorted(line.x) for line in lines)
    for marker, variant in zip(markers, metrics.variants.values()):
        assert marker.x[0] == variant.at_threshold.threshold
        assert marker.y[0] == variant.at_threshold.business_cost


def test_calibration(metrics):
    curve = metrics.calibration.curve
    fig = calibration_figure(curve, "en")
    assert list(fig.data[1].y) == curve.observed and list(fig.data[1].customdata) == curve.count


def test_drift_figures():
    hist = {"edges": [0.0, 0.1, 0.2], "reference": [0.7, 0.3], "current": [0.6, 0.4]}
    fig = pd_histogram_figure(hist, 0.1, "fr")
    assert [list(trace.y) for trace in fig.data] == [[0.7, 0.3], [0.6, 0.4]]
    assert fig.data[1].marker.pattern.shape == "/"  # the batch is hatched, not only another colour
    approval = approval_figure({"reference": 0.75, "current": 0.7, "threshold": 0.1, "change": -0.05}, "fr")
    assert list(approval.data[0].text) == [percent(0.75, "fr"), percent(0.7, "fr")]
    history = [{"RUN": 1, "BATCH": 1, "PSI_PD": 0.01, "DRIFT_SHARE": 0.1},
               {"RUN": 2, "BATCH": 2, "PSI_PD": 0.4, "DRIFT_SHARE": 0.6}]
    lines = history_figure(history, "en").data
    assert list(lines[0].y) == [0.01, 0.4] and list(lines[1].y) == [0.1, 0.6]
