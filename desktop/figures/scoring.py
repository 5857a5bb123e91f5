"""Figures of a client's score and its explanation, each with a one-sentence text alternative.

Inputs are plain numbers and already translated feature labels; ``lang`` sets the fixed words
and the number format. Risk that rises is vermilion with a "+" sign, risk that falls blue with
a "−" sign, so no figure relies on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from desktop.figures import base_layout
from engine.chart_style import ACCEPT_BAND, BLUE, CONNECTOR, GREY, ORANGE, REFUSE_BAND, TEXT, VERMILION, WHITE
from desktop.i18n import number, percent, t
from engine.formats import percent_suffix, plain, quote

LABEL_CHARS = 52  # longer feature labels are cut in the middle on the axis (full text in the hover)


def _short(label: str) -> str:
    """The label's start and end: aggregates differ by their end ("… actifs au bureau" / "… clos au bureau")."""
    if len(label) <= LABEL_CHARS:
        return label
    split = LABEL_CHARS * 3 // 5
    head, tail = label[:split], label[-(LABEL_CHARS - split - 1):]
    head = head[: head.rfind(" ")] if " " in head else head  # whole words on both sides
    tail = tail[tail.find(" ") + 1:] if " " in tail else tail
    return f"{head} … {tail}"


def _pd_of(log_odds: float | np.ndarray) -> float | np.ndarray:
    return 1.0 / (1.0 + np.exp(-log_odds))


# --- the PD against the threshold ------------------------------------------------------------------


GAUGE_TOP = 0.5  # the gauge's scale, the same for every client: a PD above it fills the arc, its number says it
GAUGE_STEP = 0.1
TICK_CLEARANCE = 0.035  # a round tick this close to the threshold's would overprint its label


def gauge(pd: float, threshold: float, lang: str) -> go.Figure:
    """The PD on a fixed 0–50 % gauge, the threshold's tick labelled with its value (green zone below it, red above)."""
    suffix = percent_suffix(lang)
    rounds = [v for v in np.arange(0, GAUGE_TOP + 1e-9, GAUGE_STEP) if abs(v - threshold) >= TICK_CLEARANCE]
    ticks = sorted([*rounds, threshold])
    labels = [f"{t('clients.gauge_threshold', lang)}<br>{percent(v, lang)}" if v == threshold else percent(v, lang, decimals=0)
              for v in ticks]
    top = GAUGE_TOP * 100
    indicator = go.Indicator(
        mode="gauge+number",
        value=pd * 100,
        number={"suffix": suffix, "valueformat": ".1~f"},
        gauge={
            "axis": {"range": [0, top], "tickmode": "array", "tickvals": [v * 100 for v in ticks], "ticktext": labels,
                     "ticks": "outside", "ticklen": 6},
            "bar": {"color": TEXT, "thickness": 0.3},
            "steps": [
                {"range": [0, threshold * 100], "color": ACCEPT_BAND},
                {"range": [threshold * 100, top], "color": REFUSE_BAND},
            ],
            "threshold": {"line": {"color": VERMILION, "width": 4}, "thickness": 0.9, "value": threshold * 100},
        },
    )
    return go.Figure(indicator, base_layout(lang, 210, margin={"l": 70, "r": 50, "t": 25, "b": 5}))


def gauge_summary(pd: float, threshold: float, lang: str) -> str:
    key = "clients.gauge_above" if pd >= threshold else "clients.gauge_below"
    return t(key, lang, pd=percent(pd, lang), threshold=percent(threshold, lang))


# --- one client's contributions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bars:
    """A waterfall in PD: from the average client's PD, one bar per group (the change of PD when the
    group's log-odds are added to the running total), then the rest; the bars add up to the client's PD."""

    base: float  # PD of the average reference client
    order: list[int]  # the groups shown, largest contribution first
    steps: list[float]  # their PD changes
    rest: float  # PD change of the groups not shown (0 when all are)
    hidden: int  # how many groups the rest holds
    pd: float  # the client's PD


def waterfall_bars(shares: np.ndarray, base: float, top: int = 10) -> Bars:
    """The ``top`` largest groups by log-odds, or more until the rest is smaller than every bar shown.

    Groups without any contribution are left out. The PD change of each bar depends on where it
    starts, so the bars are taken in order of size of their log-odds and chained.
    """
    active = np.flatnonzero(shares != 0)
    order = active[np.argsort(-np.abs(shares[active]), kind="stable")]
    reached = _pd_of(base + np.cumsum(shares[order])) if order.size else np.empty(0)
    steps = np.diff(np.concatenate([[_pd_of(base)], reached]))
    total = _pd_of(base + float(shares.sum()))
    shown = min(top, order.size)
    while shown < order.size and abs(total - reached[shown - 1]) >= np.abs(steps[:shown]).min():
        shown += 1
    rest = total - reached[shown - 1] if 0 < shown < order.size else 0.0
    return Bars(_pd_of(base), order[:shown].tolist(), steps[:shown].tolist(), float(rest), int(order.size - shown), total)


def _points(value: float, lang: str) -> str:
    """A PD change in percentage points, signed, small ones with significant digits: "+3,2", "−0,004"."""
    points = value * 100
    return ("+" if points > 0 else "−" if points < 0 else "") + plain(abs(points), lang, decimals=1)


def waterfall(labels: Sequence[str], shares: np.ndarray, base: float, lang: str, top: int = 10) -> go.Figure:
    """From the average client's PD to this client's, one bar per reason group (see :func:`waterfall_bars`),
    on a PD axis in percent."""
    bars = waterfall_bars(shares, base, top)
    steps = [*bars.steps, *([bars.rest] if bars.hidden else [])]
    names = [t("interpretation.base", lang), *(labels[g] for g in bars.order),
             *([t("interpretation.others", lang, n=bars.hidden)] if bars.hidden else []), t("interpretation.total", lang)]
    unit = t("interpretation.points_unit", lang)
    texts = [percent(bars.base, lang), *(f"{_points(v, lang)} {unit}" for v in steps), percent(bars.pd, lang)]
    rows = list(range(len(names)))  # positions, not labels
    trace = go.Waterfall(
        orientation="h",
        y=rows,
        x=[bars.base * 100, *(v * 100 for v in steps), 0.0],
        measure=["absolute", *["relative"] * len(steps), "total"],
        text=texts,
        textposition=["outside"] * (len(names) - 1) + ["inside"],  # the client's PD inside its bar
        insidetextfont={"color": WHITE},
        cliponaxis=False,
        customdata=names,
        hovertemplate="%{customdata}<br>%{text}<extra></extra>",
        increasing={"marker": {"color": VERMILION}},
        decreasing={"marker": {"color": BLUE}},
        totals={"marker": {"color": GREY}},
        connector={"line": {"color": CONNECTOR, "width": 1}},
    )
    reached = np.cumsum([bars.base, *steps]) * 100
    high = float(max(reached.max(), bars.pd * 100))
    suffix = percent_suffix(lang)
    average = {"type": "line", "xref": "x", "yref": "paper", "x0": bars.base * 100, "x1": bars.base * 100, "y0": 0, "y1": 1,
               "line": {"color": GREY, "width": 1, "dash": "dot"}}  # a shape in the layout: add_vline costs ~100 ms
    layout = base_layout(
        lang, 130 + 28 * len(names), margin={"l": 10, "r": 60, "t": 10, "b": 10}, shapes=[average],
        xaxis={"title": {"text": t("interpretation.waterfall_axis", lang)}, "automargin": True,
               "range": [0, high * 1.25], "ticksuffix": suffix},
        yaxis={"autorange": "reversed", "automargin": True, "tickmode": "array", "tickvals": rows,
               "ticktext": [_short(name) for name in names]},
    )
    return go.Figure(trace, layout)


def waterfall_summary(labels: Sequence[str], shares: np.ndarray, base: float, lang: str) -> str:
    up, down = int(np.argmax(shares)), int(np.argmin(shares))
    none = t("interpretation.none", lang)
    return t(
        "interpretation.waterfall_summary", lang,
        base=percent(_pd_of(base), lang), pd=percent(_pd_of(base + float(shares.sum())), lang),
        up=labels[up] if shares[up] > 0 else none, down=labels[down] if shares[down] < 0 else none,
    )


# --- the model over the reference sample --------------------------------------------------------------


def importance(labels: Sequence[str], effects: Sequence[float], lang: str, top: int = 15) -> go.Figure:
    """The mean change of PD (a fraction) each of the ``top`` most important reason groups makes, largest
    first, in PD points."""
    names, heights = list(labels[:top]), [float(v) * 100 for v in effects[:top]]
    rows = list(range(len(names)))
    unit = t("interpretation.points_unit", lang)
    trace = go.Bar(
        orientation="h", y=rows, x=heights, marker={"color": BLUE}, textposition="outside", cliponaxis=False,
        text=[f"{plain(v, lang, decimals=1)} {unit}" for v in heights],
        customdata=[[name, points_text(v / 100, lang)] for name, v in zip(names, heights)],
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    )
    layout = base_layout(lang, 100 + 26 * len(names), margin={"l": 10, "r": 20, "t": 10, "b": 10})
    layout.xaxis = {"title": {"text": t("interpretation.global_axis", lang)}, "automargin": True,
                    "range": [0, max(heights, default=1) * 1.15]}
    layout.yaxis = {"autorange": "reversed", "automargin": True, "tickmode": "array", "tickvals": rows,
                    "ticktext": [_short(name) for name in names]}
    return go.Figure(trace, layout)


def points_text(effect: float, lang: str) -> str:
    """A mean change of PD (a fraction) in words: "± 2,1 points de PD" / "± 2.1 PD points"."""
    return t("interpretation.global_points", lang, points=plain(effect * 100, lang, decimals=1))


def importance_summary(labels: Sequence[str], samples: int, lang: str, top: int = 3) -> str:
    quoted = ", ".join(quote(name, lang) for name in labels[:top])
    return t("interpretation.global_summary", lang, n=number(samples, lang), top=quoted)


def _window(*arrays: np.ndarray, extra: float | None = None) -> tuple[float, float]:
    """The 1st–99th percentile span of the values (widened to ``extra``): heavy tails stay readable."""
    values = np.concatenate([a[~np.isnan(a)] for a in arrays])
    if values.size == 0:
        return (0.0, 1.0) if extra is None else (extra - 1, extra + 1)
    low, high = (float(v) for v in np.percentile(values, [1, 99]))
    if extra is not None:
        low, high = min(low, extra), max(high, extra)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    return low, high


def distribution(label: str, repaid: np.ndarray, defaulted: np.ndarray, client: float | None, lang: str) -> go.Figure:
    """Histograms of one feature for repaid and defaulted reference clients, the client marked."""
    low, high = _window(repaid, defaulted, extra=client)
    bins = {"start": low, "end": high, "size": (high - low) / 30}
    traces = [
        go.Histogram(x=repaid, name=t("interpretation.repaid", lang), histnorm="percent", xbins=bins,
                     marker={"color": BLUE}, opacity=0.65),
        go.Histogram(x=defaulted, name=t("interpretation.defaulted", lang), histnorm="percent", xbins=bins,
                     marker={"color": ORANGE, "pattern": {"shape": "/", "fgcolor": TEXT}}, opacity=0.65),
    ]
    layout = base_layout(lang, 340, barmode="overlay", margin={"l": 10, "r": 10, "t": 30, "b": 10},
                         legend={"orientation": "h", "y": -0.22, "x": 0, "yanchor": "top"})
    layout.xaxis = {"title": {"text": _short(label)}, "range": [low, high], "automargin": True}
    layout.yaxis = {"title": {"text": t("interpretation.share_axis", lang)}, "automargin": True}
    figure = go.Figure(traces, layout)
    if client is not None:
        figure.add_vline(x=client, line={"color": VERMILION, "width": 3, "dash": "dash"},
                         annotation_text=f"▼ {t('interpretation.client', lang)}", annotation_position="top")
    return figure


def scatter(x: np.ndarray, y: np.ndarray, pd: np.ndarray, client: tuple[float | None, float | None],
            labels: tuple[str, str], lang: str) -> go.Figure:
    """Reference clients on two features, coloured by PD, the client as a large star."""
    suffix = percent_suffix(lang)
    population = go.Scatter(
        x=x, y=y, mode="markers", name="PD", showlegend=False,
        marker={"color": pd * 100, "colorscale": "Viridis", "size": 5, "opacity": 0.7,
                "colorbar": {"title": {"text": "PD"}, "ticksuffix": suffix}},
        hovertemplate="%{x}<br>%{y}<br>PD %{marker.color:.1f}" + suffix + "<extra></extra>",
    )
    traces = [population]
    if client[0] is not None and client[1] is not None:
        traces.append(go.Scatter(
            x=[client[0]], y=[client[1]], mode="markers+text", name=t("interpretation.client", lang),
            text=[t("interpretation.client", lang)], textposition="top center", showlegend=False,
            marker={"symbol": "star", "size": 20, "color": VERMILION, "line": {"color": TEXT, "width": 1.5}},
        ))
    layout = base_layout(lang, 380, margin={"l": 10, "r": 10, "t": 20, "b": 10})
    x_range = _window(x, extra=client[0])
    y_range = _window(y, extra=client[1])
    layout.xaxis = {"title": {"text": _short(labels[0])}, "range": _padded(x_range), "automargin": True}
    layout.yaxis = {"title": {"text": _short(labels[1])}, "range": _padded(y_range), "automargin": True}
    return go.Figure(traces, layout)


def _padded(span: tuple[float, float]) -> list[float]:
    pad = (span[1] - span[0]) * 0.05
    return [span[0] - pad, span[1] + pad]
