"""One figure style (engine.chart_style) for the app's figures and the reports; one chart() helper."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from desktop.figures.drift import approval_figure
from desktop.figures.model import roc_figure
from desktop.figures.scoring import gauge, waterfall
from desktop.widgets import chart
from engine import report
from engine.chart_style import PALETTE, SEPARATORS, layout
from engine.manifest import TrainingMetrics
from engine.model_build import ModelBuild
from engine.resources import default_bundle


@pytest.fixture(scope="module")
def metrics() -> TrainingMetrics:
    return TrainingMetrics.from_dict(json.loads((default_bundle() / "manifest.json").read_text("utf-8"))["metrics"])


def test_layout_carries_the_language_and_lets_a_figure_override(metrics):
    assert layout("fr")["separators"] == ",\u202f" and layout("en")["separators"] == ".,"
    assert layout("fr", margin={"l": 1})["margin"] == {"l": 1}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_figure_of_the_app_takes_the_one_style(metrics, lang):
    figures = [
        roc_figure(metrics.variants, lang),
        approval_figure({"reference": 0.7, "current": 0.6}, lang),
        gauge(0.12, 0.08, lang),
        waterfall(["a", "b"], np.array([0.3, -0.1]), -2.5, lang),
    ]
    for figure in figures:
        assert list(figure.layout.colorway) == list(PALETTE)
        assert figure.layout.separators == SEPARATORS[lang]
        assert figure.layout.font.family.startswith("system-ui")


def test_the_report_figures_take_it_too(metrics, monkeypatch):
    drawn: list[go.Figure] = []
    monkeypatch.setattr(report.pio, "to_html", lambda fig, **kw: drawn.append(fig) or "<div></div>")
    report.render(metrics, ModelBuild(5, 160, 0.1, 3, 7, 0.5, "argmin"))
    assert len(drawn) == 4 and all(list(fig.layout.colorway) == list(PALETTE) for fig in drawn)


def test_chart_has_its_caption_as_text_alternative_and_an_optional_title():
    plain = chart("g", go.Figure(), "what it shows")
    assert [type(c).__name__ for c in plain.children] == ["Graph", "Figcaption"]
    assert plain.children[1].id == "g-summary" and getattr(plain, "aria-labelledby") == "g-summary"
    titled = chart("h", go.Figure(), "caption", title="Title", height=300, caption_id="h-text")
    heading, graph, caption = titled.children
    assert heading.children == "Title" and graph.style == {"height": "300px"} and caption.id == "h-text"
