"""The chosen client: its score (gauge, PD, grade, points), the model that made it, its key facts, the decision."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from desktop.context import context
from desktop.figures.scoring import gauge, gauge_summary
from desktop.i18n import current_lang, duration, money, number, percent, t, timestamp
from desktop.pages.clients.decision import decision_form
from desktop.pages.clients.selection import client_id
from desktop.widgets import chart, decision_badge, scale_note
from engine.constants import DAYS_NOT_APPLICABLE, DAYS_PER_YEAR
from engine.coverage_words import FULL, scored_with
from engine.labels import level_label
from engine.score_record import StoredScore


def _years(days: object, lang: str, months: bool) -> str:
    """Whole years (an age), or years and months (a length of employment)."""
    if days is None:
        return "–"
    if days >= DAYS_NOT_APPLICABLE:
        return t("clients.not_applicable")
    if months:
        return duration(float(days), lang)
    return t("clients.years", n=number(math.floor(abs(float(days)) / DAYS_PER_YEAR), lang))


def _facts(application: dict, lang: str) -> html.Dl:
    def level(column: str) -> str:
        value = application.get(column)
        return level_label(column, value, lang) if value else "–"

    facts = [
        ("age", _years(application.get("DAYS_BIRTH"), lang, months=False)),
        ("income", money(application.get("AMT_INCOME_TOTAL"), lang)),
        ("credit", money(application.get("AMT_CREDIT"), lang)),
        ("annuity", money(application.get("AMT_ANNUITY"), lang)),
        ("goods", money(application.get("AMT_GOODS_PRICE"), lang)),
        ("employment", _years(application.get("DAYS_EMPLOYED"), lang, months=True)),
        ("family", level("NAME_FAMILY_STATUS")),
        ("children", number(application.get("CNT_CHILDREN"), lang)),
        ("contract", level("NAME_CONTRACT_TYPE")),
    ]
    items = []
    for key, value in facts:
        items += [html.Dt(t(f"clients.{key}"), className="col-7 col-sm-5 fw-normal text-body-secondary"),
                  html.Dd(value, className="col-5 col-sm-7 mb-1", id=f"fact-{key}")]
    return html.Dl(items, className="row mb-0")


def _model_note(bundle, score: StoredScore, lang: str) -> html.P:
    """Which model made the score, in words with its expected AUC; set apart when it is not the
    full-history model (a less accurate score)."""
    text = scored_with(bundle, score.model, score.supplied, lang, score.bundle_id)
    partial = score.model != FULL
    return html.P(text, id="client-model", className="alert alert-warning py-1 px-2 small mb-2" if partial else "small mb-2")


def detail(sk_id: int | None) -> list:
    """The chosen client's score, key facts and decisions (or a prompt to choose one)."""
    if sk_id is None:
        return [html.P(t("clients.choose"), className="text-body-secondary")]
    record = context().store.client(sk_id)
    if record is None:
        return [dbc.Alert(t("clients.unknown_client", id=sk_id), color="warning")]
    lang, score = current_lang(), record.score
    bundle = context().scorer.bundle
    threshold = (bundle.models.get(score.model) or bundle.models[FULL]).threshold  # the scoring model's
    return [
        html.Div(
            [
                html.H2(t("clients.client_heading", id=sk_id), id="client-heading", tabIndex="-1", className="h4 mb-0 me-3",
                        **{"data-client": str(sk_id)}),
                decision_badge(score.decision, lang, id="client-decision"),
            ],
            className="d-flex flex-wrap align-items-center mb-1",
        ),
        html.P(t("clients.scored_at", when=timestamp(score.scored_at, lang), batch=score.batch_id),
               className="small text-body-secondary mb-2"),
        dbc.Row(
            [
                dbc.Col(chart("client-gauge", gauge(score.pd, threshold, lang), gauge_summary(score.pd, threshold, lang)), md=7),
                dbc.Col(
                    html.Dl(
                        [
                            html.Dt(t("clients.pd")), html.Dd(percent(score.pd, lang), id="client-pd", className="fs-4 fw-semibold"),
                            html.Dt(t("clients.grade")), html.Dd(score.grade, id="client-grade", className="fs-5"),
                            html.Dt(t("clients.points")), html.Dd(number(score.points, lang), id="client-points", className="fs-5"),
                        ],
                        className="mb-0",
                    ),
                    md=5,
                ),
            ],
            className="align-items-center",
        ),
        scale_note("client-scale", lang),
        _model_note(bundle, score, lang),
        dcc.Link(t("clients.interpretation_link"), href=f"/interpretation?client={sk_id}", id="interpretation-link",
                 className="btn btn-outline-primary btn-sm my-2", title=t("clients.interpretation_link_label", id=sk_id)),
        html.A(t("interpretation.memo"), href=f"/memo/{sk_id}", id="client-memo-link", className="btn btn-outline-secondary btn-sm my-2 ms-2"),
        html.H3(t("clients.facts"), className="h5 mt-2"),
        _facts(record.application, lang),
        html.Hr(),
        decision_form(record, threshold),
    ]


@callback(Output("client-detail", "children"), Input("clients-selected", "data"), prevent_initial_call=True)
def _show(sk_id):
    return detail(client_id(sk_id))
