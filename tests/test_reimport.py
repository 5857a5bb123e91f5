"""Issue 12, finding 9: a re-import is found by the content of its rows, whatever the container."""

from __future__ import annotations

import gzip
import zipfile

import pytest

from storage.content import stored_frame, table_digest
from storage.importer import import_files
from storage.migrations import migrations
from storage.store import ClientStore
from storage.writer import DuplicateImport
from storage_helpers import snapshot
from test_store_faults import run

APP = "application_test.csv"


@pytest.fixture
def imported(tmp_path, small_tables, scorer):
    """A store holding 30 clients imported from ``application_test.csv``, and that file."""
    source = tmp_path / "given" / APP
    source.parent.mkdir()
    small_tables["application"].head(30).write_csv(source)
    store = ClientStore(tmp_path / "home")
    import_files(store, [source], scorer)
    return store, source


def containers(source, folder) -> dict:
    """The same rows as a zipped CSV under another name, a gzipped CSV and Parquet."""
    folder.mkdir()
    zipped = folder / "clients-march.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(source, APP)
    gzipped = folder / "application_test.csv.gz"
    gzipped.write_bytes(gzip.compress(source.read_bytes()))
    parquet = folder / "application_test.parquet"
    from engine.readers import read_tables

    read_tables(source).frames["application"].write_parquet(parquet)
    return {"zip": zipped, "gzip": gzipped, "parquet": parquet}


def test_the_same_rows_zipped_renamed_gzipped_or_in_parquet_are_refused_naming_the_batch(imported, scorer, tmp_path):
    store, source = imported
    before = snapshot(store)
    for kind, path in containers(source, tmp_path / "again").items():
        with pytest.raises(DuplicateImport) as refused:
            import_files(store, [path], scorer)
        assert refused.value.batches == [1], kind
        assert "already imported" in str(refused.value) and "batch 1" in str(refused.value) and path.name in str(refused.value)
    assert snapshot(store) == before


def test_the_cli_refuses_the_zipped_file_with_exit_2(imported, tmp_path, capsys):
    store, source = imported
    zipped = containers(source, tmp_path / "again")["zip"]
    code, err = run(capsys, "--home", str(store.home), "import", str(zipped))
    assert code == 2 and "clients-march.zip: already imported" in err and "batch 1" in err


def test_other_rows_are_not_a_duplicate(imported, small_tables, scorer, tmp_path):
    store, _ = imported
    changed = tmp_path / "changed" / APP
    changed.parent.mkdir()
    rows = small_tables["application"].head(30)
    rows.with_columns(AMT_INCOME_TOTAL=rows["AMT_INCOME_TOTAL"] + 1).write_csv(changed)
    assert import_files(store, [changed], scorer).batch_id == 2


def test_the_digest_of_stored_rows_is_the_digest_of_the_file(imported):
    store, source = imported
    from engine.readers import read_tables

    read = read_tables(source).frames["application"]
    assert table_digest("application", stored_frame(store.db.conn, "application", 1)) == table_digest("application", read)
    recorded = store.db.execute("SELECT table_name, rows, sha256 FROM batch_contents").fetchall()
    assert recorded == [("application", 30, table_digest("application", read))]


def test_the_migration_gives_earlier_batches_their_digest(imported):
    store, _ = imported
    recorded = store.db.execute("SELECT * FROM batch_contents").fetchall()
    conn = store.db.conn
    with conn:
        conn.execute("DROP TABLE batch_contents")
        conn.execute(f"DELETE FROM {migrations.migrations_table} WHERE name = 'm009_batch_contents'")
    store.close()
    store = ClientStore(store.home)  # an older store opened by this version
    assert store.db.execute("SELECT * FROM batch_contents").fetchall() == recorded
