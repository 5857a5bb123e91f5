"""The training report as one self-contained HTML page (plotly.js inlined once, no network), rendered
from ``resources/templates/training_report.html.j2``."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from engine.chart_style import GREY, layout
from engine.evaluation import COST_FN, COST_FP
from engine.fairness_words import ATTRIBUTES, minimum_sentence, ratio_cell, reading
from engine.formats import LANGS
from engine.manifest import TrainingMetrics
from engine.model_build import ModelBuild, describe
from engine.templates import render as render_template


def _figure(fig: go.Figure, first: bool, title: str) -> str:
    fig.update_layout(**layout("en", title=title, height=420, margin={"t": 60, "l": 60, "r": 20, "b": 50},
                               legend={}))  # the legend at the side: the title is on top
    return pio.to_html(fig, include_plotlyjs=first, full_html=False, config={"displaylogo": False})


def render(metrics: TrainingMetrics, build: ModelBuild) -> str:
    """HTML report of the three trainings, how the shipped model is built and the reading of its fairness
    (in English and French), its threshold, calibration and importances."""
    shipped = metrics.shipped
    sm = metrics.shipped_variant
    roc = go.Figure()
    for name, m in metrics.variants.items():
        roc.add_scatter(x=m.roc_curve.fpr, y=m.roc_curve.tpr, name=f"{name} (AUC {m.roc_auc:.3f})")
    roc.add_scatter(x=[0, 1], y=[0, 1], name="chance", line={"dash": "dot", "color": GREY})
    roc.update_xaxes(title="false positive rate")
    roc.update_yaxes(title="true positive rate")
    cost = go.Figure(go.Scatter(x=sm.cost_curve.threshold, y=sm.cost_curve.cost, name="cost"))
    cost.add_vline(x=sm.at_threshold.threshold, line_dash="dash", annotation_text="chosen threshold")
    cost.update_xaxes(title="threshold on the OOF probability", range=[0, 1])
    cost.update_yaxes(title=f"business cost ({COST_FN}×FN + {COST_FP}×FP)")
    cal = metrics.calibration
    calib = go.Figure(go.Scatter(x=cal.curve.predicted, y=cal.curve.observed, mode="lines+markers", name="model"))
    top = max(cal.curve.predicted + cal.curve.observed)
    calib.add_scatter(x=[0, top], y=[0, top], name="perfect", line={"dash": "dot", "color": GREY})
    calib.update_xaxes(title="mean calibrated PD (decile)")
    calib.update_yaxes(title="observed default rate")
    imp = sm.top_importance[::-1]
    importance = go.Figure(go.Bar(x=[i.gain for i in imp], y=[i.feature for i in imp], orientation="h"))
    importance.update_layout(height=700)
    figures = {
        "roc": _figure(roc, True, "ROC curves (out-of-fold, first fold seed)"),
        "cost": _figure(cost, False, f"Business cost vs threshold — {shipped}"),
        "calibration": _figure(calib, False, "Calibration (out-of-fold, deciles)"),
        "importance": _figure(importance, False, f"Top {len(imp)} features by gain — {shipped}"),
    }
    fairness = metrics.fairness
    return render_template(
        "training_report.html.j2", metrics=metrics, data=metrics.data, shipped=shipped,
        calibration=cal, fairness=fairness, figures=figures,
        build={lang: describe(build, lang) for lang in LANGS[::-1]},
        readings={lang: {a: reading(fairness, a, metrics.exclude, lang) for a in ATTRIBUTES} for lang in LANGS[::-1]},
        ratio=lambda row: ratio_cell(row, fairness, "en"),
        smallest={lang: sentence for lang in LANGS[::-1] if (sentence := minimum_sentence(fairness, lang))},
    )
