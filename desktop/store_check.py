"""The store's integrity check at start, in the background, and the notice every page shows if it fails.

:func:`start_check` runs ``PRAGMA quick_check`` in a job as the app starts; :func:`notice` is the
(initially empty) place in the page frame where a damaged store is said in words, FR or EN: a poll
fills it once the check has found a fault, then stops.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from desktop.context import AppContext, context
from desktop.i18n import current_lang, t
from desktop.jobs import Job
from storage.faults import StoreFault

JOB = "integrity"
POLL_MS = 1500


def start_check(ctx: AppContext) -> Job:
    """Check the store in the background; the job's result is None, or the fault found."""
    return ctx.jobs.start(JOB, lambda _progress: _fault(ctx))


def _fault(ctx: AppContext) -> dict | None:
    try:
        ctx.store.check_integrity()
    except StoreFault as fault:
        return {"kind": fault.kind, "path": str(fault.path)}
    return None


def notice() -> html.Div:
    return html.Div([html.Div(id="store-notice"), dcc.Interval(id="store-notice-poll", interval=POLL_MS)])


@callback(Output("store-notice", "children"), Output("store-notice-poll", "disabled"),
          Input("store-notice-poll", "n_intervals"))
def _show(_n: int):
    job = context().jobs.latest(JOB)
    if job is None or job.state == "running":
        return None, False
    if job.state == "failed" or job.result is None:  # a check that could not run is in the log
        return None, True
    fault = job.result
    text = t(f"startup.store_{fault['kind']}_now", current_lang(), path=fault["path"])
    return dbc.Alert(text, color="danger", id="store-fault", className="mx-4"), True
