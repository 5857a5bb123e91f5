"""Every score says which model made it: an import records the model of the tables it supplied, and
the CLI, the API, the export and the drift say so (real application_test clients of the demo batch)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from flask import Flask

from desktop import context as app_context
from desktop.api import api_blueprint
from desktop.cli import main
from desktop.explain import explain
from desktop.whatif import simulate
from engine.drift import NOT_SUPPLIED, drift_frame, run_drift
from engine.schema import TABLE_NAMES
from engine.scoring import Scorer
from storage.batch_tables import batch_supplied
from storage.drift_runs import run_batch_drift
from storage.export import batch_frame
from storage.importer import import_files
from storage.store import ClientStore
from storage_helpers import write_csvs

APPLICATION_ONLY = "Score établi sur la demande seule : moins précis (AUC attendue 0,"
FULL_HISTORY = "Scored on the application and the client's full history (expected AUC 0."


@pytest.fixture(scope="module")
def stored(tmp_path_factory, bundle, small_tables):
    """One store: the same 300 clients imported three times, with the application alone, with the
    application and previous applications (not a coverage), then with every table (the application
    rows in another order each time: the same file twice is refused)."""
    root = tmp_path_factory.mktemp("coverage_use")
    store, scorer = ClientStore(root / "home"), Scorer(bundle)
    batches = {}
    for seed, (name, kept) in enumerate((("application", ["application"]),
                                         ("previous", ["application", "previous_application"]),
                                         ("full", list(small_tables)))):
        tables = {t: small_tables[t] for t in kept}
        tables["application"] = tables["application"].sample(fraction=1.0, shuffle=True, seed=seed)
        batches[name] = import_files(store, [write_csvs(tables, root / name)], scorer)
    return store, batches


def _models(store: ClientStore, batch: int) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT DISTINCT model FROM scores WHERE batch_id = ?", (batch,))}


def test_each_batch_is_scored_by_the_model_of_the_tables_it_supplied(stored, bundle):
    store, batches = stored
    assert {name: _models(store, b.batch_id) for name, b in batches.items()} == {
        "application": {"application"}, "previous": {"application"}, "full": {"full"}
    }
    assert batches["application"].model == "application" and batches["full"].model == "full"
    assert batch_supplied(store, batches["previous"].batch_id) == {"application", "previous_application"}
    client = store.client(int(store.find_clients(batch=batches["full"].batch_id)["SK_ID_CURR"][0]))
    assert client.score.model == "full" and client.score.batch_id == batches["full"].batch_id
    older = store.scores(client.sk_id_curr)
    assert [s.model for s in older] == ["full", "application", "application"]
    assert older[-1].supplied == ("application",)
    # The application model is calibrated on its own: its scores are not the full model's on blanked input.
    pd = {name: store.find_clients(batch=b.batch_id)["PD"].mean() for name, b in batches.items()}
    assert pd["application"] != pd["full"]


def test_interpretation_and_what_if_use_the_model_that_scored(stored, bundle):
    store, batches = stored
    scorer = Scorer(bundle)
    sk_id = int(store.find_clients(batch=batches["full"].batch_id)["SK_ID_CURR"][5])
    latest, *_, first = store.scores(sk_id)  # the full-history score, ..., the application-only one
    point = 'UPDATE clients SET latest_score_id = ? WHERE "SK_ID_CURR" = ?'
    try:
        for score in (latest, first):
            with store.db.conn:
                store.db.conn.execute(point, (score.id, sk_id))
            assert explain(store, scorer, sk_id).pd == pytest.approx(score.pd, rel=1e-6)
            what_if = simulate(store, scorer, sk_id, {})
            assert what_if.model == score.model and what_if.pd == pytest.approx(score.pd, rel=1e-6)
    finally:
        with store.db.conn:
            store.db.conn.execute(point, (latest.id, sk_id))


def test_export_says_which_model_in_words(stored, scorer):
    store, batches = stored
    frame = batch_frame(store, batches["application"].batch_id, scorer)
    assert frame.columns[frame.columns.index("MODEL"):][:3] == ["MODEL", "MODEL_FR", "MODEL_EN"]
    assert frame["MODEL"].unique().to_list() == ["application"]
    assert frame["MODEL_FR"].str.starts_with(APPLICATION_ONLY).all()
    ignored = batch_frame(store, batches["previous"].batch_id, scorer)
    assert ignored["MODEL_FR"].str.ends_with("non utilisées par ce modèle : demandes précédentes.").all()
    assert ignored["MODEL_EN"].str.ends_with("not used by this model: previous applications.").all()
    full = batch_frame(store, batches["full"].batch_id, scorer)
    assert full["MODEL_EN"].str.starts_with(FULL_HISTORY).all() and full.height == 300


def test_cli_says_which_model_scored(stored, bundle, capsys):
    store, batches = stored
    sk_id = int(store.find_clients(batch=batches["full"].batch_id)["SK_ID_CURR"][0])
    home = ["--home", str(store.home)]
    assert main([*home, "clients", "--id", str(sk_id), "--bundle", str(bundle.path), "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Score établi sur la demande et tout l'historique du client (AUC attendue 0," in out


def test_cli_import_and_score_of_application_alone(stored, tmp_path, bundle, small_tables, capsys):
    folder = write_csvs({"application": small_tables["application"].head(50)}, tmp_path / "in")
    option = ["--bundle", str(bundle.path)]
    assert main(["--home", str(stored[0].home), "import", str(folder), *option, "--lang", "fr"]) == 0
    assert APPLICATION_ONLY in capsys.readouterr().out
    assert main(["score", str(folder), *option, "--out", str(tmp_path / "scores.csv")]) == 0
    out = capsys.readouterr().out
    threshold = bundle.models["application"].threshold
    assert "Scored on the application alone: less accurate (expected AUC 0." in out
    assert f"threshold {threshold:.4f}" in out
    assert pl.read_csv(tmp_path / "scores.csv")["MODEL"].unique().to_list() == ["application"]


@pytest.fixture
def api(stored, bundle):
    """The API's routes on a bare Flask app whose context is the coverage bundle and the test store
    (the process's app context is put back afterwards)."""
    store, _ = stored
    saved = app_context._current
    app_context.set_context(app_context.AppContext(store.home, bundle.path, "token"))
    server = Flask(__name__)
    server.register_blueprint(api_blueprint())
    yield server.test_client()
    app_context._current = saved


def test_api_scores_with_the_model_of_the_tables_in_the_body(api, small_tables, bundle):
    sk_id = small_tables["bureau"]["SK_ID_CURR"][0]  # a client with bureau credits
    application = small_tables["application"].filter(pl.col("SK_ID_CURR") == sk_id)
    row = {k: v for k, v in application.row(0, named=True).items() if v is not None}
    alone = api.post("/api/v1/score", json={"application": row}).get_json()
    assert alone["MODEL"] == "application" and alone["MODEL_FR"].startswith(APPLICATION_ONLY)
    assert alone["MODEL_AUC"] == bundle.models["application"].metrics.roc_auc_mean
    assert alone["TABLES_SUPPLIED"] == ["application"] and alone["TABLES_IGNORED"] == []
    history = {name: small_tables[name].filter(pl.col("SK_ID_CURR") == sk_id)
               for name in ("bureau", "previous_application")}
    balance = small_tables["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(history["bureau"]["SK_ID_BUREAU"].implode()))
    body = {"application": row, "bureau_balance": balance.to_dicts(), **{k: v.to_dicts() for k, v in history.items()}}
    mixed = api.post("/api/v1/score", json=body).get_json()
    assert mixed["MODEL"] == "bureau" and mixed["TABLES_IGNORED"] == ["previous_application"]
    assert "previous applications" in mixed["MODEL_EN"]
    stored_score = api.get(f"/api/v1/clients/{sk_id}").get_json()
    assert stored_score["MODEL"] == "full" and stored_score["MODEL_EN"].startswith(FULL_HISTORY)


@pytest.mark.slow
def test_drift_of_an_application_only_batch_reports_history_as_not_supplied(stored, bundle):
    store, batches = stored
    run = run_batch_drift(store, bundle, batches["application"].batch_id)
    s = run.summary
    specs = bundle.pipeline.specs
    history = {c for c in specs if specs[c].table != "application"}
    assert s["supplied"] == ["application"] and s["model"] == "application"
    assert s["not_supplied"] and set(s["not_supplied"]) <= history
    compared = {c["column"] for c in s["columns"]} | {c["column"] for c in s["not_compared"]}
    assert not compared & history and not set(s["drifted_columns"]) & history
    bands = {p["feature"]: p for p in s["psi"]["features"]}
    assert all(bands[c]["band"] == NOT_SUPPLIED and bands[c]["psi"] is None for c in bands if c in history)
    # The score is compared with the application model's reference PD, at its threshold.
    application = bundle.models["application"]
    reference_pd = bundle.reference([application.reference_pd])[application.reference_pd]
    assert s["score"]["model"] == "application"
    assert s["score"]["reference"]["mean"] == pytest.approx(reference_pd.mean())
    assert s["score"]["approval_rate"]["threshold"] == application.threshold
    stored_pd = store.find_clients(batch=batches["application"].batch_id)["PD"]
    assert s["score"]["current"]["mean"] == pytest.approx(stored_pd.mean())


@pytest.mark.slow
def test_drift_of_files_knows_what_they_supplied(bundle, small_tables):
    frames = {name: small_tables[name] for name in ("application", "bureau", "bureau_balance")}
    result = run_drift(bundle, drift_frame(bundle, frames), supplied=frames)
    s = result.summary
    specs = bundle.pipeline.specs
    assert s["model"] == "bureau" and s["score"]["model"] == "bureau"
    assert {specs[c].table for c in s["not_supplied"]} <= set(TABLE_NAMES) - set(frames)
    assert not {specs[c].table for c in s["drifted_columns"] if c in specs} - set(frames)
    assert "Not supplied:" in result.html
    full = run_drift(bundle, drift_frame(bundle, small_tables), supplied=small_tables).summary
    assert full["model"] == "full"
    assert {specs[c].table for c in full["not_supplied"]} <= set(TABLE_NAMES) - set(small_tables)
    assert json.dumps(s)  # JSON-ready, as the store keeps it
