"""The client store: one SQLite file (WAL, foreign keys on) and the imported files beside it.

Layout of the store's folder::

    clients.sqlite          batches, clients, the Home Credit tables as imported, scores, decisions
    imports/<batch_id>/     a copy of every file of that import, as the user gave it, and ``batch.json``
    journal.jsonl           every officer's decision, also appended here (``storage.journal``)

Each thread gets its own connection (``ClientStore.db``), so one store object can serve the
Dash app's worker threads; opening a store is cheap once it is migrated.
"""

from __future__ import annotations

import getpass
import json
import logging
import shutil
import sqlite3
import threading
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
from sqlite_utils import Database

from engine.score_record import ACCEPT, FIELDS, REFUSE, SCORE_FIELDS, StoredScore
from storage import journal
from storage.client_query import ClientQuery
from storage.faults import check_integrity, faults_said
from storage.migrations import KNOWN, migrations
from storage.paths import DATABASE_FILE, IMPORTS_DIR, StoreError, create_home, data_home

log = logging.getLogger(__name__)

#: How long a connection waits for another one's write lock (an import holds it while storing).
BUSY_TIMEOUT_MS = 60_000
#: Suffix of an import folder being written; it only becomes ``<batch_id>`` once its rows commit.
PARTIAL = ".partial"


class ScoredAgain(StoreError):
    """A decision was asked on a score that is no longer the client's latest."""


def now() -> str:
    """UTC timestamp as stored: ISO 8601, seconds."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


@dataclass(frozen=True)
class DecisionRecord:
    """An officer's decision with what the officer saw: the score it was made on, copied."""

    id: int | None  # None until stored
    score_id: int
    decision: str  # the officer's
    override_reason: str | None
    officer: str
    decided_at: str
    pd: float | None  # the model's, on that score (copied; None only where m010 found no score to copy from)
    grade: str | None
    points: int | None
    model_decision: str | None
    threshold: float | None  # the scoring model's threshold shown (None for decisions recorded before m010)
    bundle_id: str | None
    model: str | None  # the bundle's model that scored (coverage name)
    reasons: dict | None  # {"against": [...], "for": [...]} as stored with the score
    overrides: bool | None  # the officer went against the model

    @classmethod
    def on_score(
        cls, score: StoredScore, decision: str, override_reason: str | None, officer: str, decided_at: str,
        threshold: float | None = None, id: int | None = None,
    ) -> DecisionRecord:
        """A decision on ``score``, with the score's figures, model and reasons copied."""
        return cls(
            id, score.id, decision, override_reason, officer, decided_at, score.pd, score.grade, score.points,
            score.decision, threshold, score.bundle_id, score.model, score.reasons(),
            decision != score.decision,
        )


_DECISION_COLUMNS = ", ".join(f.name for f in fields(DecisionRecord))
_D_COLUMNS = ", ".join("d." + f.name for f in fields(DecisionRecord))


def _decision(row: tuple) -> DecisionRecord:
    *head, reasons, overrides = row
    return DecisionRecord(*head, json.loads(reasons) if reasons else None, None if overrides is None else bool(overrides))


@dataclass(frozen=True)
class ClientRecord:
    sk_id_curr: int
    first_batch_id: int
    last_batch_id: int
    application: dict  # the client's fields from the latest import that held them
    score: StoredScore  # the latest score
    decision: DecisionRecord | None  # the latest officer's decision, if any


#: A stored score's columns: the record's fields (:data:`SCORE_FIELDS`), its reasons, then where and when it was stored.
_SCORE_COLUMNS = ", ".join(
    [*(f's."{FIELDS[name].stored}"' for name in SCORE_FIELDS), "s.reasons", "s.id", "s.batch_id", "s.bundle_id",
     "b.row_counts", "s.scored_at"]
)


def supplied_tables(row_counts: str) -> tuple[str, ...]:
    """The tables a batch supplied, from its ``row_counts`` column (the tables read, in reading order)."""
    return tuple(json.loads(row_counts).get("read", {}))


def _score(row: tuple) -> StoredScore:
    """A row of :data:`_SCORE_COLUMNS` as the score record."""
    *figures, reasons, score_id, batch_id, bundle_id, row_counts, scored_at = row
    stored = json.loads(reasons)
    return StoredScore(*figures, stored["against"], stored["for"], score_id, batch_id, bundle_id,
                       supplied_tables(row_counts), scored_at)


class ClientStore:
    """The store in ``home`` (see ``storage.paths.data_home``), created and migrated on open."""

    def __init__(self, home: str | Path | None = None) -> None:
        self.home = data_home(home)
        self.path = self.home / DATABASE_FILE
        self.imports = create_home(self.home) / IMPORTS_DIR
        self.journal = self.home / journal.JOURNAL_FILE
        self.imports.mkdir(exist_ok=True)
        self._local = threading.local()
        try:
            self._migrate()
            self._sweep_on_open()
        except BaseException:
            self.close()  # a store that cannot be opened leaves no connection behind (it may be moved aside)
            raise

    def _migrate(self) -> None:
        db = self.db
        applied = [m.name for m in migrations.applied(db)]
        unknown = [name for name in applied if name not in KNOWN]
        if unknown:
            raise StoreError("newer_schema", path=str(self.path), schema=", ".join(unknown))
        if len(applied) < len(KNOWN):
            log.info("migrating %s: %s", self.path, ", ".join(n for n in KNOWN if n not in applied))
            migrations.apply(db)

    # --- connections ----------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        """This thread's connection (opened on first use)."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            db = Database(conn, execute_plugins=False)
            if db.journal_mode != "wal":
                db.enable_wal()
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(
                "PRAGMA synchronous = NORMAL"
            )  # WAL: a crash never corrupts, power loss may drop the last commit
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def check_integrity(self) -> int:
        """``PRAGMA quick_check``; raises ``StoreFault`` ("damaged") if the file fails it. Returns the
        ``data_version`` read just before: if :meth:`data_version` differs later, another connection
        has committed since the check."""
        version = self.data_version()
        check_integrity(self.db.conn, self.path)
        return version

    def data_version(self) -> int:
        return self.db.conn.execute("PRAGMA data_version").fetchone()[0]

    @property
    def schema_version(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    # --- imported files ---------------------------------------------------------------------------

    def sweep_imports(self) -> None:
        """Remove import folders no committed batch owns (left by a killed import).

        Call only while holding the write lock (inside ``BEGIN IMMEDIATE``): then no other import
        is between writing its folder and committing.
        """
        known = {str(row[0]) for row in self.db.execute("SELECT id FROM batches")}
        for entry in self.imports.iterdir():
            if entry.name not in known:
                log.warning("removing %s: left by an import that did not finish", entry)
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()

    def _sweep_on_open(self) -> None:
        known = {str(row[0]) for row in self.db.execute("SELECT id FROM batches")}
        if all(entry.name in known for entry in self.imports.iterdir()):
            return
        conn = self.db.conn
        conn.execute("PRAGMA busy_timeout = 100")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # an import is running: it sweeps when it stores
            return
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            self.sweep_imports()
        finally:
            conn.execute("COMMIT")

    # --- queries --------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return self.db.execute("SELECT NOT EXISTS (SELECT 1 FROM batches)").fetchone()[0] == 1

    def client(self, sk_id_curr: int) -> ClientRecord | None:
        """One client with the latest score, its reasons and the latest officer's decision."""
        conn = self.db.conn
        row = conn.execute(
            f"""SELECT c.first_batch_id, c.last_batch_id, {_SCORE_COLUMNS}
            FROM clients c JOIN scores s ON s.id = c.latest_score_id JOIN batches b ON b.id = s.batch_id
            WHERE c."SK_ID_CURR" = ?""",
            (sk_id_curr,),
        ).fetchone()
        if row is None:
            return None
        cursor = conn.execute(
            'SELECT * FROM application WHERE "SK_ID_CURR" = ? ORDER BY batch_id DESC LIMIT 1', (sk_id_curr,)
        )
        names = [d[0] for d in cursor.description]
        application = {k: v for k, v in zip(names, cursor.fetchone(), strict=True) if k != "batch_id"}
        decisions = self.decisions(sk_id_curr, limit=1)
        return ClientRecord(
            sk_id_curr, row[0], row[1], application, _score(row[2:]), decisions[0] if decisions else None
        )

    def scores(self, sk_id_curr: int) -> list[StoredScore]:
        """Every score of a client, newest first."""
        rows = self.db.conn.execute(
            f"""SELECT {_SCORE_COLUMNS} FROM scores s JOIN batches b ON b.id = s.batch_id
            WHERE s."SK_ID_CURR" = ? ORDER BY s.id DESC""",
            (sk_id_curr,),
        )
        return [_score(row) for row in rows]

    def decisions(self, sk_id_curr: int, limit: int = -1) -> list[DecisionRecord]:
        """Officers' decisions on a client, newest first (corrections are newer rows)."""
        rows = self.db.conn.execute(
            f"""SELECT {_DECISION_COLUMNS} FROM decisions WHERE "SK_ID_CURR" = ? ORDER BY id DESC LIMIT ?""",
            (sk_id_curr, limit),
        )
        return [_decision(row) for row in rows]

    def decision_log(self) -> list[tuple[int, int, DecisionRecord]]:
        """Every officer's decision, oldest first: (SK_ID_CURR, batch of the score it was made on, decision)."""
        rows = self.db.conn.execute(
            f"""SELECT d."SK_ID_CURR", s.batch_id, {_D_COLUMNS}
            FROM decisions d JOIN scores s ON s.id = d.score_id ORDER BY d.id"""
        )
        return [(row[0], row[1], _decision(row[2:])) for row in rows]

    def find_clients(self, *, limit: int | None = None, offset: int = 0, **filters) -> pl.DataFrame:
        """Clients with a score, by SK_ID_CURR, as :class:`storage.client_query.ClientQuery` (``filters``) lists them."""
        return ClientQuery(**filters).rows(self, limit, offset)

    def batches(self) -> pl.DataFrame:
        """Every batch, oldest first: id, kind, status, times, user, bundle, client counts, files."""
        rows = self.db.conn.execute(
            """SELECT b.id, b.kind, b.status, b.started, b.finished, b.os_user, b.bundle_id, b.clients,
                   b.new_clients, group_concat(f.name, ', ')
            FROM batches b LEFT JOIN batch_files f ON f.batch_id = b.id GROUP BY b.id ORDER BY b.id"""
        ).fetchall()
        schema = {
            "BATCH": pl.Int64,
            "KIND": pl.String,
            "STATUS": pl.String,
            "STARTED": pl.String,
            "FINISHED": pl.String,
            "OS_USER": pl.String,
            "BUNDLE": pl.String,
            "CLIENTS": pl.Int64,
            "NEW_CLIENTS": pl.Int64,
            "FILES": pl.String,
        }
        return pl.DataFrame(rows, schema=schema, orient="row")

    def batch_report(self, batch_id: int) -> dict | None:
        """The validation report stored with a batch (problems, row counts), None if no such batch."""
        row = self.db.conn.execute("SELECT report FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    # --- officers' decisions ----------------------------------------------------------------------

    def record_decision(
        self,
        sk_id_curr: int,
        decision: str,
        *,
        officer: str | None = None,
        override_reason: str | None = None,
        threshold: float | None = None,
        score_id: int | None = None,
    ) -> DecisionRecord:
        """Append an officer's decision on the client's latest score (a correction is a new call), with
        the score's figures and reasons and the ``threshold`` the officer was shown.

        Going against the model's decision needs an ``override_reason``. ``score_id``: the score the
        officer saw; refused if the client has been scored again since.
        """
        if decision not in (ACCEPT, REFUSE):
            raise StoreError("bad_decision", decision=decision)
        record = self.client(sk_id_curr)
        if record is None:
            raise StoreError("no_client", id=sk_id_curr)
        score = record.score
        if score_id is not None and score_id != score.id:
            raise ScoredAgain("scored_again", id=sk_id_curr, score=score_id)
        reason = (override_reason or "").strip() or None
        if decision != score.decision and reason is None:
            raise StoreError(f"override_of_{score.decision}")
        stored = DecisionRecord.on_score(score, decision, reason, officer or os_user(), now(), threshold)
        return self.append_decision(sk_id_curr, score.batch_id, stored)

    def append_decision(self, sk_id_curr: int, batch_id: int, record: DecisionRecord) -> DecisionRecord:
        """Insert a decision (with the next id unless ``record.id``) and append it to the journal, in one
        transaction; returns it with its id."""
        values = asdict(record)
        values["reasons"] = None if record.reasons is None else json.dumps(record.reasons, ensure_ascii=False)
        marks = ", ".join("?" * len(values))
        with faults_said(self.path), self.db.atomic():
            cursor = self.db.conn.execute(
                f'INSERT INTO decisions ("SK_ID_CURR", {_DECISION_COLUMNS}) VALUES (?, {marks})',
                (sk_id_curr, *values.values()),
            )
            stored = replace(record, id=cursor.lastrowid)
            journal.append(
                self.journal, {"kind": "decision", "SK_ID_CURR": sk_id_curr, "batch_id": batch_id, **asdict(stored)}
            )
        return stored
