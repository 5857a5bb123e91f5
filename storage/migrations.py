"""Versioned schema of the client store, applied with ``sqlite_utils.migrations.Migrations``.

Migrations run in order, each in its own transaction with the record of it having run; a store
created by an older app gets the missing ones when opened. Never edit a released migration: add
a new one. The data tables of ``m001_core`` mirror ``engine.schema`` (the Kaggle tables, whose
columns are fixed); a later change to those columns needs its own migration.

Tables: ``batches`` and ``batch_files`` (what was imported, from which files), ``clients`` (one
row per SK_ID_CURR, with a pointer to its latest score), ``application`` as imported (each row
tagged with its ``batch_id``; the six history tables were rows too until ``m011_history_blobs`` put
them in ``history``, compressed blobs per batch, table and chunk of clients), ``scores`` (one row per client per import, the model that
made it, reasons as JSON), ``decisions`` (officers' decisions, append-only: no update, delete or
replace of a recorded id) and ``drift_runs``.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from engine.schema import tables

migrations = Migrations("creditscore")

_SQL_TYPES = {"int": "INTEGER", "float": "REAL", "str": "TEXT"}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _run(db: Database, *statements: str) -> None:
    for statement in statements:
        db.execute(statement)


def _data_table(name: str) -> list[str]:
    """DDL of one Home Credit table as imported: batch_id, then the engine schema's columns."""
    spec = tables()[name]
    columns = [f"{quote(c.name)} {_SQL_TYPES[c.kind]}" for c in spec.columns.values()]
    constraints = ["FOREIGN KEY (batch_id) REFERENCES batches(id)"]
    if "SK_ID_CURR" in spec.columns:
        constraints.append('FOREIGN KEY ("SK_ID_CURR") REFERENCES clients("SK_ID_CURR")')
    body = ",\n  ".join(["batch_id INTEGER NOT NULL", *columns, *constraints])
    ddl = [f"CREATE TABLE {quote(name)} (\n  {body}\n) STRICT"]
    if name == "application":
        ddl.append('CREATE UNIQUE INDEX application_client ON application("SK_ID_CURR", batch_id)')
        ddl.append("CREATE INDEX application_batch ON application(batch_id)")
    elif "SK_ID_CURR" in spec.columns:
        ddl.append(f'CREATE INDEX {quote(name + "_client")} ON {quote(name)}("SK_ID_CURR")')
    else:  # bureau_balance hangs off bureau
        ddl.append(f'CREATE INDEX {quote(name + "_bureau")} ON {quote(name)}("SK_ID_BUREAU")')
    return ddl


@migrations()
def m001_core(db: Database) -> None:
    _run(
        db,
        """CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('import', 'demo')),
  status TEXT NOT NULL,
  started TEXT NOT NULL,
  finished TEXT NOT NULL,
  os_user TEXT NOT NULL,
  bundle_id TEXT NOT NULL,
  clients INTEGER NOT NULL,
  new_clients INTEGER NOT NULL,
  row_counts TEXT NOT NULL,
  report TEXT NOT NULL
) STRICT""",
        """CREATE TABLE batch_files (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  tables TEXT NOT NULL,
  stored_as TEXT
) STRICT""",
        "CREATE INDEX batch_files_sha256 ON batch_files(sha256)",
        """CREATE TABLE clients (
  "SK_ID_CURR" INTEGER PRIMARY KEY,
  first_batch_id INTEGER NOT NULL REFERENCES batches(id),
  last_batch_id INTEGER NOT NULL REFERENCES batches(id),
  latest_score_id INTEGER NOT NULL REFERENCES scores(id) DEFERRABLE INITIALLY DEFERRED
) STRICT""",
        """CREATE TABLE scores (
  id INTEGER PRIMARY KEY,
  "SK_ID_CURR" INTEGER NOT NULL REFERENCES clients("SK_ID_CURR"),
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  bundle_id TEXT NOT NULL,
  pd REAL NOT NULL,
  decision TEXT NOT NULL,
  grade TEXT NOT NULL,
  points INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  scored_at TEXT NOT NULL
) STRICT""",
        'CREATE INDEX scores_client ON scores("SK_ID_CURR", id)',
        "CREATE INDEX scores_batch ON scores(batch_id)",
    )
    for name in tables():
        _run(db, *_data_table(name))


_NO_UPDATE = """CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a correction as a new decision'); END"""


@migrations()
def m002_decisions(db: Database) -> None:
    _run(
        db,
        """CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  "SK_ID_CURR" INTEGER NOT NULL REFERENCES clients("SK_ID_CURR"),
  score_id INTEGER NOT NULL REFERENCES scores(id),
  decision TEXT NOT NULL CHECK (decision IN ('accept', 'refuse')),
  override_reason TEXT,
  officer TEXT NOT NULL,
  decided_at TEXT NOT NULL
) STRICT""",
        'CREATE INDEX decisions_client ON decisions("SK_ID_CURR", id)',
        _NO_UPDATE,
        """CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a correction as a new decision'); END""",
    )


@migrations()
def m003_drift_runs(db: Database) -> None:
    _run(
        db,
        """CREATE TABLE drift_runs (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER REFERENCES batches(id),
  bundle_id TEXT NOT NULL,
  started TEXT NOT NULL,
  finished TEXT,
  status TEXT NOT NULL,
  report TEXT
) STRICT""",
    )


@migrations()
def m004_import_indexes(db: Database) -> None:
    _run(
        db,
        # While an import's clients point to scores not inserted yet (the deferred key), SQLite
        # looks for the clients of each new score: without this index, a scan of clients per score.
        "CREATE INDEX clients_latest_score ON clients(latest_score_id)",
        # A batch's scores in client order (find_clients(batch=...), export) without a sort.
        "DROP INDEX scores_batch",
        'CREATE INDEX scores_batch ON scores(batch_id, "SK_ID_CURR")',
    )


@migrations()
def m005_score_filters(db: Database) -> None:
    # The client list filters and sorts scores by decision, grade and PD: a covering index (without
    # the reasons' text) keeps that responsive with hundreds of thousands of clients.
    _run(
        db,
        'CREATE INDEX scores_filters ON scores(decision, grade, pd, id, batch_id, "SK_ID_CURR", points, scored_at)',
        "CREATE INDEX scores_pd ON scores(pd)",  # the list sorted by PD, read in index order
    )


@migrations()
def m006_score_models(db: Database) -> None:
    # Which model scored each client (the coverage of the tables its batch supplied: "application",
    # "bureau" or "full"); scores written before there was more than one model came from the full one.
    # The tables a batch supplied are the keys of ``batches.row_counts["read"]`` (every table read,
    # even without rows), so they need no column of their own.
    _run(db, "ALTER TABLE scores ADD COLUMN model TEXT NOT NULL DEFAULT 'full'")


@migrations()
def m008_decision_ids(db: Database) -> None:
    # ``INSERT OR REPLACE`` deletes the row it replaces without firing the delete trigger (SQLite
    # fires delete triggers on REPLACE only with recursive_triggers on, a per-connection setting):
    # refuse, before it is inserted, a decision whose id exists. In a BEFORE INSERT trigger an id
    # left to SQLite reads -1, so no decision may have an id below 1 (checked once it is known).
    _run(
        db,
        """CREATE TRIGGER decisions_no_replace BEFORE INSERT ON decisions
WHEN EXISTS (SELECT 1 FROM decisions WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: a decision with this id exists'); END""",
        """CREATE TRIGGER decisions_positive_id AFTER INSERT ON decisions WHEN NEW.id < 1
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: a decision id is a positive number'); END""",
    )


#: Every migration this app knows, in order (a migration is named after its function).
KNOWN: tuple[str, ...] = tuple(
    fn.__name__
    for fn in (
        m001_core, m002_decisions, m003_drift_runs, m004_import_indexes, m005_score_filters, m006_score_models,
        m008_decision_ids,
    )
)


@migrations()
def m009_batch_contents(db: Database) -> None:
    """A digest of each table an import held (``storage.content``): re-imports are found by content.

    Batches imported before it get the digest of their application table, read back from the store.
    """
    from storage.content import stored_frame, table_digest  # storage.content needs this module's quote

    _run(
        db,
        """CREATE TABLE batch_contents (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  table_name TEXT NOT NULL,
  rows INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (batch_id, table_name)
) STRICT""",
        "CREATE INDEX batch_contents_sha256 ON batch_contents(sha256)",
    )
    for (batch_id,) in db.execute("SELECT id FROM batches ORDER BY id").fetchall():
        frame = stored_frame(db.conn, "application", batch_id)
        db.execute(
            "INSERT INTO batch_contents VALUES (?, 'application', ?, ?)",
            (batch_id, frame.height, table_digest("application", frame)),
        )


KNOWN += (m009_batch_contents.__name__,)



@migrations()
def m010_decision_record(db: Database) -> None:
    """What the officer saw when deciding, copied into each decision: the model's PD, grade, points,
    decision and threshold, the bundle and its model, the reasons (structured JSON, as in ``scores``),
    and whether the officer went against the model.

    Decisions recorded before it are filled from the score they were made on (the client's latest
    score when recorded); the threshold was not kept then and stays NULL. The append-only trigger is
    lifted for that fill only, within this migration's transaction.
    """
    columns = ("pd REAL", "grade TEXT", "points INTEGER", "model_decision TEXT", "threshold REAL", "bundle_id TEXT",
               "model TEXT", "reasons TEXT", "overrides INTEGER")
    _run(
        db,
        *(f"ALTER TABLE decisions ADD COLUMN {column}" for column in columns),
        "DROP TRIGGER decisions_no_update",
        """UPDATE decisions SET (pd, grade, points, model_decision, bundle_id, model, reasons, overrides) =
  (SELECT s.pd, s.grade, s.points, s.decision, s.bundle_id, s.model, s.reasons, decisions.decision <> s.decision
   FROM scores s WHERE s.id = decisions.score_id)""",
        _NO_UPDATE,
        # The list's status filters read the latest decision on each score.
        "CREATE INDEX decisions_score ON decisions(score_id, id)",
    )


KNOWN += (m010_decision_record.__name__,)


@migrations()
def m011_history_blobs(db: Database) -> None:
    """The six history tables kept in bulk (``storage.history``): one compressed Arrow IPC blob per
    batch, table and chunk of clients, instead of one SQL row per history row.

    Every batch's rows are converted chunk by chunk of clients (what an import writes), then the
    row tables are dropped.
    """
    from storage.history import HISTORY_TABLES, chunk_bounds, encode, insert_chunks, split

    _run(
        db,
        """CREATE TABLE history (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  table_name TEXT NOT NULL,
  first_client INTEGER NOT NULL,
  last_client INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (batch_id, table_name, first_client)
) STRICT""",
    )
    for (batch_id,) in db.execute("SELECT id FROM batches ORDER BY id").fetchall():
        clients = db.execute('SELECT "SK_ID_CURR" FROM application WHERE batch_id = ?', (batch_id,)).fetchall()
        bounds = chunk_bounds(pl.Series([row[0] for row in clients], dtype=pl.Int64))
        for first, last in bounds.tolist():
            frames = {name: _stored_chunk(db, name, batch_id, first, last) for name in HISTORY_TABLES}
            for name, runs in split(frames, np.array([first])).items():
                insert_chunks(db.conn, batch_id, encode(name, runs.piece(0), np.array([[first, last]])))
    _run(db, *(f"DROP TABLE {quote(name)}" for name in reversed(HISTORY_TABLES)))


def _stored_chunk(db: Database, name: str, batch_id: int, first: int, last: int) -> pl.DataFrame:
    """The rows of a row-stored history table for the batch's clients ``first``..``last`` (row order),
    ``bureau_balance``'s through their credits in ``bureau``."""
    spec = tables()[name]
    schema = {c: col.dtype for c, col in spec.columns.items() if c not in spec.labels}
    if name == "bureau_balance":
        select = ", ".join(f"t.{quote(c)}" for c in schema)
        sql = f"""SELECT {select} FROM bureau_balance t WHERE t.batch_id = ? AND t."SK_ID_BUREAU" IN (
            SELECT "SK_ID_BUREAU" FROM bureau WHERE batch_id = ? AND "SK_ID_CURR" BETWEEN ? AND ?) ORDER BY t.rowid"""
        params: tuple = (batch_id, batch_id, first, last)
    else:
        sql = f"""SELECT {", ".join(map(quote, schema))} FROM {quote(name)}
            WHERE batch_id = ? AND "SK_ID_CURR" BETWEEN ? AND ? ORDER BY rowid"""
        params = (batch_id, first, last)
    return pl.DataFrame(db.execute(sql, params).fetchall(), schema=schema, orient="row")


KNOWN += (m011_history_blobs.__name__,)
