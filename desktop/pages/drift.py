"""Data drift ("/drift"): how far a stored batch is from the model's training population.

Pick a batch (``?batch=<id>``, else the latest); its latest drift run is shown: the verdict, the
features of the tables the batch did not supply (a status of their own, never drift), the PSI table
(band in words and as a light), the PD distribution and approval-rate shift, the
Evidently report (served from ``<store home>/reports`` by :func:`install_report_route`) and the
history of every run. "Analyser la dérive" runs a new one as a background job.
"""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from flask import Flask, abort, send_from_directory

from desktop.context import context
from desktop.csp import HEADER as CSP_HEADER
from desktop.csp import REPORT_POLICY, REPORT_SANDBOX
from desktop.figures.drift import approval_figure, history_figure, pd_histogram_figure
from desktop.i18n import current_lang, number, percent, t, timestamp
from desktop.widgets import CHART_HEIGHT, chart
from engine.coverage_words import model_sentence, table_words
from engine.drift import describe
from engine.labels import feature_label
from engine.psi import ACT, MONITOR, STABLE
from engine.schema import TABLE_NAMES
from storage.drift_runs import (
    STEPS,
    DriftRun,
    drift_history,
    drift_run,
    failure,
    failure_sentence,
    latest_drift,
    latest_failure,
    reports_dir,
    run_batch_drift,
)

log = logging.getLogger(__name__)

REPORT_ROUTE = "/reports/"
JOB_KIND = "drift"
LIGHTS = {STABLE: "success", MONITOR: "warning", ACT: "danger"}


def install_report_route(server: Flask) -> None:
    """Serve the drift reports, and only them, from ``<store home>/reports`` (behind the token guard)."""

    @server.route(REPORT_ROUTE + "<name>")
    def drift_report(name: str):
        if not (name.startswith("drift-") and name.endswith(".html")):
            abort(404)
        response = send_from_directory(reports_dir(context().store), name, mimetype="text/html")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers[CSP_HEADER] = REPORT_POLICY  # made from client data: sandboxed, no request
        return response


install_report_route(dash.get_app().server)  # pages are imported while the app is built, before any request


def _batch_options(lang: str) -> list[dict]:
    batches = context().store.batches()
    return [
        {"label": t("drift.batch_option", lang, batch=b["BATCH"], kind=t(f"drift.kind_{b['KIND']}", lang),
                    clients=b["CLIENTS"], when=timestamp(b["FINISHED"], lang)), "value": str(b["BATCH"])}
        for b in reversed(batches.to_dicts())
    ]


def _batch(value: str | None) -> int | None:
    """The batch chosen in the list (a native select: its values are text)."""
    return int(value) if value and value.isdigit() else None


def _band_badge(band: str, lang: str) -> html.Span:
    """The band as a light AND a word (never colour alone)."""
    return html.Span([html.Span(className=f"light light-{band}", **{"aria-hidden": "true"}),
                      html.Span(t(f"drift.band_{band}", lang))], className=f"band band-{band}")


def _card(title: str, value, detail: str, card_id: str) -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([html.H2(title, className="card-label"), html.P(value, className="card-value"),
                                          html.P(detail, className="card-detail")]), id=card_id, className="h-100"),
                   xs=12, sm=6, xl=3, className="mb-3")


def _summary(run: DriftRun, lang: str) -> dbc.Row:
    s = run.summary
    score = s["score"]
    verdict = t("drift.yes", lang) if s["dataset_drift"] else t("drift.no", lang)
    cards = [
        _card(t("drift.drifted_columns", lang), f'{number(s["n_drifted"], lang)} / {number(s["n_compared"], lang)}',
              t("drift.drifted_detail", lang, share=percent(s["drift_share"], lang)), "drift-card-columns"),
        _card(t("drift.dataset_drift", lang), verdict,
              t("drift.dataset_detail", lang, threshold=percent(s["drift_share_threshold"], lang)), "drift-card-dataset"),
    ]
    if s.get("not_supplied"):
        missing = [name for name in TABLE_NAMES if name not in s["supplied"]]
        cards.append(_card(t("drift.not_supplied_card", lang), number(len(s["not_supplied"]), lang),
                           t("drift.not_supplied_detail", lang, tables=table_words(missing, lang)), "drift-card-not-supplied"))
    if score.get("available"):
        rate = score["approval_rate"]
        cards += [
            _card(t("drift.psi_pd", lang), [number(score["psi"], lang, 3), " ", _band_badge(score["band"], lang)],
                  t("drift.pd_detail", lang, ref=percent(score["reference"]["mean"], lang),
                    cur=percent(score["current"]["mean"], lang)), "drift-card-psi"),
            _card(t("drift.approval", lang), f'{percent(rate["reference"], lang)} → {percent(rate["current"], lang)}',
                  t("drift.approval_detail", lang, change=number(rate["change"] * 100, lang, 1)), "drift-card-approval"),
        ]
    return dbc.Row(cards, className="mt-2")


def _psi_table(run: DriftRun, lang: str) -> dbc.Table:
    specs = context().scorer.bundle.pipeline.specs
    rows = sorted(run.summary["psi"]["features"], key=lambda item: (item["psi"] is None, -(item["psi"] or 0)))
    score = run.summary["score"]
    body = []
    if score.get("available"):
        body.append(html.Tr([html.Th(t("drift.pd_row", lang), scope="row"), html.Td(html.Code("PD")),
                             html.Td(number(score["psi"], lang, 3)), html.Td(_band_badge(score["band"], lang))],
                            className="table-active"))
    for item in rows:
        spec = specs.get(item["feature"])
        label = feature_label(spec, lang) if spec is not None else item["feature"]
        body.append(html.Tr([html.Th(label, scope="row"), html.Td(html.Code(item["feature"])),
                             html.Td(number(item["psi"], lang, 3)), html.Td(_band_badge(item["band"], lang))]))
    head = html.Thead(html.Tr([html.Th(t(f"drift.col_{c}", lang), scope="col") for c in ("feature", "code", "psi", "band")]))
    return dbc.Table([html.Caption(t("drift.psi_caption", lang)), head, html.Tbody(body)], id="drift-psi-table",
                     size="sm", hover=True, responsive=True)


def _columns_detail(run: DriftRun, lang: str) -> html.Details:
    rows = [html.Tr([html.Th(c["column"], scope="row"), html.Td(c["method"]), html.Td(number(c["score"], lang, 3)),
                     html.Td(t("drift.yes", lang) if c["drifted"] else t("drift.no", lang))])
            for c in run.summary["columns"]]
    head = html.Thead(html.Tr([html.Th(t(f"drift.col_{c}", lang), scope="col") for c in ("column", "method", "score", "drifted")]))
    skipped = [html.Li(t("drift.not_compared_item", lang, column=item["column"], reason=describe(item, lang)))
               for item in run.summary["not_compared"]]
    absent = run.summary.get("not_supplied", [])
    return html.Details([
        html.Summary(t("drift.columns_detail", lang, n=len(rows))),
        dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True),
        *([html.P(t("drift.not_supplied_list", lang)), html.Ul([html.Li(c) for c in absent], id="drift-not-supplied")]
          if absent else []),
        *([html.P(t("drift.not_compared", lang)), html.Ul(skipped)] if skipped else []),
    ], className="mb-3")


def _run_view(run: DriftRun, lang: str) -> html.Div:
    s, score = run.summary, run.summary["score"]
    parts = [
        html.P(t("drift.run_info", lang, when=timestamp(run.finished, lang), clients=s["rows"]["current"],
                 reference=s["rows"]["reference"]), id="drift-run-info"),
        *(dbc.Alert(describe(warning, lang), color="warning") for warning in s.get("warnings", [])),
        _summary(run, lang),
        *([html.P(t("drift.score_model", lang, model=model_sentence(score["model"], None, lang)), id="drift-score-model")]
          if "model" in score else []),
        html.H2(t("drift.psi_title", lang)),
        html.P(t("drift.psi_intro", lang)),
        _psi_table(run, lang),
        _columns_detail(run, lang),
    ]
    if score.get("available") and run.histogram:
        rate = score["approval_rate"]
        hist_caption = t("drift.pd_histogram_caption", lang, ref_median=percent(score["reference"]["quantiles"]["p50"], lang),
                         cur_median=percent(score["current"]["quantiles"]["p50"], lang), psi=number(score["psi"], lang, 3),
                         band=t(f"drift.band_{score['band']}", lang))
        approval_caption = t("drift.approval_caption", lang, ref=percent(rate["reference"], lang),
                             cur=percent(rate["current"], lang), threshold=percent(rate["threshold"], lang, 2))
        parts.append(dbc.Row([
            dbc.Col(chart("drift-pd-histogram", pd_histogram_figure(run.histogram, rate["threshold"], lang), hist_caption,
                          title=t("drift.pd_histogram_title", lang), height=CHART_HEIGHT), lg=8),
            dbc.Col(chart("drift-approval", approval_figure(rate, lang), approval_caption,
                          title=t("drift.approval_title", lang), height=260), lg=4),
        ]))
    parts += [
        html.H2(t("drift.report_title", lang)),
        html.P([t("drift.report_intro", lang), " ",
                html.A(t("drift.report_open", lang), href=REPORT_ROUTE + run.report_name, target="_blank")]),
        html.Iframe(src=REPORT_ROUTE + run.report_name, title=t("drift.report_frame", lang, batch=run.batch_id),
                    id="drift-report", className="drift-report", sandbox=REPORT_SANDBOX),
    ]
    return html.Div(parts)


def _history(lang: str) -> html.Div:
    history = drift_history(context().store).to_dicts()
    if not history:
        return html.Div()
    last = history[-1]
    caption = t("drift.history_caption", lang, n=len(history), batch=last["BATCH"],
                psi=number(last["PSI_PD"], lang, 3), share=percent(last["DRIFT_SHARE"], lang))
    return html.Section([chart("drift-history", history_figure(history, lang), caption, title=t("drift.history_title", lang),
                               height=CHART_HEIGHT)],
                        className="mt-4")


def _content(batch: int | None, lang: str) -> html.Div:
    if batch is None:
        return dbc.Alert(t("drift.no_batch", lang), color="info")
    store = context().store
    run, failed = latest_drift(store, batch), latest_failure(store, batch)
    view = _run_view(run, lang) if run else dbc.Alert(t("drift.no_run", lang, batch=batch), color="info", id="drift-no-run")
    notice = [] if failed is None else [dbc.Alert(t("drift.last_failed", lang, when=timestamp(failed.finished, lang),
                                                    error=failed.error_sentence(lang)), color="warning",
                                                  id="drift-last-failed")]
    return html.Div([*notice, view, _history(lang)])


def layout(batch: str | None = None, **query: str) -> html.Div:
    """The drift of ``batch`` (query string), else of the latest batch."""
    lang = current_lang()
    options = _batch_options(lang)
    values = [o["value"] for o in options]
    chosen = batch if batch in values else (values[0] if values else None)
    running = context().jobs.latest(JOB_KIND)
    running_id = running.id if running is not None and running.state == "running" else None
    return html.Div([
        html.H1(t("drift.title", lang)),
        html.P(t("drift.intro", lang), className="lead"),
        dbc.Row([
            dbc.Col([dbc.Label(t("drift.batch_label_input", lang), html_for="drift-batch"),
                     dbc.Select(id="drift-batch", options=options, value=chosen)],
                    md=7, lg=5),
            dbc.Col(dbc.Button(t("drift.run", lang), id="drift-run", color="primary", disabled=chosen is None or running_id is not None),
                    md="auto", className="d-flex align-items-end mt-2"),
        ], className="g-3 mb-3"),
        html.Div([html.Div([html.Progress(id="drift-progress", value=0, max=100, className="flex-grow-1",
                                          **{"aria-label": t("drift.progress_label", lang)}),
                            html.Span(id="drift-share", className="small")], className="d-flex align-items-center gap-2 mb-1"),
                  html.P(id="drift-status", className="small")],
                 id="drift-progress-box", hidden=running_id is None, **{"aria-live": "polite"}),
        dcc.Store(id="drift-job", data=running_id),
        dcc.Store(id="drift-done"),
        dcc.Interval(id="drift-poll", interval=700, disabled=running_id is None),
        dcc.Loading(html.Div(_content(_batch(chosen), lang), id="drift-content"), type="default"),
    ], className="drift page")


@callback(Output("drift-content", "children"), Input("drift-batch", "value"), Input("drift-done", "data"),
          prevent_initial_call=True)
def show(batch: str | None, _done: int | None):
    return _content(_batch(batch), current_lang())


@callback(Output("drift-job", "data"), Output("drift-poll", "disabled"), Output("drift-run", "disabled"),
          Output("drift-progress-box", "hidden"), Input("drift-run", "n_clicks"), State("drift-batch", "value"),
          prevent_initial_call=True)
def start(_clicks: int, chosen: str | None):
    batch = _batch(chosen)
    if batch is None:
        return no_update, True, True, True
    ctx, lang = context(), current_lang()  # the report's header in the officer's language
    job = ctx.jobs.start(JOB_KIND, lambda progress: run_batch_drift(ctx.store, ctx.scorer.bundle, batch, progress,
                                                                    lang=lang).id)
    log.info("drift of batch %s started as job %d", batch, job.id)
    return job.id, False, True, False


@callback(Output("drift-progress", "value"), Output("drift-share", "children"), Output("drift-status", "children"),
          Output("drift-poll", "disabled", allow_duplicate=True), Output("drift-run", "disabled", allow_duplicate=True),
          Output("drift-done", "data"), Output("drift-batch", "value"),
          Input("drift-poll", "n_intervals"), State("drift-job", "data"), prevent_initial_call=True)
def poll(_n: int, job_id: int | None):
    lang = current_lang()
    job = context().jobs.get(job_id)
    if job is None:
        return 0, "", "", True, False, no_update, no_update
    snap = job.snapshot()
    share = round(100 * snap["done"] / snap["total"]) if snap["total"] else 0
    if snap["state"] == "running":
        stage = t(f"drift.step_{snap['stage']}", lang) if snap["stage"] in STEPS else t("drift.step_start", lang)
        return share, f"{share} %", stage, False, True, no_update, no_update
    if snap["state"] == "failed":
        error = failure_sentence(failure(job.exception), lang) if job.exception is not None else snap["error"]
        return 0, "", dbc.Alert(t("drift.failed", lang, error=error), color="danger"), True, False, no_update, no_update
    run = drift_run(context().store, job.result)
    return 100, "100 %", t("drift.finished", lang), True, False, job.result, str(run.batch_id) if run else no_update


dash.register_page(__name__, path="/drift", name="drift.nav", title=lambda **_: f'{t("drift.title")} — creditscore', order=2, layout=layout)
