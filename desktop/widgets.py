"""Small interface pieces both client pages use: a decision as icon and word, a labelled chart."""

from __future__ import annotations

from dash import dcc, html

from desktop.figures import GRAPH_CONFIG
from desktop.i18n import t

#: Height in pixels of a chart of the model and drift pages.
CHART_HEIGHT = 380
_DECISIONS = {"accept": ("✔", "clients.granted", "text-bg-success"), "refuse": ("✖", "clients.refused", "text-bg-danger")}


def decision_word(decision: str, lang: str | None = None) -> str:
    """"✔ Accordé" / "✖ Refusé" as plain text."""
    icon, key, _ = _DECISIONS[decision]
    return f"{icon} {t(key, lang)}"


def decision_badge(decision: str, lang: str | None = None, **props) -> html.Span:
    """A decision as a badge: icon (hidden from screen readers) and word, never colour alone."""
    icon, key, colour = _DECISIONS[decision]
    return html.Span(
        [html.Span(icon, **{"aria-hidden": "true"}), " ", t(key, lang)], className=f"badge {colour} decision", **props
    )


def chart(graph_id: str, figure, caption: str, *, title: str | None = None, height: int | None = None,
          caption_id: str | None = None) -> html.Figure:
    """A plotly chart under its optional title, with its visible text alternative as the figure's caption
    (``height`` in pixels; the figure's own otherwise)."""
    caption_id = caption_id or f"{graph_id}-summary"
    style = {"style": {"height": f"{height}px"}} if height else {}
    heading = [html.H3(title, className="chart-title")] if title else []
    return html.Figure(
        [
            *heading,
            dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, **style),
            html.Figcaption(caption, id=caption_id, className="chart-caption"),
        ],
        className="chart",
        **{"aria-labelledby": caption_id},
    )
