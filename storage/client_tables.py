"""What the client pages read from the store: one client's tables as imported.

``client_tables`` rebuilds the input the client was scored from: the application row and the
history rows stored with the batch of its latest score (``bureau_balance`` through the client's
bureau rows), typed per ``engine.schema``, for every table that batch supplied (a table without
rows for the client stays, empty: the client has no such history, which scores otherwise than a
table not supplied). Lists of clients are ``storage.client_query``'s.
"""

from __future__ import annotations

import logging

import polars as pl

from engine.schema import TABLE_NAMES, tables
from storage.batch_tables import batch_supplied
from storage.migrations import quote
from storage.store import ClientStore

log = logging.getLogger(__name__)


def _batch_of(store: ClientStore, sk_id_curr: int) -> int | None:
    row = store.db.conn.execute(
        'SELECT s.batch_id FROM clients c JOIN scores s ON s.id = c.latest_score_id WHERE c."SK_ID_CURR" = ?',
        (sk_id_curr,),
    ).fetchone()
    return None if row is None else row[0]


def _rows(store: ClientStore, name: str, where: str, params: tuple) -> pl.DataFrame:
    """Rows of one stored table, typed per the engine schema (without ``batch_id``)."""
    spec = tables()[name]
    columns = spec.input_columns([])  # the label (TARGET) is no input
    sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(name)} WHERE {where}"
    rows = store.db.conn.execute(sql, params).fetchall()
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
    found: dict[str, pl.DataFrame] = {}
    for name in (name for name in TABLE_NAMES if name in supplied):
        if name == "bureau_balance":
            bureaus = found.get("bureau")
            ids = [] if bureaus is None else bureaus["SK_ID_BUREAU"].to_list()
            marks = ", ".join("?" * len(ids))
            found[name] = _rows(store, name, f'batch_id = ? AND "SK_ID_BUREAU" IN ({marks})', (batch, *ids))
        else:
            found[name] = _rows(store, name, 'batch_id = ? AND "SK_ID_CURR" = ?', (batch, sk_id_curr))
    return found
