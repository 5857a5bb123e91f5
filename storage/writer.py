"""Write one validated, scored import into the store: all of it in ONE transaction, or nothing.

The store is checked first (``PRAGMA quick_check``: nothing is written into a damaged file), while
other connections may still write (an officer's decision is not held up by the check). Then
``BEGIN IMMEDIATE`` takes the write lock (foreign keys unchecked meanwhile: the import's rows refer
only to its own batch, clients and scores, inserted first) (readers carry on, WAL); holding it, the store is checked
again only if another connection committed since (``PRAGMA data_version``), and the application
table's content is looked for among earlier imports (the one duplicate check). Then the batch and
its digests are inserted, and each scored chunk as the importer hands it over (its share of the
application rows, its clients' history blobs (``storage.history``), its clients and scores: the
lock is held while the batch is scored, so that storing runs alongside scoring); meanwhile a thread
copies the files to ``imports/<batch_id>.partial``. Then the file records are inserted and
``batch.json`` written beside the files (what ``storage.rebuild`` needs to import them again). The folder is renamed to ``imports/<batch_id>``
just before ``COMMIT``; on any failure the transaction is rolled back and the folder removed. A
process killed in between leaves an unowned folder, which the next import (or the next open) removes.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from engine.constants import Progress
from engine.readers import InputError, Problem
from storage.faults import faults_said
from storage.history import Chunk, insert_chunks
from storage.migrations import quote
from storage.store import PARTIAL, ClientStore, now, os_user
from storage.validation import ImportRefused, SourceFile, ValidationReport

log = logging.getLogger(__name__)

#: Cells (rows × columns) per ``executemany`` call: the rows of one call are Python tuples, so a wide
#: table (the application's 122 columns) goes in fewer rows at a time.
CHUNK_CELLS = 1_000_000
#: What a rebuild needs to import a kept folder again (:class:`BatchOrigin`), beside the kept files.
ORIGIN_FILE = "batch.json"


class DuplicateImport(InputError):
    """The import's application table was already imported; ``batches`` are the earlier imports."""

    def __init__(self, problems: Sequence[Problem], batches: list[int]) -> None:
        super().__init__(problems)
        self.batches = batches


@dataclass(frozen=True)
class BatchOrigin:
    """A stored batch as it was imported: ``imports/<batch_id>/batch.json``, read by a rebuild."""

    batch_id: int
    kind: str
    started: str
    os_user: str
    bundle_id: str
    scored_at: str
    application: str | None  # the ``application`` choice ("train"/"test") it was imported with
    files: list[str]  # the kept files, in the order given

    @classmethod
    def read(cls, folder: Path) -> BatchOrigin:
        return cls(**json.loads((folder / ORIGIN_FILE).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class BatchRows:
    """What one import stores besides its scored chunks."""

    kind: str  # "import" or "demo"
    started: str
    bundle_id: str
    stored: dict[str, int]  # rows stored per table, as validated (the batch's clients: the application's)
    report: ValidationReport
    digests: dict[str, str]  # table -> digest of its rows (storage.content)
    scored_at: str
    application: str | None = None
    restoring: BatchOrigin | None = None  # a rebuild: the batch's id and user as they were; no duplicate check


@dataclass(frozen=True)
class ScoredChunk:
    """A run of the batch's clients scored, stored as it comes (``storage.importer.scored_chunks``)."""

    application: pl.DataFrame  # a share of the application rows as validated (file order, all shares in turn)
    history: list[Chunk]  # the blobs of the run's clients (storage.history)
    scores: pl.DataFrame  # SK_ID_CURR, pd, decision, grade, points, model, reasons (JSON), scored_at


def duplicates(store: ClientStore, rows: BatchRows) -> DuplicateImport | None:
    """The refusal to give when the import's application rows were imported before, else None."""
    digest = rows.digests["application"]
    earlier = [r[0] for r in store.db.conn.execute(
        "SELECT batch_id FROM batch_contents WHERE table_name = 'application' AND sha256 = ? ORDER BY batch_id",
        (digest,),
    )]
    if not earlier:
        return None
    name = next((f.name for f in rows.report.files if "application" in f.tables), "application")
    problem = Problem.of(name, code="already_imported", sha256=digest[:12], batches=", ".join(map(str, earlier)))
    return DuplicateImport([problem], earlier)


def write_batch(store: ClientStore, rows: BatchRows, chunks: Iterable[ScoredChunk], progress: Progress) -> int:
    """Store one import atomically, its ``chunks`` as they come; returns its batch id. A damaged store,
    a full disk or a write lock held too long raise ``StoreFault`` (nothing stored)."""
    with faults_said(store.path):
        return _write(store, rows, chunks, progress)


def _write(store: ClientStore, rows: BatchRows, chunks: Iterable[ScoredChunk], progress: Progress) -> int:
    conn = store.db.conn
    checked = store.check_integrity()  # before taking the lock: decisions are not held up meanwhile
    # The import's rows refer to each other only: its batch, its clients (inserted first; validation
    # left out history rows of no client of the import) and its scores. SQLite checking that key for
    # every one of millions of rows was a quarter of the time spent storing (bench/RESULTS-import.md).
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    folder = None
    try:
        if store.data_version() != checked:  # committed to since: check again what is written on
            store.check_integrity()
        store.sweep_imports()
        refusal = None if rows.restoring else duplicates(store, rows)
        if refusal is not None:
            raise refusal
        if rows.restoring:
            batch_id, user = rows.restoring.batch_id, rows.restoring.os_user
        else:
            batch_id, user = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM batches").fetchone()[0], os_user()
        log.debug("write lock taken")
        _insert_batch(conn, batch_id, user, rows)
        folder = store.imports / f"{batch_id}{PARTIAL}"
        with ThreadPoolExecutor(1, thread_name_prefix="keeping") as pool:  # left only once the copy is over
            copying = pool.submit(_keep_files, rows.report.files, folder)  # disk work, beside the storing
            clients = 0
            for chunk in chunks:
                _insert_frame(conn, "application", chunk.application.with_columns(batch_id=pl.lit(batch_id)))
                insert_chunks(conn, batch_id, chunk.history)
                scores = _with_score_ids(conn, batch_id, chunk.scores)
                _insert_frame(conn, "scores", scores.with_columns(batch_id=pl.lit(batch_id), bundle_id=pl.lit(rows.bundle_id)))
                clients += scores.height
                progress("stored", clients, rows.stored["application"])  # scored and stored: one step per chunk
            log.debug("chunks stored")
            kept = copying.result()
        _record_files(conn, batch_id, rows.report.files, kept)
        origin = BatchOrigin(batch_id, rows.kind, rows.started, user, rows.bundle_id, rows.scored_at,
                             rows.application, kept)
        (folder / ORIGIN_FILE).write_text(json.dumps(asdict(origin), ensure_ascii=False), encoding="utf-8")
        folder = folder.rename(store.imports / str(batch_id))
        new = conn.execute("SELECT COUNT(*) FROM clients WHERE first_batch_id = ?", (batch_id,)).fetchone()[0]
        conn.execute("UPDATE batches SET finished = ?, new_clients = ? WHERE id = ?", (now(), new, batch_id))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return batch_id


def _insert_batch(conn: sqlite3.Connection, batch_id: int, user: str, rows: BatchRows) -> None:
    report = rows.report
    conn.execute(
        """INSERT INTO batches (id, kind, status, started, finished, os_user, bundle_id, clients, new_clients,
        row_counts, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""",
        (
            batch_id,
            rows.kind,
            "imported with warnings" if report.warnings else "imported",
            rows.started,
            now(),
            user,
            rows.bundle_id,
            rows.stored["application"],
            json.dumps({"read": report.rows, "stored": rows.stored}),
            json.dumps(report.to_dict(), ensure_ascii=False),
        ),
    )
    conn.executemany(
        "INSERT INTO batch_contents (batch_id, table_name, rows, sha256) VALUES (?, ?, ?, ?)",
        ((batch_id, name, count, rows.digests[name]) for name, count in rows.stored.items()),
    )


def _with_score_ids(conn: sqlite3.Connection, batch_id: int, scores: pl.DataFrame) -> pl.DataFrame:
    """``scores`` with their ids; known clients now point to their new score, new ones are added."""
    first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM scores").fetchone()[0]
    ids = scores["SK_ID_CURR"].to_list()
    conn.executemany(
        """INSERT INTO clients ("SK_ID_CURR", first_batch_id, last_batch_id, latest_score_id)
        VALUES (?, ?, ?, ?)
        ON CONFLICT ("SK_ID_CURR") DO UPDATE SET last_batch_id = excluded.last_batch_id,
        latest_score_id = excluded.latest_score_id""",
        ((sk_id, batch_id, batch_id, first + i) for i, sk_id in enumerate(ids)),
    )
    return scores.with_columns(id=pl.int_range(first, first + len(ids), dtype=pl.Int64))


def _insert_frame(conn: sqlite3.Connection, table: str, frame: pl.DataFrame) -> None:
    columns = ", ".join(map(quote, frame.columns))
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({', '.join('?' * frame.width)})"
    for chunk in frame.iter_slices(max(1, CHUNK_CELLS // frame.width)):
        conn.executemany(sql, chunk.rows())  # a list: no Python generator step per row


def _keep_files(files: Sequence[SourceFile], folder: Path) -> list[str]:
    """Copy the import's files into ``folder``; their names there."""
    folder.mkdir()
    kept = []
    for i, file in enumerate(files):
        if file.changed():  # edited between its validation and now: what is stored must be what was kept
            raise ImportRefused(ValidationReport(problems=[Problem.of(file.name, code="file_changed")]))
        target = folder / file.name
        if target.exists() or target.name == ORIGIN_FILE:  # two given files with one name, or batch.json
            target = folder / f"{i}-{file.name}"
        kept.append(target.name)
        shutil.copyfile(file.path, target)
    return kept


def _record_files(conn: sqlite3.Connection, batch_id: int, files: Sequence[SourceFile], kept: Sequence[str]) -> None:
    """Record the kept files (name, size, SHA-256, tables, where kept)."""
    conn.executemany(
        "INSERT INTO batch_files (batch_id, name, size, sha256, tables, stored_as) VALUES (?, ?, ?, ?, ?, ?)",
        ((batch_id, file.name, file.size, file.sha256, ",".join(file.tables), f"{batch_id}/{name}")
         for file, name in zip(files, kept)),
    )
