"""Issue 12, findings 7 and 8: a damaged store, a full disk and a lock held too long are said plainly
(exit 2, no traceback, nothing stored, the damaged file left as it is); ``PRAGMA quick_check`` runs
before every import's writes and at app start."""

from __future__ import annotations

import hashlib
import html
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import desktop.context
import storage.store
from desktop.cli import main
from desktop.context import AppContext
from desktop.startup import diagnose, problem_page
from desktop.store_check import _show, start_check
from engine.resources import default_bundle
from storage.faults import DAMAGED, FULL, LOCKED, StoreFault, store_fault
from storage.importer import import_files
from storage.store import ClientStore
from conftest import ROOT

APP = "application_test.csv"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corrupt_middle(path: Path, seed: int = 12) -> None:
    """Random bytes over whole pages in the middle of a closed store (not its first pages)."""
    page = 4096
    pages = path.stat().st_size // page
    assert pages > 40, "the store is too small to damage in the middle"
    rng = random.Random(seed)
    with path.open("r+b") as db:
        for number in range(pages * 2 // 5, pages * 3 // 5, 3):
            db.seek(number * page)
            db.write(rng.randbytes(page))


@pytest.fixture
def home(tmp_path, scorer, small_batch) -> Path:
    """A closed store holding the small batch (its history makes hundreds of pages)."""
    home = tmp_path / "home"
    store = ClientStore(home)
    import_files(store, [small_batch], scorer)
    store.close()
    return home


@pytest.fixture
def other_app(tmp_path, small_tables) -> Path:
    """Clients the store does not hold yet (the same rows, new ids)."""
    path = tmp_path / "new" / APP
    path.parent.mkdir()
    app = small_tables["application"].head(20)
    app.with_columns(app["SK_ID_CURR"] + 9_000_000).write_csv(path)
    return path


def run(capsys, *argv: str) -> tuple[int, str]:
    """(exit status, stderr) of the command; what the test printed before it is left out."""
    capsys.readouterr()
    code = main(list(argv))
    _, err = capsys.readouterr()
    return code, err


# --- finding 8: silent corruption --------------------------------------------------------------------


def test_random_bytes_over_middle_pages_make_the_next_import_refuse_and_store_nothing(home, other_app, capsys):
    database = home / "clients.sqlite"
    corrupt_middle(database)
    before, kept_before = sha256(database), sorted(p.name for p in (home / "imports").iterdir())
    code, err = run(capsys, "--home", str(home), "import", str(other_app))
    assert code == 2 and "Traceback" not in err
    assert f"the client store {database} is damaged" in err and "creditscore rebuild" in err
    assert sha256(database) == before  # never written to, not moved by the import
    assert sorted(p.name for p in (home / "imports").iterdir()) == kept_before


def test_the_check_runs_before_every_import_write_in_process_too(home, other_app, scorer):
    corrupt_middle(home / "clients.sqlite")
    store = ClientStore(home)
    with pytest.raises(StoreFault) as raised:
        import_files(store, [other_app], scorer)
    assert raised.value.kind == DAMAGED and "damaged" in str(raised.value)
    store.close()


def test_app_start_checks_the_store_in_the_background_and_every_page_says_what_it_found(home, monkeypatch):
    def checked(ctx: AppContext):
        monkeypatch.setattr(desktop.context, "_current", ctx)
        job = start_check(ctx)
        for _ in range(600):
            if job.state != "running":
                break
            time.sleep(0.05)
        notice, stop_polling = _show(1)
        ctx.close()
        return job.result, notice, stop_polling

    assert checked(AppContext(home=home, bundle_path=default_bundle(), token="t")) == (None, None, True)
    corrupt_middle(home / "clients.sqlite")
    result, notice, stop_polling = checked(AppContext(home=home, bundle_path=default_bundle(), token="t"))
    assert result == {"kind": DAMAGED, "path": str(home / "clients.sqlite")} and stop_polling
    assert notice.id == "store-fault" and notice.children.startswith(f"Le fichier des clients {home / 'clients.sqlite'} est endommagé")
    assert "creditscore rebuild" in notice.children


# --- finding 7: tracebacks ----------------------------------------------------------------------------


def test_a_damaged_store_ends_in_a_message_and_exit_2_and_is_left_as_it_is(tmp_path, capsys):
    database = tmp_path / "clients.sqlite"
    database.write_bytes(b"not a database" * 300)
    code, err = run(capsys, "--home", str(tmp_path), "batches")
    assert code == 2 and "Traceback" not in err and "is damaged (file is not a database)" in err
    assert database.read_bytes() == b"not a database" * 300


def test_app_in_a_browser_on_a_damaged_store_ends_in_a_message_and_exit_2(tmp_path):
    database = tmp_path / "clients.sqlite"
    database.write_bytes(b"not a database" * 300)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--home", str(tmp_path), "app", "--browser"],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "is damaged" in done.stderr and database.read_bytes() == b"not a database" * 300


def test_a_full_disk_ends_in_a_message_and_exit_2_and_stores_nothing(home, other_app, capsys, monkeypatch):
    checked = ClientStore.check_integrity

    def no_room_left(store: ClientStore) -> int:  # the disk fills up as the import starts writing
        version = checked(store)
        pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
        store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
        return version

    monkeypatch.setattr(ClientStore, "check_integrity", no_room_left)
    before = sha256(home / "clients.sqlite")
    code, err = run(capsys, "--home", str(home), "import", str(other_app))
    assert code == 2 and "Traceback" not in err
    assert "is full (database or disk is full): nothing was stored" in err
    monkeypatch.undo()
    store = ClientStore(home)
    assert store.batches().height == 1 and sorted(p.name for p in store.imports.iterdir()) == ["1"]
    store.close()
    assert sha256(home / "clients.sqlite") == before


def test_a_lock_held_too_long_ends_in_a_message_and_exit_2(home, other_app, capsys, monkeypatch):
    monkeypatch.setattr(storage.store, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(home / "clients.sqlite")
    holder.execute("BEGIN IMMEDIATE")  # another creditscore, in the middle of an import
    try:
        code, err = run(capsys, "--home", str(home), "import", str(other_app))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2 and "Traceback" not in err and "is busy" in err
    store = ClientStore(home)
    assert store.batches().height == 1
    store.close()


def test_each_fault_is_recognised_from_what_sqlite_raises(tmp_path):
    path = tmp_path / "clients.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 1")
    with pytest.raises(sqlite3.Error) as full:
        conn.execute("INSERT INTO t VALUES (randomblob(100000))")
    assert store_fault(full.value, path).kind == FULL
    other = sqlite3.connect(path, timeout=0.05)
    conn.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.Error) as locked:
        other.execute("BEGIN IMMEDIATE")
    assert store_fault(locked.value, path).kind == LOCKED
    assert store_fault(OSError(28, "No space left on device"), path).kind == FULL
    assert store_fault(sqlite3.IntegrityError("UNIQUE constraint failed"), path) is None
    assert diagnose(locked.value, path).code == "store_locked"
    page = problem_page(diagnose(full.value, path), None, "t")
    assert "est plein" in page and "is full" in page and html.escape(str(path)) in page


@pytest.mark.parametrize("someone_writes", [False, True])
def test_the_check_runs_before_the_lock_and_again_under_it_only_if_someone_wrote_since(
    home, other_app, scorer, monkeypatch, someone_writes
):
    calls = []
    checked = ClientStore.check_integrity

    def check(store: ClientStore) -> int:
        version = checked(store)
        calls.append("under the lock" if store.db.conn.in_transaction else "before")
        if someone_writes and len(calls) == 1:  # e.g. an officer's decision between the check and the lock
            other = sqlite3.connect(store.path)
            other.execute("PRAGMA user_version = 7")
            other.close()
        return version

    monkeypatch.setattr(ClientStore, "check_integrity", check)
    store = ClientStore(home)
    import_files(store, [other_app], scorer)
    assert calls == (["before", "under the lock"] if someone_writes else ["before"])
    store.close()
