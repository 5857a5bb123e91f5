"""The import's overlapped steps (issue 13): two files read at once, the digests in a thread beside the
history's split and the first chunks, the files kept by a thread while the chunks are stored. What is
stored is what the one-step-at-a-time path stores; a bad row in the last file read, or a failure in any
thread, refuses or fails the whole import and leaves the store as it was."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from storage_helpers import app_lines, set_cell, snapshot, write, write_csvs

from engine import readers
from engine.readers import read_tables
from storage import history, importer, writer
from storage.content import table_digest
from storage.importer import import_files
from storage.store import ClientStore
from storage.validation import ImportRefused, validate

#: Blobs of 40 clients and chunks of two blobs: the 300 clients of ``small_tables`` make 4 chunks.
BLOB, CHUNK = 40, 80
#: The file of the demo's tables read last (a folder's files are read in name order).
LAST = "previous_application.csv"


@pytest.fixture
def chunked(monkeypatch):
    monkeypatch.setattr(history, "CHUNK_CLIENTS", BLOB)
    monkeypatch.setattr(importer, "SCORE_CHUNK", CHUNK)


def stored(store: ClientStore) -> dict:
    """What an import stored, without what differs between two imports of the same files (times, ids)."""
    conn = store.db.conn
    return {
        "scores": conn.execute('SELECT "SK_ID_CURR", pd, decision, grade, points, model, reasons FROM scores'
                               " ORDER BY id").fetchall(),
        "application": conn.execute("SELECT * FROM application ORDER BY rowid").fetchall(),
        "history": conn.execute("SELECT table_name, first_client, last_client, rows, data FROM history"
                                " ORDER BY table_name, first_client").fetchall(),
        "contents": conn.execute("SELECT table_name, rows, sha256 FROM batch_contents ORDER BY table_name").fetchall(),
        "files": conn.execute("SELECT name, size, sha256, tables, stored_as FROM batch_files ORDER BY name").fetchall(),
        "kept": sorted(path.name for path in (store.imports / "1").iterdir()),
    }


@pytest.fixture
def batch_with_warnings(small_tables, tmp_path):
    """``small_tables`` as CSV files, with warnings in two files (an extra column, orphan history rows)."""
    tables = dict(small_tables)
    tables["bureau"] = tables["bureau"].with_columns(NOTE=pl.lit("x"))
    orphans = tables["POS_CASH_balance"].head(3).with_columns(SK_ID_CURR=pl.lit(999_999_999, pl.Int64))
    tables["POS_CASH_balance"] = pl.concat([tables["POS_CASH_balance"], orphans])
    return write_csvs(tables, tmp_path / "batch")


def test_two_files_read_at_once_give_the_frames_problems_and_digests_of_one_at_a_time(batch_with_warnings, monkeypatch):
    together = read_tables(batch_with_warnings, compact=True)
    monkeypatch.setattr(readers, "READERS", 1)
    alone = read_tables(batch_with_warnings, compact=True)
    assert list(together.frames) == list(alone.frames) and len(together.frames) == 6
    for name, frame in alone.frames.items():
        assert together.frames[name].equals(frame), name
    assert together.sources == alone.sources and together.digests == alone.digests
    assert together.warnings == alone.warnings and len(together.warnings) >= 1


def test_the_overlapped_import_stores_what_the_one_step_at_a_time_path_stores(
    tmp_path, scorer, batch_with_warnings, chunked, monkeypatch
):
    overlapped = ClientStore(tmp_path / "overlapped")
    result = import_files(overlapped, [batch_with_warnings], scorer)
    assert result.clients == 300 and result.report.skipped == {"POS_CASH_balance": 3}
    got = stored(overlapped)
    assert len(got["scores"]) == 300 and {row[0] for row in got["history"]} == set(result.rows) - {"application"}

    # The digests stored are those of the validated tables, computed one after the other.
    validated = validate([batch_with_warnings])
    assert got["contents"] == sorted((name, frame.height, table_digest(name, frame))
                                     for name, frame in validated.frames.items())
    # The files kept by the thread are the files given, byte for byte.
    for name, size, sha256, _, stored_as in got["files"]:
        kept = overlapped.imports / stored_as
        assert kept.stat().st_size == size and hashlib.sha256(kept.read_bytes()).hexdigest() == sha256
        assert kept.read_bytes() == (batch_with_warnings / name).read_bytes()

    # One file read at a time: the same rows, scores, reasons, blobs, digests and kept files.
    monkeypatch.setattr(readers, "READERS", 1)
    sequential = ClientStore(tmp_path / "sequential")
    import_files(sequential, [batch_with_warnings], scorer)
    assert stored(sequential) == got


def test_a_bad_row_in_the_last_file_read_refuses_the_whole_import_and_names_it(tmp_path, scorer, small_tables):
    folder = write_csvs(small_tables, tmp_path / "batch")
    lines = app_lines(small_tables["previous_application"])
    write(folder / LAST, set_cell(lines, 7, "AMT_CREDIT", "beaucoup"))
    assert max(path.name.lower() for path in folder.iterdir()) == LAST  # read last (or with the one before it)
    store = ClientStore(tmp_path / "home")
    before = snapshot(store)
    with pytest.raises(ImportRefused) as caught:
        import_files(store, [folder], scorer)
    [problem] = caught.value.report.errors
    assert (problem.file, problem.column, problem.row) == (LAST, "AMT_CREDIT", 7)
    assert snapshot(store) == before and store.is_empty()


@pytest.mark.parametrize("where", ["digests", "keeping", "scoring"])
def test_a_failure_in_any_thread_of_the_import_leaves_the_store_as_it_was(
    tmp_path, scorer, small_batch, chunked, monkeypatch, where
):
    store = ClientStore(tmp_path / "home")
    before = snapshot(store)
    if where == "digests":
        real_digest = importer.table_digest

        def digest(name, frame):
            if name == "bureau_balance":
                raise OSError("failed while digests")
            return real_digest(name, frame)

        monkeypatch.setattr(importer, "table_digest", digest)
    elif where == "keeping":
        keep = writer._keep_files

        def keep_then_fail(files, folder):
            keep(files, folder)  # the files are in imports/<batch>.partial, the chunks being stored
            raise OSError("failed while keeping")

        monkeypatch.setattr(writer, "_keep_files", keep_then_fail)
    else:
        calls = []
        explain = importer.Scorer.explain

        def late_failure(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 3:  # the files are being kept meanwhile
                raise OSError("failed while scoring")
            return explain(self, *args, **kwargs)

        monkeypatch.setattr(importer.Scorer, "explain", late_failure)
    with pytest.raises(OSError, match=f"failed while {where}"):
        import_files(store, [small_batch], scorer)
    assert snapshot(store) == before and store.is_empty() and not list(store.imports.iterdir())
