"""A batch's history tables stored in bulk: one compressed Arrow IPC blob per table and chunk of clients.

The six history tables of an import hold ~126 rows per client; stored row by row they were most of
an import's time (bench/RESULTS-import.md). They are kept instead in the ``history`` table: for each
batch and table, the rows of each run of :data:`CHUNK_CLIENTS` consecutive clients of the batch (by
``SK_ID_CURR``) as one Arrow IPC file compressed with zstd, written by Polars at C speed, with the
chunk's first and last client (the client → chunk index). ``bureau_balance`` rows carry the
``SK_ID_CURR`` of their credit (from ``bureau``) so that they are found by client too. Within a
blob, a client's rows keep their order in the file; a chunk without rows in a table has no blob.

The blobs are inserted in the import's own transaction (:mod:`storage.writer`): a failed import
leaves none. Reading one client's table reads one blob (:func:`client_history`); reading a batch's
table reads them all (:func:`batch_history`).
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.schema import TABLE_NAMES, tables

#: Clients per blob: reading one client decodes the rows of this many (about 1 ms per table).
CHUNK_CLIENTS = 500
#: The history tables (every table but ``application``, which stays one SQL row per client).
HISTORY_TABLES: tuple[str, ...] = tuple(name for name in TABLE_NAMES if name != "application")
#: How the blobs are compressed (Arrow IPC's zstd: about 4× smaller than the rows, fast to read).
COMPRESSION = "zstd"


@dataclass(frozen=True)
class Chunk:
    """One blob of the ``history`` table (without its batch)."""

    table: str
    first_client: int
    last_client: int
    rows: int
    data: bytes


def columns(name: str) -> dict[str, pl.DataType]:
    """The columns a blob of table ``name`` holds, typed per the engine schema (labels left out;
    ``bureau_balance`` with its credit's ``SK_ID_CURR``, last: it is added to the rows as read)."""
    spec = tables()[name]
    schema = {c: column.dtype for c, column in spec.columns.items() if c not in spec.labels}
    return schema if "SK_ID_CURR" in schema else {**schema, "SK_ID_CURR": pl.Int64}


def _typed(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly the blob columns of ``name`` (absent ones null), in schema order; ``frame``
    itself when it has them (a select would copy columns whose chunks differ, such as an added one)."""
    if list(frame.schema.items()) == list(columns(name).items()):
        return frame
    return frame.select(
        pl.col(c).cast(dtype) if c in frame.columns else pl.lit(None, dtype=dtype).alias(c)
        for c, dtype in columns(name).items()
    )


@dataclass(frozen=True)
class Runs:
    """A history table's rows by run of clients, not copied: the table as validated (compact types: typed
    per piece, see :func:`take`), its rows' order by client (a client's rows in file order) and where each run begins in that order."""

    name: str
    frame: pl.DataFrame
    order: pl.Series
    starts: list[int]  # one per run, then the number of rows

    def piece(self, i: int) -> pl.DataFrame:
        """The rows of run ``i``, by client (a copy of those rows only)."""
        return self.frame[self.order.slice(self.starts[i], self.starts[i + 1] - self.starts[i])]


def split(frames: dict[str, pl.DataFrame], firsts: np.ndarray) -> dict[str, Runs]:
    """Take the history tables out of ``frames`` as :class:`Runs` of clients: run i holds the clients
    from ``firsts[i]`` (sorted) to the next run's first. ``bureau_balance`` gains the client of its
    credit (its first bureau row's) as a new column, the others shared: nothing is held twice."""
    bureau = frames.get("bureau", pl.DataFrame(schema={"SK_ID_BUREAU": pl.Int64, "SK_ID_CURR": pl.Int64}))
    owners = bureau.select("SK_ID_BUREAU", "SK_ID_CURR").unique("SK_ID_BUREAU", keep="first")
    out = {}
    for name in [name for name in HISTORY_TABLES if name in frames]:
        frame = frames.pop(name)
        if name == "bureau_balance":
            # A join on the key alone: 8x less CPU than ``replace_strict`` over the table's millions of rows.
            client = frame.select("SK_ID_BUREAU").join(owners, on="SK_ID_BUREAU", how="left", maintain_order="left")
            frame = frame.with_columns(client["SK_ID_CURR"])
        order = frame.select(pl.arg_sort_by("SK_ID_CURR", maintain_order=True)).to_series()
        starts = np.searchsorted(frame["SK_ID_CURR"].gather(order).to_numpy(), firsts).tolist()
        out[name] = Runs(name, frame, order, [*starts, frame.height])
    return out


def take(runs: dict[str, Runs], i: int, bounds: np.ndarray) -> tuple[dict[str, pl.DataFrame], list[Chunk]]:
    """Run ``i`` of every table of :func:`split`: its rows typed per the engine schema (the validated
    frames keep text as categories and whole numbers as small integers), by client, and its blobs, one per chunk of clients of ``bounds`` (the chunks of the run)."""
    tables, blobs = {}, []
    for name, table in runs.items():
        frame = _typed(name, table.piece(i))
        blobs += encode(name, frame, bounds)
        tables[name] = as_read(name, frame)
    return tables, blobs


def chunk_bounds(clients: pl.Series) -> np.ndarray:
    """(first, last) client of each chunk of :data:`CHUNK_CLIENTS` of the batch's clients (rows × 2)."""
    ids = np.unique(clients.to_numpy())
    if not ids.size:
        return np.empty((0, 2), dtype=np.int64)
    firsts = ids[::CHUNK_CLIENTS]
    lasts = np.append(ids[CHUNK_CLIENTS - 1 :: CHUNK_CLIENTS], ids[-1])[: firsts.size]
    return np.column_stack([firsts, lasts]).astype(np.int64)


def encode(name: str, frame: pl.DataFrame, bounds: np.ndarray) -> Iterator[Chunk]:
    """The blobs of one table's rows sorted by client (:meth:`Runs.piece`), one per chunk with rows."""
    ids = frame["SK_ID_CURR"].to_numpy()
    starts = np.searchsorted(ids, bounds[:, 0], side="left")
    ends = np.searchsorted(ids, bounds[:, 1], side="right")
    for (first, last), start, end in zip(bounds.tolist(), starts.tolist(), ends.tolist()):
        if end > start:
            buffer = io.BytesIO()
            frame.slice(start, end - start).write_ipc(buffer, compression=COMPRESSION)
            yield Chunk(name, first, last, end - start, buffer.getvalue())


def insert_chunks(conn: sqlite3.Connection, batch_id: int, chunks: Iterable[Chunk]) -> None:
    """Insert blobs of one batch (in the caller's transaction)."""
    conn.executemany(
        "INSERT INTO history (batch_id, table_name, first_client, last_client, rows, data) VALUES (?, ?, ?, ?, ?, ?)",
        ((batch_id, c.table, c.first_client, c.last_client, c.rows, c.data) for c in chunks),
    )


def _decoded(name: str, blobs: list[bytes]) -> pl.DataFrame:
    frames = [pl.read_ipc(io.BytesIO(blob)) for blob in blobs]
    return pl.concat(frames) if frames else pl.DataFrame(schema=columns(name))


def as_read(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Rows as the engine's readers type them (``bureau_balance`` without its client)."""
    return frame.drop("SK_ID_CURR") if name == "bureau_balance" else frame


def client_history(conn: sqlite3.Connection, batch_id: int, name: str, sk_id_curr: int) -> pl.DataFrame:
    """The client's rows of table ``name`` in the batch (empty if it has none), as the readers type them."""
    blob = conn.execute(
        """SELECT data FROM history WHERE rowid = (
             SELECT rowid FROM history WHERE batch_id = ? AND table_name = ? AND first_client <= ?
             ORDER BY first_client DESC LIMIT 1) AND last_client >= ?""",
        (batch_id, name, sk_id_curr, sk_id_curr),
    ).fetchone()
    frame = _decoded(name, [] if blob is None else [blob[0]])
    return as_read(name, frame.filter(pl.col("SK_ID_CURR") == sk_id_curr))


def batch_history(conn: sqlite3.Connection, batch_id: int, name: str) -> pl.DataFrame:
    """Every row of table ``name`` in the batch, by client, as the readers type them."""
    blobs = [row[0] for row in conn.execute(
        "SELECT data FROM history WHERE batch_id = ? AND table_name = ? ORDER BY first_client", (batch_id, name)
    )]
    return as_read(name, _decoded(name, blobs))
