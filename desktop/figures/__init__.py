"""Plotly figures of the app: pure functions from data (already computed) to figures.

Shared here: the layout every figure starts from (the locale's decimal and thousands separators,
Bootstrap's font, a transparent background) and the ``dcc.Graph`` config (no logo, no network).
"""

from __future__ import annotations

import plotly.graph_objects as go

#: Plotly's ``separators``: decimal mark then thousands separator, per language.
SEPARATORS = {"fr": ",\u202f", "en": ".,"}
#: Colours with AA contrast on white that stay apart for colour-blind readers (Okabe–Ito).
BLUE, ORANGE, VERMILION, GREEN, GREY = "#0072B2", "#E69F00", "#D55E00", "#009E73", "#6c757d"

GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def base_layout(lang: str, height: int, **extra) -> go.Layout:
    """A compact layout in the language's number format (``extra`` overrides any setting)."""
    settings = {
        "separators": SEPARATORS[lang],
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#212529"},
    }
    return go.Layout(**{**settings, **extra})
