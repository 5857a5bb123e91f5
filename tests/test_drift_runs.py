"""Drift runs on stored batches: the demo batch in a temp store, what is recorded, bad input."""

from __future__ import annotations

import json

import pytest

from engine.drift import DriftConfig, describe
from storage.batch_tables import batch_pd, batch_tables
from storage.drift_runs import DONE, PSI_PREFIX, drift_history, latest_drift, run_batch_drift
from storage.importer import seed_demo
from storage.paths import StoreError
from storage.store import ClientStore

#: Every test here runs on a store seeded with the 5,000 demo clients.
pytestmark = pytest.mark.slow

#: Few columns: each costs Evidently about 0.2 s.
SMALL = DriftConfig(top_features=5, application_columns=2)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, scorer):
    store = ClientStore(tmp_path_factory.mktemp("home"))
    seed_demo(store, scorer)
    yield store
    store.close()


def test_batch_tables_give_back_what_was_scored(seeded, scorer, demo_tables):
    frames = batch_tables(seeded, 1)
    assert {name: f.height for name, f in frames.items()} == {name: f.height for name, f in demo_tables.items()}
    features = scorer.features(frames).sort("SK_ID_CURR").head(50)
    stored = batch_pd(seeded, 1).head(50)
    assert scorer.predict_pd(scorer.matrix(features)) == pytest.approx(stored["PD"].to_numpy(), rel=1e-6)


def test_run_is_recorded_with_its_report_and_history(seeded, bundle, scorer):
    stages = []
    first = run_batch_drift(seeded, bundle, 1, lambda stage, done, total: stages.append(stage), SMALL)
    assert first.status == DONE and first.batch_id == 1 and first.bundle_id == bundle.id
    assert {"n_drifted", "n_compared", "drift_share", "dataset_drift"} <= first.summary.keys()
    assert first.summary["score"]["available"] and first.psi
    report = seeded.home / "reports" / first.report_name
    assert report.is_file() and first.report_name.startswith("drift-1-") and "<html" in report.read_text("utf-8")[:2000].lower()
    assert stages[0] == "read" and stages[-1] == "save"
    hist = first.histogram
    assert len(hist["edges"]) == len(hist["reference"]) + 1 and sum(hist["current"]) == pytest.approx(1.0)
    row = seeded.db.conn.execute("SELECT status, report FROM drift_runs WHERE id = ?", (first.id,)).fetchone()
    assert row[0] == DONE and json.loads(row[1])["report_name"] == first.report_name

    second = run_batch_drift(seeded, bundle, 1, config=SMALL)
    assert latest_drift(seeded, 1).id == second.id == latest_drift(seeded).id
    history = drift_history(seeded)
    assert history["RUN"].to_list() == [first.id, second.id]
    assert history["BATCH"].to_list() == [1, 1]
    feature = next(iter(first.psi))
    assert history[PSI_PREFIX + feature].to_list() == [first.psi[feature], second.psi[feature]]


def test_a_batch_that_does_not_exist_is_refused(seeded, bundle):
    runs = seeded.db.conn.execute("SELECT COUNT(*) FROM drift_runs").fetchone()[0]
    with pytest.raises(StoreError, match="no batch 999"):
        run_batch_drift(seeded, bundle, 999, config=SMALL)
    assert seeded.db.conn.execute("SELECT COUNT(*) FROM drift_runs").fetchone()[0] == runs
    assert latest_drift(seeded, 999) is None


def test_empty_store_has_no_history(tmp_path):
    store = ClientStore(tmp_path)
    assert drift_history(store).height == 0 and latest_drift(store) is None


def test_notes_are_stored_as_codes_and_older_english_notes_shown_as_stored(seeded, tmp_path):
    run = latest_drift(seeded, 1)
    stored = json.loads(seeded.db.conn.execute("SELECT report FROM drift_runs WHERE id = ?", (run.id,)).fetchone()[0])
    assert "reason" not in json.dumps(stored["summary"]["not_compared"]) and not stored["summary"]["warnings"]
    store = ClientStore(tmp_path)
    older = {"summary": {"warnings": ["only 80 client(s) in the batch: drift tests and PSI say little below 100"],
                         "not_compared": [{"column": "EXT_SOURCE_1", "code": "absent", "reason": "absent from the batch"}],
                         "score": {"available": False, "reason": "3 model features are absent from the batch"}}}
    store.db.conn.execute("INSERT INTO drift_runs (bundle_id, started, status, report) VALUES ('b', 'now', 'done', ?)",
                          (json.dumps(older),))
    summary = latest_drift(store).summary
    assert describe(summary["warnings"][0], "fr") == older["summary"]["warnings"][0]
    assert describe(summary["not_compared"][0], "fr") == "absente du lot"  # its code has words
    assert describe(summary["score"], "fr") == "3 model features are absent from the batch"
    store.close()
