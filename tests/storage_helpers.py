"""Helpers for the storage tests: store snapshots, a client's history, tables written as CSV files, files
with a cell changed, and a refused import's check. (The fixtures built on them are in conftest.py.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
from engine.readers import InputError
from storage.importer import import_files
from storage.store import ClientStore
from storage.validation import ImportRefused

SMALL_CLIENTS = 300
APP = "application_test.csv"


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


def app_lines(frame: pl.DataFrame, **options) -> list[str]:
    return frame.write_csv(**options).splitlines()


def field_index(lines: list[str], column: str, separator: str = ",") -> int:
    return lines[0].split(separator).index(column)


def set_cell(lines: list[str], line: int, column: str, value: str, separator: str = ",") -> list[str]:
    """``lines`` with the cell of ``column`` on spreadsheet line ``line`` (header = 1) replaced."""
    cells = lines[line - 1].split(separator)
    cells[field_index(lines, column, separator)] = value
    return [*lines[: line - 1], separator.join(cells), *lines[line:]]


def write(path: Path, content: str | bytes | list[str]) -> Path:
    if isinstance(content, list):
        content = "\n".join(content) + "\n"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def assert_refused(store: ClientStore, files: list[Path], scorer, file, column, row, words) -> InputError:
    before = snapshot(store)
    with pytest.raises(ImportRefused) as caught:
        import_files(store, files, scorer)
    errors = caught.value.report.errors
    assert any(
        p.file == file and p.column == column and p.row == row and words in p.message for p in errors
    ), errors
    assert words in str(caught.value)
    assert snapshot(store) == before
    return caught.value
