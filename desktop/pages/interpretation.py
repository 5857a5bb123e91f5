"""Interprétation: why the model scored the client so, how it compares, and what-if.

The client's contributions are computed once per score (``desktop.explain``); the global
importance once per process; the what-if scores a copy of the client (``desktop.whatif``).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import numpy as np
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from desktop import explain, whatif
from desktop.context import context
from desktop.figures.scoring import distribution, importance, importance_summary, scatter, waterfall, waterfall_summary
from desktop.i18n import current_lang, number, percent, t
from desktop.widgets import KEPT, chart, decision_badge, decision_word, scale_note
from engine.coverage_words import scored_with
from engine.labels import format_value
from engine.reasons import group_label
from engine.whatif_edits import FIELDS, start_values

log = logging.getLogger(__name__)

WHATIF_DEBOUNCE_MS = 400


def _client_id(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _card(title: str, body: list, **props) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2(title, className="h5 mb-0")), dbc.CardBody(body)], className="mb-4", **props)


def _reason(reason: dict, icon: str, lang: str) -> html.Li:
    """The group in bold, then the client's value that drives it (stored reasons put into words)."""
    parts = context().scorer.words.parts(reason, lang)
    said = [html.Strong(parts[0]), " — ", parts[1]] if len(parts) == 2 else parts
    return html.Li([html.Span(icon, className="me-1", **{"aria-hidden": "true"}), *said])


def _reasons(against: list[dict], favour: list[dict], lang: str, prefix: str) -> list:
    def block(title: str, reasons: list[dict], icon: str, block_id: str) -> html.Div:
        items = [_reason(r, icon, lang) for r in reasons]
        return html.Div(
            [html.H3(title, className="h6"), html.Ul(items, className="list-unstyled mb-3") if items else html.P(t("interpretation.none"))],
            id=block_id,
        )

    return [
        block(t("interpretation.against"), against, "▲", f"{prefix}-against"),
        block(t("interpretation.favour"), favour, "▼", f"{prefix}-favour"),
    ]


def _typed(value: float | None, lang: str) -> str:
    """A starting value as the officer would type it: no grouping, the language's decimal mark."""
    if value is None:
        return ""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def _whatif_form(application: dict, lang: str, sk_id: int) -> list:
    start = {name: _typed(value, lang) for name, value in start_values(application).items()}
    inputs = [
        dbc.Col(
            [
                dbc.Label(t(whatif.FIELD_LABELS[field.name]), html_for=f"whatif-{field.name}"),
                dbc.Input(id=f"whatif-{field.name}", type="text", value=start[field.name], debounce=WHATIF_DEBOUNCE_MS,
                          inputmode="numeric" if field.whole else "decimal", autocomplete="off",
                          **{**KEPT, "persistence": str(sk_id)}),  # edits survive the language switch, client by client
                html.Div(id=f"whatif-{field.name}-error", className="small text-danger-emphasis", **{"aria-live": "polite"}),
            ],
            xs=12, sm=6,
        )
        for field in FIELDS
    ]
    return [
        html.P(t("interpretation.whatif_intro"), className="small text-body-secondary"),
        dcc.Store(id="whatif-start", data=start),
        dbc.Row(inputs, className="g-2 mb-2"),
        html.Div(
            [dbc.Button(t("interpretation.reset"), id="whatif-reset", color="secondary", outline=True, size="sm"),
             html.A(t("interpretation.memo"), id="memo-link", href=f"/memo/{sk_id}",
                    className="btn btn-outline-primary btn-sm")],
            className="d-flex flex-wrap gap-2",
        ),
        html.Div(id="whatif-result", className="mt-3", role="status", **{"aria-live": "polite"}),
    ]


def _feature_select(select_id: str, label_key: str) -> html.Div:
    return html.Div([dbc.Label(t(label_key), html_for=select_id), dbc.Select(id=select_id)], className="mb-2")


def _population() -> list:
    return [
        dbc.Row(
            [
                dbc.Col(
                    [
                        _feature_select("population-feature", "interpretation.feature_label"),
                        dcc.Loading(html.Div(id="population-distribution")),
                    ],
                    lg=6,
                ),
                dbc.Col(
                    [
                        html.H3(t("interpretation.scatter_heading"), className="h6"),
                        dbc.Row([dbc.Col(_feature_select("population-x", "interpretation.x_label"), sm=6),
                                 dbc.Col(_feature_select("population-y", "interpretation.y_label"), sm=6)], className="g-2"),
                        dcc.Loading(html.Div(id="population-scatter")),
                    ],
                    lg=6,
                ),
            ]
        )
    ]


def layout(client: str | None = None, **_query) -> html.Div:
    """The client's explanation; the model-wide parts fill in by callbacks (computed once per process)."""
    lang, sk_id = current_lang(), _client_id(client)
    heading = html.H1(t("interpretation.title"), className="h3 mb-3")
    if sk_id is None:
        return html.Div([heading, dbc.Alert(dcc.Link(t("interpretation.no_client"), href="/"), color="info")])
    ctx = context()
    record = ctx.store.client(sk_id)
    if record is None:
        return html.Div([heading, dbc.Alert(t("interpretation.unknown_client", id=sk_id), color="warning")])
    scorer, score = ctx.scorer, record.score
    found = explain.explain(ctx.store, scorer, sk_id)
    labels = explain.group_labels(scorer, lang)
    summary = t("interpretation.summary", pd=percent(score.pd, lang), grade=score.grade,
                points=number(score.points, lang), decision=decision_word(score.decision, lang))
    return html.Div(
        [
            html.H1(t("interpretation.heading", id=sk_id), className="h3 mb-1"),
            html.Div(
                [decision_badge(score.decision, lang), html.Span(summary, id="interp-summary", className="ms-2"),
                 dcc.Link(t("interpretation.back"), href=f"/?client={sk_id}", className="ms-auto")],
                className="d-flex flex-wrap align-items-center gap-2 mb-1",
            ),
            scale_note("interp-scale", lang),
            html.P(scored_with(scorer.bundle, score.model, score.supplied, lang, score.bundle_id), id="interp-model"),
            dcc.Store(id="interp-client", data=sk_id),
            dbc.Row(
                [
                    dbc.Col(_card(t("interpretation.waterfall_heading"), [html.Div(
                        _waterfall(found, labels, lang), id="interp-waterfall-box")]), xl=7),
                    dbc.Col(_card(t("interpretation.reasons_heading"), _reasons(score.against, score.favour, lang, "reasons"), id="interp-reasons"), xl=5),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(_card(t("interpretation.whatif_heading"), _whatif_form(record.application, lang, sk_id), id="whatif"), xl=5),
                    dbc.Col(_card(t("interpretation.global_heading"), [dcc.Loading(html.Div(id="interp-global"))]), xl=7),
                ]
            ),
            _card(t("interpretation.population_heading"), _population()),
        ]
    )


# --- model-wide parts -----------------------------------------------------------------------------------


@callback(
    Output("interp-global", "children"),
    Output("population-feature", "options"),
    Output("population-feature", "value"),
    Output("population-x", "options"),
    Output("population-x", "value"),
    Output("population-y", "options"),
    Output("population-y", "value"),
    Input("interp-client", "data"),
)
def _global(sk_id):
    """Global importance of the reason groups (computed once per process) and the top features for the
    population charts."""
    if sk_id is None:
        raise PreventUpdate
    lang, scorer = current_lang(), context().scorer
    ranked = explain.global_importance(scorer)
    groups = [group_label(key, lang) for key in ranked.groups["group"]]
    figure = chart("interp-importance", importance(groups, ranked.groups["importance"].to_numpy(), lang),
                   importance_summary(groups, explain.reference(scorer).height, lang))
    names = ranked.features["feature"].to_list()[: explain.TOP_FEATURES]
    labels = [explain.label(scorer, name, lang) for name in names]
    options = [{"label": label, "value": name} for name, label in zip(names, labels)]
    return figure, options, names[0], options, names[0], options, names[1]


def _formatted(feature: str, value: float | None, lang: str) -> str:
    return format_value(context().scorer.bundle.pipeline.specs[feature], value, lang)


@callback(Output("population-distribution", "children"), Input("population-feature", "value"), State("interp-client", "data"))
def _distribution(feature, sk_id):
    """The chosen feature for repaid and defaulted reference clients, the client marked."""
    if not feature or sk_id is None:
        raise PreventUpdate
    lang, store, scorer = current_lang(), context().store, context().scorer
    spec, found, sample = scorer.bundle.pipeline.specs[feature], explain.explain(store, scorer, sk_id), explain.reference(scorer)
    values = explain.display_values(spec, sample[feature].to_numpy())
    target = sample["TARGET"].to_numpy()
    client = found.value(feature)
    shown = None if client is None else float(explain.display_values(spec, np.array([client]))[0])
    label = explain.label(scorer, feature, lang)
    repaid, defaulted = values[target == 0], values[target == 1]
    raw = sample[feature].to_numpy()

    def median(group: int) -> str:
        kept = raw[(target == group) & ~np.isnan(raw)]
        return _formatted(feature, float(np.median(kept)) if kept.size else None, lang)

    summary = t("interpretation.distribution_summary", label=label, value=_formatted(feature, client, lang),
                repaid=median(0), defaulted=median(1))
    return chart("population-histogram", distribution(label, repaid, defaulted, shown, lang), summary)


@callback(
    Output("population-scatter", "children"),
    Input("population-x", "value"),
    Input("population-y", "value"),
    State("interp-client", "data"),
)
def _scatter(x_feature, y_feature, sk_id):
    """Two features of the reference sample coloured by PD, the client as a star."""
    if not x_feature or not y_feature or sk_id is None:
        raise PreventUpdate
    lang, store, scorer = current_lang(), context().store, context().scorer
    found, sample = explain.explain(store, scorer, sk_id), explain.scatter_sample(scorer)
    specs = scorer.bundle.pipeline.specs
    axes, client, labels = [], [], []
    for feature in (x_feature, y_feature):
        axes.append(explain.display_values(specs[feature], sample[feature].to_numpy()))
        value = found.value(feature)
        client.append(None if value is None else float(explain.display_values(specs[feature], np.array([value]))[0]))
        labels.append(explain.label(scorer, feature, lang))
    figure = scatter(axes[0], axes[1], sample["PD"].to_numpy(), (client[0], client[1]), (labels[0], labels[1]), lang)
    summary = t("interpretation.scatter_summary", n=number(sample.height, lang), x_label=labels[0], y_label=labels[1],
                x=_formatted(x_feature, found.value(x_feature), lang), y=_formatted(y_feature, found.value(y_feature), lang))
    return chart("population-points", figure, summary)


# --- what-if -----------------------------------------------------------------------------------------------


def _waterfall(found: explain.Explanation, labels: list[str], lang: str, simulated: bool = False) -> list:
    """The waterfall of a client (the stored one, or the what-if's, said so above it)."""
    head = [html.P(t("interpretation.waterfall_simulated"), id="interp-waterfall-simulated", className="small fw-semibold")]
    return [*(head if simulated else []), chart("interp-waterfall", waterfall(labels, found.groups, found.base, lang),
                                                waterfall_summary(labels, found.groups, found.base, lang))]


def _result(result: whatif.WhatIf, stored_pd: float, lang: str) -> list:
    score, delta = result.score, (result.score.pd - stored_pd) * 100
    return [
        html.Div(
            [
                html.Span(t("interpretation.simulated"), className="me-2"),
                html.Span(percent(score.pd, lang), id="whatif-pd", className="fs-4 fw-semibold me-2"),
                decision_badge(score.decision, lang, id="whatif-decision"),
            ],
            className="d-flex flex-wrap align-items-center gap-1",
        ),
        html.P(whatif.distance_words(result, lang), id="whatif-distance", className="mb-1"),
        html.P(
            [t("interpretation.stored", pd=percent(stored_pd, lang)), " · ",
             t("interpretation.delta", delta=("+" if delta > 0 else "") + number(delta, lang, decimals=2)), " · ",
             f'{t("clients.grade")} {score.grade} · {number(score.points, lang)} {t("clients.points").lower()}'],
            id="whatif-grade", className="small mb-2",
        ),
        html.H3(t("interpretation.limits_heading"), className="h6"),
        html.Ul([html.Li(whatif.limit_words(result.answer.largest_credit, "credit", lang), id="whatif-largest-credit"),
                 html.Li(whatif.limit_words(result.answer.shortest_term, "term", lang), id="whatif-shortest-term")],
                className="small"),
        *_reasons([r.to_dict() for r in score.against], [r.to_dict() for r in score.favour], lang, "whatif-reasons"),
    ]


def _memo_href(sk_id: int, values: dict[str, object]) -> str:
    query = urlencode({name: value for name, value in values.items() if value not in (None, "")})
    return f"/memo/{sk_id}" + (f"?{query}" if query else "")


_FIELD_INPUTS = [Input(f"whatif-{field.name}", "value") for field in FIELDS]


@callback(
    Output("whatif-result", "children"),
    Output("interp-waterfall-box", "children"),
    Output("memo-link", "href"),
    *[Output(f"whatif-{field.name}-error", "children") for field in FIELDS],
    *[Output(f"whatif-{field.name}", "invalid") for field in FIELDS],
    *_FIELD_INPUTS,
    State("whatif-start", "data"),
    State("interp-client", "data"),
)
def _whatif(*values):
    """The client scored again with the form's values (nothing while a field is wrong: each wrong field
    says why beside it), and how far the model would lend; the stored client is not changed. On the
    page's first view, the client as stored."""
    *fields, start, sk_id = values
    lang, ctx = current_lang(), context()
    raw = {field.name: value for field, value in zip(FIELDS, fields)}
    changed = {name: value for name, value in raw.items() if value != start.get(name)}
    result = whatif.answer(ctx.store, ctx.scorer, sk_id, changed)
    if isinstance(result, list):
        wrong = {error.field: error.message(lang) for error in result}
        return (dbc.Alert(t("interpretation.whatif_fix"), color="warning", className="py-2", id="whatif-invalid"),
                _waterfall(explain.explain(ctx.store, ctx.scorer, sk_id), explain.group_labels(ctx.scorer, lang), lang),
                f"/memo/{sk_id}", *[wrong.get(f.name, "") for f in FIELDS], *[f.name in wrong for f in FIELDS])
    stored = ctx.store.client(sk_id).score
    labels = explain.group_labels(ctx.scorer, lang)
    found = result.explanation(ctx.scorer) if changed else explain.explain(ctx.store, ctx.scorer, sk_id)  # cached
    return (_result(result, stored.pd, lang), _waterfall(found, labels, lang, simulated=bool(changed)),
            _memo_href(sk_id, changed), *[""] * len(FIELDS), *[False] * len(FIELDS))


@callback(*[Output(f"whatif-{field.name}", "value") for field in FIELDS], Input("whatif-reset", "n_clicks"),
          State("whatif-start", "data"), prevent_initial_call=True)
def _reset(_clicks, start):
    return [start[field.name] for field in FIELDS]


dash.register_page(
    __name__, path="/interpretation", name="interpretation.nav",
    title=lambda **_: f'{t("interpretation.title")} — creditscore', order=1,
    layout=layout,
)
