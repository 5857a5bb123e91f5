"""Cost of the store's integrity checks and of the content digest at scale (issue 12).

    python bench/bench_integrity.py --store DIR [--application FILE] [--new 1000]

``--store``: a store folder (``clients.sqlite``), e.g. one filled by ``creditscore scale-data``
then ``creditscore import``, or by ``bench/bench_lookup.py`` (300,000 clients). The store is only
read; the import is made in a copy of it (``--copy``, default ``<store>-copy``, removed at the end).

Measured, each once in a fresh process, printed as one JSON line:

* ``PRAGMA quick_check`` of the whole store, twice (the first reads the file, the second finds it in
  the page cache) — what every import pays before it takes the write lock, and the app at start;
* ``PRAGMA integrity_check`` once, for comparison (not used by the app);
* an import of ``--new`` new clients (real demo rows, new ids) into the copy, with its quick_check;
* the content digest (``storage.content.table_digest``) of ``--application`` (a scaled
  ``application_train.csv``), and of its rows as the readers typed them;
* the migration ``m009_batch_contents`` on the copy (digests of the stored application rows).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_import import machine  # noqa: E402
from engine.bundle import load_bundle  # noqa: E402
from engine.readers import read_tables  # noqa: E402
from engine.resources import default_bundle, demo_batch  # noqa: E402
from engine.scoring import Scorer  # noqa: E402
from storage.content import table_digest  # noqa: E402
from storage.importer import import_files  # noqa: E402
from storage.migrations import migrations  # noqa: E402
from storage.store import ClientStore  # noqa: E402

NEW_ID0 = 50_000_000


def seconds(call, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = call(*args)
    return round(time.perf_counter() - started, 2), result


def quick_check(store: ClientStore) -> list:
    return store.db.execute("PRAGMA quick_check").fetchall()


def integrity_check(store: ClientStore) -> list:
    return store.db.execute("PRAGMA integrity_check").fetchall()


def timed_import(store: ClientStore, new: int, folder: Path) -> dict:
    """Import ``new`` demo clients under new ids, timing the import and its quick_check."""
    app = read_tables(demo_batch()).frames["application"].head(new)
    source = folder / "application_test.csv"
    app.with_columns(SK_ID_CURR=app["SK_ID_CURR"] + NEW_ID0).write_csv(source)
    checks: list[float] = []
    check = ClientStore.check_integrity

    def timed_check(self: ClientStore) -> int:
        started = time.perf_counter()
        version = check(self)
        checks.append(round(time.perf_counter() - started, 2))
        return version

    ClientStore.check_integrity = timed_check
    try:
        result = import_files(store, [source], Scorer(load_bundle(default_bundle())))
    finally:
        ClientStore.check_integrity = check
    return {"clients": result.clients, "import_seconds": round(result.seconds, 2), "quick_check_seconds": checks}


def redo_m009(store: ClientStore) -> float:
    conn = store.db.conn
    with conn:
        conn.execute("DROP TABLE IF EXISTS batch_contents")
        conn.execute(f"DELETE FROM {migrations.migrations_table} WHERE name = 'm009_batch_contents'")
    store.close()
    started = time.perf_counter()
    ClientStore(store.home).close()
    return round(time.perf_counter() - started, 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="folder of the store to measure")
    parser.add_argument("--copy", type=Path, help="where to copy it for the import (default: <store>-copy)")
    parser.add_argument("--application", type=Path, help="an application file to digest (scaled extract)")
    parser.add_argument("--new", type=int, default=1_000, help="new clients imported into the copy")
    args = parser.parse_args(argv)
    out: dict = {"benchmark": "integrity", "machine": machine()}

    store = ClientStore(args.store)
    out["clients"] = store.db.execute("SELECT COUNT(*) FROM clients").fetchone()[0]
    out["scores"] = store.db.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
    out["store_mb"] = round(store.path.stat().st_size / 2**20)
    out["quick_check_first_s"], result = seconds(quick_check, store)
    assert result == [("ok",)], result
    out["quick_check_again_s"], _ = seconds(quick_check, store)
    out["integrity_check_s"], _ = seconds(integrity_check, store)
    store.close()

    copy = args.copy or args.store.with_name(args.store.name + "-copy")
    shutil.rmtree(copy, ignore_errors=True)
    out["copy_s"], _ = seconds(shutil.copytree, args.store, copy)
    copied = ClientStore(copy)
    out["import"] = timed_import(copied, args.new, copy)
    out["m009_backfill_s"] = redo_m009(copied)
    shutil.rmtree(copy, ignore_errors=True)

    if args.application:
        out["read_application_s"], frames = seconds(lambda: read_tables(args.application).frames)
        application = frames["application"]
        out["digest_rows"] = application.height
        out["digest_s"], _ = seconds(table_digest, "application", application)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
