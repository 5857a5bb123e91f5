"""The officer's decision on the score shown: the form, the officer's name asked once, the decision recorded.

Each decision is recorded with what the officer saw (the score, its threshold and reasons) and the officer's
name, asked once (``storage.settings``).
"""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from desktop.context import context
from desktop.i18n import current_lang, t
from desktop.pages.clients.history import history
from desktop.pages.clients.selection import client_id
from desktop.widgets import decision_word
from storage.faults import StoreFault
from storage.paths import StoreError, settings_file
from storage.settings import MAX_NAME, officer_name, save_officer_name
from storage.store import ClientRecord, ScoredAgain, os_user

log = logging.getLogger(__name__)


def _officer() -> str | None:
    """The officer's name kept in the user's settings (None until given)."""
    return officer_name(settings_file(context().home))


def _officer_dialog() -> dbc.Modal:
    """Asks the officer's name, once: on the first decision recorded without one (the OS account proposed)."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(t("clients.officer_dialog_title"), id="officer-dialog-title"), close_button=False),
            dbc.ModalBody([
                html.P(t("clients.officer_dialog_text")),
                dbc.Label(t("clients.officer_name_label"), html_for="officer-name"),
                dbc.Input(id="officer-name", value=os_user(), maxLength=MAX_NAME, autocomplete="name"),
                dbc.FormFeedback(t("clients.officer_required"), type="invalid"),
            ]),
            dbc.ModalFooter([
                dbc.Button(t("clients.officer_cancel"), id="officer-cancel", color="secondary", outline=True),
                dbc.Button(t("clients.officer_save"), id="officer-save", color="primary"),
            ]),
        ],
        id="officer-dialog", is_open=False, labelledby="officer-dialog-title",
    )


def decision_form(record: ClientRecord, threshold: float) -> html.Section:
    """The form (the model's decision proposed), then the client's history of decisions."""
    model, officer = record.score.decision, _officer()
    return html.Section(
        [
            html.H3(t("clients.officer_heading"), className="h5"),
            html.P(t("clients.officer_current", name=officer), id="decision-officer", className="small mb-1") if officer else None,
            dcc.Store(id="decision-model", data=model),
            dcc.Store(id="decision-seen", data={"score": record.score.id, "threshold": threshold}),
            _officer_dialog(),
            html.Fieldset(
                [
                    html.Legend(t("clients.choice_label"), className="form-label fs-6 mb-1"),
                    dbc.RadioItems(
                        id="decision-choice", value=model, inline=True,
                        options=[{"label": t("clients.accept"), "value": "accept"}, {"label": t("clients.refuse"), "value": "refuse"}],
                    ),
                ],
                className="mb-2",
            ),
            dbc.Label(  # the help is part of the label, so screen readers announce it with the field
                [t("clients.reason_label"), html.Span(t("clients.reason_help"), id="decision-reason-help", className="form-text d-block mt-0")],
                html_for="decision-reason",
            ),
            dbc.Textarea(id="decision-reason", rows=2, maxLength=1000),
            dbc.Button(t("clients.record"), id="decision-record", color="primary", className="mt-2"),
            html.Div(id="decision-feedback", role="status", className="mt-2"),
            html.H3(t("clients.history"), className="h6 mt-3"),
            html.Div(history(record.sk_id_curr, current_lang()), id="decision-history"),
        ],
        **{"aria-label": t("clients.officer_heading")},
    )


@callback(
    Output("decision-reason-help", "children"),
    Output("decision-reason", "required"),
    Input("decision-choice", "value"),
    State("decision-model", "data"),
)
def _reason_help(choice, model):
    """Going against the model makes the reason required (said in words, not only by the field)."""
    if choice and model and choice != model:
        return t("clients.reason_help_override", model=decision_word(model)), True
    return t("clients.reason_help"), False


_DECIDE = (
    Output("decision-feedback", "children", allow_duplicate=True),
    Output("decision-history", "children", allow_duplicate=True),
    Output("decision-reason", "value", allow_duplicate=True),
    Output("officer-dialog", "is_open", allow_duplicate=True),
    Output("officer-name", "invalid", allow_duplicate=True),
)
_SEEN = (
    State("decision-choice", "value"),
    State("decision-reason", "value"),
    State("decision-model", "data"),
    State("decision-seen", "data"),
    State("clients-selected", "data"),
)


def _refused(text: str) -> tuple:
    return dbc.Alert(text, color="danger", className="py-2 mb-0"), dash.no_update, dash.no_update, False, False


def _decide(officer: str | None, choice, reason, model, seen, sk_id) -> tuple:
    """Append the officer's decision on the score shown, or say why not; without an officer's name, ask it."""
    sk_id, reason = client_id(sk_id), (reason or "").strip()
    if sk_id is None or choice not in ("accept", "refuse") or not seen:
        raise PreventUpdate
    lang = current_lang()
    if choice != model and not reason:
        return _refused(t("clients.reason_required"))
    if officer is None:
        return dash.no_update, dash.no_update, dash.no_update, True, False
    try:
        context().store.record_decision(sk_id, choice, override_reason=reason or None, officer=officer,
                                        threshold=seen["threshold"], score_id=seen["score"])
    except StoreFault as fault:
        log.error("decision on %s not stored: %s", sk_id, fault)
        return _refused(t(f"startup.store_{fault.kind}_now", lang, path=str(fault.path)))
    except ScoredAgain as error:
        log.warning("decision on %s refused: %s", sk_id, error)
        return _refused(t("clients.scored_again"))
    except StoreError as error:
        log.warning("decision on %s refused: %s", sk_id, error)
        return _refused(t("clients.reason_required") if error.code.startswith("override_of_") else error.sentence(lang))
    message = dbc.Alert(t("clients.recorded", decision=decision_word(choice, lang)), color="success", className="py-2 mb-0")
    return message, history(sk_id, lang), "", False, False


@callback(*_DECIDE, Input("decision-record", "n_clicks"), *_SEEN, prevent_initial_call=True)
def _record(_clicks, choice, reason, model, seen, sk_id):
    """Append the officer's decision; an override without a reason is refused and nothing is stored."""
    return _decide(_officer(), choice, reason, model, seen, sk_id)


@callback(*_DECIDE, Input("officer-save", "n_clicks"), State("officer-name", "value"), *_SEEN, prevent_initial_call=True)
def _save_officer(_clicks, name, choice, reason, model, seen, sk_id):
    """Keep the officer's name in the settings, then record the decision that asked for it."""
    try:
        officer = save_officer_name(settings_file(context().home), name or "")
    except ValueError:
        return dash.no_update, dash.no_update, dash.no_update, True, True
    return _decide(officer, choice, reason, model, seen, sk_id)


@callback(Output("officer-dialog", "is_open", allow_duplicate=True), Input("officer-cancel", "n_clicks"), prevent_initial_call=True)
def _cancel_officer(_clicks):
    """Close the dialog: nothing is recorded without the officer's name."""
    return False
