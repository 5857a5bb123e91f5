"""Plotly figures of the app: pure functions from data (already computed) to figures.

Their style (palette, line styles, font, the locale's separators) is :mod:`engine.chart_style`, shared
with the reports; here the ``dcc.Graph`` config (no logo, no network) and the layout as Plotly's object.
"""

from __future__ import annotations

import plotly.graph_objects as go

from engine.chart_style import layout

GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def base_layout(lang: str, height: int, **extra) -> go.Layout:
    """:func:`engine.chart_style.layout` of a figure ``height`` pixels high, as a ``go.Layout``."""
    return go.Layout(**layout(lang, height=height, **extra))
