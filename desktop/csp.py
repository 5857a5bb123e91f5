"""Content-Security-Policy of every response: the pages run only the app's own scripts, and a
drift report (built from client data) runs sandboxed, in an origin of its own, reaching nothing.

Pages: scripts from this server plus the inline scripts Dash writes into its index page, allowed
by their hashes (``Dash.csp_hashes``), never ``'unsafe-inline'``: no script that is not the app's
runs. ``'unsafe-eval'`` is allowed because pywebview's ``Window.evaluate_js`` — how the window
checks that a page is ready, and the self-check drives it, on every platform — wraps the code it
runs in ``eval``; it lets only script that already runs turn strings into code (neither Dash nor
Plotly evaluates data). Styles may be inline (Dash, Plotly and React set ``style`` attributes; a
style cannot run script).
Reports: Evidently's page inlines its scripts, so they are allowed inline, but the ``sandbox``
directive (without ``allow-same-origin``) gives the page an opaque origin — no cookie, no access
to the app's pages — and ``connect-src 'none'`` forbids every request, even when the report is
opened on its own in a tab rather than in the page's sandboxed iframe.
"""

from __future__ import annotations

from dash import Dash
from flask import Response

HEADER = "Content-Security-Policy"

_PAGE = {
    "default-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}

REPORT_POLICY = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'self'"
)

#: What the drift page's iframe allows the report: its scripts, in an opaque origin.
REPORT_SANDBOX = "allow-scripts"


def page_policy(script_hashes: list[str]) -> str:
    """The policy of the app's pages, scripts limited to this server and the hashed inline ones."""
    directives = {**_PAGE, "script-src": ["'self'", "'unsafe-eval'", *script_hashes]}
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install_csp(app: Dash) -> None:
    """Send a policy with every response that has none yet (the report route sets its own)."""

    @app.server.after_request
    def add_policy(response: Response) -> Response:
        if HEADER not in response.headers:
            response.headers[HEADER] = page_policy(list(app.csp_hashes()))
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
