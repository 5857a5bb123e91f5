"""Issue 12, finding 10: a recorded decision cannot be rewritten, ``INSERT OR REPLACE`` included.

The statements are run on a plain ``sqlite3`` connection, as another tool would open the file:
the store's own connections (sqlite-utils) turn ``recursive_triggers`` on, which already makes
REPLACE fire the delete trigger; a plain connection leaves it off.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from storage.importer import import_files
from storage.migrations import KNOWN, migrations
from storage.paths import DATABASE_FILE
from storage.store import ClientStore

REPLACE = """INSERT OR REPLACE INTO decisions
(id, "SK_ID_CURR", score_id, decision, override_reason, officer, decided_at)
SELECT id, "SK_ID_CURR", score_id, 'accept', 'rewritten', 'mallory', decided_at FROM decisions WHERE id = ?"""
UPSERT = """INSERT INTO decisions (id, "SK_ID_CURR", score_id, decision, officer, decided_at)
SELECT id, "SK_ID_CURR", score_id, 'accept', 'mallory', decided_at FROM decisions WHERE id = ?
ON CONFLICT (id) DO UPDATE SET decision = excluded.decision, officer = excluded.officer"""


@pytest.fixture(scope="module")
def store(tmp_path_factory, scorer, small_batch):
    """A store holding a real batch (the first demo clients with their history)."""
    store = ClientStore(tmp_path_factory.mktemp("home"))
    import_files(store, [small_batch], scorer)
    return store


def _rows(db: Database) -> list[tuple]:
    return db.execute("SELECT * FROM decisions ORDER BY id").fetchall()


def _outside(path) -> sqlite3.Connection:
    """A connection as another SQLite tool opens the store: no recursive triggers."""
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
    return conn


def _refused_client(store: ClientStore) -> int:
    return store.find_clients(decision="refuse", limit=1)["SK_ID_CURR"][0]


@pytest.mark.parametrize("statement", [REPLACE, UPSERT], ids=["insert-or-replace", "upsert"])
def test_a_recorded_decision_cannot_be_replaced(store, statement):
    sk_id = _refused_client(store)
    decision = store.record_decision(sk_id, "refuse", officer="alice")
    before = _rows(store.db)
    outside = _outside(store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        outside.execute(statement, (decision.id,))
    outside.close()
    assert _rows(store.db) == before
    assert store.decisions(sk_id)[0] == decision


def test_a_decision_id_below_one_is_refused_so_new_decisions_are_never_blocked(store):
    sk_id = _refused_client(store)
    latest = store.client(sk_id).score.id
    outside = _outside(store.path)
    for explicit in (-1, 0):
        with pytest.raises(sqlite3.IntegrityError, match="positive"):
            outside.execute(
                """INSERT INTO decisions (id, "SK_ID_CURR", score_id, decision, officer, decided_at)
                VALUES (?, ?, ?, 'refuse', 'mallory', '2026-01-01')""",
                (explicit, sk_id, latest),
            )
    outside.close()
    first = store.record_decision(sk_id, "refuse", officer="alice")
    second = store.record_decision(sk_id, "accept", officer="alice", override_reason="guarantor added")
    assert second.id == first.id + 1
    assert [d.id for d in store.decisions(sk_id)][:2] == [second.id, first.id]


def test_a_store_of_an_older_app_gets_the_trigger_when_opened(tmp_path):
    old = Database(tmp_path / DATABASE_FILE)
    migrations.apply(old, stop_before="m008_decision_ids")
    old.execute("""INSERT INTO batches VALUES (1, 'import', 'imported', '2025-01-02T10:00:00+00:00',
                '2025-01-02T10:01:00+00:00', 'alice', 'b0', 1, 1, '{}', '{}')""")
    with old.conn:
        old.conn.execute("INSERT INTO clients VALUES (100001, 1, 1, 7)")
        old.conn.execute(
            "INSERT INTO scores (id, SK_ID_CURR, batch_id, bundle_id, pd, decision, grade, points, reasons, scored_at)"
            " VALUES (7, 100001, 1, 'b0', 0.2, 'refuse', 'E', 520, ?, '2025-01-02T10:00:30')",
            ('{"against": [], "for": []}',),
        )
        old.conn.execute('INSERT INTO application (batch_id, "SK_ID_CURR") VALUES (1, 100001)')
        old.conn.execute(
            """INSERT INTO decisions VALUES (1, 100001, 7, 'refuse', NULL, 'alice', '2025-01-02T11:00:00')"""
        )
    old.close()
    with _outside(tmp_path / DATABASE_FILE) as outside:  # finding 10: the old schema lets REPLACE rewrite it
        outside.execute(REPLACE, (1,))
    outside.close()
    assert _rows(Database(tmp_path / DATABASE_FILE))[0][3:6] == ("accept", "rewritten", "mallory")

    store = ClientStore(tmp_path)
    assert store.schema_version == list(KNOWN)
    before = _rows(store.db)
    outside = _outside(store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        outside.execute(REPLACE, (1,))
    outside.close()
    assert _rows(store.db) == before
    assert store.record_decision(100001, "refuse", officer="bob").id == 2
