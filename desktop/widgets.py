"""Small interface pieces the pages share: a decision as icon and word, a labelled chart, what grades and points
mean, controls kept across a reload."""

from __future__ import annotations

from dash import dcc, html

from desktop.figures import GRAPH_CONFIG
from desktop.i18n import number, percent, t
from engine.grading import GRADING

# What the officer typed or chose in a control, kept for the browser tab's session: a reload (the language
# switch) brings it back instead of the page's starting value.
KEPT = {"persistence": True, "persistence_type": "session"}

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


def scale_note(note_id: str, lang: str | None = None) -> html.P:
    """What a risk grade and the points mean, in two short sentences (shown wherever they appear)."""
    grades, bounds, scale = GRADING["grades"], GRADING["upper_bounds"], GRADING["points"]

    def bound(value: float) -> str:
        return percent(value, lang, decimals=0 if round(value * 100, 6).is_integer() else 1)

    bands = [t("common.scale_below", lang, grade=g, bound=bound(b)) for g, b in zip(grades, bounds)]
    bands.append(t("common.scale_above", lang, grade=grades[-1], bound=bound(bounds[-1])))
    base_pd = 1 / (1 + scale["base_odds"])
    return html.P(
        [t("common.grade_help", lang, scale=" · ".join(bands)), " ",
         t("common.points_help", lang, base=number(scale["base_points"], lang), pd=percent(base_pd, lang), pdo=number(scale["pdo"], lang))],
        id=note_id, className="small text-body-secondary scale-note",
    )
