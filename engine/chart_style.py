"""One style for every figure, in the app and in the reports: palette, line styles, fonts, number format.

Colours are Okabe–Ito (AA contrast on white, apart for colour-blind readers); series differ by line
style and marker as well, so no figure relies on colour alone.
"""

from __future__ import annotations

#: Okabe–Ito colours, in the order series take them: blue, vermilion, green, purple, orange.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
BLUE, VERMILION, GREEN, PURPLE, ORANGE = PALETTE
#: Secondary marks and guide lines (chance, perfect calibration, band limits; 4.7:1 on white), then text,
#: outlines, hatching and threshold lines (15:1).
GREY, TEXT = "#6c757d", "#212529"
#: Text inside a dark bar (4.7:1 on GREY).
WHITE = "#ffffff"
#: A waterfall's connectors between bars (decoration: the bars carry the values).
CONNECTOR = "#adb5bd"
#: A gauge's pale bands behind its bar: below the refusal threshold, then from it.
ACCEPT_BAND, REFUSE_BAND = "#d1e7dd", "#f8d7da"
DASHES = ("solid", "dash", "dot", "dashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up")
#: Plotly's ``separators``: decimal mark then thousands separator, per language.
SEPARATORS = {"fr": ",\u202f", "en": ".,"}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": TEXT}


def layout(lang: str, **extra: object) -> dict:
    """The layout every figure starts from: the language's number format, the palette, the font, a
    transparent background, compact margins and the legend on top (``extra`` overrides any setting)."""
    return {
        "separators": SEPARATORS[lang],
        "template": "plotly_white",
        "colorway": list(PALETTE),
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        **extra,
    }
