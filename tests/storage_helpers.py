"""Helpers for the storage tests: store snapshots, a client's history, tables written as CSV files.
(The fixtures built on them are in conftest.py.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
from storage.store import ClientStore

SMALL_CLIENTS = 300


def snapshot(store: ClientStore) -> dict:
    """Every table's rows (in rowid order) and every file under imports/ with its SHA-256."""
    conn = store.db.conn
    names = [
        row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    rows = {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in names}
    files = {
        str(path.relative_to(store.imports)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(store.imports).rglob("*"))
        if path.is_file()
    }
    return {"rows": rows, "files": files, "entries": sorted(p.name for p in store.imports.iterdir())}


def history_of(tables: dict[str, pl.DataFrame], clients: pl.Series) -> dict[str, pl.DataFrame]:
    """The application rows of ``clients`` and all their history rows."""
    out = {}
    for name, frame in tables.items():
        if "SK_ID_CURR" in frame.columns:
            out[name] = frame.filter(pl.col("SK_ID_CURR").is_in(clients.implode()))
    if "bureau_balance" in tables:
        bureaus = out["bureau"]["SK_ID_BUREAU"].implode()
        out["bureau_balance"] = tables["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(bureaus))
    return out


def write_csvs(tables: dict[str, pl.DataFrame], folder: Path) -> Path:
    """One CSV per table, named as Kaggle names them (application as application_test.csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(folder / f"{'application_test' if name == 'application' else name}.csv")
    return folder
