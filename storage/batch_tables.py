"""A stored batch's tables as the engine's readers typed them, read back from the store.

Every application row carries the ``batch_id`` of the import that brought it, and the history
tables are kept per batch (``storage.history``), so a batch's tables are exactly what was scored when
it was imported (labels such as ``TARGET`` left out; history rows by client). Tables the import did not hold are absent from the result, as with the readers.
"""

from __future__ import annotations

import logging

import polars as pl

from storage.content import stored_frame
from storage.history import HISTORY_TABLES, batch_history
from storage.paths import StoreError
from storage.store import ClientStore, supplied_tables

log = logging.getLogger(__name__)


def batch_exists(store: ClientStore, batch_id: int) -> bool:
    return store.db.conn.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone() is not None


def batch_supplied(store: ClientStore, batch_id: int) -> frozenset[str]:
    """The tables the batch's import supplied (a table without rows is still supplied); StoreError
    if no such batch."""
    row = store.db.conn.execute("SELECT row_counts FROM batches WHERE id = ?", (batch_id,)).fetchone()
    if row is None:
        raise StoreError("no_batch", batch=batch_id)
    return frozenset(supplied_tables(row[0]))


def batch_tables(store: ClientStore, batch_id: int) -> dict[str, pl.DataFrame]:
    """The batch's rows of each table it holds (application first); StoreError if no such batch."""
    if not batch_exists(store, batch_id):
        raise StoreError("no_batch", batch=batch_id)
    frames: dict[str, pl.DataFrame] = {"application": stored_frame(store.db.conn, "application", batch_id)}
    for name in HISTORY_TABLES:
        frame = batch_history(store.db.conn, batch_id, name)
        if frame.height:
            frames[name] = frame
    log.debug("batch %d: %s", batch_id, {name: frame.height for name, frame in frames.items()})
    return frames


def batch_pd(store: ClientStore, batch_id: int) -> pl.DataFrame:
    """``SK_ID_CURR``, ``PD``, ``BUNDLE`` and ``MODEL`` of the scores the batch's import gave."""
    rows = store.db.conn.execute(
        'SELECT "SK_ID_CURR", pd, bundle_id, model FROM scores WHERE batch_id = ? ORDER BY "SK_ID_CURR"',
        (batch_id,),
    ).fetchall()
    schema = {"SK_ID_CURR": pl.Int64, "PD": pl.Float64, "BUNDLE": pl.String, "MODEL": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")
