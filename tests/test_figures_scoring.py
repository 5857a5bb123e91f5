"""The score figures on real data: the expected traces, and text alternatives that say the same."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from desktop.explain import display_values
from desktop.figures.scoring import distribution, gauge, gauge_summary, importance, scatter, waterfall, waterfall_summary
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


def test_waterfall_adds_up_to_the_clients_pd(explained):
    scorer, sample, shares, bases, labels = explained
    figure = waterfall(labels, shares[0], bases[0], "fr", top=12)
    (trace,) = figure.data
    assert isinstance(trace, go.Waterfall) and len(trace.x) == 15  # base, 12 features, the others, the client
    assert trace.base + sum(trace.x[1:-1]) == pytest.approx(bases[0] + shares[0].sum())
    pd = float(scorer.predict_pd(scorer.matrix(sample.head(1)))[0])
    assert trace.text[-1] == f"PD {percent(pd, 'fr')}"
    assert "log-odds" in figure.layout.xaxis.title.text.lower()
    assert percent(pd, "fr") in waterfall_summary(labels, shares[0], bases[0], "fr")


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
