"""What an import holds, whatever its container: a digest of each table's decoded rows.

The same rows give the same digest whether they came from a CSV, a zipped CSV, a gzipped CSV or
Parquet, under any file name, and whether they are read from the files or back from the store:
the digest covers the engine schema's columns (labels such as ``TARGET`` left out) that hold at
least one value, in name order, each as its nulls and its values in a fixed binary form, rows in
file order. It is recorded per batch and table (``batch_contents``); an application table whose
digest is already there is a re-import.
"""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np
import polars as pl

from engine.schema import tables
from storage.migrations import quote


#: Rows of a column turned into bytes at a time: a whole column of the largest table (millions of rows)
#: cast to its schema type and filled would be hundreds of MB beside the import's frames. A multiple of 8,
#: so that the null bits packed slice by slice are those of the whole column.
SLICE_ROWS = 1 << 20


def table_digest(name: str, frame: pl.DataFrame) -> str:
    """SHA-256 of the rows of table ``name`` (see the module docstring)."""
    spec = tables()[name]
    digest = hashlib.sha256(f"{name}\n{frame.height}\n".encode())
    for column in sorted(c for c in frame.columns if c in spec.columns and c not in spec.labels):
        held, dtype = frame[column], spec.columns[column].dtype  # typed as the schema types it, however it was held
        if held.null_count() == held.len():
            continue
        digest.update(f"{column}:{dtype}\n".encode())
        for part in _slices(held):
            digest.update(np.packbits(part.is_null().to_numpy()).tobytes())
        if dtype == pl.String:
            for part in _slices(held):
                digest.update(part.cast(dtype).fill_null("").str.len_bytes().to_numpy().astype("<u8").tobytes())
            for part in _slices(held):
                digest.update(part.cast(dtype).fill_null("").str.join("").item().encode("utf-8"))
        else:
            for part in _slices(held):
                values = part.cast(dtype).fill_null(0).to_numpy()
                digest.update(values.astype(values.dtype.newbyteorder("<"), copy=False).view(np.uint8))  # no copy
    return digest.hexdigest()


def _slices(series: pl.Series) -> list[pl.Series]:
    """``series`` in slices of :data:`SLICE_ROWS` rows (views, not copies)."""
    return [series.slice(start, SLICE_ROWS) for start in range(0, series.len(), SLICE_ROWS)]


def stored_frame(conn: sqlite3.Connection, name: str, batch_id: int) -> pl.DataFrame:
    """The batch's rows of table ``name`` as the engine's readers type them (labels left out)."""
    spec = tables()[name]
    schema = {c: col.dtype for c, col in spec.columns.items() if c not in spec.labels}
    sql = f"SELECT {', '.join(map(quote, schema))} FROM {quote(name)} WHERE batch_id = ? ORDER BY rowid"
    return pl.DataFrame(conn.execute(sql, (batch_id,)).fetchall(), schema=schema, orient="row")
