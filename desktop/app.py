"""The Dash application: shell (navigation, language), pages from ``desktop/pages``, the local API.

Everything is served from this process: Dash's own scripts (``serve_locally``), plotly.js, and
``resources/assets`` (Bootstrap CSS, the app's stylesheet); no page loads anything from elsewhere.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, clientside_callback, dcc, html
from flask import redirect, request

from desktop import i18n
from desktop.body_limits import BodyLimit
from desktop.context import AppContext, context, set_context
from desktop.csp import install_csp
from desktop.i18n import t
from desktop.security import install_token_guard, local_path
from desktop.store_check import notice
from engine.resources import resources_dir

log = logging.getLogger(__name__)


class LocalisedDash(Dash):
    """Dash whose first HTML already speaks the display language: ``<html lang>`` (WCAG 3.1.1) and the
    text shown while the scripts load."""

    def interpolate_index(self, **kwargs) -> str:
        loading = f'<div id="react-entry-point"><div class="_dash-loading" role="status">{t("common.loading")}</div></div>'
        page = super().interpolate_index(**{**kwargs, "app_entry": loading})
        return page.replace("<html>", f'<html lang="{i18n.current_lang()}">', 1)


def _language_switch() -> html.A:
    other = "en" if i18n.current_lang() == "fr" else "fr"
    return html.A(
        t("common.switch_language"),
        href=f"/lang/{other}",
        id="language-switch",
        lang=other,
        title=t("common.switch_language_label"),
        className="btn btn-outline-light btn-sm",
    )


def shell() -> html.Div:
    """The frame around every page, built per request in the user's language."""
    lang = i18n.current_lang()
    links = [
        dbc.NavItem(dbc.NavLink(t(page["name"]), href=page["relative_path"], active="exact", id=f"nav-{page['module'].rsplit('.', 1)[-1]}"))
        for page in dash.page_registry.values()
    ]
    navbar = dbc.Navbar(
        dbc.Container(
            [
                html.A(html.Span(t("common.app_name"), className="navbar-brand fw-bold"), href="/"),
                html.Button(  # not dbc.NavbarToggler: its button is named in English only
                    html.Span(className="navbar-toggler-icon"), id="nav-toggle", type="button", n_clicks=0, className="navbar-toggler",
                    **{"aria-controls": "nav-menu", "aria-expanded": "false", "aria-label": t("common.menu")},
                ),
                dbc.Collapse(
                    [
                        html.Nav(dbc.Nav(links, navbar=True), className="me-auto", **{"aria-label": t("common.nav_label")}),
                        _language_switch(),
                    ],
                    id="nav-menu", is_open=False, navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="md",  # below 768 px (a 1280 px window at 200 % zoom) the menu folds behind its button
        className="mb-3",
    )
    return html.Div(
        [
            html.A(t("common.skip_link"), href="#main", className="visually-hidden-focusable skip-link"),
            dcc.Location(id="url"),
            html.Header(navbar),
            notice(),
            _demo_notice(),
            html.Main(dash.page_container, id="main", tabIndex="-1", className="container-fluid px-4"),
        ],
        lang=lang,
    )


def _demo_notice() -> dbc.Alert | None:
    """While the officer's store is empty the pages show the demo clients, from their own store: said on every page."""
    if not context().demo:
        return None
    return dbc.Alert([html.Strong(t("common.demo_mode")), " : " if i18n.current_lang() == "fr" else ": ",
                      t("common.demo_mode_explained")], color="info", id="demo-mode", className="mx-4 py-2")


# The folded menu opens and closes in the browser, its button saying which.
clientside_callback(
    """function (clicks, open) {
        const next = clicks > 0 ? !open : open;
        return [next, String(next)];
    }""",
    Output("nav-menu", "is_open"),
    Output("nav-toggle", "aria-expanded"),
    Input("nav-toggle", "n_clicks"),
    State("nav-menu", "is_open"),
    prevent_initial_call=True,
)


def _install_language_route(server) -> None:
    @server.route("/lang/<code>")
    def set_language(code: str):
        parts = urlsplit(request.referrer or "/")
        response = redirect(local_path(parts.path) + (f"?{parts.query}" if parts.query else ""))  # stay on this server
        if code in i18n.LANGS:
            response.set_cookie(i18n.LANG_COOKIE, code, samesite="Strict", max_age=3600 * 24 * 365)
            _keep_language(code)
        return response


def _keep_language(code: str) -> None:
    """The language chosen, kept in the settings too: the command speaks it by default."""
    from storage.paths import StoreError, settings_file
    from storage.settings import save_lang

    try:
        save_lang(settings_file(context().home), code)
    except (OSError, StoreError) as error:  # the cookie still switches the app
        log.warning("language %s not kept in the settings: %s", code, error)


def create_app(ctx: AppContext) -> Dash:
    """Build the app for one launch (one per process: Dash pages register globally)."""
    set_context(ctx)
    app = LocalisedDash(
        __name__,
        use_pages=True,
        pages_folder="",  # the pages are imported below: a packaged app has no folder of page files
        assets_folder=str(resources_dir() / "assets"),
        serve_locally=True,
        title="creditscore",
        update_title=None,
        suppress_callback_exceptions=True,
    )
    from desktop.pages import clients, drift, imports, interpretation, model  # noqa: F401 - each registers its page

    app.layout = shell
    install_token_guard(app.server, ctx.token)
    app.server.wsgi_app = BodyLimit(app.server.wsgi_app)
    install_csp(app)
    _install_language_route(app.server)
    from desktop.api import api_blueprint
    from desktop.memo import install_memo_route

    app.server.register_blueprint(api_blueprint())
    install_memo_route(app.server)
    return app
