"""Figures of the model card: ROC curves, calibration, business cost against the threshold.

Pure functions: the training metrics of the manifest in, a Plotly figure out, texts in ``lang``.
Series differ by line style and marker as well as colour (the style of :mod:`engine.chart_style`);
``desktop.widgets.chart`` puts a figure in the page with its title and text alternative.
"""

from __future__ import annotations

import plotly.graph_objects as go

from desktop.i18n import number, t
from engine.chart_style import DASHES, GREY, PALETTE, SYMBOLS, TEXT, layout
from engine.constants import VARIANTS
from engine.manifest import ReliabilityCurve, VariantMetrics


def variant_name(variant: str, lang: str) -> str:
    return t(f"model.variant_{variant}", lang)


def roc_figure(variants: dict[str, VariantMetrics], lang: str) -> go.Figure:
    """The out-of-fold ROC curve of each variant, with the chance diagonal."""
    fig = go.Figure()
    for i, name in enumerate(v for v in VARIANTS if v in variants):
        curve, auc = variants[name].roc_curve, variants[name].roc_auc
        fig.add_scatter(
            x=curve.fpr, y=curve.tpr, mode="lines",
            name=f"{variant_name(name, lang)} (AUC {number(auc, lang, 3)})",
            line={"color": PALETTE[i], "dash": DASHES[i], "width": 2},
        )
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name=t("model.chance", lang),
                    line={"color": GREY, "dash": "dot", "width": 1})
    fig.update_layout(**layout(lang),
                      xaxis={"title": t("model.fpr", lang), "range": [0, 1], "tickformat": ".0%"},
                      yaxis={"title": t("model.tpr", lang), "range": [0, 1], "tickformat": ".0%"})
    return fig


def calibration_figure(curve: ReliabilityCurve, lang: str) -> go.Figure:
    """Observed default rate against the predicted PD, by group of clients, with the diagonal."""
    top = max([*curve.predicted, *curve.observed], default=1.0) * 1.05
    fig = go.Figure()
    fig.add_scatter(x=[0, top], y=[0, top], mode="lines", name=t("model.perfect", lang),
                    line={"color": GREY, "dash": "dot", "width": 1})
    fig.add_scatter(
        x=curve.predicted, y=curve.observed, mode="lines+markers", name=t("model.observed", lang),
        line={"color": PALETTE[0], "width": 2}, marker={"symbol": SYMBOLS[0], "size": 8},
        customdata=curve.count, hovertemplate="%{x:.1%} → %{y:.1%} (n = %{customdata})<extra></extra>",
    )
    fig.update_layout(**layout(lang),
                      xaxis={"title": t("model.predicted_pd", lang), "range": [0, top], "tickformat": ".0%"},
                      yaxis={"title": t("model.observed_rate", lang), "range": [0, top], "tickformat": ".0%"})
    return fig


def cost_figure(variants: dict[str, VariantMetrics], lang: str) -> go.Figure:
    """Business cost (10 × FN + FP) against each variant's threshold, its chosen threshold marked."""
    fig = go.Figure()
    for i, name in enumerate(v for v in VARIANTS if v in variants):
        curve, chosen = variants[name].cost_curve, variants[name].at_threshold
        points = sorted(zip(curve.threshold, curve.cost))
        label = variant_name(name, lang)
        fig.add_scatter(x=[x for x, _ in points], y=[y for _, y in points], mode="lines", name=label,
                        line={"color": PALETTE[i], "dash": DASHES[i], "width": 2}, legendgroup=name)
        fig.add_scatter(
            x=[chosen.threshold], y=[chosen.business_cost], mode="markers", legendgroup=name,
            name=t("model.chosen_threshold_of", lang, variant=label),
            marker={"color": PALETTE[i], "symbol": SYMBOLS[i], "size": 12, "line": {"color": TEXT, "width": 1}},
        )
    fig.update_layout(**layout(lang),
                      xaxis={"title": t("model.threshold_axis", lang), "range": [0, 1]},
                      yaxis={"title": t("model.cost_axis", lang)})
    return fig
