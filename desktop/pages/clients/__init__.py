"""Prédiction (landing page): find a client, read its score, record the officer's decision.

The page lays out its pieces, each a module with its own callbacks: ``listing`` (filters, list, pager),
``detail`` (the chosen client), ``decision`` (the officer's decision), ``history`` (the decisions read back and
exported), ``selection`` (the chosen client, which travels as ``?client=<id>``).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from desktop.i18n import current_lang, t
from desktop.pages.clients import listing
from desktop.pages.clients.detail import detail
from desktop.pages.clients.history import export_control
from desktop.pages.clients.selection import client_id


def layout(client: str | None = None, **_query) -> html.Div:
    """The list on the left, the chosen client on the right (stacked on narrow windows)."""
    lang, selected = current_lang(), client_id(client)
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
                        html.Section([*listing.parts(lang), export_control()], **{"aria-label": t("clients.filters")}),
                        xl=7, className="mb-4",
                    ),
                    dbc.Col(
                        dbc.Card(dbc.CardBody(detail(selected), id="client-detail"), className="client-card"),
                        xl=5, className="mb-4",
                    ),
                ]
            ),
        ]
    )


dash.register_page(__name__, path="/", name="clients.nav", title=lambda **_: f'{t("clients.title")} — creditscore', order=0, layout=layout)
