"""storage.importer: what an import stores — clients, history, scores, reasons and the files kept —
from a folder, an application file alone, a zip of tables or the real extract."""

from __future__ import annotations

import json
import zipfile

import polars as pl
import pytest

from storage.batch_tables import batch_tables
from storage.importer import import_files
from storage.store import ClientStore
from storage_helpers import APP, app_lines, history_of, write, write_csvs


def test_import_stores_clients_history_scores_reasons_and_files(imported_store, small_tables, small_batch):
    batch = imported_store.batches().row(0, named=True)
    assert (
        batch["KIND"] == "import"
        and batch["CLIENTS"] == batch["NEW_CLIENTS"] == small_tables["application"].height
    )
    conn = imported_store.db.conn
    assert {name: frame.height for name, frame in batch_tables(imported_store, 1).items()} == {
        name: frame.height for name, frame in small_tables.items()
    }
    stored = pl.DataFrame(
        conn.execute('SELECT "SK_ID_CURR", "AMT_ANNUITY" FROM application ORDER BY rowid').fetchall(),
        schema=["SK_ID_CURR", "AMT_ANNUITY"],
        orient="row",
    )
    assert stored.equals(small_tables["application"].select("SK_ID_CURR", "AMT_ANNUITY"))
    reasons = json.loads(conn.execute("SELECT reasons FROM scores LIMIT 1").fetchone()[0])
    assert set(reasons["against"][0]) == {"group", "feature", "value", "contribution"}  # structure, not words
    kept = sorted(p.name for p in (imported_store.imports / "1").iterdir())
    assert kept == sorted([*(p.name for p in small_batch.iterdir()), "batch.json"])
    origin = json.loads((imported_store.imports / "1" / "batch.json").read_text())
    assert origin["batch_id"] == 1 and origin["bundle_id"] == batch["BUNDLE"] and origin["kind"] == "import"
    assert sorted(origin["files"]) == sorted(p.name for p in small_batch.iterdir())
    files = conn.execute("SELECT name, size, sha256 FROM batch_files WHERE batch_id = 1").fetchall()
    assert {(n, s) for n, s, _ in files} == {(p.name, p.stat().st_size) for p in small_batch.iterdir()}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_application_alone_and_a_zip_of_tables_import(tmp_path, scorer, demo_tables):
    app = demo_tables["application"].slice(3000, 40)
    store = ClientStore(tmp_path / "home")
    alone = import_files(store, [write(tmp_path / APP, app_lines(app))], scorer)
    assert alone.rows == {"application": 40} and alone.report.problems == []
    tables = history_of(demo_tables, demo_tables["application"]["SK_ID_CURR"].slice(3100, 40))
    folder = write_csvs(tables, tmp_path / "tables")
    archive = tmp_path / "clients.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in folder.iterdir():
            out.write(path, path.name)
    zipped = import_files(store, [archive], scorer)
    assert zipped.rows == {name: frame.height for name, frame in tables.items()}
    assert sorted(p.name for p in (store.imports / str(zipped.batch_id)).iterdir()) == ["batch.json", "clients.zip"]


def test_real_extract_imports_with_history_of_other_clients_left_out(tmp_path, scorer, home_credit):
    files = [home_credit / f"{name}.zip" for name in ("application_test", "bureau", "previous_application")]
    result = import_files(ClientStore(tmp_path), files, scorer)
    assert result.clients == result.new_clients == 5_000
    # The extract's history covers application_train clients too: their rows are reported and left out.
    assert result.report.skipped["bureau"] + result.rows["bureau"] == 49_227
    assert result.report.skipped["previous_application"] + result.rows["previous_application"] == 49_100
    assert 0 < result.rows["bureau"] < 49_227
    assert any(p.column == "SK_ID_CURR" and p.file == "bureau.zip:bureau.csv" for p in result.report.warnings)


def test_the_import_stores_what_was_validated_without_reading_the_files_again(
    tmp_path, scorer, fresh_app, monkeypatch
):
    """Issue 13 item 2: one read and one validation; their result is what is scored and stored."""
    from storage import validation
    from storage.importer import import_validated
    from storage.validation import validate

    path = write(tmp_path / "clients agence nov.csv", app_lines(fresh_app))
    validated = validate([path])
    monkeypatch.setattr(validation, "read_tables", lambda *a, **k: pytest.fail("the files were read again"))
    store = ClientStore(tmp_path / "home")
    result = import_validated(store, validated, scorer)
    assert result.clients == fresh_app.height and result.report is validated.report
    stored = store.db.execute("SELECT COUNT(*) FROM application WHERE batch_id = ?", (result.batch_id,)).fetchone()
    assert stored[0] == fresh_app.height
