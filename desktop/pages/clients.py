"""Prédiction (landing page): find a client, read its score, record the officer's decision.

The list is paged, filtered and counted in SQL (``storage.client_query.ClientQuery``), so it
stays fast on hundreds of thousands of clients. The chosen client travels as ``?client=<id>``.
Each decision is recorded with what the officer saw (the score, its threshold and reasons) and the
officer's name, asked once (``storage.settings``); the whole log downloads as a CSV.
"""

from __future__ import annotations

import logging
import math
from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from desktop.context import context
from desktop.figures.scoring import gauge, gauge_summary
from desktop.i18n import current_lang, duration, money, number, percent, t, timestamp
from desktop.widgets import KEPT, chart, decision_badge, decision_word, scale_note
from engine.coverage_words import FULL, scored_with
from engine.constants import DAYS_NOT_APPLICABLE, DAYS_PER_YEAR
from engine.labels import level_label
from storage.client_query import GRADES, STATUSES, ClientQuery
from storage.export import CSV, EXCEL_FR, decisions_frame, write_frame
from storage.faults import StoreFault
from storage.paths import StoreError, settings_file
from storage.settings import MAX_NAME, officer_name, save_officer_name
from storage.store import ClientRecord, ScoredAgain, ScoreRecord, os_user

log = logging.getLogger(__name__)

PAGE_SIZE = 15
ANY = "all"  # the "every value" option of the filters
USER_TEXT = {"data-user-text": "true"}  # what the officer typed (a name, a reason): in the officer's words, not the page's
SORTS = {"id": ("SK_ID_CURR", False), "pd_desc": ("PD", True), "pd_asc": ("PD", False)}


def _client_id(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


# --- the list ------------------------------------------------------------------------------------


def _select(control_id: str, label: str, options: list[dict], value: str = ANY) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, html_for=control_id), dbc.Select(id=control_id, options=options, value=value, **KEPT)],
        xs=6, md=3, lg=True,
    )


def _filters(lang: str) -> html.Div:
    store = context().store
    everyone = [{"label": t("clients.all"), "value": ANY}]
    batches = [
        {"label": t("clients.batch_option", batch=row["BATCH"], when=timestamp(row["STARTED"], lang)), "value": str(row["BATCH"])}
        for row in store.batches().iter_rows(named=True)
    ]
    decisions = [{"label": decision_word(d, lang), "value": d} for d in ("accept", "refuse")]
    sorts = [{"label": t(f"clients.sort_{key}"), "value": key} for key in SORTS]
    statuses = [{"label": t(f"clients.status_{status}"), "value": status} for status in STATUSES]
    return html.Div(  # not a form: Enter in the search box would submit it and reload the page
        dbc.Row(
            [
                dbc.Col(
                    [
                        dbc.Label(t("clients.search_label"), html_for="clients-search"),
                        dbc.Input(id="clients-search", type="search", inputmode="numeric", autocomplete="off",
                                  placeholder=t("clients.search_placeholder"), debounce=300, **KEPT),
                    ],
                    xs=12, md=6, lg=3,
                ),
                _select("clients-decision", t("clients.decision_filter"), everyone + decisions),
                _select("clients-grade", t("clients.grade_filter"), everyone + [{"label": g, "value": g} for g in GRADES]),
                _select("clients-batch", t("clients.batch_filter"), everyone + batches),
                _select("clients-status", t("clients.status_filter"), everyone + statuses),
                _select("clients-sort", t("clients.sort_label"), sorts, "id"),
            ],
            className="g-2 align-items-end",
        ),
        role="search",
        className="mb-2",
        **{"aria-label": t("clients.filters")},
    )


def _table(rows, total: int, offset: int, selected: int | None, lang: str) -> html.Div:
    if not total:
        return html.P(t("clients.no_match"), className="text-body-secondary")
    numeric = {"pd", "points"}
    head = [html.Th(t(f"clients.col_{name}"), scope="col", className="text-end" if name in numeric else None)
            for name in ("id", "batch", "pd", "decision", "grade", "points", "officer")]
    body = []
    for row in rows.iter_rows(named=True):
        sk_id = row["SK_ID_CURR"]
        current = sk_id == selected
        officer = row["OFFICER_DECISION"]
        if officer:
            officer = decision_word(officer, lang) + (f' ({t("clients.against_model")})' if row["OVERRIDE"] else "")
        body.append(html.Tr(
            [
                html.Td(html.Button(str(sk_id), id={"type": "clients-pick", "index": sk_id}, type="button",
                                    className="btn btn-link p-0 fw-semibold",
                                    **{"aria-label": t("clients.pick_label", id=sk_id), "aria-current": "true" if current else "false"})),
                html.Td(row["BATCH"]),
                html.Td(percent(row["PD"], lang), className="text-end"),
                html.Td(decision_word(row["DECISION"], lang)),
                html.Td(row["GRADE"]),
                html.Td(number(row["POINTS"], lang), className="text-end"),
                html.Td(officer or "–"),
            ],
            className="table-active" if current else None,
        ))
    caption = t("clients.table_caption", first=number(offset + 1, lang), last=number(offset + rows.height, lang),
                total=number(total, lang))
    return html.Div(
        html.Table(
            [html.Caption(caption), html.Thead(html.Tr(head)), html.Tbody(body)],
            className="table table-sm table-hover align-middle mb-0 caption-top", id="clients-table",
            **{"aria-describedby": "clients-scale"},
        ),
        className="table-responsive",
    )


@callback(
    Output("clients-list", "children"),
    Output("clients-pager-status", "children"),
    Output("clients-page", "data"),
    Output("clients-previous", "disabled"),
    Output("clients-next", "disabled"),
    Output("clients-seeding-poll", "disabled"),
    Input("clients-search", "value"),
    Input("clients-decision", "value"),
    Input("clients-grade", "value"),
    Input("clients-batch", "value"),
    Input("clients-status", "value"),
    Input("clients-sort", "value"),
    Input("clients-previous", "n_clicks"),
    Input("clients-next", "n_clicks"),
    Input("clients-selected", "data"),
    Input("clients-seeding-poll", "n_intervals"),
    State("clients-page", "data"),
)
def _list(search, decision, grade, batch, status, sort, _previous, _next, selected, _poll, page):
    """One page of the filtered list; the pager's buttons move it, any filter change goes back to page 1.

    On the first start, while the demo clients are being imported, it says so and polls until they are in.
    """
    lang = current_lang()
    moved = {"clients-previous": -1, "clients-next": 1}.get(ctx.triggered_id, 0)
    page = (page or 0) + moved if moved or ctx.triggered_id in ("clients-selected", "clients-seeding-poll") else 0
    chosen = {name: None if value in (None, "", ANY) else value for name, value in
              (("decision", decision), ("grade", grade), ("batch", batch), ("status", status))}
    query = ClientQuery(
        id_prefix=search or "", decision=chosen["decision"], grade=chosen["grade"], status=chosen["status"],
        batch=int(chosen["batch"]) if chosen["batch"] else None, sort=SORTS.get(sort or "id", SORTS["id"]),
    )
    store = context().store
    rows, total = query.page(store, PAGE_SIZE, max(page, 0) * PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page >= pages:  # the list shrank under the current page
        page = pages - 1
        rows, total = query.page(store, PAGE_SIZE, page * PAGE_SIZE)
    page = max(page, 0)
    count = t("clients.count", lang, total=total)
    status = f'{count} · {t("clients.page", page=number(page + 1, lang), pages=number(pages, lang))}'
    seeding, running = _seeding() if not total else (None, False)  # clients listed: no first-start import left
    listing = _table(rows, total, page * PAGE_SIZE, selected, lang)
    if seeding is not None:  # what is being prepared, not «0 clients · Page 1 sur 1»
        listing, status = html.P(seeding, className="text-body-secondary", role="status", id="clients-seeding"), ""
    return listing, status, page, page == 0, page >= pages - 1, not running


def _seeding() -> tuple[str | None, bool]:
    """What to say about the first start's import of the demo clients, and whether it is still running
    (asked only when the list is empty: the import stores all its clients at once)."""
    job = context().jobs.latest("seed")
    if job is None:  # the job starts right after the store opens
        empty = context().store.is_empty()
        return (t("common.seeding"), True) if empty else (None, False)
    if job.state == "failed":
        return t("common.seeding_failed", error=job.error), False
    if job.state != "running":
        return None, False
    snap, lang = job.snapshot(), current_lang()
    stage = t(f"imports.stage_{snap['stage']}", lang, done=snap["done"], total=snap["total"]) \
        if snap["stage"] else ""
    return f'{t("common.seeding")} {stage}'.strip(), True


@callback(Output("clients-selected", "data", allow_duplicate=True), Input("clients-search", "value"), prevent_initial_call=True)
def _pick_typed(search):
    """A complete client number typed in the search box selects that client."""
    sk_id = _client_id(search)
    if sk_id is None or context().store.client(sk_id) is None:
        raise PreventUpdate
    return sk_id


@callback(
    Output("clients-selected", "data", allow_duplicate=True),
    Input({"type": "clients-pick", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def _pick_row(clicks):
    if not ctx.triggered_id or not any(clicks):
        raise PreventUpdate
    return ctx.triggered_id["index"]


# Keep ?client=<id> in the address (reloads and the language switch come back to the same client).
clientside_callback(
    """function (id) {
        if (id) { window.history.replaceState(null, "", "?client=" + id); }
        return window.dash_clientside.no_update;
    }""",
    Output("clients-url-sync", "data"),
    Input("clients-selected", "data"),
)

# A client opened from the list or the search box (Enter) takes the focus to its heading once shown, so the
# keyboard goes on to the decision instead of starting again from the top of the page.
clientside_callback(
    """function (id) {
        const from = document.activeElement;
        const picked = from && (from.id === "clients-search" || from.closest("#clients-list") || from === document.body);
        if (!id || !picked) { return window.dash_clientside.no_update; }
        let tries = 50;
        (function focusHeading() {
            const heading = document.getElementById("client-heading");
            if (heading && heading.dataset.client === String(id)) { heading.focus(); }
            else if (tries-- > 0) { setTimeout(focusHeading, 100); }
        })();
        return window.dash_clientside.no_update;
    }""",
    Output("clients-focus", "data"),
    Input("clients-selected", "data"),
    prevent_initial_call=True,
)


# --- one client -------------------------------------------------------------------------------------


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


def _history(sk_id: int, lang: str) -> html.Div:
    """Every decision on the client, newest first, with what the officer saw then."""
    decisions = context().store.decisions(sk_id)
    if not decisions:
        return html.P(t("clients.history_empty"), className="text-body-secondary mb-0")
    names = ("when", "pd_then", "grade", "decision", "what", "override", "who", "reason")  # model's, then officer's
    rows = [
        html.Tr([
            html.Td(timestamp(d.decided_at, lang)),
            html.Td(percent(d.pd, lang) if d.pd is not None else "–", className="text-end"),
            html.Td(d.grade or "–"),
            html.Td(decision_word(d.model_decision, lang) if d.model_decision else "–"),
            html.Td(decision_word(d.decision, lang)),
            html.Td(html.Strong(t("clients.against_model")) if d.overrides else "–"),
            html.Td(d.officer, **USER_TEXT),
            html.Td(d.override_reason or "–", **USER_TEXT),
        ])
        for d in decisions
    ]
    head = html.Tr([html.Th(t(f"clients.col_{name}"), scope="col", className="text-end" if name == "pd_then" else None)
                    for name in names])
    return html.Div(
        html.Table([html.Thead(head), html.Tbody(rows)], className="table table-sm small mb-0", id="decision-history-table"),
        className="table-responsive",
    )


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


def _decision_form(record: ClientRecord, threshold: float) -> html.Section:
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
            html.Div(_history(record.sk_id_curr, current_lang()), id="decision-history"),
        ],
        **{"aria-label": t("clients.officer_heading")},
    )


def _detail(sk_id: int | None) -> list:
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
        _decision_form(record, threshold),
    ]


def _model_note(bundle, score: ScoreRecord, lang: str) -> html.P:
    """Which model made the score, in words with its expected AUC; set apart when it is not the
    full-history model (a less accurate score)."""
    text = scored_with(bundle, score.model, score.supplied, lang, score.bundle_id)
    partial = score.model != FULL
    return html.P(text, id="client-model", className="alert alert-warning py-1 px-2 small mb-2" if partial else "small mb-2")


@callback(Output("client-detail", "children"), Input("clients-selected", "data"), prevent_initial_call=True)
def _show(sk_id):
    return _detail(_client_id(sk_id))


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
    sk_id, reason = _client_id(sk_id), (reason or "").strip()
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
        return _refused(t("clients.reason_required"))
    message = dbc.Alert(t("clients.recorded", decision=decision_word(choice, lang)), color="success", className="py-2 mb-0")
    return message, _history(sk_id, lang), "", False, False


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


@callback(Output("decisions-download", "data"), Input("decisions-export", "n_clicks"), prevent_initial_call=True)
def _export_decisions(_clicks):
    """The whole log of decisions as a CSV file (for Excel in French on French pages)."""
    lang = current_lang()
    frame = decisions_frame(context().store, context().scorer.words, lang)
    fmt = EXCEL_FR if lang == "fr" else CSV
    return dcc.send_bytes(lambda out: write_frame(frame, out, fmt), f"decisions-{date.today().isoformat()}.csv")


# --- the page -----------------------------------------------------------------------------------------


def layout(client: str | None = None, **_query) -> html.Div:
    """The list on the left, the chosen client on the right (stacked on narrow windows)."""
    lang, selected = current_lang(), _client_id(client)
    return html.Div(
        [
            html.H1(t("clients.heading"), className="h3 mb-3"),
            dcc.Store(id="clients-selected", data=selected),
            dcc.Store(id="clients-page", data=0),
            dcc.Store(id="clients-url-sync"),
            dcc.Store(id="clients-focus"),
            dcc.Interval(id="clients-seeding-poll", interval=1000),
            dbc.Row(
                [
                    dbc.Col(
                        html.Section(
                            [
                                _filters(lang),
                                html.Div(id="clients-list"),
                                scale_note("clients-scale", lang),
                                html.Nav(
                                    [
                                        dbc.Button(t("clients.previous"), id="clients-previous", color="secondary", outline=True, size="sm"),
                                        html.Span(id="clients-pager-status", className="mx-3", **{"aria-live": "polite"}),
                                        dbc.Button(t("clients.next"), id="clients-next", color="secondary", outline=True, size="sm"),
                                    ],
                                    className="d-flex align-items-center justify-content-center flex-wrap mt-2",
                                    **{"aria-label": t("clients.pager_label")},
                                ),
                                html.Div(
                                    [
                                        html.Button(t("clients.export_decisions"), id="decisions-export", type="button",
                                                    className="btn btn-outline-secondary btn-sm",
                                                    **{"aria-describedby": "decisions-export-help"}),
                                        html.Span(t("clients.export_decisions_help"), id="decisions-export-help",
                                                  className="small text-body-secondary ms-2"),
                                        dcc.Download(id="decisions-download"),
                                    ],
                                    className="mt-3",
                                ),
                            ],
                            **{"aria-label": t("clients.filters")},
                        ),
                        xl=7, className="mb-4",
                    ),
                    dbc.Col(
                        dbc.Card(dbc.CardBody(_detail(selected), id="client-detail"), className="client-card"),
                        xl=5, className="mb-4",
                    ),
                ]
            ),
        ]
    )


dash.register_page(__name__, path="/", name="clients.nav", title=lambda **_: f'{t("clients.title")} — creditscore', order=0, layout=layout)
