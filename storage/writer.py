"""Write one validated, scored import into the store: all of it in ONE transaction, or nothing.

``BEGIN IMMEDIATE`` takes the write lock first (readers carry on, WAL); then the batch, its
clients, the tables as imported, the scores and the file records are inserted and the files are
copied to ``imports/<batch_id>.partial``. The folder is renamed to ``imports/<batch_id>`` just
before ``COMMIT``; on any failure the transaction is rolled back and the folder removed. A process
killed in between leaves an unowned folder, which the next import (or the next open) removes.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from engine.readers import InputError, Problem
from storage.migrations import quote
from storage.store import PARTIAL, ClientStore, now, os_user
from storage.validation import SourceFile, ValidationReport

log = logging.getLogger(__name__)

#: Rows per ``executemany`` call (and per progress report).
CHUNK_ROWS = 50_000

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class DuplicateImport(InputError):
    """Every file of the import was already imported; ``batches`` are the earlier imports."""

    def __init__(self, problems: Sequence[Problem], batches: list[int]) -> None:
        super().__init__(problems)
        self.batches = batches


@dataclass(frozen=True)
class BatchRows:
    """Everything one import stores."""

    kind: str  # "import" or "demo"
    started: str
    bundle_id: str
    frames: dict[str, pl.DataFrame]  # tables to store, as validated
    scores: pl.DataFrame  # SK_ID_CURR, pd, decision, grade, points, model, reasons (JSON), scored_at
    report: ValidationReport


def duplicates(store: ClientStore, files: Sequence[SourceFile]) -> DuplicateImport | None:
    """The refusal to give when the import's application file was imported before, else None."""
    for file in files:
        if "application" not in file.tables:
            continue
        earlier = store.batches_with_file(file.sha256)
        if earlier:
            problem = Problem.of(file.name, code="already_imported", sha256=file.sha256[:12],
                                 batches=", ".join(map(str, earlier)))
            return DuplicateImport([problem], earlier)
    return None


def write_batch(store: ClientStore, rows: BatchRows, progress: Progress) -> int:
    """Store one import atomically; returns its batch id."""
    conn = store.db.conn
    conn.execute("BEGIN IMMEDIATE")
    folder = None
    try:
        store.sweep_imports()
        refusal = duplicates(store, rows.report.files)
        if refusal is not None:
            raise refusal
        batch_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM batches").fetchone()[0]
        _insert_batch(conn, batch_id, rows)
        scores = _with_score_ids(conn, batch_id, rows.scores)
        total = sum(frame.height for frame in rows.frames.values()) + scores.height
        done = 0
        for name, frame in rows.frames.items():
            done = _insert_frame(
                conn, name, frame.with_columns(batch_id=pl.lit(batch_id)), done, total, progress
            )
        scores = scores.with_columns(batch_id=pl.lit(batch_id), bundle_id=pl.lit(rows.bundle_id))
        _insert_frame(conn, "scores", scores, done, total, progress)
        folder = store.imports / f"{batch_id}{PARTIAL}"
        _keep_files(conn, batch_id, rows.report.files, folder)
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
    return batch_id


def _insert_batch(conn: sqlite3.Connection, batch_id: int, rows: BatchRows) -> None:
    report = rows.report
    stored = {name: frame.height for name, frame in rows.frames.items()}
    conn.execute(
        """INSERT INTO batches (id, kind, status, started, finished, os_user, bundle_id, clients, new_clients,
        row_counts, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""",
        (
            batch_id,
            rows.kind,
            "imported with warnings" if report.warnings else "imported",
            rows.started,
            now(),
            os_user(),
            rows.bundle_id,
            rows.scores.height,
            json.dumps({"read": report.rows, "stored": stored}),
            json.dumps(report.to_dict(), ensure_ascii=False),
        ),
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


def _insert_frame(
    conn: sqlite3.Connection, table: str, frame: pl.DataFrame, done: int, total: int, progress: Progress
) -> int:
    columns = ", ".join(map(quote, frame.columns))
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({', '.join('?' * frame.width)})"
    for chunk in frame.iter_slices(CHUNK_ROWS):
        conn.executemany(sql, chunk.iter_rows())
        done += chunk.height
        progress("stored", done, total)
    return done


def _keep_files(conn: sqlite3.Connection, batch_id: int, files: Sequence[SourceFile], folder: Path) -> None:
    """Copy the import's files into ``folder`` and record them (name, size, SHA-256)."""
    folder.mkdir()
    for i, file in enumerate(files):
        target = folder / file.name
        if target.exists():  # two given files with one name
            target = folder / f"{i}-{file.name}"
        shutil.copyfile(file.path, target)
        conn.execute(
            "INSERT INTO batch_files (batch_id, name, size, sha256, tables, stored_as)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (batch_id, file.name, file.size, file.sha256, ",".join(file.tables), f"{batch_id}/{target.name}"),
        )
