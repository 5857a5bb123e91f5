"""One figure style (engine.chart_style) for the app's figures and the reports; one chart() helper."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from desktop import figures
from desktop.figures.drift import approval_figure, history_figure, pd_histogram_figure
from desktop.figures.model import cost_figure, roc_figure
from desktop.figures.scoring import gauge, waterfall
from desktop.widgets import chart
from engine import report
from engine.chart_style import (
    ACCEPT_BAND,
    CONNECTOR,
    GREY,
    PALETTE,
    REFUSE_BAND,
    SEPARATORS,
    TEXT,
    WHITE,
    layout,
)
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


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_named_colours_keep_their_contrast():
    assert _contrast(TEXT, WHITE) >= 7  # text, outlines, hatching and threshold lines
    assert _contrast(GREY, WHITE) >= 4.5  # guide lines and totals (WCAG 1.4.11 asks 3:1 of graphics)
    assert _contrast(WHITE, GREY) >= 4.5  # the PD written inside the waterfall's grey total


def test_no_figure_writes_a_colour_of_its_own():
    folder = Path(figures.__file__).parent
    written = {path.name: re.findall(r"#[0-9a-fA-F]{3,8}\b", path.read_text("utf-8")) for path in folder.glob("*.py")}
    assert {"model.py", "drift.py", "scoring.py"} <= set(written)
    assert {name: found for name, found in written.items() if found} == {}


def test_the_figures_take_the_named_colours(metrics):
    assert roc_figure(metrics.variants, "fr").data[-1].line.color == GREY  # the chance diagonal
    assert cost_figure(metrics.variants, "fr").data[1].marker.line.color == TEXT
    histogram = pd_histogram_figure({"edges": [0.0, 0.1, 0.2], "reference": [0.7, 0.3], "current": [0.6, 0.4]}, 0.1, "en")
    assert histogram.layout.shapes[0].line.color == TEXT and histogram.data[1].marker.pattern.fgcolor == TEXT
    assert {shape.line.color for shape in history_figure([{"RUN": 1, "BATCH": 1, "PSI_PD": 0.1, "DRIFT_SHARE": 0.2}],
                                                         "en").layout.shapes} == {GREY}
    steps = gauge(0.12, 0.08, "fr").data[0].gauge.steps
    assert [step.color for step in steps] == [ACCEPT_BAND, REFUSE_BAND]
    bars = waterfall(["a", "b"], np.array([0.3, -0.1]), -2.5, "fr").data[0]
    assert bars.connector.line.color == CONNECTOR and bars.insidetextfont.color == WHITE
