"""The demo clients, apart from the officer's: a store of their own in ``<home>/demo``.

The app shows them while the officer's store holds no batch (the "demonstration" mode) and leaves
them as soon as the officer has imported clients. Decisions and drift runs made on them stay in the
demo store and its own journal; no import into the officer's store brings them in.

The demo store ships pre-built (``resources/demo-store/``: the SQLite file and the batch's record,
gzipped in a tar, and the id of the bundle that scored it): a first start unpacks it in about a
second, rather than scoring and storing 5,000 clients and their history (10–30 s). When the model
in use is not the one that scored it, the demo batch is imported into it instead, in the
background. ``python build/make_demo_store.py`` writes the pre-built store again after a retraining.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

from engine.bundle import verified_manifest
from engine.resources import demo_batch, resources_dir
from storage.paths import DATABASE_FILE, IMPORTS_DIR, create_home, demo_home
from storage.store import PARTIAL, ClientStore

log = logging.getLogger(__name__)

ARCHIVE = "store.tar.gz"
INFO = "store.json"
BATCH_RECORD = "batch.json"


def prebuilt_dir() -> Path:
    """Where the pre-built demo store ships (beside, not inside, the demo batch folder)."""
    return resources_dir() / "demo-store"


def prebuilt_bundle_id() -> str | None:
    """The id of the bundle that scored the pre-built demo store; None if none ships."""
    info = prebuilt_dir() / INFO
    return json.loads(info.read_text("utf-8"))["bundle_id"] if info.is_file() else None


def is_ready(home: str | Path | None) -> bool:
    """The demo store exists (unpacked or seeded once; a seeding cut short leaves it empty)."""
    path = demo_home(home) / DATABASE_FILE
    if not path.is_file():
        return False
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            return conn.execute("SELECT EXISTS (SELECT 1 FROM batches)").fetchone()[0] == 1
        except sqlite3.Error:
            return False


def unpack(home: str | Path | None, bundle: Path) -> bool:
    """Unpack the pre-built demo store into ``<home>/demo`` if it is missing and was scored by
    ``bundle``; False when it cannot serve (another model, none shipped): the demo batch is then imported."""
    target = demo_home(home)
    if is_ready(home):
        return True
    expected = verified_manifest(Path(bundle))["manifest_sha256"]
    shipped = prebuilt_bundle_id()
    if shipped != expected:
        log.info("the pre-built demo store (bundle %s) was not scored by the model in use (%s): importing the "
                 "demo batch instead", (shipped or "none")[:12], expected[:12])
        return False
    partial = target.with_name(target.name + PARTIAL)
    shutil.rmtree(partial, ignore_errors=True)
    create_home(partial)
    with tarfile.open(prebuilt_dir() / ARCHIVE) as archive:
        archive.extractall(partial, filter="data")
    for folder in (partial / IMPORTS_DIR).iterdir():  # the demo batch's files are the shipped ones
        for name in json.loads((folder / BATCH_RECORD).read_text("utf-8"))["files"]:
            shutil.copyfile(demo_batch() / name, folder / name)
    shutil.rmtree(target, ignore_errors=True)  # an empty store left by a seeding cut short
    partial.rename(target)
    log.info("demo store unpacked into %s", target)
    return True


def build(out: Path, scorer) -> Path:
    """Write the pre-built demo store for ``scorer``'s bundle into ``out`` (a folder); returns the archive."""
    import tempfile

    from storage.importer import seed_demo

    with tempfile.TemporaryDirectory() as work:
        store = ClientStore(Path(work))
        seed_demo(store, scorer)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.db.execute("VACUUM")
        store.close()
        out.mkdir(parents=True, exist_ok=True)
        with tarfile.open(out / ARCHIVE, "w:gz") as archive:
            archive.add(store.path, DATABASE_FILE)
            for folder in store.imports.iterdir():
                archive.add(folder / BATCH_RECORD, f"{IMPORTS_DIR}/{folder.name}/{BATCH_RECORD}")
    (out / INFO).write_text(json.dumps({"bundle_id": scorer.bundle.id}, indent=1) + "\n", "utf-8")
    return out / ARCHIVE
