"""The officers' decisions read back: one client's history (what the officer saw then) and the whole log as a CSV."""

from __future__ import annotations

from datetime import date

from dash import Input, Output, callback, dcc, html

from desktop.context import context
from desktop.i18n import current_lang, percent, t, timestamp
from desktop.widgets import decision_word
from storage.export import CSV, EXCEL_FR, decisions_frame, write_frame

COLUMNS = ("when", "pd_then", "grade", "decision", "what", "override", "who")  # the model's, then the officer's
USER_TEXT = {"data-user-text": "true"}  # what the officer typed (a name, a reason): in the officer's words, not the page's


def _rows(d, lang: str) -> list[html.Tr]:
    """One decision: what the model proposed and what the officer decided, then the officer's reason on a row of
    its own, across the table, so that it wraps in the card's width however long it is."""
    figures = html.Tr(
        [
            html.Td(timestamp(d.decided_at, lang)),
            html.Td(percent(d.pd, lang) if d.pd is not None else "–", className="text-end"),
            html.Td(d.grade or "–"),
            html.Td(decision_word(d.model_decision, lang) if d.model_decision else "–"),
            html.Td(decision_word(d.decision, lang)),
            html.Td(html.Strong(t("clients.against_model")) if d.overrides else "–"),
            html.Td(d.officer, className="user-text", **USER_TEXT),
        ],
        className="has-reason" if d.override_reason else None,
    )
    if not d.override_reason:
        return [figures]
    reason = html.Tr([
        html.Th(t("clients.col_reason"), scope="row", className="fw-normal text-body-secondary"),
        html.Td(d.override_reason, colSpan=len(COLUMNS) - 1, className="user-text history-reason", **USER_TEXT),
    ])
    return [figures, reason]


def history(sk_id: int, lang: str) -> html.Div:
    """Every decision on the client, newest first, with what the officer saw then and the officer's reason."""
    decisions = context().store.decisions(sk_id)
    if not decisions:
        return html.P(t("clients.history_empty"), className="text-body-secondary mb-0")
    head = html.Tr([html.Th(t(f"clients.col_{name}"), scope="col", className="text-end" if name == "pd_then" else None)
                    for name in COLUMNS])
    body = [row for d in decisions for row in _rows(d, lang)]
    return html.Div(
        html.Table([html.Thead(head), html.Tbody(body)], className="table table-sm small mb-0", id="decision-history-table"),
        className="table-responsive",
    )


def export_control() -> html.Div:
    """The button that downloads every officer's decision, with its help."""
    return html.Div(
        [
            html.Button(t("clients.export_decisions"), id="decisions-export", type="button",
                        className="btn btn-outline-secondary btn-sm", **{"aria-describedby": "decisions-export-help"}),
            html.Span(t("clients.export_decisions_help"), id="decisions-export-help", className="small text-body-secondary ms-2"),
            dcc.Download(id="decisions-download"),
        ],
        className="mt-3",
    )


@callback(Output("decisions-download", "data"), Input("decisions-export", "n_clicks"), prevent_initial_call=True)
def _export_decisions(_clicks):
    """The whole log of decisions as a CSV file (for Excel in French on French pages)."""
    lang = current_lang()
    frame = decisions_frame(context().store, context().scorer, lang)
    fmt = EXCEL_FR if lang == "fr" else CSV
    return dcc.send_bytes(lambda out: write_frame(frame, out, fmt), f"decisions-{date.today().isoformat()}.csv")
