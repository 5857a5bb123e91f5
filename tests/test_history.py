"""storage.history: the history tables kept as blobs per batch, table and chunk of clients — read back
as imported, written in the import's transaction only, converted from stores that kept them as rows."""

from __future__ import annotations

import json

import polars as pl
import pytest
from sqlite_utils import Database
from storage_helpers import history_of, write_csvs

from storage import history, importer, writer
from storage.batch_tables import batch_tables
from storage.client_tables import client_tables
from storage.history import HISTORY_TABLES
from storage.importer import import_files
from storage.migrations import migrations, quote
from storage.paths import DATABASE_FILE
from storage.store import ClientStore

#: Small chunks, so that the 300 clients of ``small_batch`` span several blobs per table.
CHUNK = 64


@pytest.fixture(scope="module")
def chunked(tmp_path_factory, scorer, small_batch):
    """``small_batch`` imported with blobs of :data:`CHUNK` clients and features of 70 clients at a time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(history, "CHUNK_CLIENTS", CHUNK)
        patch.setattr(importer, "SCORE_CHUNK", 70)
        store = ClientStore(tmp_path_factory.mktemp("home"))
        import_files(store, [small_batch], scorer)
    yield store
    store.close()


def supplied(tables: dict[str, pl.DataFrame]) -> list[str]:
    """The history tables among ``tables`` (the demo batch has no installments), in store order."""
    return [name for name in HISTORY_TABLES if name in tables]


def same_rows(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    """The same rows, in any order."""
    return a.columns == b.columns and a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True))


def test_each_clients_history_reads_back_as_imported_in_file_order(chunked, small_tables):
    ids = small_tables["application"]["SK_ID_CURR"]
    busiest = small_tables["POS_CASH_balance"]["SK_ID_CURR"].mode().to_list()
    for sk_id in {*ids.head(CHUNK + 2).to_list(), *ids.tail(3).to_list(), *busiest}:  # across chunk ends
        expected = history_of(small_tables, pl.Series([sk_id]))
        found = client_tables(chunked, sk_id)
        assert list(found) == ["application", *supplied(small_tables)]
        for name in supplied(small_tables):
            assert found[name].equals(expected[name]), (sk_id, name)
    blobs = chunked.db.execute("SELECT table_name, COUNT(*), SUM(rows) FROM history GROUP BY table_name").fetchall()
    assert {name: (count > 1, rows) for name, count, rows in blobs} == {
        name: (True, small_tables[name].height) for name in supplied(small_tables)
    }


def test_a_batch_reads_back_as_imported_and_scores_as_when_imported(chunked, small_tables, scorer):
    frames = batch_tables(chunked, 1)
    assert list(frames) == ["application", *supplied(small_tables)]
    for name in supplied(small_tables):
        assert same_rows(frames[name], small_tables[name]), name
    direct = scorer.score(scorer.features(small_tables))
    stored = dict(chunked.db.execute('SELECT "SK_ID_CURR", pd FROM scores WHERE batch_id = 1').fetchall())
    assert {s.sk_id_curr: s.pd for s in direct} == pytest.approx(stored, rel=1e-12)  # chunks change nothing
    assert chunked.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_no_rows_in_a_table_reads_empty_and_a_table_not_supplied_is_absent(tmp_path, scorer, small_tables):
    app = small_tables["application"].head(10)
    without = app["SK_ID_CURR"][3]  # a client with no bureau rows
    bureau = small_tables["bureau"].filter(pl.col("SK_ID_CURR").is_in(app["SK_ID_CURR"].implode()))
    bureau = bureau.filter(pl.col("SK_ID_CURR") != without)
    folder = write_csvs({"application": app, "bureau": bureau, "previous_application": small_tables[
        "previous_application"].head(0)}, tmp_path / "in")
    store = ClientStore(tmp_path / "home")
    import_files(store, [folder], scorer)
    found = client_tables(store, without)
    assert list(found) == ["application", "bureau", "previous_application"]  # not supplied: absent
    assert found["bureau"].height == 0 and found["bureau"].schema == small_tables["bureau"].schema
    assert found["previous_application"].height == 0
    other = app["SK_ID_CURR"][0]
    assert client_tables(store, other)["bureau"].equals(bureau.filter(pl.col("SK_ID_CURR") == other))
    assert set(batch_tables(store, 1)) == {"application", "bureau"}  # a table without rows: as the readers
    assert store.db.execute("SELECT DISTINCT table_name FROM history").fetchall() == [("bureau",)]


def test_a_failed_import_leaves_no_blob(tmp_path, scorer, small_batch, monkeypatch):
    store = ClientStore(tmp_path / "home")
    real = writer._insert_frame

    def failing(conn, table, *args):
        if table == "scores":  # after the blobs went in
            assert conn.execute("SELECT COUNT(*) FROM history").fetchone()[0] > 0
            raise OSError("disk full")
        return real(conn, table, *args)

    monkeypatch.setattr(writer, "_insert_frame", failing)
    with pytest.raises(OSError, match="disk full"):
        import_files(store, [small_batch], scorer)
    assert store.db.execute("SELECT COUNT(*) FROM history").fetchone()[0] == 0
    assert store.is_empty()


def _row_stored(path, tables: dict[str, pl.DataFrame]) -> None:
    """A store as the app before m011 left it: one batch of ``tables`` with its history as SQL rows."""
    old = Database(path)
    migrations.apply(old, stop_before="m011_history_blobs")
    ids = tables["application"]["SK_ID_CURR"].to_list()
    counts = {name: frame.height for name, frame in tables.items()}
    conn = old.conn
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO batches VALUES (1, 'import', 'imported', '2026-01-02T10:00:00+00:00', "
        "'2026-01-02T10:01:00+00:00', 'alice', 'b0', ?, ?, ?, '{}')",
        (len(ids), len(ids), json.dumps({"read": counts, "stored": counts})),
    )
    conn.executemany("INSERT INTO clients VALUES (?, 1, 1, ?)", [(sk, i + 1) for i, sk in enumerate(ids)])
    conn.executemany(
        "INSERT INTO scores (id, \"SK_ID_CURR\", batch_id, bundle_id, pd, decision, grade, points, reasons, scored_at)"
        " VALUES (?, ?, 1, 'b0', 0.1, 'accept', 'B', 700, '{\"against\": [], \"for\": []}', '2026-01-02')",
        [(i + 1, sk) for i, sk in enumerate(ids)],
    )
    for name, frame in tables.items():
        frame = frame.drop("TARGET", strict=False).with_columns(batch_id=pl.lit(1))
        marks = ", ".join("?" * frame.width)
        conn.executemany(f"INSERT INTO {quote(name)} ({', '.join(map(quote, frame.columns))}) VALUES ({marks})",
                         frame.rows())
    conn.execute("COMMIT")
    old.close()


def test_a_store_with_history_rows_is_migrated_keeping_every_row(tmp_path, small_tables, monkeypatch):
    _row_stored(tmp_path / DATABASE_FILE, small_tables)
    monkeypatch.setattr(history, "CHUNK_CLIENTS", CHUNK)
    store = ClientStore(tmp_path)
    assert not set(HISTORY_TABLES) & set(store.db.table_names())  # the row tables are gone
    frames = batch_tables(store, 1)
    for name in supplied(small_tables):
        assert same_rows(frames[name], small_tables[name]), name
    for sk_id in small_tables["application"]["SK_ID_CURR"].gather([0, CHUNK - 1, CHUNK, 299]).to_list():
        expected, found = history_of(small_tables, pl.Series([sk_id])), client_tables(store, sk_id)
        assert all(found[name].equals(expected[name]) for name in supplied(small_tables)), sk_id
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
