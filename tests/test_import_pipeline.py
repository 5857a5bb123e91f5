"""The import's pipeline (issue 13): a batch scored and stored chunk by chunk, one chunk ahead, in one
transaction — the same scores, reasons, rows and blobs as the batch scored at once; nothing left by a
failure in a late chunk; the history split by run of clients without copies."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from storage_helpers import snapshot, write_csvs

from engine.scoring import Scorer
from storage import history, importer, writer
from storage.batch_tables import batch_tables
from storage.content import stored_frame, table_digest
from storage.history import HISTORY_TABLES, split
from storage.importer import import_files, import_validated
from storage.store import ClientStore
from storage.validation import validate

#: Blobs of 40 clients and chunks of two blobs: the 300 clients of ``small_batch`` make 4 chunks.
BLOB, CHUNK = 40, 80


@pytest.fixture
def chunked(monkeypatch):
    monkeypatch.setattr(history, "CHUNK_CLIENTS", BLOB)
    monkeypatch.setattr(importer, "SCORE_CHUNK", CHUNK)


def same_rows(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.columns == b.columns and a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True))


def test_a_batch_of_several_chunks_stores_the_scores_rows_and_blobs_of_the_batch_scored_at_once(
    tmp_path, scorer, small_tables, chunked
):
    small_tables = {**small_tables, "application": small_tables["application"].reverse()}  # not in client order
    store = ClientStore(tmp_path / "home")
    result = import_files(store, [write_csvs(small_tables, tmp_path / "batch")], scorer)
    clients = small_tables["application"].height
    assert result.clients == clients and -(-clients // CHUNK) >= 4

    whole = scorer.score(scorer.features(small_tables), supplied=frozenset(small_tables))
    stored = store.db.execute(
        'SELECT "SK_ID_CURR", pd, decision, grade, points, model, reasons FROM scores WHERE batch_id = ? ORDER BY "SK_ID_CURR"',
        (result.batch_id,)).fetchall()
    assert [row[0] for row in stored] == sorted(s.sk_id_curr for s in whole)
    for score, (sk_id, pd, decision, grade, points, model, reasons) in zip(sorted(whole, key=lambda s: s.sk_id_curr), stored):
        assert sk_id == score.sk_id_curr and abs(pd - score.pd) <= 1e-12
        assert (decision, grade, points, model) == (score.decision, score.grade, score.points, score.model)
        assert json.loads(reasons) == score.reasons()

    # The application rows in file order (what a rebuild and the digest read back), the history by blobs of BLOB clients.
    application = stored_frame(store.db.conn, "application", result.batch_id)
    assert application.equals(small_tables["application"].drop("TARGET", strict=False))
    assert table_digest("application", application) == store.db.execute(
        "SELECT sha256 FROM batch_contents WHERE table_name = 'application'").fetchone()[0]
    back = batch_tables(store, result.batch_id)
    for name in (name for name in HISTORY_TABLES if name in small_tables and small_tables[name].height):
        assert same_rows(back[name], small_tables[name]), name
    firsts = {row[0] for row in store.db.execute("SELECT first_client FROM history")}
    ids = np.sort(small_tables["application"]["SK_ID_CURR"].to_numpy())
    assert firsts == set(ids[::BLOB].tolist())  # a blob per BLOB clients, whatever the chunks
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_scoring_thread_runs_at_most_one_chunk_ahead_of_storing(tmp_path, scorer, small_batch, chunked, monkeypatch):
    events = []
    explain, insert = Scorer.explain, writer.insert_chunks
    monkeypatch.setattr(Scorer, "explain", lambda self, *a, **k: events.append("explained") or explain(self, *a, **k))
    monkeypatch.setattr(writer, "insert_chunks", lambda *a: events.append("stored") or insert(*a))
    import_files(ClientStore(tmp_path / "home"), [small_batch], scorer)
    lead = np.cumsum([1 if e == "explained" else -1 for e in events])
    assert events.count("stored") == events.count("explained") >= 4 and lead.max() <= 2


@pytest.mark.parametrize("where", ["scoring", "storing"])
def test_a_failure_in_a_late_chunk_leaves_the_store_as_it_was(tmp_path, scorer, small_batch, chunked, monkeypatch, where):
    store = ClientStore(tmp_path / "home")
    before = snapshot(store)
    calls = []
    target, name = (Scorer, "explain") if where == "scoring" else (writer, "insert_chunks")
    real = getattr(target, name)

    def late_failure(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(f"failed while {where}")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, late_failure)
    with pytest.raises(OSError, match=f"failed while {where}"):
        import_files(store, [small_batch], scorer)
    assert snapshot(store) == before and store.is_empty()
    assert store.db.execute("SELECT COUNT(*) FROM history").fetchone()[0] == 0


def test_validated_tables_are_imported_once(tmp_path, scorer, small_batch):
    validated = validate([small_batch])
    store = ClientStore(tmp_path / "home")
    import_validated(store, validated, scorer)
    assert list(validated.frames) == ["application"]  # the history was taken out and let go
    with pytest.raises(ValueError, match="imported already"):
        import_validated(store, validated, scorer)
    assert store.batches().height == 1


def test_split_keeps_each_runs_rows_by_client_in_file_order_and_runs_without_rows_empty():
    frames = {
        "application": pl.DataFrame({"SK_ID_CURR": [5, 1, 9]}),
        "bureau": pl.DataFrame({"SK_ID_CURR": [9, 1, 9, 5], "SK_ID_BUREAU": [90, 10, 91, 50]}),
        "bureau_balance": pl.DataFrame({"SK_ID_BUREAU": [91, 50, 90, 91], "MONTHS_BALANCE": [-1, -2, -3, -4]}),
    }
    runs = split(frames, np.array([1, 5, 7, 9]))
    assert list(frames) == ["application"] and list(runs) == ["bureau", "bureau_balance"]
    bureau = [runs["bureau"].piece(i)["SK_ID_BUREAU"].to_list() for i in range(4)]
    assert bureau == [[10], [50], [], [90, 91]]
    balance = runs["bureau_balance"]
    assert [balance.piece(i)["MONTHS_BALANCE"].to_list() for i in range(4)] == [[], [-2], [], [-1, -3, -4]]
    assert balance.piece(3)["SK_ID_CURR"].to_list() == [9, 9, 9]  # the client of each credit
    assert balance.piece(2).schema == balance.piece(3).schema
