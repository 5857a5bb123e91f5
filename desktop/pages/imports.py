"""Import client files ("/import"): choose, validate (nothing stored), import as a job, summary.

In the window the native file dialog gives the files' paths; in a browser (``context().window``
is None) they are uploaded into ``<store home>/uploads/<time>/`` under their own names. The files
are read and validated once, in a background job, and the report shown; "Importer" is enabled only
when there is no error. The import is a second job, handed the validated tables (nothing is read
again; ``storage.importer``), with a progress bar, ending with a summary and links to the new
clients — or the refusal of a re-import (found by content when storing), of a file changed since
its validation, or of a store that is damaged, full or busy.
"""

from __future__ import annotations

import base64
import logging
import shutil
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from desktop.body_limits import MAX_UPLOAD_BYTES
from desktop.context import context
from desktop.i18n import LANGS, current_lang, number, percent, t
from desktop.widgets import scale_note
from engine.coverage_words import FULL, scored_with
from engine.input_problems import Problem, describe
from engine.labels import column_label
from engine.schema import TABLE_NAMES
from storage.importer import import_validated, summarise
from storage.validation import ImportRefused, Validated, ValidationReport, validate
from storage.faults import StoreFault
from storage.writer import DuplicateImport

log = logging.getLogger(__name__)

UPLOADS_DIR = "uploads"
FILE_TYPES = ("Tables (*.csv;*.zip;*.gz;*.parquet)", "All files (*.*)")
LISTED_CLIENTS = 60

#: Share of the progress bar per import stage: the files validated, then each chunk of clients scored and stored.
STAGES = {"validated": (0, 10), "stored": (10, 100)}


def _upload_folder() -> Path:
    """A fresh folder under ``<store home>/uploads`` (earlier uploads removed: one import at a time)."""
    root = context().real_store.home / UPLOADS_DIR
    if root.exists():
        shutil.rmtree(root, ignore_errors=True)
    folder = root / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    folder.mkdir(parents=True)
    return folder


def save_uploads(contents: list[str], names: list[str]) -> list[str]:
    """Write uploaded files (data URLs) under their own names; returns their paths."""
    folder = _upload_folder()
    paths = []
    for content, name in zip(contents, names):
        target = folder / Path(name).name
        target.write_bytes(base64.b64decode(content.split(",", 1)[1]))
        paths.append(str(target))
    return paths


def _validation_job(paths: list[str]) -> Validated | ValidationReport:
    """The validated tables, or the report of why they cannot be imported."""
    try:
        return validate(paths)
    except ImportRefused as refused:
        return refused.report


def _import_job(validated: Validated, progress) -> dict:
    """Score and store the validated tables; the summary of the new batch, or the refusal."""
    ctx = context()
    try:
        result = import_validated(ctx.real_store, validated, ctx.scorer, progress=progress)  # never into the demo store
    except ImportRefused as refused:
        return {"refused": refused.report.to_dict()}
    except DuplicateImport as duplicate:
        return {"duplicate": [asdict(p) for p in duplicate.problems]}
    except StoreFault as fault:
        return {"fault": fault.kind, "path": str(fault.path)}
    summary = summarise(ctx.real_store, result, LISTED_CLIENTS)
    uploads = ctx.real_store.home / UPLOADS_DIR
    if all(f.path.is_relative_to(uploads) for f in result.report.files):
        shutil.rmtree(uploads, ignore_errors=True)
    model = {lang: scored_with(ctx.scorer.bundle, result.model, result.supplied, lang) for lang in LANGS}
    return {
        "batch": result.batch_id, "clients": result.clients, "new": result.new_clients, "seconds": result.seconds,
        "model": model, "partial": result.model != FULL, "decisions": summary.decisions, "grades": summary.grades,
        "ids": summary.ids, "warnings": len(result.report.warnings),
    }


# --- views ----------------------------------------------------------------------------------------


def _sentence(problem: dict, lang: str) -> str:
    """A problem of a job's result (``asdict`` of a ``Problem``) worded in ``lang``."""
    return describe(Problem(**problem), lang)


def _duplicate_list(problems: list[dict], lang: str) -> html.Ul:
    return html.Ul([html.Li(f'{p["file"]}{" :" if lang == "fr" else ":"} {_sentence(p, lang)}') for p in problems])


def _column(column: str, tables: list[str], lang: str) -> str:
    """A file's column by its label, looked up in the tables the file was recognised as (else in all of them)."""
    for table in tables or TABLE_NAMES:
        label = column_label(table, column, lang)
        if label != column:
            return label
    return column


def _problems_table(problems: list[dict], caption: str, table_id: str, lang: str, files: list[dict]) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(t(f"imports.col_{c}", lang), scope="col") for c in ("file", "column", "line", "message")]))
    tables = {f["name"]: f["tables"] for f in files}
    rows = [html.Tr([html.Td(p["file"]), html.Td(_column(p["column"], tables.get(p["file"], []), lang) if p.get("column") else "–"),
                     html.Td(number(p["row"], lang) if p.get("row") is not None else "–"), html.Td(_sentence(p, lang))])
            for p in problems]
    return dbc.Table([html.Caption(caption), head, html.Tbody(rows)], id=table_id, size="sm", responsive=True, className="problems")


def report_view(result: dict, lang: str) -> html.Div:
    """The validation report: counts, files, errors, warnings."""
    report = result["report"]
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    warnings = [p for p in report["problems"] if p["severity"] == "warning"]
    if errors:
        status = dbc.Alert([html.Strong(t("imports.has_errors", lang, n=len(errors))), " ",
                            t("imports.fix_and_retry", lang)], color="danger", id="import-verdict")
    else:
        status = dbc.Alert(t("imports.ready", lang, n=report["rows"].get("application", 0)),
                           color="success", id="import-verdict")
    parts: list = [html.H2(t("imports.report_title", lang)), status]
    if report["rows"]:
        rows = [html.Tr([html.Th(name, scope="row"), html.Td(number(n, lang)), html.Td(number(report["skipped"].get(name, 0), lang))])
                for name, n in report["rows"].items()]
        head = html.Thead(html.Tr([html.Th(t(f"imports.col_{c}", lang), scope="col") for c in ("table", "read", "skipped")]))
        parts.append(dbc.Table([html.Caption(t("imports.counts_caption", lang)), head, html.Tbody(rows)],
                               id="import-counts", size="sm", className="w-auto"))
    if report["files"]:
        parts.append(html.Ul([html.Li(t("imports.file_item", lang, name=f["name"], size=number(f["size"] / 1024, lang, 1),
                                        tables=", ".join(f["tables"]) or "–")) for f in report["files"]]))
    if errors:
        parts.append(_problems_table(errors, t("imports.errors_caption", lang, n=number(len(errors), lang)), "import-errors", lang,
                                     report["files"]))
    if warnings:
        parts.append(_problems_table(warnings, t("imports.warnings_caption", lang, n=number(len(warnings), lang)),
                                     "import-warnings", lang, report["files"]))
    return html.Div(parts)


def summary_view(result: dict, lang: str) -> html.Div:
    """The end of an import: counts, decisions, grades, links to the clients and to the drift."""
    if "duplicate" in result:
        return dbc.Alert([html.Strong(t("imports.duplicate", lang)), _duplicate_list(result["duplicate"], lang)],
                         color="warning", id="import-summary")
    if "refused" in result:
        return html.Div(report_view({"report": result["refused"], "errors": True}, lang), id="import-summary")
    if "fault" in result:
        return dbc.Alert(t(f"startup.store_{result['fault']}_now", lang, path=result["path"]), color="danger",
                         id="import-summary")
    total = result["clients"] or 1
    decisions = [html.Li(t(f"imports.decision_{d}", lang, n=number(n, lang), share=percent(n / total, lang)))
                 for d, n in sorted(result["decisions"].items())]
    grades = ", ".join(t("imports.grade_count", lang, grade=g, n=n) for g, n in result["grades"].items())
    links = [html.Li(dcc.Link(t("imports.client_link", lang, id=i), href=f"/?client={i}")) for i in result["ids"]]
    more = result["clients"] - len(result["ids"])
    return html.Div([
        html.H2(t("imports.summary_title", lang)),
        dbc.Alert(t("imports.done", lang, batch=result["batch"], clients=t("imports.done_clients", lang, n=result["clients"]),
                    new=t("imports.done_new", lang, n=result["new"]), seconds=number(result["seconds"], lang, 1)), color="success"),
        dbc.Alert(result["model"][lang], color="warning" if result["partial"] else "info", id="import-model"),
        html.Ul(decisions), html.P(t("imports.grades", lang, grades=grades)), scale_note("import-scale", lang),
        html.H3(t("imports.clients_title", lang), className="h5"),
        html.Ul(links, className="client-links"),
        html.P(t("imports.more_clients", lang, n=more)) if more > 0 else None,
        dcc.Link(t("imports.drift_link", lang), href=f"/drift?batch={result['batch']}", id="import-drift-link",
                 className="btn btn-outline-primary"),
    ], id="import-summary")


def _chooser(lang: str) -> html.Div:
    if context().window is not None:
        return html.Div([dbc.Button(t("imports.pick", lang), id="import-pick", color="primary"),
                         html.P(t("imports.pick_help", lang), className="form-text")])
    return html.Div([
        html.P(t("imports.upload_help", lang), id="import-upload-help", className="form-text"),
        # The zone is the file input's label (its name for screen readers); a click on it reaches the input
        # through the label, so the zone's own click is off (else two file dialogs).
        html.Label(
            dcc.Upload(html.Div([t("imports.drop", lang), " ", html.Span(t("imports.browse", lang), className="btn btn-primary btn-sm ms-2")]),
                       id="import-upload", multiple=True, className="upload-zone", accept=".csv,.zip,.gz,.parquet,.txt,.tsv",
                       max_size=MAX_UPLOAD_BYTES, disable_click=True),
            className="d-block",
        ),
    ])


def layout(**query: str) -> html.Div:
    lang = current_lang()
    return html.Div([
        html.H1(t("imports.title", lang)),
        html.P(t("imports.intro", lang), className="lead"),
        html.H2(t("imports.step_files", lang)),
        _chooser(lang),
        html.Div(id="import-files", className="mt-2", **{"aria-live": "polite"}),
        html.Div(id="import-report", className="mt-3"),
        html.Div([dbc.Button(t("imports.import", lang), id="import-start", color="success", disabled=True, className="me-2"),
                  html.Span(t("imports.import_help", lang), className="form-text")], className="my-3"),
        html.Div([dbc.Progress(id="import-progress", value=0, style={"height": "1.2rem"}), html.P(id="import-status", className="small")],
                 id="import-progress-box", hidden=True, **{"aria-live": "polite"}),
        html.Div(id="import-result"),
        dcc.Store(id="import-sources"), dcc.Store(id="import-job"),
        dcc.Interval(id="import-poll", interval=600, disabled=True),
    ], className="imports page")


# --- callbacks ------------------------------------------------------------------------------------


@callback(Output("import-sources", "data"), Input("import-upload", "contents"), State("import-upload", "filename"),
          prevent_initial_call=True)
def uploaded(contents: list[str] | None, names: list[str] | None):
    if not contents:
        return no_update
    return save_uploads(contents, names)


@callback(Output("import-sources", "data", allow_duplicate=True), Input("import-pick", "n_clicks"), prevent_initial_call=True)
def picked(_clicks: int):
    import webview

    chosen = context().window.create_file_dialog(webview.FileDialog.OPEN, allow_multiple=True, file_types=FILE_TYPES)
    return list(chosen) if chosen else no_update


@callback(Output("import-files", "children"), Output("import-job", "data"), Output("import-poll", "disabled"),
          Output("import-start", "disabled"), Output("import-report", "children"), Output("import-result", "children"),
          Input("import-sources", "data"), prevent_initial_call=True)
def check(paths: list[str] | None):
    lang = current_lang()
    if not paths:
        return no_update, no_update, True, True, no_update, no_update
    job = context().jobs.start("validate", lambda progress: _validation_job(paths), only_latest=True)
    listing = html.P(t("imports.chosen", lang, names=", ".join(Path(p).name for p in paths)), id="import-chosen")
    return listing, {"id": job.id, "kind": "validate"}, False, True, dbc.Spinner(html.P(t("imports.validating", lang)), size="sm"), None


@callback(Output("import-job", "data", allow_duplicate=True), Output("import-poll", "disabled", allow_duplicate=True),
          Output("import-start", "disabled", allow_duplicate=True), Output("import-progress-box", "hidden"),
          Input("import-start", "n_clicks"), State("import-job", "data"), prevent_initial_call=True)
def start(_clicks: int, job_ref: dict | None):
    validated = context().jobs.take(job_ref["id"]) if job_ref and job_ref["kind"] == "validate" else None
    if not isinstance(validated, Validated):
        return no_update, True, True, True
    job = context().jobs.start("import", lambda progress: _import_job(validated, progress))
    return {"id": job.id, "kind": "import"}, False, True, False


@callback(Output("import-progress", "value"), Output("import-progress", "label"), Output("import-status", "children"),
          Output("import-poll", "disabled", allow_duplicate=True), Output("import-start", "disabled", allow_duplicate=True),
          Output("import-report", "children", allow_duplicate=True), Output("import-result", "children", allow_duplicate=True),
          Input("import-poll", "n_intervals"), State("import-job", "data"), prevent_initial_call=True)
def poll(_n: int, job_ref: dict | None):
    lang = current_lang()
    job = context().jobs.get(job_ref["id"] if job_ref else None)
    if job is None:
        return 0, "", "", True, no_update, no_update, no_update
    snap = job.snapshot()
    if snap["state"] == "running":
        low, high = STAGES.get(snap["stage"], (0, 0))
        value = round(low + (high - low) * snap["done"] / snap["total"]) if snap["total"] else low
        stage = t(f"imports.stage_{snap['stage']}", lang, done=snap["done"], total=snap["total"]) \
            if snap["stage"] in STAGES else t("imports.stage_start", lang)
        return value, f"{value} %", stage, False, True, no_update, no_update
    if snap["state"] == "failed":
        failure = dbc.Alert(t("imports.failed", lang, error=snap["error"]), color="danger", id="import-failure")
        return 0, "", "", True, True, None, failure
    if job_ref["kind"] == "validate":
        report = job.result.report if isinstance(job.result, Validated) else job.result
        refused = not isinstance(job.result, Validated)
        return 0, "", "", True, refused, report_view({"report": report.to_dict(), "errors": refused}, lang), no_update
    return 100, "100 %", t("imports.finished", lang), True, True, no_update, summary_view(job.result, lang)


dash.register_page(__name__, path="/import", name="imports.nav", title=lambda **_: f'{t("imports.title")} — creditscore', order=3, layout=layout)
