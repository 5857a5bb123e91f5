"""Figures of the drift page: PD distribution of the reference and the batch, approval rates, history.

Pure functions: a stored drift run's data in, a Plotly figure out, texts in ``lang``. The batch is
drawn hatched and in another colour than the reference, so the two differ without colour.
"""

from __future__ import annotations

import plotly.graph_objects as go

from desktop.i18n import percent, t
from engine.chart_style import DASHES, GREY, PALETTE, SYMBOLS, TEXT, layout
from engine.psi import ACT_ABOVE, MONITOR_FROM

REFERENCE, BATCH = PALETTE[0], PALETTE[1]


def pd_histogram_figure(histogram: dict, threshold: float, lang: str) -> go.Figure:
    """Share of clients per PD bin, reference against batch, with the refusal threshold."""
    edges = histogram["edges"]
    centres = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
    width = edges[1] - edges[0] if len(edges) > 1 else 0.01
    fig = go.Figure()
    for name, shares, colour, pattern in (
        (t("drift.reference", lang), histogram["reference"], REFERENCE, ""),
        (t("drift.batch", lang), histogram["current"], BATCH, "/"),
    ):
        fig.add_bar(x=centres, y=shares, width=width, name=name, opacity=0.75,
                    marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": TEXT}},
                    hovertemplate="PD %{x:.1%}: %{y:.1%}<extra>" + name + "</extra>")
    fig.add_vline(x=threshold, line={"color": TEXT, "dash": "dash", "width": 1.5},
                  annotation_text=t("drift.threshold_line", lang, value=percent(threshold, lang)),
                  annotation_position="top right")
    fig.update_layout(**layout(lang), barmode="overlay", bargap=0,
                      xaxis={"title": t("drift.pd_axis", lang), "tickformat": ".0%"},
                      yaxis={"title": t("drift.share_axis", lang), "tickformat": ".0%"})
    return fig


def approval_figure(rate: dict, lang: str) -> go.Figure:
    """Approval rate (PD below the threshold) of the reference and of the batch, values written."""
    names = [t("drift.reference", lang), t("drift.batch", lang)]
    values = [rate["reference"], rate["current"]]
    fig = go.Figure(go.Bar(
        x=values, y=names, orientation="h", text=[percent(v, lang) for v in values], textposition="outside",
        marker={"color": [REFERENCE, BATCH], "pattern": {"shape": ["", "/"], "fgcolor": TEXT}},
        hovertemplate="%{y}: %{x:.1%}<extra></extra>",
    ))
    fig.update_layout(**layout(lang), showlegend=False,
                      xaxis={"title": t("drift.approval_axis", lang), "range": [0, 1], "tickformat": ".0%"},
                      yaxis={"autorange": "reversed", "automargin": True})
    return fig


def history_figure(history: list[dict], lang: str) -> go.Figure:
    """Per drift run (oldest first): the PD's PSI (left axis, band limits dotted) and the share of
    drifted columns (right axis)."""
    x = [t("drift.batch_label", lang, batch=row["BATCH"]) + f" · #{row['RUN']}" for row in history]
    fig = go.Figure()
    fig.add_scatter(x=x, y=[row["PSI_PD"] for row in history], mode="lines+markers", name=t("drift.psi_pd", lang),
                    line={"color": PALETTE[0], "dash": DASHES[0]}, marker={"symbol": SYMBOLS[0], "size": 9})
    fig.add_scatter(x=x, y=[row["DRIFT_SHARE"] for row in history], mode="lines+markers", yaxis="y2",
                    name=t("drift.drift_share", lang), line={"color": PALETTE[1], "dash": DASHES[1]},
                    marker={"symbol": SYMBOLS[1], "size": 9})
    for value, key in ((MONITOR_FROM, "drift.band_monitor"), (ACT_ABOVE, "drift.band_act")):
        fig.add_hline(y=value, line={"color": GREY, "dash": "dot", "width": 1},
                      annotation_text=t(key, lang), annotation_position="top left")
    top = max([ACT_ABOVE * 1.2, *(row["PSI_PD"] or 0 for row in history)])
    fig.update_layout(**layout(lang),
                      xaxis={"title": t("drift.history_axis", lang), "type": "category"},
                      yaxis={"title": t("drift.psi_pd", lang), "range": [0, top * 1.1], "rangemode": "tozero"},
                      yaxis2={"title": t("drift.drift_share", lang), "overlaying": "y", "side": "right",
                              "range": [0, 1], "tickformat": ".0%"})
    return fig
