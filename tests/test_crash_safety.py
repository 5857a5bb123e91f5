"""An import killed with SIGKILL while storing leaves an intact store holding exactly what it held."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.resources import demo_batch
from storage.importer import import_files
from storage.store import ClientStore
from storage_helpers import snapshot

ROOT = Path(__file__).resolve().parent.parent
IMPORT_SCRIPT = """
import sys
from engine.bundle import load_bundle
from engine.scoring import Scorer
from storage.importer import import_files
from storage.store import ClientStore

home, bundle, progress_file, *sources = sys.argv[1:]
with open(progress_file, "a") as out:
    def progress(stage, done, total):
        out.write(f"{stage} {done} {total}\\n")
        out.flush()
    import_files(ClientStore(home), sources, Scorer(load_bundle(bundle)), progress=progress)
"""


def wait_for_storing(progress: Path, process: subprocess.Popen, timeout: float = 300) -> None:
    """Return once the import has stored some rows but not all; fail if it ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = progress.read_text().split("\n")[:-1] if progress.exists() else []
        stored = [line.split() for line in lines if line.startswith("stored ")]
        if stored and 0 < int(stored[-1][1]) < int(stored[-1][2]):
            return
        if process.poll() is not None:
            pytest.fail(
                f"the import ended (code {process.returncode}) before it could be killed: {lines[-3:]}"
            )
        time.sleep(0.01)
    pytest.fail("the import never reached its storing phase")


def test_import_killed_while_storing_leaves_the_store_as_it_was(tmp_path, scorer, small_batch, small_tables):
    home = tmp_path / "home"
    store = ClientStore(home)
    import_files(store, [small_batch], scorer)
    before = snapshot(store)
    store.close()

    progress = tmp_path / "progress.txt"
    args = [str(home), str(scorer.bundle.path), str(progress), str(demo_batch())]
    process = subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, *args], cwd=ROOT)
    try:
        wait_for_storing(progress, process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    last = progress.read_text().split("\n")[-2].split()
    assert last[0] == "stored" and int(last[1]) < int(last[2])  # killed midway
    assert (home / "clients.sqlite-wal").stat().st_size > 0  # uncommitted pages were being written

    reopened = ClientStore(home)
    assert reopened.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert reopened.db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert snapshot(reopened) == before
    # The killed writer's lock is gone: the next import goes through.
    small_tables["application"].head(5).write_csv(tmp_path / "application_test.csv")
    result = import_files(reopened, [tmp_path / "application_test.csv"], scorer)
    assert result.batch_id == 2 and sorted(p.name for p in reopened.imports.iterdir()) == ["1", "2"]
