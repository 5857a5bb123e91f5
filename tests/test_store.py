"""storage.store: location, schema migrations, connections, lookups, officers' decisions."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date, timedelta

import pytest
from sqlite_utils import Database

from engine.resources import resources_dir
from storage.importer import import_files
from storage.migrations import KNOWN, migrations
from storage.paths import DATABASE_FILE, HOME_ENV, StoreError, data_home
from storage.store import ClientStore


@pytest.fixture(scope="module")
def stored(tmp_path_factory, scorer, small_batch):
    """A store holding one real batch (the first demo clients with their history)."""
    store = ClientStore(tmp_path_factory.mktemp("home"))
    result = import_files(store, [small_batch], scorer)
    return store, result


def test_home_comes_from_option_then_environment_then_user_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "from-env"))
    assert data_home(tmp_path / "given") == (tmp_path / "given").resolve()
    assert data_home() == (tmp_path / "from-env").resolve()
    monkeypatch.delenv(HOME_ENV)
    assert data_home().name.lower() == "creditscore"
    assert resources_dir() not in data_home().parents


def test_store_inside_the_app_resources_is_refused():
    with pytest.raises(StoreError, match="resources"):
        data_home(resources_dir() / "store")


def test_new_store_has_the_whole_schema_with_wal_and_foreign_keys(tmp_path):
    store = ClientStore(tmp_path)
    assert store.schema_version == list(KNOWN)
    assert (tmp_path / DATABASE_FILE).is_file() and (tmp_path / "imports").is_dir()
    db = store.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    expected = {
        "batches",
        "batch_files",
        "clients",
        "scores",
        "decisions",
        "drift_runs",
        "application",
        "history",
    }
    assert expected <= set(db.table_names())
    assert store.is_empty()


def test_store_of_an_older_schema_is_migrated_and_keeps_its_rows(tmp_path):
    old = Database(tmp_path / DATABASE_FILE)
    migrations.apply(old, stop_before="m002_decisions")
    old.execute("""INSERT INTO batches VALUES (1, 'import', 'imported', '2025-01-02T10:00:00+00:00',
                '2025-01-02T10:01:00+00:00', 'alice', 'b0', 1, 1, '{"read": {"application": 1, "bureau": 3}}', '{}')""")
    old.conn.execute("BEGIN")
    old.conn.execute("INSERT INTO clients VALUES (100001, 1, 1, 7)")
    reasons = json.dumps(
        {"against": [{"feature": "X", "value": 1.0, "contribution": 0.1, "fr": "x", "en": "x"}], "for": []}
    )
    old.conn.execute(
        "INSERT INTO scores VALUES (7, 100001, 1, 'b0', 0.2, 'refuse', 'E', 520, ?, '2025-01-02T10:00:30')",
        (reasons,),
    )
    old.conn.execute('INSERT INTO application (batch_id, "SK_ID_CURR", "AMT_CREDIT") VALUES (1, 100001, 5e5)')
    old.conn.execute("COMMIT")
    assert "decisions" not in old.table_names() and "model" not in old["scores"].columns_dict
    old.close()

    store = ClientStore(tmp_path)
    assert store.schema_version == list(KNOWN)
    client = store.client(100001)
    assert client.score.id == 7 and client.score.grade == "E" and client.application["AMT_CREDIT"] == 5e5
    assert client.score.against[0]["feature"] == "X"
    # Scores from before there was one model per coverage were made by the full-history model.
    assert client.score.model == "full" and client.score.supplied == ("application", "bureau")
    decision = store.record_decision(100001, "refuse", officer="bob")
    assert store.client(100001).decision == decision


def test_store_of_a_newer_app_is_refused(tmp_path):
    ClientStore(tmp_path).db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('creditscore', 'm999_future', 'x')"
    )
    with pytest.raises(StoreError, match="newer creditscore"):
        ClientStore(tmp_path)


def test_each_thread_gets_its_own_connection(stored):
    store, result = stored
    found = {}

    def look() -> None:
        found["conn"] = store.db.conn
        found["client"] = store.client(store.find_clients(limit=1)["SK_ID_CURR"][0])
        store.close()

    worker = threading.Thread(target=look)
    worker.start()
    worker.join()
    assert found["conn"] is not store.db.conn
    assert found["client"].score.batch_id == result.batch_id


def test_client_lookup_returns_latest_score_reasons_and_application(stored, small_tables):
    store, result = stored
    application = small_tables["application"]
    sk_id = application["SK_ID_CURR"][3]
    client = store.client(sk_id)
    assert client.sk_id_curr == sk_id and client.first_batch_id == client.last_batch_id == result.batch_id
    assert client.application["AMT_CREDIT"] == application["AMT_CREDIT"][3]
    assert client.application["NAME_CONTRACT_TYPE"] == application["NAME_CONTRACT_TYPE"][3]
    assert 0 < client.score.pd < 1 and client.score.grade in "ABCDE"
    assert client.score.against and all(
        set(r) == {"group", "feature", "value", "contribution"} and r["contribution"] > 0 for r in client.score.against
    )
    assert all(r["contribution"] < 0 for r in client.score.favour)
    assert client.decision is None
    assert store.client(1) is None


def test_find_clients_filters_by_decision_grade_batch_and_date(stored):
    store, result = stored
    everyone = store.find_clients()
    assert everyone.height == result.clients and everyone["SK_ID_CURR"].is_sorted()
    for grade in "ABCDE":
        assert store.find_clients(grade=grade).height == (everyone["GRADE"] == grade).sum()
    refused = store.find_clients(decision="refuse")
    assert refused.height == (everyone["DECISION"] == "refuse").sum() and set(refused["DECISION"]) <= {
        "refuse"
    }
    assert store.find_clients(batch=result.batch_id).height == result.clients
    assert store.find_clients(batch=result.batch_id + 1).is_empty()
    today = date.fromisoformat(everyone["SCORED_AT"][0][:10])
    assert store.find_clients(since=today, until=today).height == result.clients
    assert store.find_clients(since=today + timedelta(days=1)).is_empty()
    assert store.find_clients(until=today - timedelta(days=1)).is_empty()
    assert (
        store.find_clients(limit=3, offset=2)["SK_ID_CURR"].to_list() == everyone["SK_ID_CURR"][2:5].to_list()
    )


def test_decisions_are_append_only_and_overrides_need_a_reason(stored):
    store, _ = stored
    sk_id = store.find_clients(decision="refuse", limit=1)["SK_ID_CURR"][0]
    with pytest.raises(StoreError, match="needs a reason"):
        store.record_decision(sk_id, "accept", officer="alice")
    first = store.record_decision(sk_id, "accept", officer="alice", override_reason="guarantor added")
    second = store.record_decision(sk_id, "refuse", officer="alice")
    assert [d.id for d in store.decisions(sk_id)] == [second.id, first.id]
    assert store.client(sk_id).decision == second
    for statement in ("UPDATE decisions SET decision = 'accept'", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.conn.execute(statement)
        store.db.conn.rollback()
    assert len(store.decisions(sk_id)) == 2


def test_folders_left_by_a_killed_import_are_removed_on_open(stored):
    store, result = stored
    leftovers = [store.imports / f"{result.batch_id + 1}.partial", store.imports / str(result.batch_id + 1)]
    for folder in leftovers:
        folder.mkdir()
        (folder / "application_test.csv").write_text("SK_ID_CURR\n1\n")
    ClientStore(store.home)
    assert sorted(p.name for p in store.imports.iterdir()) == [str(result.batch_id)]
