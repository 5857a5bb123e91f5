"""storage.importer: importing again — the same file reported, not duplicated; a known client scored
anew with their history kept; the re-import check made once, under the write lock."""

from __future__ import annotations

import polars as pl
import pytest

from storage import writer
from storage.importer import import_files
from storage.store import ClientStore
from storage.writer import DuplicateImport
from storage_helpers import APP, app_lines, snapshot, write


def test_reimporting_the_same_file_is_reported_not_duplicated(imported_store, scorer, small_batch):
    before = snapshot(imported_store)
    with pytest.raises(DuplicateImport) as caught:
        import_files(imported_store, [small_batch / APP], scorer)
    assert (
        caught.value.batches == [1] and "already imported" in str(caught.value) and APP in str(caught.value)
    )
    assert snapshot(imported_store) == before


def test_known_client_gets_a_new_score_and_history_is_kept(tmp_path, scorer, small_tables, small_batch):
    store = ClientStore(tmp_path / "home")
    first = import_files(store, [small_batch], scorer)
    again = small_tables["application"].head(5).with_columns(pl.col("AMT_INCOME_TOTAL") * 2)
    second = import_files(store, [write(tmp_path / APP, app_lines(again))], scorer)
    assert (second.clients, second.new_clients) == (5, 0)
    sk_id = again["SK_ID_CURR"][0]
    client = store.client(sk_id)
    assert client.first_batch_id == first.batch_id and client.last_batch_id == second.batch_id
    assert client.score.batch_id == second.batch_id
    assert client.application["AMT_INCOME_TOTAL"] == again["AMT_INCOME_TOTAL"][0]
    assert [s.batch_id for s in store.scores(sk_id)] == [second.batch_id, first.batch_id]
    count = store.db.execute('SELECT COUNT(*) FROM application WHERE "SK_ID_CURR" = ?', (sk_id,)).fetchone()[
        0
    ]
    assert count == 2 and store.find_clients().height == first.clients


def test_the_re_import_check_runs_once_under_the_write_lock(tmp_path, scorer, fresh_app, monkeypatch):
    calls = []
    check = writer.duplicates
    monkeypatch.setattr(writer, "duplicates", lambda store, rows: calls.append(store.db.conn.in_transaction)
                        or check(store, rows))
    import_files(ClientStore(tmp_path / "home"), [write(tmp_path / APP, app_lines(fresh_app))], scorer)
    assert calls == [True]
