"""What the client pages read from the store: one client's tables as imported.

``client_tables`` rebuilds the input the client was scored from: the application row and the
history rows stored with the batch of its latest score (one blob per table: ``storage.history``),
typed per ``engine.schema``, for every table that batch supplied (a table without
rows for the client stays, empty: the client has no such history, which scores otherwise than a
table not supplied). Lists of clients are ``storage.client_query``'s.
"""

from __future__ import annotations

import logging

import polars as pl

from engine.schema import tables
from storage.batch_tables import batch_supplied
from storage.history import HISTORY_TABLES, client_history
from storage.migrations import quote
from storage.store import ClientStore

log = logging.getLogger(__name__)


def _batch_of(store: ClientStore, sk_id_curr: int) -> int | None:
    row = store.db.conn.execute(
        'SELECT s.batch_id FROM clients c JOIN scores s ON s.id = c.latest_score_id WHERE c."SK_ID_CURR" = ?',
        (sk_id_curr,),
    ).fetchone()
    return None if row is None else row[0]


def _application(store: ClientStore, batch: int, sk_id_curr: int) -> pl.DataFrame:
    """The client's application row of the batch, typed per the engine schema (without ``batch_id``)."""
    spec = tables()["application"]
    columns = spec.input_columns([])  # the label (TARGET) is no input
    sql = f'SELECT {", ".join(map(quote, columns))} FROM application WHERE batch_id = ? AND "SK_ID_CURR" = ?'
    rows = store.db.conn.execute(sql, (batch, sk_id_curr)).fetchall()
    return pl.DataFrame(rows, schema={c: spec.columns[c].dtype for c in columns}, orient="row")


def client_tables(store: ClientStore, sk_id_curr: int) -> dict[str, pl.DataFrame]:
    """The client's application row and history rows from the batch of its latest score, one frame
    per table that batch supplied (empty where the client has no rows).

    Raises ``KeyError`` for a client the store does not hold.
    """
    batch = _batch_of(store, sk_id_curr)
    if batch is None:
        raise KeyError(sk_id_curr)
    supplied = batch_supplied(store, batch)
    found = {"application": _application(store, batch, sk_id_curr)}
    for name in (name for name in HISTORY_TABLES if name in supplied):
        found[name] = client_history(store.db.conn, batch, name, sk_id_curr)
    return found
