"""The list of clients: its filters, one page of it, the pager, and a client picked from it or typed.

The list is paged, filtered and counted in SQL (``storage.client_query.ClientQuery``), so it stays fast on
hundreds of thousands of clients.
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html
from dash.exceptions import PreventUpdate

from desktop.context import context
from desktop.i18n import current_lang, number, percent, t, timestamp
from desktop.pages.clients.selection import client_id
from desktop.widgets import KEPT, decision_word, scale_note
from storage.client_query import GRADES, STATUSES, ClientQuery

PAGE_SIZE = 15
ANY = "all"  # the "every value" option of the filters
SORTS = {"id": ("SK_ID_CURR", False), "pd_desc": ("PD", True), "pd_asc": ("PD", False)}


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


def parts(lang: str) -> list:
    """The filters, the list (filled by its callback), the scale of its figures and the pager."""
    return [
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
    ]


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
    sk_id = client_id(search)
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
