"""The score figures on real data: the expected traces, and text alternatives that say the same."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from desktop.explain import display_values, group_labels
from desktop.figures.scoring import (
    _points,
    distribution,
    gauge,
    gauge_summary,
    importance,
    scatter,
    waterfall,
    waterfall_bars,
    waterfall_summary,
)
from desktop.i18n import percent
from engine.labels import feature_label
from engine.scoring import Scorer


@pytest.fixture(scope="module")
def explained(bundle):
    """200 reference clients: their features, exact contributions (calibrated log-odds) and labels."""
    scorer = Scorer(bundle)
    sample = bundle.reference().head(200)
    contrib = scorer.contributions(scorer.matrix(sample))
    a, b = bundle.calibration.a, bundle.calibration.b
    labels = [feature_label(bundle.pipeline.specs[f], "fr") for f in bundle.feature_names]
    return scorer, sample, contrib[:, :-1] * a, a * contrib[:, -1] + b, labels


def test_gauge_marks_the_threshold():
    figure = gauge(0.123, 0.097, "fr")
    (indicator,) = figure.data
    assert isinstance(indicator, go.Indicator)
    assert indicator.gauge.threshold.value == pytest.approx(9.7) and indicator.value == pytest.approx(12.3)
    assert gauge_summary(0.123, 0.097, "fr") == f"PD {percent(0.123, 'fr')}, au-dessus du seuil de {percent(0.097, 'fr')} : refus."
    assert "below" in gauge_summary(0.05, 0.097, "en")


def test_gauge_scale_is_the_same_for_every_client_and_labels_the_threshold_on_its_tick():
    axes = [gauge(pd, 0.098, "fr").data[0].gauge.axis for pd in (0.01, 0.2, 0.45, 0.9)]
    assert all(tuple(axis.range) == (0, 50) for axis in axes)  # a PD above the top fills the arc; its number says it
    assert all(axis.tickvals == axes[0].tickvals and axis.ticktext == axes[0].ticktext for axis in axes)
    axis = axes[0]
    at = list(axis.tickvals).index(pytest.approx(9.8))
    assert axis.ticktext[at] == f"seuil<br>{percent(0.098, 'fr')}"  # the label sits on the threshold's own tick
    assert 10 not in axis.tickvals  # the round tick beside it would overprint the label
    assert gauge(0.2, 0.098, "en").data[0].gauge.axis.ticktext[at].startswith("threshold")
    assert gauge(0.2, 0.098, "fr").data[0].title.text is None  # the threshold is no longer a title far from its tick


def test_waterfall_shows_reason_groups_in_pd_points_that_add_up_to_the_clients_pd(explained):
    scorer, sample, shares, bases, _ = explained
    groups, names = scorer.groups.totals(shares), group_labels(scorer, "fr")
    pds = scorer.predict_pd(scorer.matrix(sample))
    for i in range(len(sample)):
        bars = waterfall_bars(groups[i], bases[i], top=6)
        assert bars.base + sum(bars.steps) + bars.rest == pytest.approx(pds[i], abs=1e-12)
        assert bars.pd == pytest.approx(pds[i], abs=1e-12)
        assert len(bars.order) >= min(6, np.count_nonzero(groups[i]))
        if bars.hidden:  # the remainder is smaller than every bar shown
            assert abs(bars.rest) < min(abs(step) for step in bars.steps)
        else:
            assert bars.rest == 0
        sizes = np.abs(groups[i][bars.order])
        assert (np.diff(sizes) <= 0).all()  # largest contribution first
    figure = waterfall(names, groups[0], bases[0], "fr", top=6)
    (trace,) = figure.data
    bars = waterfall_bars(groups[0], bases[0], top=6)
    assert isinstance(trace, go.Waterfall) and len(trace.x) == 2 + len(bars.order) + (bars.hidden > 0)
    assert sum(trace.x[:-1]) == pytest.approx(pds[0] * 100)  # PD axis, in percent
    assert list(trace.y) == list(range(len(trace.x))) and trace.text[-1] == percent(pds[0], "fr")
    assert "log-odds" not in figure.layout.xaxis.title.text.lower()
    assert set(figure.layout.yaxis.ticktext[1 : 1 + len(bars.order)]) <= set(names)
    assert percent(pds[0], "fr") in waterfall_summary(names, groups[0], bases[0], "fr")


def test_waterfall_remainder_rule_on_edge_cases():
    # One group dominating: the rest must shrink below the smallest bar shown, so more bars are shown.
    shares = np.array([2.0, 0.05, -0.04, 0.03, 0.02, 0.0])
    bars = waterfall_bars(shares, -2.5, top=1)
    assert bars.order[0] == 0 and abs(bars.rest) < min(abs(s) for s in bars.steps)
    assert 5 not in bars.order  # a group without contribution is no bar
    # All groups fit: no remainder bar.
    assert waterfall_bars(shares, -2.5, top=10).hidden == 0
    # Nothing to show.
    empty = waterfall_bars(np.zeros(4), -2.0)
    assert empty.order == [] and empty.base == pytest.approx(empty.pd)
    assert waterfall(["a", "b", "c", "d"], np.zeros(4), -2.0, "en").data[0].x[0] == pytest.approx(empty.base * 100)


@pytest.mark.parametrize(("value", "fr", "en"), [(0.032, "+3,2", "+3.2"), (-0.00004, "−0,004", "−0.004"), (0.0, "0", "0")])
def test_pd_points_keep_significant_digits(value, fr, en):
    assert _points(value, "fr") == fr and _points(value, "en") == en


def test_importance_distribution_and_scatter(explained):
    scorer, sample, shares, _, labels = explained
    mean = np.abs(shares).mean(axis=0)
    order = np.argsort(-mean)
    bars = importance([labels[j] for j in order], mean[order], "en", top=15)
    assert isinstance(bars.data[0], go.Bar) and len(bars.data[0].x) == 15

    feature = "DAYS_BIRTH" if "DAYS_BIRTH" in sample.columns else scorer.bundle.feature_names[order[0]]
    spec = scorer.bundle.pipeline.specs[feature]
    values, target = display_values(spec, sample[feature].to_numpy()), sample["TARGET"].to_numpy()
    histogram = distribution(labels[0], values[target == 0], values[target == 1], float(values[0]), "fr")
    assert [type(trace) for trace in histogram.data] == [go.Histogram, go.Histogram]
    assert histogram.layout.shapes[0].x0 == pytest.approx(values[0])  # the client's line
    if feature == "DAYS_BIRTH":
        assert 18 < np.nanmedian(values) < 80  # shown in years

    x, y = sample[scorer.bundle.feature_names[order[0]]].to_numpy(), sample[scorer.bundle.feature_names[order[1]]].to_numpy()
    points = scatter(x, y, sample["PD"].to_numpy(), (float(x[0]), float(y[0])), ("x", "y"), "fr")
    assert [trace.mode for trace in points.data] == ["markers", "markers+text"] and points.data[1].marker.symbol == "star"
