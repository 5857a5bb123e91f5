"""Issue 12, the rebuild: a damaged store is recreated from its kept imports and its journal of
decisions — every client, score and decision back as it was, the damaged file kept aside."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile

import polars as pl
import pytest

from desktop.cli import main
from storage import journal
from storage.importer import import_files
from storage.rebuild import rebuild
from storage.store import ClientStore
from test_store_faults import corrupt_middle, run

APP = "application_test.csv"
#: Batches' columns a rebuild restores (``finished`` is the rebuild's time).
BATCH_COLUMNS = "id, kind, status, started, os_user, bundle_id, clients, new_clients, row_counts"


def contents(store: ClientStore) -> dict:
    """What must come back: clients, scores, decisions, every imported row (history: its blobs), batches,
    files, contents."""
    conn = store.db.conn
    rows = {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            for name in ("clients", "scores", "decisions", "application", "history")}
    rows["batch_contents"] = conn.execute("SELECT * FROM batch_contents ORDER BY batch_id, table_name").fetchall()
    batches = conn.execute(f"SELECT {BATCH_COLUMNS} FROM batches ORDER BY id").fetchall()
    rows["batches"] = [(*batch[:-1], json.loads(batch[-1])) for batch in batches]  # row counts: any table order
    rows["batch_files"] = conn.execute("SELECT batch_id, name, size, sha256, tables, stored_as FROM batch_files").fetchall()
    return rows


@pytest.fixture
def home(tmp_path, scorer, small_batch, small_tables):
    """A store with two batches (a folder of tables; then a zip of 20 new clients and 5 known ones,
    changed) and officers' decisions: agreeing, overriding with a reason, a correction."""
    home = tmp_path / "home"
    store = ClientStore(home)
    import_files(store, [small_batch], scorer)
    app = small_tables["application"]
    second = app.head(20).with_columns(SK_ID_CURR=app["SK_ID_CURR"].head(20) + 9_000_000)
    known = app.slice(100, 5).with_columns(AMT_INCOME_TOTAL=app["AMT_INCOME_TOTAL"].slice(100, 5) * 2)
    csv = tmp_path / APP
    second.vstack(known).write_csv(csv)
    with zipfile.ZipFile(tmp_path / "march.zip", "w") as out:
        out.write(csv, APP)
    import_files(store, [tmp_path / "march.zip"], scorer)
    ids = store.find_clients(limit=400)["SK_ID_CURR"].to_list()
    for sk_id in ids[:6]:
        store.record_decision(sk_id, store.client(sk_id).score.decision, officer="alice")
    for sk_id in (ids[7], known["SK_ID_CURR"][0], second["SK_ID_CURR"][3]):
        model = store.client(sk_id).score.decision
        store.record_decision(sk_id, "refuse" if model == "accept" else "accept", officer="bob",
                              override_reason="revenus complémentaires justifiés")
    store.record_decision(ids[0], "refuse" if store.client(ids[0]).score.decision == "accept" else "accept",
                          officer="alice", override_reason="correction : pièce manquante")
    store.close()
    return home


def test_corrupt_rebuild_and_every_client_score_and_decision_is_back(home, capsys):
    store = ClientStore(home)
    before = contents(store)
    store.close()
    assert len(before["decisions"]) == 10 and len(before["batches"]) == 2
    database = home / "clients.sqlite"
    corrupt_middle(database)
    damaged = hashlib.sha256(database.read_bytes()).hexdigest()
    assert main(["--home", str(home), "import", str(home / "imports" / "2" / "march.zip")]) == 2

    capsys.readouterr()
    assert main(["--home", str(home), "rebuild"]) == 0
    out = capsys.readouterr().out
    assert "2 batches imported again (1, 2); 10 decisions restored from the journal" in out
    store = ClientStore(home)
    after = contents(store)
    for name, rows in before.items():
        assert after[name] == rows, name
    assert store.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    kept = next(home.glob("damaged-*"))
    assert hashlib.sha256((kept / "clients.sqlite").read_bytes()).hexdigest() == damaged
    assert sorted(p.name for p in (kept / "imports").iterdir()) == ["1", "2"]
    old = [r for r in journal.records(kept / "journal.jsonl")]
    assert list(journal.records(store.journal)) == old and len(old) == 10
    assert stat.S_IMODE(store.journal.stat().st_mode) == 0o600
    store.close()


@pytest.fixture
def ten_clients(tmp_path, scorer, small_tables):
    """(home, the ids of its clients, alice's decision on the first): a store of one batch of 10 clients."""
    home = tmp_path / "home"
    source = tmp_path / APP
    small_tables["application"].head(10).write_csv(source)
    store = ClientStore(home)
    import_files(store, [source], scorer)
    ids = store.find_clients()["SK_ID_CURR"].to_list()
    decided = store.record_decision(ids[0], store.client(ids[0]).score.decision, officer="alice")
    store.close()
    return home, ids, decided


def test_a_batch_scored_with_another_bundle_is_scored_with_the_one_in_use_and_said(ten_clients, scorer):
    home, ids, _ = ten_clients
    origin = home / "imports" / "1" / "batch.json"
    fields = json.loads(origin.read_text())
    origin.write_text(json.dumps({**fields, "bundle_id": "0" * 64}))
    result = rebuild(home, scorer)
    assert result.rescored == {1: "0" * 64} and result.decisions == 1 and not result.lost_decisions
    store = ClientStore(home)
    client = store.client(ids[0])
    assert client.decision.officer == "alice" and client.score.bundle_id == scorer.bundle.id
    store.close()


def test_the_journal_skips_a_torn_line_and_a_reused_id_keeps_the_later_decision(ten_clients, scorer):
    home, (first, second, *_), decided = ten_clients
    path = home / journal.JOURNAL_FILE
    line = path.read_text().splitlines()[0]
    never_committed = {**json.loads(line), "SK_ID_CURR": second, "officer": "mallory"}
    path.write_text(json.dumps(never_committed) + "\n" + line + "\n" + '{"kind": "deci')
    result = rebuild(home, scorer)
    store = ClientStore(home)
    assert result.decisions == 1 and store.decisions(first)[0].officer == "alice" and store.decisions(second) == []
    assert store.decisions(first)[0].id == decided.id
    store.close()


def test_a_batch_whose_files_are_refused_now_is_left_out_and_said_the_others_come_back(
    tmp_path, scorer, small_tables, capsys
):
    home = tmp_path / "home"
    store = ClientStore(home)
    for batch, rows in ((1, small_tables["application"].head(10)), (2, small_tables["application"].slice(10, 10))):
        source = tmp_path / str(batch) / APP
        source.parent.mkdir()
        rows.write_csv(source)
        import_files(store, [source], scorer)
    first, second = store.find_clients(batch=1, limit=1)["SK_ID_CURR"][0], store.find_clients(batch=2, limit=1)["SK_ID_CURR"][0]
    for sk_id in (first, second):
        store.record_decision(sk_id, store.client(sk_id).score.decision, officer="alice")
    decided = [store.decisions(sk_id)[0].id for sk_id in (first, second)]
    store.close()
    kept = home / "imports" / "2" / APP  # altered on disk since: an amount that is not a number
    small_tables["application"].slice(10, 10).with_columns(AMT_CREDIT=pl.lit("lots")).write_csv(kept)
    code, err = run(capsys, "--home", str(home), "rebuild")
    assert code == 2
    assert "batch 2 not imported again" in err and "column AMT_CREDIT" in err and "Traceback" not in err
    assert f"decisions {decided[1]} not restored" in err
    store = ClientStore(home)
    assert store.batches()["BATCH"].to_list() == [1] and store.decisions(first)[0].officer == "alice"
    store.close()
