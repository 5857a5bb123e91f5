"""Small interface pieces both client pages use: a decision as icon and word, a labelled chart."""

from __future__ import annotations

from dash import dcc, html

from desktop.figures import GRAPH_CONFIG
from desktop.i18n import t

# What the officer typed or chose in a control, kept for the browser tab's session: a reload (the language
# switch) brings it back instead of the page's starting value.
KEPT = {"persistence": True, "persistence_type": "session"}

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


def chart(graph_id: str, figure, summary: str, summary_id: str | None = None) -> html.Figure:
    """A plotly chart with its visible text alternative as the figure's caption."""
    caption_id = summary_id or f"{graph_id}-summary"
    return html.Figure(
        [
            dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG),
            html.Figcaption(summary, id=caption_id, className="chart-summary"),
        ],
        className="chart mb-0",
        **{"aria-labelledby": caption_id},
    )
