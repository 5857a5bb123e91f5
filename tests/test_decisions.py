"""The decision record: what the officer saw copied into each decision, an old store upgraded, the
list's status filters (store, CLI, API), the export of the whole log, the officer's name in the settings."""

from __future__ import annotations

import json
import sqlite3

import polars as pl
import pytest
from sqlite_utils import Database

from desktop.cli import main
from engine.coverage_words import scored_with
from storage.client_query import AWAITING, DECIDED, OVERRIDE, ClientQuery
from storage.export import decisions_frame, export_decisions
from storage.importer import import_files
from storage.migrations import KNOWN, migrations
from storage.paths import DATABASE_FILE, StoreError
from storage.rebuild import rebuild
from storage.settings import officer_name, save_officer_name
from storage.store import ClientStore, ScoredAgain


@pytest.fixture(scope="module")
def decided(tmp_path_factory, scorer, small_batch):
    """A store of the first demo clients with decisions: one follows the model, one overrides it, one
    overrides it then is corrected to follow it."""
    home = tmp_path_factory.mktemp("home")
    store = ClientStore(home)
    result = import_files(store, [small_batch], scorer)
    refused = store.find_clients(decision="refuse", limit=2)["SK_ID_CURR"].to_list()
    accepted = store.find_clients(decision="accept", limit=1)["SK_ID_CURR"][0]
    threshold = scorer.bundle.threshold
    store.record_decision(accepted, "accept", officer="Alice Martin", threshold=threshold)
    store.record_decision(refused[0], "accept", officer="Alice Martin", override_reason="garant ajouté", threshold=threshold)
    store.record_decision(refused[1], "accept", officer="Bob", override_reason="erreur de saisie ?", threshold=threshold)
    store.record_decision(refused[1], "refuse", officer="Bob", threshold=threshold)
    return store, result, {"followed": accepted, "override": refused[0], "corrected": refused[1]}


def test_a_decision_keeps_what_the_officer_saw(decided, scorer):
    store, _, ids = decided
    score = store.client(ids["override"]).score
    [decision] = store.decisions(ids["override"])
    assert decision.score_id == score.id and decision.decision == "accept" and decision.overrides is True
    assert (decision.pd, decision.grade, decision.points, decision.model_decision) == (score.pd, score.grade, score.points, "refuse")
    assert decision.threshold == scorer.bundle.threshold and score.pd > decision.threshold
    assert (decision.bundle_id, decision.model) == (score.bundle_id, score.model) == (scorer.bundle.id, "full")
    assert decision.reasons == {"against": score.against, "for": score.favour} and decision.reasons["against"]
    assert decision.officer == "Alice Martin" and decision.override_reason == "garant ajouté"
    followed = store.decisions(ids["followed"])[0]
    assert followed.overrides is False and followed.override_reason is None
    line = json.loads(store.journal.read_text(encoding="utf-8").splitlines()[1])  # the journal keeps it all
    assert line["id"] == decision.id and line["pd"] == score.pd and line["reasons"] == decision.reasons


def test_a_decision_on_a_score_no_longer_latest_is_refused(decided):
    store, _, ids = decided
    score = store.client(ids["followed"]).score
    with pytest.raises(ScoredAgain, match="scored again"):
        store.record_decision(ids["followed"], "accept", officer="Alice Martin", score_id=score.id - 1)
    assert len(store.decisions(ids["followed"])) == 1


def test_status_filters_awaiting_decided_and_override(decided):
    store, result, ids = decided
    everyone = ClientQuery().count(store)
    decided_ids = ClientQuery(status=DECIDED).rows(store)["SK_ID_CURR"].to_list()
    assert sorted(decided_ids) == sorted(ids.values())
    assert ClientQuery(status=AWAITING).count(store) == everyone - 3 == result.clients - 3
    overridden = ClientQuery(status=OVERRIDE).rows(store)
    assert overridden["SK_ID_CURR"].to_list() == [ids["override"]]  # the corrected one follows the model now
    row = overridden.row(0, named=True)
    assert (row["OFFICER_DECISION"], row["OVERRIDE"], row["OFFICER"], row["DECISION"]) == ("accept", True, "Alice Martin", "refuse")
    assert ClientQuery(status=OVERRIDE, grade="A").count(store) == 0  # a refused client is not graded A
    assert ClientQuery(status=DECIDED, batch=result.batch_id).count(store) == 3
    assert ClientQuery(status=DECIDED, batch=result.batch_id + 1).count(store) == 0
    awaiting = ClientQuery(status=AWAITING).rows(store)
    assert awaiting["OFFICER_DECISION"].is_null().all() and not set(awaiting["SK_ID_CURR"]) & set(ids.values())


def test_query_parameters_are_checked(decided):
    store, result, _ = decided
    query = ClientQuery.from_params({"status": "override", "batch": str(result.batch_id), "grade": ""})
    assert query == ClientQuery(status="override", batch=result.batch_id)
    for params, said in (({"status": "pending"}, "status must be one of"), ({"batch": "x"}, "invalid filter value"),
                         ({"since": "2024-13-01"}, "invalid filter value"), ({"colour": "red"}, "unknown filter colour"),
                         ({"batch": str(2**70)}, "invalid filter value")):
        with pytest.raises(StoreError, match=said):
            ClientQuery.from_params(params)


def test_decisions_export_has_every_field_in_words_and_structured(decided, scorer, tmp_path):
    store, result, ids = decided
    frame = decisions_frame(store, scorer, "fr")
    assert frame.height == 4 and frame["DECISION_ID"].is_sorted()
    row = frame.filter(pl.col("SK_ID_CURR") == ids["override"]).row(0, named=True)
    decision, score = store.decisions(ids["override"])[0], store.client(ids["override"]).score
    assert row == {
        "DECISION_ID": decision.id, "SK_ID_CURR": ids["override"], "BATCH": result.batch_id, "SCORE_ID": score.id,
        "DECIDED_AT": decision.decided_at, "OFFICER": "Alice Martin", "OFFICER_DECISION": "accept", "MODEL_DECISION": "refuse",
        "OVERRIDE": True, "OVERRIDE_REASON": "garant ajouté", "PD": score.pd, "GRADE": score.grade, "POINTS": score.points,
        "THRESHOLD": scorer.bundle.threshold, "BUNDLE": scorer.bundle.id, "MODEL": "full",
        "MODEL_FR": scored_with(scorer.bundle, "full", result.supplied, "fr"),
        "MODEL_EN": scored_with(scorer.bundle, "full", result.supplied, "en"),
        "REASONS_AGAINST": scorer.words.cell(score.against, "fr"), "REASONS_FOR": scorer.words.cell(score.favour, "fr"),
        "REASONS": json.dumps({"against": score.against, "for": score.favour}, ensure_ascii=False),
    }
    assert "augmente le risque" in row["REASONS_AGAINST"] and "AUC attendue 0,7" in row["MODEL_FR"]
    assert "raises the risk" in decisions_frame(store, scorer, "en")["REASONS_AGAINST"][0]

    assert export_decisions(store, tmp_path / "log.parquet", scorer, "en") == 4
    assert pl.read_parquet(tmp_path / "log.parquet").drop("REASONS_AGAINST", "REASONS_FOR").equals(
        frame.drop("REASONS_AGAINST", "REASONS_FOR"))
    export_decisions(store, tmp_path / "log.csv", scorer, "fr", fmt="excel-fr")
    raw = (tmp_path / "log.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
    back = pl.read_csv(tmp_path / "log.csv", separator=";", decimal_comma=True, infer_schema_length=None)
    assert back["PD"].to_list() == pytest.approx(frame["PD"].to_list())
    assert [json.loads(text) for text in back["REASONS"]] == [json.loads(text) for text in frame["REASONS"]]
    with pytest.raises(StoreError, match="log.xlsx: export to a .csv or a .parquet file"):
        export_decisions(store, tmp_path / "log.xlsx", scorer, "fr")


def test_cli_filters_by_status_and_exports_the_log(decided, capsys, tmp_path):
    store, _, ids = decided
    assert main(["--home", str(store.home), "clients", "--status", "override"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and str(ids["override"]) in out[1] and "Granted (override)" in out[1] and out[-1] == "1 client shown"
    assert main(["--home", str(store.home), "decisions", "--out", str(tmp_path / "log.csv"), "--format", "excel-fr",
                 "--lang", "fr"]) == 0
    assert "4 décisions écrites dans" in capsys.readouterr().out
    back = pl.read_csv(tmp_path / "log.csv", separator=";", decimal_comma=True)
    assert back.filter(pl.col("OVERRIDE"))["SK_ID_CURR"].to_list() == [ids["override"], ids["corrected"]]  # in the order decided
    assert back["REASONS_AGAINST"].str.contains("augmente le risque").all()
    assert main(["--home", str(store.home), "decisions", "--out", str(tmp_path / "log.txt")]) == 2
    assert "log.txt: export to a .csv or a .parquet file" in capsys.readouterr().err


def test_an_old_store_is_upgraded_with_what_its_decisions_were_made_on(decided, tmp_path):
    """A store written before m010: its decisions get the figures, model and reasons of their score,
    a NULL threshold, the override flag; the append-only triggers still hold."""
    source, _, ids = decided
    home = tmp_path / "old"
    home.mkdir()
    old = Database(home / DATABASE_FILE)
    migrations.apply(old, stop_before="m010_decision_record")
    conn, current = old.conn, source.db.conn
    score = source.client(ids["override"]).score
    batch = current.execute("SELECT * FROM batches WHERE id = ?", (score.batch_id,)).fetchone()
    conn.execute(f"INSERT INTO batches VALUES ({', '.join('?' * len(batch))})", batch)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO clients VALUES (?, ?, ?, ?)", (ids["override"], score.batch_id, score.batch_id, score.id))
    row = current.execute("SELECT * FROM scores WHERE id = ?", (score.id,)).fetchone()
    conn.execute(f"INSERT INTO scores VALUES ({', '.join('?' * len(row))})", row)
    conn.executemany(
        'INSERT INTO decisions (id, "SK_ID_CURR", score_id, decision, override_reason, officer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [(1, ids["override"], score.id, "refuse", None, "root", "2025-01-02T10:00:00+00:00"),
         (2, ids["override"], score.id, "accept", "garant", "root", "2025-01-03T10:00:00+00:00")],
    )
    conn.commit()
    old.close()

    store = ClientStore(home)
    assert store.schema_version == list(KNOWN)
    corrected, first = store.decisions(ids["override"])
    assert (first.overrides, corrected.overrides) == (False, True)
    for decision in (first, corrected):
        assert (decision.pd, decision.grade, decision.points, decision.model_decision) == (score.pd, score.grade, score.points, "refuse")
        assert (decision.bundle_id, decision.model, decision.threshold) == (score.bundle_id, score.model, None)
        assert decision.reasons == {"against": score.against, "for": score.favour}
    assert ClientQuery(status=OVERRIDE).rows(store)["SK_ID_CURR"].to_list() == [ids["override"]]
    for statement in ("UPDATE decisions SET pd = 0", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(statement)
    store.close()


def test_the_officer_name_is_kept_in_the_settings(tmp_path):
    path = tmp_path / "home" / "settings.json"
    assert officer_name(path) is None
    assert save_officer_name(path, "  Claire   Dupont ") == "Claire Dupont"
    assert officer_name(path) == "Claire Dupont" and [p.name for p in path.parent.iterdir()] == ["settings.json"]
    path.write_text("{not json", encoding="utf-8")
    assert officer_name(path) is None  # an unreadable file is no name, never an error
    with pytest.raises(ValueError, match="empty"):
        save_officer_name(path, "   ")
    assert save_officer_name(path, "x" * 500) == "x" * 100


def test_rebuild_restores_what_the_officer_saw_and_fills_older_journal_lines(tmp_path, scorer, small_batch):
    home = tmp_path / "home"
    store = ClientStore(home)
    import_files(store, [small_batch], scorer)
    sk_ids = store.find_clients(decision="refuse", limit=2)["SK_ID_CURR"].to_list()
    kept = store.record_decision(sk_ids[0], "accept", officer="Alice", override_reason="garant", threshold=0.1)
    store.record_decision(sk_ids[1], "refuse", officer="Bob", threshold=0.1)
    lines = store.journal.read_text(encoding="utf-8").splitlines()
    old = {k: v for k, v in json.loads(lines[1]).items()  # as a journal line was written before m010
           if k in ("kind", "SK_ID_CURR", "batch_id", "id", "score_id", "decision", "override_reason", "officer", "decided_at")}
    store.journal.write_text(lines[0] + "\n" + json.dumps(old) + "\n", encoding="utf-8")
    store.close()

    assert rebuild(home, scorer).decisions == 2
    store = ClientStore(home)
    assert store.decisions(sk_ids[0]) == [kept]  # the same score id: the batch came back in the same order
    [filled] = store.decisions(sk_ids[1])
    score = store.client(sk_ids[1]).score
    assert (filled.officer, filled.pd, filled.model_decision, filled.overrides, filled.threshold) == ("Bob", score.pd, "refuse", False, None)
    assert filled.reasons == {"against": score.against, "for": score.favour}
    store.close()
